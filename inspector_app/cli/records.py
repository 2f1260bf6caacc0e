"""`inspector records`: list, export and import records.

    inspector records list --kind check [--json] [--search TEXT] [--status S] [--market M]
    inspector records show KIND ID [--json]
    inspector records export --kind seizure --format {json,csv,xlsx} --out FILE
    inspector records import FILE.json [--attachments DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspector_app.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    err,
    kind_label,
    out,
    positive,
    with_store,
)
from inspector_app.cli.table import progress, show
from inspector_app.core.i18n import N_, _, ngettext

RECORD_KINDS = ("check", "seizure", "worklog")


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    recs = commands.add_parser("records", parents=parents,
                               help=_("list, export and import records"))
    actions = recs.add_subparsers(dest="action", metavar="ACTION", required=True)

    lst = actions.add_parser("list", parents=parents, help=_("list records"))
    lst.add_argument("--kind", choices=RECORD_KINDS, required=True, help=_("record kind"))
    lst.add_argument("--json", action="store_true",
                     help=_("print a JSON array instead of a table"))
    lst.add_argument("--search", metavar="TEXT", default="",
                     help=_("only records containing TEXT"))
    lst.add_argument("--status", metavar="S", help=_("only records with this status"))
    lst.add_argument("--market", metavar="NAME_OR_ID", help=_("only records of this market"))
    lst.add_argument("--limit", type=positive, metavar="N", help=_("at most N records"))
    lst.set_defaults(handler=cmd_list)

    show = actions.add_parser("show", parents=parents,
                              help=_("show one record with its review state and comments"))
    show.add_argument("kind", choices=RECORD_KINDS, metavar="KIND", help=_("record kind"))
    show.add_argument("record_id", metavar="ID", help=_("record id"))
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    show.set_defaults(handler=cmd_show)

    exp = actions.add_parser("export", parents=parents, help=_("export records to a file"))
    exp.add_argument("--kind", choices=(*RECORD_KINDS, "all"), required=True,
                     help=_("record kind (all: every kind, JSON only)"))
    exp.add_argument("--format", choices=("json", "csv", "xlsx"), required=True,
                     help=_("json: the record format for import; csv, xlsx: one row per "
                            "record for spreadsheets"))
    exp.add_argument("--out", metavar="FILE", required=True, help=_("file to write"))
    exp.add_argument("--attachments", metavar="DIR",
                     help=_("also copy the attachment files into DIR (JSON only)"))
    exp.set_defaults(handler=cmd_export)

    imp = actions.add_parser("import", parents=parents,
                             help=_("import a JSON records file, all or nothing"))
    imp.add_argument("file", metavar="FILE", help=_("the JSON records file"))
    imp.add_argument("--attachments", metavar="DIR",
                     help=_("folder holding the attachment files, named by their SHA-256"))
    imp.set_defaults(handler=cmd_import)


# --- list ------------------------------------------------------------------------------


def _resolve_market(session, text: str) -> str:
    from inspector_app.core import queries

    markets = queries.markets(session)
    for market_id, _name in markets:
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
        choices=_(", ").join(_("{key} ({label})").format(key=k, label=_(v))
                             for k, v in statuses.items())))


def _json_value(key: str, value: Any) -> Any:
    from datetime import UTC, datetime

    from inspector_app.core import canonical

    if key in ("checked_at", "started_at") and value is not None:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return canonical.plain(moment.replace(tzinfo=moment.tzinfo or UTC))
    return value


@with_store
def cmd_list(args: argparse.Namespace, store) -> int:
    from inspector_app.core import queries

    kind = args.kind
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
    columns = queries.COLUMNS[kind]
    if args.json:
        data = [{"id": rid, **{c.key: _json_value(c.key, v)
                               for c, v in zip(columns, rows[rid], strict=True)}}
                for rid in ids if rid in rows]
        out(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    header = ["ID"] + [_(c.label) for c in columns]
    cells = [[rid] + [queries.display(kind, c, v) for c, v in zip(columns, rows[rid],
                                                                   strict=True)]
             for rid in ids if rid in rows]
    show(header, cells)
    if len(ids) < total:
        out(_("{shown} of {total} records (--limit).").format(shown=len(ids), total=total))
    else:
        out(ngettext("{total} record.", "{total} records.", total).format(total=total))
    return EXIT_OK


# --- show ------------------------------------------------------------------------------


@with_store
def cmd_show(args: argparse.Namespace, store) -> int:
    from sqlalchemy import select

    from inspector_app.core.agency import review
    from inspector_app.core.models import AgencyRecord, History
    from inspector_app.core.sync import handed

    kind, rid = args.kind, args.record_id
    with store.read() as session:
        review_ = review.review_of(session, kind, rid)
        if review.is_supervisor(session):
            rec = session.get(AgencyRecord, (kind, rid))
            if rec is None:
                raise CliError(_("There is no {kind} record {id} in the agency's records here.")
                               .format(kind=review.kind_label(kind), id=rid))
            data = {"kind": kind, "id": rid, "version": rec.version,
                    "sha256": rec.content_sha256, "inspector": rec.inspector,
                    "market": rec.market, "day": rec.day, "state": rec.state,
                    "result": rec.result, "owner_device_id": rec.owner_device_id,
                    "conflicts": rec.conflicts,
                    "content": review.content(session, kind, rid, rec.version,
                                              rec.content_sha256),
                    "history": review.history(session, kind, rid)}
        else:
            row = session.scalars(select(History).where(
                History.kind == kind, History.record_id == rid)
                .order_by(History.version.desc()).limit(1)).first()
            if row is None:
                raise CliError(_("There is no {kind} record {id}.").format(
                    kind=review.kind_label(kind), id=rid))
            data = {"kind": kind, "id": rid, "version": row.version,
                    "content": json.loads(row.content)}
            found = handed.entry(session, kind, rid)
            if found:
                data["handed_over"] = found | {"text": handed.describe(session, found)}
    data["review"] = review_
    if args.json:
        out(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    from inspector_app.core import queries

    out(_("{kind} {id}, version {version}").format(
        kind=_(queries.KIND_LABELS[kind]), id=rid, version=data["version"]))
    if data.get("handed_over"):
        out(data["handed_over"]["text"])
    out(_("Review: {state}").format(state=review.state_label(review_["state"]) or _("none")))
    for c in review_["comments"]:
        line = _("{at} {by} · {decision} (version {version})").format(
            at=c["decided_at"][:16].replace("T", " "), by=c["by"],
            decision=review.action_label(c["action"]), version=c["version"])
        out("  " + line + (f": {c['text']}" if c["text"] else ""))
        if review.resolve_outcome(c):
            out("    " + review.resolve_outcome(c))
        if c.get("refused"):
            out("    " + _("refused by the server: {reason}").format(reason=c["refused"]))
    return EXIT_OK


# --- export / import -------------------------------------------------------------------


def _output_path(text: str) -> Path:
    path = Path(text).expanduser()
    if path.is_dir():
        raise CliError(_("{path} is a folder; give a file name with --out.").format(path=path))
    if not path.parent.is_dir():
        raise CliError(_("The folder {folder} does not exist.").format(folder=path.parent))
    return path


@with_store
def cmd_export(args: argparse.Namespace, store) -> int:
    from inspector_app.core import transfer

    path = _output_path(args.out)
    if args.format != "json" and args.kind == "all":
        raise CliError(_("--kind all works with --format json only: a table holds one kind."))
    if args.format != "json" and args.attachments:
        raise CliError(_("--attachments works with --format json only."))
    start = time.perf_counter()
    if args.format == "json":
        kinds = RECORD_KINDS if args.kind == "all" else (args.kind,)
        folder = Path(args.attachments).expanduser() if args.attachments else None
        with progress(_("Exporting")) as bar:
            counts = transfer.export_json(store, kinds, path, folder, progress=bar)
        written = ", ".join(f"{kind_label(k)} {n}" for k, n in counts.items()
                            if k != "attachments")
        out(_("Wrote {path}: {counts}.").format(path=path, counts=written or "0"))
        if folder is not None:
            out(_("Copied {n} attachment files to {folder}.").format(
                n=counts.get("attachments", 0), folder=folder))
    else:
        with progress(_("Exporting")) as bar:
            n = transfer.export_table(store, args.kind, args.format, path, progress=bar)
        out(_("Wrote {path}: {n} records.").format(path=path, n=n))
    out(_("Done in {seconds:.1f} s.").format(seconds=time.perf_counter() - start))
    return EXIT_OK


@with_store
def cmd_import(args: argparse.Namespace, store) -> int:
    from inspector_app.core import transfer

    path = Path(args.file).expanduser()
    folder = None
    if args.attachments:
        folder = Path(args.attachments).expanduser()
        if not folder.is_dir():
            raise CliError(_("The folder {folder} does not exist.").format(folder=folder))
    try:
        with progress(_("Importing")) as bar:  # checked whole before any write
            summary = transfer.import_file(store, path, folder, progress=bar)
    except transfer.ImportRejected as exc:
        from inspector_app.core import transfer_report

        err(ngettext("{file}: {n} problem found; nothing was imported.",
                     "{file}: {n} problems found; nothing was imported.",
                     len(exc.issues)).format(file=path, n=len(exc.issues)))
        for issue in transfer_report.file_issues(exc):
            err(f"  {issue}")
        for refused in transfer_report.refused_records(exc):
            err("  " + _("Refused: {record}").format(record=refused.title()))
            for issue in refused.issues:
                err(f"    {issue}")
        return EXIT_USAGE
    out(_("Imported {file}: {created} created, {updated} updated, {skipped} unchanged.")
        .format(file=path, created=summary.total("created"),
                updated=summary.total("updated"), skipped=summary.total("skipped")))
    for kind in transfer.KIND_ORDER:
        parts = [(summary.created[kind], N_("{n} created")),
                 (summary.updated[kind], N_("{n} updated")),
                 (summary.skipped[kind], N_("{n} unchanged"))]
        shown = _(", ").join(_(text).format(n=n) for n, text in parts if n)
        if shown:
            out("  " + _("{kind}: {counts}").format(kind=kind_label(kind), counts=shown))
    if summary.files:
        out(_("Copied {n} attachment files into the store.").format(n=summary.files))
    return EXIT_OK
