"""What every command shares: the exit codes, the one store opener, output helpers, and the
message for an error.

Nothing here imports Qt, SQLAlchemy or the other heavy modules at import time.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from inspector_app.core.i18n import N_, _

if TYPE_CHECKING:
    from inspector_app.core import records
    from inspector_app.core.store import Store

# The exit codes of every command (README's "Command line" section lists the same).
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    EXIT_OK: N_("ok"),
    EXIT_CHECK_FAILED: N_("a check failed or work is left undone (audit problems, an INVALID "
                          "code, changes not synced)"),
    EXIT_USAGE: N_("bad usage or bad input, such as a data folder without a store"),
    EXIT_INTERRUPTED: N_("interrupted"),
}


def exit_codes_text() -> str:
    """One sentence naming every exit code, for --help and the README."""
    codes = _(", ").join(f"{code} {_(text)}" for code, text in EXIT_CODES.items())
    return _("Exit codes: {codes}.").format(codes=codes)


class CliError(Exception):
    """A failure with a message for the user and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.message = message
        self.code = code


# --- the store -------------------------------------------------------------------------


def open_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    """The store in the data folder of --data-dir (else $INSPECTOR_DATA_DIR, else the user
    data folder). Unless `create`, a folder without a store is refused and nothing is made."""
    from inspector_app.core.paths import data_dir
    from inspector_app.core.store import NoStoreError, Store

    folder = data_dir(getattr(args, "data_dir", None))
    try:
        return Store(folder, create=create)
    except NoStoreError as exc:
        raise CliError(_("{problem} Give the right folder with --data-dir, or make a store: "
                         "start inspector-app once and set it up (or run `inspector demo` "
                         "for demo data).").format(problem=exc.message)) from exc


def with_store(command: Callable[[argparse.Namespace, Store], int]
               ) -> Callable[[argparse.Namespace], int]:
    """`command(args, store)` as a handler: it runs on the existing store of --data-dir,
    closed after."""

    @functools.wraps(command)
    def handler(args: argparse.Namespace) -> int:
        store = open_store(args)
        try:
            return command(args, store)
        finally:
            store.close()

    return handler


# --- the signed-in user ---------------------------------------------------------------

USER_ENV = "INSPECTOR_USER"
PASSWORD_ENV = "INSPECTOR_PASSWORD"


def add_user_option(parser: argparse.ArgumentParser) -> None:
    """--user, for a command that writes records in a user's name."""
    parser.add_argument(
        "--user", metavar="NAME", default=argparse.SUPPRESS,
        help=_("sign in as this user (default: ${user_env}); the password is read from "
               "${password_env}, else asked for on the terminal").format(
            user_env=USER_ENV, password_env=PASSWORD_ENV))


def sign_in(args: argparse.Namespace, session) -> records.Actor:
    """The actor of a writing command: the user of --user (or $INSPECTOR_USER), signed in with
    the password of $INSPECTOR_PASSWORD or, on a terminal, typed at a prompt. A password is
    never taken from the command line, where other users of the machine can read it."""
    import getpass
    import os

    from inspector_app.core import auth, records, settings

    username = getattr(args, "user", None) or os.environ.get(USER_ENV, "")
    if not username.strip():
        raise CliError(_("This command changes records: say who you are with --user NAME "
                         "(or ${env}).").format(env=USER_ENV))
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise CliError(_("No password: set ${env}, or run the command on a terminal to "
                             "type it.").format(env=PASSWORD_ENV))
        password = getpass.getpass(_("Password for {user}: ").format(user=username))
    inspector = auth.authenticate(session, username, password)
    if inspector is None:
        raise CliError(_("Wrong user name or password, or the user is no longer active."))
    return records.Actor(settings.device_id(session), inspector.id)


# --- argument types --------------------------------------------------------------------


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(_("{value} is not a whole number of 0 or more")
                                         .format(value=text))
    return value


