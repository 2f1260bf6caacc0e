"""The supervisor's overview on the command line (the agency's records of this store).

    inspector oversight [--json] [--from D --to D --market M --inspector NAME]
    inspector oversight --list FIGURE [--json] [filters]
    inspector export-list --format {csv,xlsx} --out FILE [--figure FIGURE | --kind K
                          --review-state S] [filters]
    inspector bulletin make --from D --to D --pdf OUT [--json OUT] [--publish --user NAME]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

from inspector_app.cli import table
from inspector_app.cli.common import (
    EXIT_OK,
    CliError,
    add_user_option,
    day_arg,
    out,
    positive,
    sign_in,
    with_store,
    write_pdf,
)
from inspector_app.core.i18n import _, ngettext


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="day_from", type=day_arg, metavar="D",
                        help=_("only records of this day or later (YYYY-MM-DD)"))
    parser.add_argument("--to", dest="day_to", type=day_arg, metavar="D",
                        help=_("only records of this day or earlier (YYYY-MM-DD)"))
    parser.add_argument("--market", metavar="NAME_OR_ID", help=_("only records of this market"))
    parser.add_argument("--inspector", metavar="NAME", help=_("only records of this inspector"))


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    ov = commands.add_parser("oversight", parents=parents,
                             help=_("the supervisor's figures: deadlines, emergency reports, "
                                    "positive rapid tests, non-conformity rates"))
    ov.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    ov.add_argument("--list", metavar="FIGURE",
                    help=_("list the records behind one figure (e.g. seizures_expiring, "
                           "nc_market:ID)"))
    ov.add_argument("--limit", type=positive, default=200, metavar="N",
                    help=_("at most N records with --list"))
    _filters(ov)
    ov.set_defaults(handler=cmd_oversight)

    ex = commands.add_parser("export-list", parents=parents,
                             help=_("export a list of the agency's records as CSV or XLSX"))
    ex.add_argument("--format", choices=("csv", "xlsx"), required=True,
                    help=_("csv (UTF-8 for Excel) or xlsx"))
    ex.add_argument("--out", metavar="FILE", required=True, help=_("file to write"))
    ex.add_argument("--figure", metavar="FIGURE",
                    help=_("the records behind this dashboard figure"))
    ex.add_argument("--kind", choices=("check", "seizure", "worklog"), help=_("record kind"))
    ex.add_argument("--review-state", choices=("pending", "returned", "approved", "rejected"),
                    help=_("only records in this review state (the review queue: pending)"))
    _filters(ex)
    ex.set_defaults(handler=cmd_export_list)

    bu = commands.add_parser("bulletin", parents=parents,
                             help=_("the spot-check results bulletin (监督抽查结果公告)"))
    actions = bu.add_subparsers(dest="action", metavar="ACTION", required=True)
    mk = actions.add_parser("make", parents=parents,
                            help=_("make the bulletin of a period as a PDF"))
    mk.add_argument("--from", dest="day_from", type=day_arg, metavar="D", required=True,
                    help=_("first day of the period (YYYY-MM-DD)"))
    mk.add_argument("--to", dest="day_to", type=day_arg, metavar="D", required=True,
                    help=_("last day of the period (YYYY-MM-DD)"))
    mk.add_argument("--pdf", metavar="OUT", required=True, help=_("PDF file to write"))
    mk.add_argument("--json", metavar="OUT", help=_("also write the bulletin as JSON"))
    mk.add_argument("--publish", action="store_true",
                    help=_("sign it and publish it on the central server"))
    add_user_option(mk)
    mk.set_defaults(handler=cmd_bulletin_make)


def _flt(args: argparse.Namespace, session):
    from inspector_app.core.agency import oversight

    market_id = ""
    if getattr(args, "market", None):
        market_id = oversight.resolve_market(session, args.market) or ""
        if not market_id:
            raise CliError(_("No market of the agency's records is named {name}.")
                           .format(name=args.market))
    if args.day_from and args.day_to and args.day_from > args.day_to:
        raise CliError(_("The period starts after it ends ({start} > {end}).").format(
            start=args.day_from, end=args.day_to))
    return oversight.Filters(
        day_from=args.day_from.isoformat() if args.day_from else "",
        day_to=args.day_to.isoformat() if args.day_to else "",
        market_id=market_id, inspector=args.inspector or "")


def _pct(rate) -> str:
    return f"{rate.rate * 100:.1f}%"


@with_store
def cmd_oversight(args: argparse.Namespace, store) -> int:
    from inspector_app.core.agency import oversight

    with store.read() as session:
        flt = _flt(args, session)
        if args.list:
            try:
                n = oversight.count(session, args.list, flt)
                rows = oversight.records(session, args.list, flt, limit=args.limit)
            except oversight.FigureKeyError:
                raise CliError(_("No dashboard figure is called {key}.").format(
                    key=args.list)) from None
            return _print_list(args, rows, n, due=args.list.startswith("emergency"))
        fig = oversight.figures(session, flt)
    if args.json:
        out(json.dumps(fig.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    out(_("As of {day}:").format(day=fig.today))
    for label, value in (
            (_("Running seizures"), fig.seizures_running),
            (_("Seizures expiring within {n} days").format(n=oversight.EXPIRING_DAYS),
             fig.seizures_expiring),
            (_("Seizures overdue"), fig.seizures_overdue),
            (_("Emergency measures awaiting their 24-hour report"),
             fig.emergency_unreported),
            (_("Emergency reports overdue"), fig.emergency_late),
            (_("Work logs with positive rapid tests"), fig.positive_worklogs),
            (_("Positive rapid tests"), fig.positive_tests),
            (_("Final checks"), fig.checked),
            (_("Non-conforming checks"), fig.nonconforming)):
        out("  " + _("{label}: {value}").format(label=label, value=value))
    titles = {"market": _("Non-conformity by market"),
              "category": _("Non-conformity by product category"),
              "month": _("Non-conformity by month")}
    for group, rows in fig.rates.items():
        out("")
        out(titles[group])
        for line in table.lines([_("Group"), _("Checked"), _("Non-conforming"), _("Rate")],
                                [[r.label or "—", str(r.checked), str(r.nonconforming), _pct(r)]
                                 for r in rows], right={1, 2, 3}):
            out(line)
    return EXIT_OK


def _print_list(args, rows, n: int, due: bool) -> int:
    from inspector_app.core import queries
    from inspector_app.core.agency import export, oversight

    if args.json:
        cols = [c for c, _label in export.COLUMNS]
        out(json.dumps([{c: getattr(r, c) for c in cols} for r in rows],
                       ensure_ascii=False, indent=2))
        return EXIT_OK
    header = [_("Record kind"), _("Record ID"), _("Date"), _("Title"), _("Officer"), _("Market"),
              _("Status"), _("Report due") if due else _("Deadline")]
    kinds = {k: _(v) for k, v in queries.KIND_LABELS.items()}
    for line in table.lines(header, [
            [kinds.get(r.kind, r.kind), r.record_id, r.day, r.title, r.inspector, r.market,
             _(queries.STATUSES.get(r.kind, {}).get(r.state, r.state)),
             oversight.due_text(r.report_due) if due else r.deadline] for r in rows]):
        out(line)
    out(ngettext("{total} record.", "{total} records.", n).format(total=n))
    return EXIT_OK


@with_store
def cmd_export_list(args: argparse.Namespace, store) -> int:
    from inspector_app.core.agency import export

    path = Path(args.out).expanduser()
    start = time.perf_counter()
    with store.read() as session:
        sel = export.Selection(filters=_flt(args, session), kind=args.kind or "",
                               review_state=args.review_state or "",
                               figure=args.figure or "")
        try:
            with table.progress(_("Exporting")) as bar:
                n = export.export(session, sel, args.format, path, progress=bar)
        except export.ExportError as exc:
            raise CliError(str(exc)) from None
    out(_("Wrote {path}: {n} records.").format(path=path, n=n))
    out(_("Done in {seconds:.1f} s.").format(seconds=time.perf_counter() - start))
    return EXIT_OK


@with_store
def cmd_bulletin_make(args: argparse.Namespace, store) -> int:
    from inspector_app.core import settings
    from inspector_app.core.agency import bulletin
    from inspector_app.core.models import Inspector

    pdf_path = Path(args.pdf).expanduser()
    with store.read() as session:
        by = settings.AGENCY_NAME.get(session)
        if args.publish or getattr(args, "user", None):
            actor = sign_in(args, session)
            by = session.get(Inspector, actor.inspector_id).name
    try:
        data = bulletin.build_for_store(store, args.day_from.isoformat(),
                                        args.day_to.isoformat(), by=by)
        pdf = bulletin.render_pdf(data)
        envelope = bulletin.sign(store, data) if args.publish else None
    except bulletin.BulletinError as exc:
        raise CliError(str(exc)) from None
    write_pdf(pdf_path, pdf)
    t = data["totals"]
    out(_("Wrote {path}: {checked} checks, {bad} non-conforming.").format(
        path=pdf_path, checked=t["checked"], bad=t["nonconforming"]))
    if args.json:
        Path(args.json).expanduser().write_text(
            json.dumps(envelope or data, ensure_ascii=False, indent=2), encoding="utf-8")
        out(_("Wrote {path}.").format(path=args.json))
    if envelope is not None:
        answer = bulletin.publish(store, envelope)
        out(_("Published bulletin {id} on the central server.").format(
            id=answer.get("id", data["id"])))
    return EXIT_OK
