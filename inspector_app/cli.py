"""The headless command line, `inspector`: demo data, record lists, export, import, audit.

    inspector [--data-dir DIR] [--lang {zh_CN,en}] COMMAND ...
    inspector demo --records N
    inspector records list --kind check [--json] [--search TEXT] [--status S] [--market M]
    inspector records export --kind seizure --format {json,csv,xlsx} --out FILE
    inspector records import FILE.json [--attachments DIR]
    inspector audit verify

Exit codes: 0 ok, 1 a check failed (audit verify found problems), 2 bad usage or bad input,
130 interrupted. Every failure prints a translated message, never a traceback.

Nothing here imports Qt; the heavy modules (SQLAlchemy, openpyxl, jsonschema) are imported
by the command that needs them, so `inspector --help` stays quick.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from inspector_app.core import i18n
from inspector_app.core.i18n import N_, _, ngettext

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

RECORD_KINDS = ("check", "seizure", "worklog")
DEMO_AGENCY = "示例市市场监督管理局"
DEMO_ABBR = "示例"
DEMO_INSPECTOR = ("张三", "zhang", "demo1234", "32010001")

_COUNT_LABELS = {
    "check_item": N_("checklist items"),
    "seizure_item": N_("seized items"),
    "seal": N_("seals"),
    "rapid_test": N_("rapid tests"),
    "scale_check": N_("scale checks"),
    "complaint": N_("complaints"),
}


class CliError(Exception):
    """A failure with a message for the user and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.message = message
        self.code = code


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


# --- argument parsing ------------------------------------------------------------------


@contextmanager
def _argparse_in_language() -> Iterator[None]:
    """Let argparse's own words ("usage:", "error:", ...) come from our catalogs too."""
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda message: i18n._(message)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(_("{value} is not a whole number of 0 or more")
                                         .format(value=text))
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError(_("{value} is not a whole number of 1 or more")
                                         .format(value=text))
    return value


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
                      "import and the audit check."),
        epilog=_("Exit codes: 0 ok, 1 a check failed, 2 bad usage or bad input."))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", parents=[common], help=_("fill the store with demo data"))
    demo.add_argument("--records", type=_count, default=200, metavar="N",
                      help=_("records of each kind to add (default 200)"))
    demo.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    demo.set_defaults(handler=cmd_demo)

    recs = commands.add_parser("records", parents=[common],
                               help=_("list, export and import records"))
    actions = recs.add_subparsers(dest="action", metavar="ACTION", required=True)

    lst = actions.add_parser("list", parents=[common], help=_("list records"))
    lst.add_argument("--kind", choices=RECORD_KINDS, required=True, help=_("record kind"))
    lst.add_argument("--json", action="store_true",
                     help=_("print a JSON array instead of a table"))
    lst.add_argument("--search", metavar="TEXT", default="",
                     help=_("only records containing TEXT"))
    lst.add_argument("--status", metavar="S", help=_("only records with this status"))
    lst.add_argument("--market", metavar="NAME_OR_ID", help=_("only records of this market"))
    lst.add_argument("--limit", type=_positive, metavar="N", help=_("at most N records"))
    lst.set_defaults(handler=cmd_list)

    exp = actions.add_parser("export", parents=[common], help=_("export records to a file"))
    exp.add_argument("--kind", choices=(*RECORD_KINDS, "all"), required=True,
                     help=_("record kind (all: every kind, JSON only)"))
    exp.add_argument("--format", choices=("json", "csv", "xlsx"), required=True,
                     help=_("json: the record format for import; csv, xlsx: one row per "
                            "record for spreadsheets"))
    exp.add_argument("--out", metavar="FILE", required=True, help=_("file to write"))
    exp.add_argument("--attachments", metavar="DIR",
                     help=_("also copy the attachment files into DIR (JSON only)"))
    exp.set_defaults(handler=cmd_export)

    imp = actions.add_parser("import", parents=[common],
                             help=_("import a JSON records file, all or nothing"))
    imp.add_argument("file", metavar="FILE", help=_("the JSON records file"))
    imp.add_argument("--attachments", metavar="DIR",
                     help=_("folder holding the attachment files, named by their SHA-256"))
    imp.set_defaults(handler=cmd_import)

    aud = commands.add_parser("audit", parents=[common], help=_("check the audit trail"))
    checks = aud.add_subparsers(dest="action", metavar="ACTION", required=True)
    ver = checks.add_parser("verify", parents=[common],
                            help=_("check every record and attachment against the audit trail"))
    ver.set_defaults(handler=cmd_verify)

    from inspector_app import cli_seizure, cli_sync

    cli_seizure.add_commands(commands, parents=[common])
    cli_sync.add_commands(commands, parents=[common])
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


