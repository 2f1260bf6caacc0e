"""`inspector` commands of the seizure workflow.

    inspector verify INPUT                    a PDF, a photo/scan (PNG, JPEG) or the raw QR text
    inspector notice SEIZURE_ID --kind KIND --out F.pdf
    inspector seizure-due                     running measures: days left, overdue, emergency
    inspector doc-segment [SEGMENT]           show or set this device's document number segment

verify exits 1 when a code is INVALID (see common.EXIT_CODES).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from inspector_app.cli import table
from inspector_app.cli.common import EXIT_CHECK_FAILED, EXIT_OK, out, with_store, write_pdf
from inspector_app.core.i18n import _

KINDS = ("decision", "list", "record", "seals", "extension", "release")


def add_commands(subparsers, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    """Add the commands to `subparsers`; `parents` (e.g. the parser of --data-dir and --lang)
    are given to each."""
    parents = list(parents)
    p = subparsers.add_parser(
        "verify", parents=parents, help=_("Verify the QR code of a printed seizure document"),
        description=_("Verify the QR code of a printed seizure document: INPUT is a PDF, a "
                      "photo or scan of a page (PNG, JPEG), or the text of the code. Prints "
                      "VALID (exit 0) or INVALID with the reason (exit 1)."))
    p.add_argument("input", metavar="INPUT", help=_("PDF, image file, or QR text"))
    p.set_defaults(handler=cmd_verify)

    p = subparsers.add_parser("notice", parents=parents, help=_("Write a seizure document as a PDF"))
    p.add_argument("seizure_id", metavar="SEIZURE_ID")
    p.add_argument("--kind", choices=KINDS, default="decision",
                   help=_("which document (default: decision)"))
    p.add_argument("--out", required=True, type=Path, metavar="F.pdf",
                   help=_("the PDF file to write"))
    p.set_defaults(handler=cmd_notice)

    p = subparsers.add_parser("seizure-due", parents=parents,
                              help=_("List running seizures with their days left"))
    p.set_defaults(handler=cmd_due)

    p = subparsers.add_parser(
        "doc-segment", parents=parents, help=_("Show or set this device's document number segment"))
    p.add_argument("segment", nargs="?", help=_("1 to 8 digits or capital letters, unique "
                                                "within the agency"))
    p.set_defaults(handler=cmd_segment)


@with_store
def cmd_verify(args, store) -> int:
    from inspector_app.core.seizure import verify

    with store.read() as session:
        verdicts = verify.verify_input(session, args.input)
    for n, verdict in enumerate(verdicts):
        if n:
            out()
        out(verdict.text())
    return EXIT_OK if verdicts and all(v.valid for v in verdicts) else EXIT_CHECK_FAILED


@with_store
def cmd_notice(args, store) -> int:
    from inspector_app.core.seizure import documents, service

    with store.write() as session:
        jobs = service.notice_jobs(store, session, args.seizure_id, [args.kind])
    pdf = documents.render(jobs)
    assert pdf is not None
    write_pdf(args.out, pdf)
    draft = " " + _("(draft: no number, no QR code)") if jobs[0][2] is None else ""
    out(_("Wrote {path}").format(path=args.out) + draft)
    return EXIT_OK


@with_store
def cmd_due(args, store) -> int:
    from inspector_app.core.seizure import rules, service

    with store.read() as session:
        rows = service.due_rows(session)
    if not rows:
        out(_("No running seizures."))
        return EXIT_OK
    cells = []
    for row in rows:
        term = notes = ""
        if row.term is not None:
            if row.term.overdue:
                term = _("OVERDUE since {date}: release it").format(
                    date=row.term.end.isoformat())
            else:
                term = _("{days} days left (until {date})").format(
                    days=row.term.days_left, date=row.term.end.isoformat())
                if row.term.warn:
                    term += "  " + _("WARNING")
        if row.emergency is not None and row.emergency.reported_at is None:
            due = row.emergency.due.astimezone().strftime("%Y-%m-%d %H:%M")
            if row.report_overdue:
                notes = _("emergency measure NOT REPORTED within 24 hours (due {time}): "
                          "record the late report and its reason").format(time=due)
            else:
                notes = _("emergency measure: report by {time}").format(time=due)
        cells.append([row.number or _("(draft)"), row.party or "",
                      _(rules.STATE_LABELS.get(row.state, row.state)), term, notes,
                      row.seizure_id])
    table.show([_("Number"), _("Party"), _("State"), _("Term"), _("Notes"), "ID"], cells)
    return EXIT_OK


@with_store
def cmd_segment(args, store) -> int:
    from inspector_app.core.seizure import numbering

    if args.segment is None:
        with store.read() as session:
            value = numbering.DEVICE_SEGMENT.get(session)
        out(value or _("(not set)"))
        return EXIT_OK
    with store.write() as session:
        value = numbering.set_segment(session, args.segment)
    out(_("Document number segment set to {segment}.").format(segment=value))
    return EXIT_OK

