"""Sync commands of the `inspector` command line.

    inspector enroll --server URL --code CODE [--ca-file PEM]
    inspector sync [--json] [--retry-failed]     # exit 0 only when nothing is left pending
    inspector batch export --out FILE            # the pending batches as one signed file
    inspector batch list [--json]

`inspector_app.cli` adds them with `cli_sync.add_commands(subparsers)`; each handler takes
the parsed arguments (with `data_dir`) and returns the exit code: 0 ok, 1 a sync or check
failed (or changes are still pending), 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from inspector_app.cli_common import with_store
from inspector_app.core.i18n import _


def add_commands(subparsers, parents=()) -> None:
    """Add enroll, sync and batch to `subparsers` (each handler also as `handler`).

    `parents`: parsers whose options every command takes too (e.g. --data-dir)."""
    parents = list(parents)
    enroll = subparsers.add_parser("enroll", parents=parents,
                                    help=_("Enrol this device with a central server"))
    enroll.add_argument("--server", required=True, help=_("Server address, https://..."))
    enroll.add_argument("--code", required=True, help=_("One-time enrolment code"))
    enroll.add_argument("--ca-file", default="",
                        help=_("Certificate authority file (PEM) for the server"))
    enroll.set_defaults(func=cmd_enroll, handler=cmd_enroll)

    sync = subparsers.add_parser("sync", parents=parents,
                                  help=_("Send pending changes and pull updates"))
    sync.add_argument("--json", action="store_true", help=_("Print the report as JSON"))
    sync.add_argument("--retry-failed", action="store_true",
                      help=_("Send again the batches the server refused before"))
    sync.add_argument("--batch-size", type=int, default=0, metavar="N",
                      help=_("At most N changes per batch (smaller batches for a poor "
                             "network)"))
    sync.set_defaults(func=cmd_sync, handler=cmd_sync)

    batch = subparsers.add_parser("batch", parents=parents,
                                   help=_("Sync batches (files for a USB stick)"))
    bsub = batch.add_subparsers(dest="batch_command", required=True)
    export = bsub.add_parser("export", parents=parents,
                              help=_("Write the pending batches into one signed file"))
    export.add_argument("--out", required=True, type=Path, help=_("File to write"))
    export.set_defaults(func=cmd_batch_export, handler=cmd_batch_export)
    blist = bsub.add_parser("list", parents=parents,
                             help=_("List the sync batches and their state"))
    blist.add_argument("--json", action="store_true")
    blist.set_defaults(func=cmd_batch_list, handler=cmd_batch_list)


def _err(message: str) -> None:
    print(message, file=sys.stderr)


@with_store
def cmd_enroll(args, store) -> int:
    from inspector_app.core.sync import agent
    from inspector_app.core.sync.transport import SyncError

    try:
        done = agent.enroll(store, args.server, args.code, args.ca_file)
    except SyncError as exc:
        _err(exc.message)
        return 2 if exc.fatal else 1
    where = _("the system keyring") if done["credential_store"] == "keyring" else \
        _("a private file in the data folder")
    print(_("Enrolled: device {device} for {inspector}; credential kept in {where}.")
          .format(device=done["device_id"], inspector=done["inspector"] or "-", where=where))
    return 0


@with_store
def cmd_sync(args, store) -> int:
    from inspector_app.core.sync import agent, batches

    if args.retry_failed:
        batches.retry_failed(store)

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "send" and total and not args.json:
            print(_("Sending batch {done} of {total}").format(done=min(done + 1, total),
                                                              total=total),
                  file=sys.stderr, flush=True)

    options = agent.Options()
    if args.batch_size > 0:
        options.max_records = min(args.batch_size, agent.batches.MAX_RECORDS)
    report = agent.SyncAgent(store, options).run(progress)
    if args.json:
        print(json.dumps({"ok": report.ok, "pending": report.pending,
                          "sent_batches": report.sent_batches,
                          "acked_batches": report.acked_batches,
                          "acked_records": report.acked_records,
                          "uploaded_attachments": report.uploaded_attachments,
                          "pulled": report.pulled, "conflicts": report.conflicts,
                          "error": report.error, "seconds": round(report.seconds, 3)},
                         ensure_ascii=False))
    else:
        print(_("Acknowledged {records} changes in {batches} batches, uploaded {files} "
                "attachments, pulled {pulled} updates; {pending} changes pending.")
              .format(records=report.acked_records, batches=report.acked_batches,
                      files=report.uploaded_attachments, pulled=report.pulled,
                      pending=report.pending))
        if report.conflicts:
            print(_("{n} changes conflict with the bureau's versions; a supervisor will "
                    "resolve them.").format(n=len(report.conflicts)))
        if report.error:
            _err(report.error)
    return 0 if report.ok else 1


@with_store
def cmd_batch_export(args, store) -> int:
    from inspector_app.core.sync import agent, batches

    if not agent.is_enrolled(store):
        _err(_("This device is not enrolled with a central server yet: the bureau could "
               "not verify its file. Run `inspector enroll` first (once, with network)."))
        return 2
    try:
        count, records = batches.export_file(store, args.out)
    except OSError as exc:
        _err(_("Cannot write {path}: {error}").format(path=args.out, error=exc.strerror))
        return 2
    print(_("Wrote {batches} batches ({records} changes) to {path}.")
          .format(batches=count, records=records, path=args.out))
    return 0


@with_store
def cmd_batch_list(args, store) -> int:
    from inspector_app.core.sync import agent

    info = agent.status(store)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, default=str))
        return 0
    for b in info["batches"]:
        print(f"{b['seq']:>6}  {b['state']:<8} {b['records']:>5}  {b['error']}")
    print(_("{pending} changes pending.").format(pending=info["pending"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (tests, and until `inspector` adds these commands)."""
    parser = argparse.ArgumentParser(prog="inspector")
    parser.add_argument("--data-dir", type=Path, default=None)
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
