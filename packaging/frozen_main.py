"""The one program of the Linux desktop build, under two names (packaging/inspector.spec).

`dist/inspector/inspector` is a symbolic link to `inspector-app` in the same folder, so
the two programs share one executable and one archive of Python modules (each executable
of a PyInstaller build carries its own archive: 15 MB). The name it was started by picks
the program: `inspector` runs the command line (`inspector_app.cli`), any other name the
desktop app (`inspector_app.app`), as `python -m inspector_app[.cli]` does from source.
Windows keeps two executables (the command line needs a console window, the app none).
"""

import os
import sys

CLI_NAME = "inspector"


def main() -> int:
    name = os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] else sys.executable)
    if name == CLI_NAME:
        from inspector_app.cli import main as cli_main

        return cli_main()
    from inspector_app.app import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
