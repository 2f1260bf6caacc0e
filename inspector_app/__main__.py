"""`python -m inspector_app`: the desktop app."""

import sys

from inspector_app.app import main

sys.exit(main())
