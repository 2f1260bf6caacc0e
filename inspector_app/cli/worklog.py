"""`inspector worklog`: the workstations, and their daily and monthly reports as PDF.

    inspector worklog workstations
    inspector worklog daily --workstation WS --date YYYY-MM-DD --out F.pdf
    inspector worklog monthly --workstation WS --month YYYY-MM --out F.pdf

WS is a workstation's id or name; it may be left out when the store has only one.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from inspector_app.cli import table
from inspector_app.cli.common import (
    EXIT_OK,
    CliError,
    day_arg,
    out,
    with_store,
    write_pdf,
)
from inspector_app.core.i18n import _


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    group = commands.add_parser("worklog", parents=parents,
                                help=_("workstation logs: list workstations, print reports"))
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = actions.add_parser("workstations", parents=parents, help=_("List the workstations"))
    p.set_defaults(handler=cmd_workstations)

    for name, help_text, key, metavar, kind in (
            ("daily", _("Write a workstation's daily report (日报) as a PDF"), "--date",
             "YYYY-MM-DD", day_arg),
            ("monthly", _("Write a workstation's monthly summary as a PDF"), "--month",
             "YYYY-MM", _month)):
        p = actions.add_parser(name, parents=parents, help=help_text)
        p.add_argument("--workstation", metavar="WS",
                       help=_("the workstation's id or name (may be left out when there is "
                              "only one)"))
        p.add_argument(key, dest="when", required=True, type=kind, metavar=metavar)
        p.add_argument("--out", required=True, type=Path, metavar="F.pdf",
                       help=_("the PDF file to write"))
        p.set_defaults(handler=cmd_report, report=name)


def _month(text: str) -> date:
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a month (YYYY-MM)").format(
            value=text)) from None


def _workstation(session, text: str | None):
    from inspector_app.core.worklog import workstation

    stations = workstation.workstations(session)
    if text is None:
        if len(stations) == 1:
            return stations[0]
        if not stations:
            raise CliError(_("No workstation is set up."))
        raise CliError(_("There are several workstations: choose one with --workstation "
                         "(see `inspector worklog workstations`)."))
    for ws in stations:
        if text == ws.id:
            return ws
    found = [ws for ws in stations if ws.name == text] or \
        [ws for ws in stations if text in ws.name]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CliError(_("No workstation is named {name} (see `inspector worklog "
                         "workstations`).").format(name=text))
    raise CliError(_("Several workstations match {name}: {names}. Give the full name or the "
                     "id.").format(name=text, names=_(", ").join(ws.name for ws in found)))


@with_store
def cmd_workstations(args, store) -> int:
    from inspector_app.core.models import Market
    from inspector_app.core.worklog import workstation

    with store.read() as session:
        rows = []
        for ws in workstation.workstations(session):
            market = session.get(Market, ws.market_id) if ws.market_id else None
            rows.append([ws.id, ws.name, market.name if market else ""])
    if not rows:
        out(_("No workstation is set up."))
        return EXIT_OK
    table.show([_("Id"), _("Workstation"), _("Market")], rows)
    return EXIT_OK


@with_store
def cmd_report(args, store) -> int:
    from inspector_app.core.worklog import reports

    with store.read() as session:
        ws = _workstation(session, args.workstation)
        if args.report == "daily":
            pdf = reports.daily_report(session, args.when, ws.id)
        else:
            pdf = reports.monthly_report(session, args.when.year, args.when.month, ws.id)
    write_pdf(args.out, pdf)
    out(_("Wrote {path}").format(path=args.out))
    return EXIT_OK
