"""`inspector review`: the review queue and decisions (a supervisor's device).

    inspector review list [--state pending|returned|approved|rejected|any] [--kind K]
                          [--inspector NAME] [--market M] [--from D] [--to D] [--limit N] [--json]
    inspector review decide KIND ID --approve [TEXT] | --return TEXT | --reject TEXT

On a supervisor's device `list` shows the agency's records in a review state (pending by
default); on an inspector's device, the records made here that have a review decision.
`decide` signs in (--user, $INSPECTOR_USER and $INSPECTOR_PASSWORD), signs the decision
with this device's key and stores it; the next `inspector sync` posts it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

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
)
from inspector_app.core.i18n import _, ngettext

KINDS = ("check", "seizure", "worklog")
LIST_STATES = ("pending", "returned", "approved", "rejected", "any")


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    rev = commands.add_parser("review", parents=parents,
                              help=_("the review queue and review decisions"))
    actions = rev.add_subparsers(dest="action", metavar="ACTION", required=True)

    lst = actions.add_parser("list", parents=parents,
                             help=_("list records by review state"))
    lst.add_argument("--state", choices=LIST_STATES, default=None,
                     help=_("review state (default: pending on a supervisor's device, any "
                            "on an inspector's)"))
    lst.add_argument("--kind", choices=KINDS, help=_("record kind"))
    lst.add_argument("--inspector", metavar="NAME", help=_("only records of this inspector"))
    lst.add_argument("--market", metavar="NAME_OR_ID", help=_("only records of this market"))
    lst.add_argument("--from", dest="day_from", type=day_arg, metavar="YYYY-MM-DD",
                     help=_("only records of this day or later"))
    lst.add_argument("--to", dest="day_to", type=day_arg, metavar="YYYY-MM-DD",
                     help=_("only records of this day or earlier"))
    lst.add_argument("--limit", type=positive, default=100, metavar="N",
                     help=_("at most N records (default 100)"))
    lst.add_argument("--json", action="store_true",
                     help=_("print a JSON array instead of a table"))
    lst.set_defaults(handler=cmd_list)

    dec = actions.add_parser("decide", parents=parents,
                             help=_("approve, return or reject a record's current version"))
    dec.add_argument("kind", choices=KINDS, metavar="KIND", help=_("record kind"))
    dec.add_argument("record_id", metavar="ID", help=_("record id"))
    which = dec.add_mutually_exclusive_group(required=True)
    which.add_argument("--approve", nargs="?", const="", metavar="TEXT",
                       help=_("approve it (with an optional comment)"))
    which.add_argument("--return", dest="return_", metavar="TEXT",
                       help=_("return it to its inspector to correct, saying what"))
    which.add_argument("--reject", metavar="TEXT", help=_("reject it, giving the reason"))
    add_user_option(dec)
    dec.set_defaults(handler=cmd_decide)


def _refusals(session) -> list[dict]:
    from inspector_app.core.agency import review

    return list(review.refused_decisions(session).values())


@with_store
def cmd_list(args: argparse.Namespace, store) -> int:
    from inspector_app.core.agency import review

    with store.read() as session:
        supervisor = review.is_supervisor(session)
        state = args.state or ("pending" if supervisor else "any")
        state = None if state == "any" else state
        if supervisor:
            filters = {"state": state, "kind": args.kind, "inspector": args.inspector,
                       "market": args.market, "day_from": args.day_from,
                       "day_to": args.day_to}
            total = review.count(session, **filters)
            rows = [{"kind": r.kind, "id": r.record_id, "version": r.version,
                     "sha256": r.content_sha256, "day": r.day, "inspector": r.inspector,
                     "market": r.market, "title": r.title, "state": r.state,
                     "result": r.result, "review_state": r.review_state,
                     "conflicts": r.conflicts, "owner_device_id": r.owner_device_id}
                    for r in review.queue(session, **filters, limit=args.limit)]
        else:
            if args.inspector or args.market or args.day_from or args.day_to:
                raise CliError(_("--inspector, --market, --from and --to filter the agency's "
                                 "records on a supervisor's device; this device lists its "
                                 "own records only."))
            every = review.own_reviewed(session, kind=args.kind, state=state)
            total = len(every)
            rows = every[: args.limit]
        refused = _refusals(session)
    if args.json:
        out(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    header = [_("Kind"), "ID", _("Version"), _("Day"), _("Officer"), _("Market"),
              _("Record"), _("Review")]
    cells = [[_kind(r["kind"]), r["id"], str(r["version"]), r.get("day", ""),
              r.get("inspector", ""), r.get("market", ""), r.get("title", ""),
              review.state_label(r["review_state"])
              + (" · " + _("conflict") if r.get("conflicts") else "")] for r in rows]
    for line in table.lines(header, cells):
        out(line)
    if len(rows) < total:
        out(_("{shown} of {total} records (--limit).").format(shown=len(rows), total=total))
    else:
        out(ngettext("{total} record.", "{total} records.", total).format(total=total))
    if refused:
        out(ngettext("The server refused {n} decision made here (not sent again; decide "
                     "again on the current version):",
                     "The server refused {n} decisions made here (not sent again; decide "
                     "again on the current version):", len(refused)).format(n=len(refused)))
        for entry in refused:
            out("  " + _("{action} {kind} {id}: {reason}").format(
                action=review.action_label(entry["action"]), kind=_kind(entry["kind"]),
                id=entry["record_id"], reason=entry["reason"]))
    return EXIT_OK


def _kind(kind: str) -> str:
    from inspector_app.core import queries

    return _(queries.KIND_LABELS[kind]) if kind in queries.KIND_LABELS else kind


@with_store
def cmd_decide(args: argparse.Namespace, store) -> int:
    from inspector_app.core.agency import review
    from inspector_app.core.models import Inspector

    if args.approve is not None:
        action, text = "approve", args.approve
    elif args.return_ is not None:
        action, text = "return", args.return_
    else:
        action, text = "reject", args.reject
    with store.write() as session:
        if not review.is_supervisor(session):
            raise CliError(_("Only a supervisor's device makes review decisions; this device "
                             "is enrolled for an inspector."))
        actor = sign_in(args, session)
        user = session.get(Inspector, actor.inspector_id)
        name = user.name
    try:
        made = review.decide(store, args.kind, args.record_id, action, text, user=name)
    except review.DecisionError as exc:
        raise CliError(exc.message) from exc
    out(_("{decision}: {kind} {id}, version {version}, by {by}. It reaches the server on the "
          "next `inspector sync`.").format(
        decision=review.action_label(action), kind=_kind(args.kind), id=args.record_id,
        version=made["version"], by=made["by"]))
    return EXIT_OK