def positive(text: str) -> int:
    value = count(text)
    if value == 0:
        raise argparse.ArgumentTypeError(_("{value} is not a whole number of 1 or more")
                                         .format(value=text))
    return value


# --- output ----------------------------------------------------------------------------

_COUNT_LABELS = {
    "check_item": N_("checklist items"),
    "seizure_item": N_("seized items"),
    "seal": N_("seals"),
    "rapid_test": N_("rapid tests"),
    "scale_check": N_("scale checks"),
    "complaint": N_("complaints"),
}


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def write_pdf(path, pdf: bytes) -> None:
    """Write a document to `path` (its folder made if missing) and say so."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except OSError as exc:
        raise CliError(_("Cannot write {path}: {error}").format(
            path=path, error=exc.strerror)) from exc


def kind_label(kind: str) -> str:
    from inspector_app.core.transfer import ENTITY_LABELS, entity_label

    if kind in ENTITY_LABELS:
        return entity_label(kind)
    return _(_COUNT_LABELS[kind]) if kind in _COUNT_LABELS else kind


# --- errors ----------------------------------------------------------------------------


def _is(exc: BaseException, module: str, name: str) -> bool:
    """`exc` is a `module.name`; never imports `module` (if it is not loaded, it is not)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, name))


def describe(exc: BaseException) -> tuple[str, int]:
    """A message for the user, and the exit code, for an exception a command raised."""
    if isinstance(exc, CliError):
        return exc.message, exc.code
    if any(_is(exc, module, name) for module, name in (
            ("inspector_app.core.store", "StoreError"),
            ("inspector_app.core.transfer", "TransferError"),
            ("inspector_app.core.validation", "ValidationError"),
            ("inspector_app.core.seizure.service", "NotFound"))):
        return exc.message, EXIT_USAGE  # type: ignore[attr-defined]
    if _is(exc, "inspector_app.core.checks.service", "CheckError"):
        return exc.message, EXIT_USAGE  # type: ignore[attr-defined]
    if _is(exc, "inspector_app.core.fonts", "UnprintableText"):
        return exc.message, EXIT_USAGE  # type: ignore[attr-defined]
    if _is(exc, "inspector_app.core.sync.transport", "SyncError"):
        # refused by the server: bad input; the network failed: work left undone
        return exc.message, EXIT_USAGE if exc.fatal else EXIT_CHECK_FAILED  # type: ignore
    if _is(exc, "inspector_app.core.records", "VersionConflict"):
        return str(exc), EXIT_USAGE
    if isinstance(exc, FileNotFoundError):
        return _("{path} does not exist.").format(path=exc.filename), EXIT_USAGE
    if isinstance(exc, PermissionError):
        return _("No permission to use {path}.").format(path=exc.filename), EXIT_USAGE
    if isinstance(exc, IsADirectoryError):
        return _("{path} is a folder, not a file.").format(path=exc.filename), EXIT_USAGE
    if isinstance(exc, OSError):
        if exc.filename is None:
            return str(exc.strerror or exc), EXIT_USAGE
        return _("{path}: {error}").format(path=exc.filename, error=exc.strerror or exc), \
            EXIT_USAGE
    if _is(exc, "sqlalchemy.exc", "DBAPIError"):
        orig = exc.orig  # type: ignore[attr-defined]
        detail = str(orig) if orig is not None else type(exc).__name__
        if "locked" in detail:
            return _("The store is busy: another program is writing to it. Try again in a "
                     "moment."), EXIT_USAGE
        return _("The store's database could not be used ({error}). Nothing was changed; "
                 "run `inspector audit verify`.").format(error=detail), EXIT_USAGE
    return _("unexpected {error} ({detail}). This is a bug; please report it.").format(
        error=type(exc).__name__, detail=exc), EXIT_USAGE


def day_arg(text: str) -> date:
    """An argparse type: a day as YYYY-MM-DD, or a clear message."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a date (YYYY-MM-DD)").format(
            value=text)) from None
