"""The desktop app's entry point (`inspector-app`, `python -m inspector_app`).

Start-up is ordered for a fast first window: parse the options, pick the language (read
straight from the database with sqlite3, no ORM), make the QApplication, install the
bundled fonts and Qt's own translations, show the main window. Only then are SQLAlchemy,
Alembic and argon2 imported (see `ui.startup`); reportlab is never
imported at start-up.
"""

from __future__ import annotations

import argparse
import logging
import sys

from inspector_app.core import i18n
from inspector_app.core.i18n import _

log = logging.getLogger("inspector_app")

DEFAULT_DEMO_RECORDS = 200


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="inspector-app",
        description=_("Product-quality inspection at wholesale markets (desktop app)."))
    parser.add_argument("--data-dir", metavar="DIR",
                        help=_("data folder (default: $INSPECTOR_DATA_DIR, else the "
                               "user data folder)"))
    parser.add_argument("--demo", nargs="?", type=int, const=DEFAULT_DEMO_RECORDS,
                        metavar="N",
                        help=_("fill N demo records of each kind (default 200) if the store has none"))
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES),
                        help=_("user interface language for this run"))
    parser.add_argument("--self-test", action="store_true",
                        help=_("check this installation in a temporary folder (records, "
                               "documents, QR code, Qt) and exit"))
    parser.add_argument("--version", action="store_true", help=_("show the version and exit"))
    parser.add_argument("--quit-when-shown", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from inspector_app.ui.startup import process_clock

    clock = process_clock()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        import inspector_app

        print(f"inspector-app {inspector_app.version()}")
        return 0
    if args.self_test:
        from inspector_app.selftest import run_self_test

        i18n.set_language(args.lang or i18n.DEFAULT_LANGUAGE)
        return run_self_test(sys.stdout)

    from inspector_app.core.early import peek_language
    from inspector_app.core.paths import data_dir as resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    language = args.lang or peek_language(data_dir) or i18n.DEFAULT_LANGUAGE
    i18n.set_language(language)

    from inspector_app.ui.errors import install_excepthook, setup_logging

    try:
        setup_logging(data_dir)
    except OSError as exc:  # a read-only or missing drive: go on without a log file
        print(f"{data_dir}: {exc}", file=sys.stderr)
    install_excepthook()
    log.info("Inspector starting")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "inspector"])
    app.setApplicationName("Inspector")
    app.setOrganizationName("Inspector")
    app.setDesktopFileName("inspector-app")  # Wayland: the icon of inspector-app.desktop

    from PySide6.QtGui import QIcon

    from inspector_app.core.resources import icon_path

    app.setWindowIcon(QIcon(str(icon_path())))

    from inspector_app.ui.fonts import install_app_fonts
    from inspector_app.ui.language import apply_language

    install_app_fonts(app)
    apply_language(language)

    from inspector_app.ui.startup import Options, Startup

    startup = Startup(Options(data_dir=data_dir, demo=args.demo,
                              quit_when_shown=args.quit_when_shown, clock=clock))
    startup.finished.connect(app.exit)
    startup.start()
    code = app.exec()
    startup.shutdown()
    log.info("Inspector stopped (%s)", code)
    return code


if __name__ == "__main__":
    sys.exit(main())
