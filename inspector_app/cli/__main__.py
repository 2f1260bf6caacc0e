"""`python -m inspector_app.cli`: the command line, as the `inspector` command."""

import sys

from inspector_app.cli import main

sys.exit(main())
