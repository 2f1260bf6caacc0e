"""The headless command line, `inspector` (also `python -m inspector_app.cli`).

    inspector [--data-dir DIR] [--lang {zh_CN,en}] COMMAND ...

One module per command group (demo, records, audit, backup, seizure, seizure_workflow,
checks, worklog, sync, review, oversight, selftest), each with
`add_commands(commands, parents)`; `common` holds the exit codes, the one store opener and
the error messages. Every command but `demo` refuses a data folder that holds no store.
Every failure prints a translated message, never a traceback.

Nothing here imports Qt; the heavy modules (SQLAlchemy, jsonschema, reportlab) are imported
by the command that needs them, so `inspector --help` stays quick.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from inspector_app import version
from inspector_app.cli import (
    audit,
    backup,
    checks,
    demo,
    oversight,
    records,
    review,
    seizure,
    seizure_workflow,
    selftest,
    sync,
    worklog,
)
from inspector_app.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    describe,
    err,
    exit_codes_text,
)
from inspector_app.core import i18n
from inspector_app.core.i18n import _

GROUPS = (demo, records, review, audit, backup, seizure, seizure_workflow, checks, worklog,
          sync, oversight, selftest)


@contextmanager
def _argparse_in_language() -> Iterator[None]:
    """Let argparse's own words ("usage:", "error:", ...) come from our catalogs too."""
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda message: i18n._(message)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    # --data-dir and --lang work before or after the command; SUPPRESS keeps a later
    # absent copy from overwriting an earlier given one.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help=_("data folder (default: $INSPECTOR_DATA_DIR, else the "
                               "user data folder)"))
    common.add_argument("--lang", choices=sorted(i18n.LANGUAGES), default=argparse.SUPPRESS,
                        help=_("language of the messages (default: the store's setting)"))

    parser = argparse.ArgumentParser(
        prog="inspector", parents=[common],
        description=_("Inspector on the command line: demo data, record lists, export, "
                      "import, the audit check, backup and restore, the seizure workflow and "
                      "every document."),
        epilog=exit_codes_text())
    parser.add_argument("--version", action="version", version=f"inspector {version()}",
                        help=_("show the version and exit"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in GROUPS:
        group.add_commands(commands, parents=[common])
    return parser


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise ValueError(message)


def _early_options(argv: Sequence[str]) -> tuple[str | None, str | None]:
    """--data-dir and --lang wherever they are, before the real parse (which needs them).

    Silent: the real parse reports any mistake, in the language chosen here.
    """
    early = _QuietParser(add_help=False, exit_on_error=False)
    early.add_argument("--data-dir")
    early.add_argument("--lang")
    try:
        known, _rest = early.parse_known_args(list(argv))
    except (ValueError, argparse.ArgumentError):
        return None, None
    return known.data_dir, known.lang


def _safe_streams() -> None:
    """Never fail on a character the terminal's encoding lacks (e.g. 𠮷 in GBK)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _safe_streams()
    data_dir, lang = _early_options(argv)
    if lang not in i18n.LANGUAGES:
        lang = None
        try:
            from inspector_app.core.early import peek_language
            from inspector_app.core.paths import data_dir as resolve

            lang = peek_language(resolve(data_dir))
        except Exception:  # noqa: BLE001 - the language is a nicety; never fail on it
            lang = None
    i18n.set_language(lang or i18n.DEFAULT_LANGUAGE)
    try:
        with _argparse_in_language():
            args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        err(_("Interrupted."))
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `inspector records list ... | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - closed at exit
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - every error gets a message, never a traceback
        message, code = describe(exc)
        err(_("Error: {message}").format(message=message))
        return code
