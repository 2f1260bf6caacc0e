"""`inspector` commands to sync with the central server.

    inspector enroll --server URL --code CODE [--ca-file PEM]
    inspector sync [--json] [--retry-failed]     # exit 0 only when nothing is left pending
    inspector batch export --out FILE            # the pending batches as one signed file
    inspector batch list [--json]
    inspector import-batches FILE [--json]       # a supervisor's device: USB batch files

enroll needs a set-up store (an agency and an inspector). sync exits 1 when changes are
still pending or the server could not be reached (see common.EXIT_CODES).
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path

from inspector_app.cli import table
from inspector_app.cli.common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    err,
    out,
    with_store,
)
from inspector_app.core.i18n import _


def add_commands(subparsers, parents=()) -> None:
    """Add enroll, sync and batch to `subparsers`.

    `parents`: parsers whose options every command takes too (e.g. --data-dir)."""
    parents = list(parents)
    enroll = subparsers.add_parser("enroll", parents=parents,
                                    help=_("Enrol this device with a central server"))
    enroll.add_argument("--server", required=True, help=_("Server address, https://..."))
    enroll.add_argument("--code", required=True, help=_("One-time enrolment code"))
    enroll.add_argument("--ca-file", default="",
                        help=_("Certificate authority file (PEM) for the server"))
    enroll.set_defaults(handler=cmd_enroll)

    sync = subparsers.add_parser("sync", parents=parents,
                                  help=_("Send pending changes and pull updates"))
    sync.add_argument("--json", action="store_true", help=_("Print the report as JSON"))
    sync.add_argument("--retry-failed", action="store_true",
                      help=_("Send again the batches the server refused before"))
    sync.add_argument("--batch-size", type=int, default=0, metavar="N",
                      help=_("At most N changes per batch (smaller batches for a poor "
                             "network)"))
    sync.set_defaults(handler=cmd_sync)

    batch = subparsers.add_parser("batch", parents=parents,
                                   help=_("Sync batches (files for a USB stick)"))
    bsub = batch.add_subparsers(dest="batch_command", metavar="ACTION", required=True)
    export = bsub.add_parser("export", parents=parents,
                              help=_("Write the pending batches into one signed file"))
    export.add_argument("--out", required=True, type=Path, help=_("File to write"))
    export.set_defaults(handler=cmd_batch_export)
    blist = bsub.add_parser("list", parents=parents,
                             help=_("List the sync batches and their state"))
    blist.add_argument("--json", action="store_true")
    blist.set_defaults(handler=cmd_batch_list)

    imp = subparsers.add_parser(
        "import-batches", parents=parents,
        help=_("Import an inspector's batch file (USB) on a supervisor's device"),
        description=_("Verify an inspector's batch file as the server does, import its "
                      "records into this supervisor's store, and queue the file for the "
                      "server (sent on the next `inspector sync`). Exit 2 when a batch was "
                      "refused."))
    imp.add_argument("file", type=Path, metavar="FILE", help=_("Batch file to import"))
    imp.add_argument("--json", action="store_true", help=_("Print the summary as JSON"))
    imp.set_defaults(handler=cmd_import_batches)


@with_store
def cmd_enroll(args, store) -> int:
    from inspector_app.core import auth
    from inspector_app.core.sync import agent

    with store.read() as session:
        if auth.needs_setup(session):
            raise CliError(_("The store in {folder} is not set up yet. Start inspector-app "
                             "once, name the agency and the first inspector, then enrol this "
                             "device.").format(folder=store.data_dir))
    done = agent.enroll(store, args.server, args.code, args.ca_file)  # SyncError: 2 or 1
    where = _("the system keyring") if done["credential_store"] == "keyring" else \
        _("a private file in the data folder")
    out(_("Enrolled: device {device} for {inspector}; credential kept in {where}.")
        .format(device=done["device_id"], inspector=done["inspector"] or "-", where=where))
    return EXIT_OK


@with_store
def cmd_sync(args, store) -> int:
    from inspector_app.core.sync import agent, batches

    if args.retry_failed:
        batches.retry_failed(store)

    options = agent.Options()
    if args.batch_size > 0:
        options.max_records = min(args.batch_size, agent.batches.MAX_RECORDS)
    with nullcontext() if args.json else table.progress(_("Sending batches…")) as bar:

        def progress(phase: str, done: int, total: int) -> None:
            if phase != "send" or not total or args.json:
                return
            if bar is not None:  # a terminal: a bar
                bar(done, total)
            else:  # a log: a line a batch
                print(_("Sending batch {done} of {total}").format(
                    done=min(done + 1, total), total=total), file=sys.stderr, flush=True)

        report = agent.SyncAgent(store, options).run(progress)
    if args.json:
        out(json.dumps({"ok": report.ok, "pending": report.pending,
                        "sent_batches": report.sent_batches,
                        "acked_batches": report.acked_batches,
                        "acked_records": report.acked_records,
                        "uploaded_attachments": report.uploaded_attachments,
                        "pulled": report.pulled, "conflicts": report.conflicts,
                        "imported": report.imported.as_dict() if report.imported else None,
                        "decisions": report.decisions, "files_sent": report.files_sent,
                        "records_pulled": report.records_pulled,
                        "error": report.error, "seconds": round(report.seconds, 3)},
                       ensure_ascii=False))
    else:
        out(_("Acknowledged {records} changes in {batches} batches, uploaded {files} "
              "attachments, pulled {pulled} updates; {pending} changes pending.")
            .format(records=report.acked_records, batches=report.acked_batches,
                    files=report.uploaded_attachments, pulled=report.pulled,
                    pending=report.pending))
        if report.imported is not None:
            out(report.imported.text())
            for line in report.imported.refused_lines():
                err(line)
        if report.records_pulled:
            out(_("Applied {n} records the server sent (handed over or resolved).").format(
                n=report.records_pulled))
        if report.files_sent:
            out(_("Sent {n} imported batch files on to the server.").format(
                n=report.files_sent))
        if report.conflicts:
            out(_("{n} changes conflict with the bureau's versions; a supervisor will "
                  "resolve them.").format(n=len(report.conflicts)))
        if report.error:
            err(report.error)
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED


@with_store
def cmd_batch_export(args, store) -> int:
    from inspector_app.core.sync import agent, batches

    if not agent.is_enrolled(store):
        raise CliError(_("This device is not enrolled with a central server yet: the bureau "
                         "could not verify its file. Run `inspector enroll` first (once, with "
                         "network)."))
    try:
        count, records = batches.export_file(store, args.out)
    except OSError as exc:
        raise CliError(_("Cannot write {path}: {error}").format(
            path=args.out, error=exc.strerror)) from exc
    out(_("Wrote {batches} batches ({records} changes) to {path}.")
        .format(batches=count, records=records, path=args.out))
    return EXIT_OK


@with_store
def cmd_batch_list(args, store) -> int:
    from inspector_app.core.sync import agent

    info = agent.status(store)
    if args.json:
        out(json.dumps(info, ensure_ascii=False, default=str))
        return EXIT_OK
    if info["batches"]:
        table.show([_("Batch"), _("State"), _("Changes"), _("Error")],
                   [[b["seq"], b["state"], b["records"], b["error"]] for b in info["batches"]],
                   right={0, 2})
    out(_("{pending} changes pending.").format(pending=info["pending"]))
    return EXIT_OK



@with_store
def cmd_import_batches(args, store) -> int:
    from inspector_app.core.agency import files
    from inspector_app.core.sync import state

    with store.read() as session:
        supervisor = state.is_supervisor(session)
    if not supervisor:
        raise CliError(_("This device is enrolled as an inspector's: batch files go to the "
                         "central server (`inspector-server import FILE` at the bureau), or "
                         "to a supervisor's device enrolled with the supervisor role."))
    try:
        summary = files.import_file(store, files.read_file(args.file), args.file.name,
                                    progress=_import_progress(args))
    except files.FileRefused as exc:
        raise CliError(exc.message) from exc
    info = summary.as_dict()
    if args.json:
        out(json.dumps(info, ensure_ascii=False))
    else:
        out(summary.text())
        for line in summary.refused_lines():
            err(line)
        if info["batches"]:
            out(_("The file goes to the central server on the next `inspector sync`."))
    return EXIT_USAGE if info["refused"] else EXIT_OK


def _import_progress(args):
    if args.json or not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        print(_("Imported batch {done} of {total}").format(done=done, total=total),
              file=sys.stderr, flush=True)
    return progress
