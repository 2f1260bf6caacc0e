"""`inspector review`: the review queue and decisions (a supervisor's device).

    inspector review list [--state pending|returned|approved|rejected|any] [--kind K]
                          [--inspector NAME] [--market M] [--from D] [--to D] [--limit N] [--json]
    inspector review decide KIND ID --approve [TEXT] | --return TEXT | --reject TEXT
    inspector review decide KIND ID --text WHY --resolve VERSION[:SHA]
                            | --resolve-merge FIELD=left|right ... | --resolve-file FILE

On a supervisor's device `list` shows the agency's records in a review state (pending by
default); on an inspector's device, the records made here that have a review decision.
`decide` signs in (--user, $INSPECTOR_USER and $INSPECTOR_PASSWORD), signs the decision
with this device's key and stores it; the next `inspector sync` posts it. A conflict is
resolved by keeping one of its contents (--resolve: its version, and the start of its hash
when several share the number), or by a new content: each named top-level field from the
left (current) or right (conflicting) content, the others from the current one
(--resolve-merge), or a JSON file of the whole content (--resolve-file); either way each
field must be one of the contents' values (core/agency/review.new_content).
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
                             help=_("approve, return or reject a record's current version, or "
                                    "resolve its conflict"))
    dec.add_argument("kind", choices=KINDS, metavar="KIND", help=_("record kind"))
    dec.add_argument("record_id", metavar="ID", help=_("record id"))
    which = dec.add_mutually_exclusive_group(required=True)
    which.add_argument("--approve", nargs="?", const="", metavar="TEXT",
                       help=_("approve it (with an optional comment)"))
    which.add_argument("--return", dest="return_", metavar="TEXT",
                       help=_("return it to its inspector to correct, saying what"))
    which.add_argument("--reject", metavar="TEXT", help=_("reject it, giving the reason"))
    which.add_argument("--resolve", metavar="VERSION[:SHA]",
                       help=_("resolve its conflict by keeping this content (its version, "
                              "and the start of its hash if several share it)"))
    which.add_argument("--resolve-merge", nargs="+", metavar="FIELD=left|right",
                       help=_("resolve its conflict by a new content: each field named from "
                              "the left (current) or right (conflicting) content, the others "
                              "from the current one"))
    which.add_argument("--resolve-file", metavar="FILE",
                       help=_("resolve its conflict by the content in this JSON file (each "
                              "field one of the conflicting contents' values)"))
    dec.add_argument("--text", metavar="WHY", default="",
                     help=_("why the conflict is resolved so (with --resolve...)"))
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
    from inspector_app.core.models import AgencyRecord, Inspector

    resolving = args.resolve or args.resolve_merge or args.resolve_file
    if args.approve is not None:
        action, text = "approve", args.approve
    elif args.return_ is not None:
        action, text = "return", args.return_
    elif args.reject is not None:
        action, text = "reject", args.reject
    else:
        action, text = "resolve", args.text
    if args.text and not resolving:
        raise CliError(_("--text goes with --resolve, --resolve-merge or --resolve-file."))
    new_content = _read_content(args.resolve_file) if args.resolve_file else None
    with store.write() as session:
        if not review.is_supervisor(session):
            raise CliError(_("Only a supervisor's device makes review decisions; this device "
                             "is enrolled for an inspector."))
        actor = sign_in(args, session)
        user = session.get(Inspector, actor.inspector_id)
        name = user.name
        chosen: dict = {}
        if args.resolve or args.resolve_merge:
            record = session.get(AgencyRecord, (args.kind, args.record_id))
            sides = review.sides(session, record) if record is not None else []
            if len(sides) < 2:
                raise CliError(_("This record has no unresolved conflict."))
            if args.resolve:
                version, sha = _side(args.resolve, sides)
                chosen = {"chosen_version": version, "chosen_sha256": sha}
            else:
                new_content = _merge(args.resolve_merge, sides)
    if new_content is not None:
        chosen = {"content": new_content}
    try:
        made = review.decide(store, args.kind, args.record_id, action, text, user=name,
                             **chosen)
    except review.DecisionError as exc:
        raise CliError(exc.message) from exc
    out(_("{decision}: {kind} {id}, version {version}, by {by}. It reaches the server on the "
          "next `inspector sync`.").format(
        decision=review.action_label(action), kind=_kind(args.kind), id=args.record_id,
        version=made["version"], by=made["by"]))
    if "content" in made:
        out(_("The new content is version {version} ({sha}).").format(
            version=made["chosen_version"], sha=made["chosen_sha256"][:12]))
    return EXIT_OK


def _side(text: str, sides: list) -> tuple[int, str]:
    """The (version, sha256) among `sides` that VERSION[:SHA-PREFIX] names."""
    number, _colon, prefix = text.partition(":")
    found = [(v, sha) for v, sha, _content in sides
             if str(v) == number.strip() and sha.startswith(prefix.strip().lower())]
    if len(found) != 1:
        listed = ", ".join(f"{v}:{sha[:12]}" for v, sha, _content in sides)
        raise CliError((_("{text} names none of the contents in conflict ({sides}).")
                        if not found else
                        _("{text} names more than one content in conflict ({sides}): add "
                          "the start of its hash, as VERSION:SHA.")).format(
            text=text, sides=listed))
    return found[0]


def _merge(picks: list[str], sides: list) -> dict:
    """The new content FIELD=left|right ... makes of the current (left) and the conflicting
    (right) content."""
    from sync import decisions

    if len(sides) > 2:
        raise CliError(_("This record has {n} conflicting contents: say which content each "
                         "field comes from in a file (--resolve-file).").format(
            n=len(sides) - 1))
    fields = {k for _v, _sha, content in sides for k in content}
    chosen: dict[str, int] = {}
    for pick in picks:
        field, _eq, side = pick.partition("=")
        if side not in ("left", "right") or not field:
            raise CliError(_("{pick}: write FIELD=left or FIELD=right.").format(pick=pick))
        if field not in fields or field in ("id", "kind", "version"):
            raise CliError(_("{field} is not a field of the contents in conflict (they "
                             "have: {fields}).").format(
                field=field, fields=", ".join(sorted(fields - {"id", "kind", "version"}))))
        chosen[field] = 0 if side == "left" else 1
    return decisions.merge([content for _v, _sha, content in sides], chosen,
                           sides[0][0] + 1)


def _read_content(path: str) -> dict:
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc
    except ValueError as exc:
        raise CliError(_("{path} is not a JSON file: {reason}").format(
            path=path, reason=exc)) from exc
    if not isinstance(data, dict):
        raise CliError(_("The new content must be a JSON object."))
    return data