def _data_dir(value: str | None) -> Path:
    from inspector_app.core.paths import data_dir

    return data_dir(value)


# --- helpers ---------------------------------------------------------------------------


def _open_store(args: argparse.Namespace, create: bool = False):
    """The store of --data-dir; unless `create`, one must already be there."""
    from inspector_app.core.store import DB_NAME, Store

    folder = _data_dir(getattr(args, "data_dir", None))
    if not create and not (folder / DB_NAME).exists():
        raise CliError(_("There is no Inspector store in {folder}. Give the right folder with "
                         "--data-dir, or make one with `inspector demo`.").format(folder=folder))
    return Store(folder)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(header: list[str], rows: list[list[str]]) -> Iterator[str]:
    widths = [_width(h) for h in header]
    for row in rows:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    yield "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()
    yield "  ".join("-" * w for w in widths)
    for row in rows:
        yield "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip()


def _progress() -> Callable[[int, int], None] | None:
    """A percentage on stderr, when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        sys.stderr.write(f"\r{percent:3d}%")
        if done >= total:
            sys.stderr.write("\r    \r")
        sys.stderr.flush()
    return show


def _kind_label(kind: str) -> str:
    from inspector_app.core.transfer import ENTITY_LABELS, entity_label

    if kind in ENTITY_LABELS:
        return entity_label(kind)
    return _(_COUNT_LABELS[kind]) if kind in _COUNT_LABELS else kind


# --- demo ------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from inspector_app.core import auth, settings
    from inspector_app.core.models import Inspector

    try:
        from inspector_app.core import demo
    except ImportError as exc:
        raise CliError(_("The demo data generator is not part of this installation.")) from exc
    store = _open_store(args, create=True)
    try:
        with store.write() as session:
            if auth.needs_setup(session):
                name, username, password, cert_no = DEMO_INSPECTOR
                agency = settings.AGENCY_NAME.get(session) or DEMO_AGENCY
                abbr = settings.AGENCY_ABBR.get(session) or DEMO_ABBR
                if session.scalar(select(Inspector).where(Inspector.username == username)):
                    settings.AGENCY_NAME.set(session, agency)
                    settings.AGENCY_ABBR.set(session, abbr)
                else:
                    try:
                        auth.first_setup(session, agency, abbr, auth.NewInspector(
                            name, username, password, cert_no, "supervisor"))
                    except auth.SetupError as exc:
                        raise CliError(str(exc)) from exc
                    _out(_("Set up the demo agency {agency}; sign in as {user} with the "
                           "password {password}.").format(agency=agency, user=username,
                                                         password=password))
        start = time.perf_counter()
        try:
            counts = demo.generate(store, args.records, seed=args.seed, progress=_progress())
        except demo.DemoError as exc:  # a store with other records: nothing was written
            raise CliError(exc.message) from exc
        counts["seizure"] = counts.get("seizure", 0) + len(demo.printable_seizures(store))
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    _out(_("Added demo data:"))
    shown = [(key, n) for key, n in counts.items() if n]
    width = max((_width(_kind_label(k)) for k, _n in shown), default=0)
    for key, n in shown:
        _out(f"  {_pad(_kind_label(key), width)}  {n:>9,}")
    _out(_("Done in {seconds:.1f} s.").format(seconds=elapsed))
    return EXIT_OK


# --- records list ----------------------------------------------------------------------


def _resolve_market(session, text: str) -> str:
    from inspector_app.core import queries

    markets = queries.markets(session)
    for market_id, name in markets:
        if text == market_id:
            return market_id
    exact = [m for m in markets if m[1] == text]
    if len(exact) == 1:
        return exact[0][0]
    partial = exact or [m for m in markets if text in m[1]]
    if len(partial) == 1:
        return partial[0][0]
    if not partial:
        raise CliError(_("No market is named {name}.").format(name=text))
    raise CliError(_("Several markets match {name}: {names}. Give the full name or the id.")
                   .format(name=text, names=", ".join(m[1] for m in partial[:10])))


def _resolve_status(kind: str, text: str) -> str:
    from inspector_app.core import queries

    statuses = queries.STATUSES[kind]
    for key, label in statuses.items():
        if text.casefold() in (key.casefold(), _(label).casefold(), label.casefold()):
            return key
    raise CliError(_("{kind} records have no status {status}; use one of: {choices}.").format(
        kind=_(queries.KIND_LABELS[kind]), status=text,
        choices=", ".join(f"{k} ({_(v)})" for k, v in statuses.items())))


def _json_value(key: str, value: Any) -> Any:
    from datetime import UTC, datetime

    from inspector_app.core import canonical

    if key in ("checked_at", "started_at") and value is not None:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return canonical.plain(moment.replace(tzinfo=moment.tzinfo or UTC))
    return value


def cmd_list(args: argparse.Namespace) -> int:
    from inspector_app.core import queries

    kind = args.kind
    store = _open_store(args)
    try:
        with store.read() as session:
            flt = queries.Filter(text=args.search or "")
            if args.market:
                flt.market_id = _resolve_market(session, args.market)
            if args.status:
                flt.status = _resolve_status(kind, args.status)
            ids = queries.list_ids(session, kind, flt)
            total = len(ids)
            if args.limit:
                ids = ids[: args.limit]
            rows = queries.fetch_rows(session, kind, ids)
    finally:
        store.close()
    columns = queries.COLUMNS[kind]
    if args.json:
        data = [{"id": rid, **{c.key: _json_value(c.key, v)
                               for c, v in zip(columns, rows[rid], strict=True)}}
                for rid in ids if rid in rows]
        _out(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    header = ["ID"] + [_(c.label) for c in columns]
    table = [[rid] + [queries.display(kind, c, v) for c, v in zip(columns, rows[rid],
                                                                   strict=True)]
             for rid in ids if rid in rows]
    for line in _table(header, table):
        _out(line)
    if len(ids) < total:
        _out(_("{shown} of {total} records (--limit).").format(shown=len(ids), total=total))
    else:
        _out(ngettext("{total} record.", "{total} records.", total).format(total=total))
    return EXIT_OK


# --- records export / import -----------------------------------------------------------


def _output_path(text: str) -> Path:
    out = Path(text).expanduser()
    if out.is_dir():
        raise CliError(_("{path} is a folder; give a file name with --out.").format(path=out))
    if not out.parent.is_dir():
        raise CliError(_("The folder {folder} does not exist.").format(folder=out.parent))
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from inspector_app.core import transfer

    out = _output_path(args.out)
    if args.format != "json" and args.kind == "all":
        raise CliError(_("--kind all works with --format json only: a table holds one kind."))
    if args.format != "json" and args.attachments:
        raise CliError(_("--attachments works with --format json only."))
    store = _open_store(args)
    start = time.perf_counter()
    try:
        if args.format == "json":
            kinds = RECORD_KINDS if args.kind == "all" else (args.kind,)
            folder = Path(args.attachments).expanduser() if args.attachments else None
            counts = transfer.export_json(store, kinds, out, folder, progress=_progress())
            written = ", ".join(f"{_kind_label(k)} {n}" for k, n in counts.items()
                                if k != "attachments")
            _out(_("Wrote {path}: {counts}.").format(path=out, counts=written or "0"))
            if folder is not None:
                _out(_("Copied {n} attachment files to {folder}.").format(
                    n=counts.get("attachments", 0), folder=folder))
        else:
            n = transfer.export_table(store, args.kind, args.format, out,
                                      progress=_progress())
            _out(_("Wrote {path}: {n} records.").format(path=out, n=n))
    finally:
        store.close()
    _out(_("Done in {seconds:.1f} s.").format(seconds=time.perf_counter() - start))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from inspector_app.core import transfer

    path = Path(args.file).expanduser()
    folder = None
    if args.attachments:
        folder = Path(args.attachments).expanduser()
        if not folder.is_dir():
            raise CliError(_("The folder {folder} does not exist.").format(folder=folder))
    doc = transfer.load_document(path)  # before the store: a bad file changes nothing
    store = _open_store(args, create=True)
    try:
        summary = transfer.import_document(store, doc, folder, progress=_progress())
    except transfer.ImportRejected as exc:
        _err(ngettext("{file}: {n} problem found; nothing was imported.",
                      "{file}: {n} problems found; nothing was imported.",
                      len(exc.issues)).format(
            file=path, n=len(exc.issues)))
        for issue in exc.issues:
            _err(f"  {issue}")
        return EXIT_USAGE
    finally:
        store.close()
    _out(_("Imported {file}: {created} created, {updated} updated, {skipped} unchanged.")
         .format(file=path, created=summary.total("created"),
                 updated=summary.total("updated"), skipped=summary.total("skipped")))
    for kind in transfer.KIND_ORDER:
        parts = [(summary.created[kind], N_("{n} created")),
                 (summary.updated[kind], N_("{n} updated")),
                 (summary.skipped[kind], N_("{n} unchanged"))]
        shown = _(", ").join(_(text).format(n=n) for n, text in parts if n)
        if shown:
            _out("  " + _("{kind}: {counts}").format(kind=_kind_label(kind), counts=shown))
    if summary.files:
        _out(_("Copied {n} attachment files into the store.").format(n=summary.files))
    return EXIT_OK


# --- audit verify ----------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from inspector_app.core import audit
    from inspector_app.core.models import AuditEntry

    store = _open_store(args)
    try:
        with store.read() as session:
            entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
            problems = audit.verify(session, store.attachment_path)
    finally:
        store.close()
    if not problems:
        _out(_("OK: all {n} audit entries match the records and attachments.")
             .format(n=entries))
        return EXIT_OK
    for problem in problems:
        _out(f"{_kind_label(problem.kind)} {problem.record_id}: {problem.message}")
    _out(ngettext("{n} problem found.", "{n} problems found.", len(problems))
         .format(n=len(problems)))
    return EXIT_CHECK_FAILED


# --- the entry point -------------------------------------------------------------------


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

            lang = peek_language(_data_dir(data_dir))
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
        _err(_("Interrupted."))
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `inspector records list ... | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - closed at exit
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - every error gets a message, never a traceback
        message, code = _describe(exc)
        _err(_("Error: {message}").format(message=message))
        return code


def _describe(exc: BaseException) -> tuple[str, int]:
    """A message for the user, and the exit code, for an exception a command raised."""
    from inspector_app.core.store import StoreError
    from inspector_app.core.transfer import TransferError

    if isinstance(exc, CliError):
        return exc.message, exc.code
    if isinstance(exc, (StoreError, TransferError)):
        return exc.message, EXIT_USAGE
    from inspector_app.core.validation import ValidationError

    if isinstance(exc, ValidationError):
        return exc.message, EXIT_USAGE
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
    try:
        from sqlalchemy.exc import DBAPIError
    except ImportError:  # pragma: no cover
        DBAPIError = ()  # type: ignore[assignment]
    if isinstance(exc, DBAPIError):
        detail = str(exc.orig) if exc.orig is not None else type(exc).__name__
        if "locked" in detail:
            return _("The store is busy: another program is writing to it. Try again in a "
                     "moment."), EXIT_USAGE
        return _("The store's database could not be used ({error}). Nothing was changed; "
                 "run `inspector audit verify`.").format(error=detail), EXIT_USAGE
    return _("unexpected {error} ({detail}). This is a bug; please report it.").format(
        error=type(exc).__name__, detail=exc), EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
