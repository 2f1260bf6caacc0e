"""`inspector seizure`: the seizure workflow without the window, step by step.

    inspector seizure new --json FILE --user NAME      a draft; prints its id
    inspector seizure show ID [--json]                 the record, and what stops issuing
    inspector seizure sign ID --role ROLE (--image PNG | --refused | --absent) --user NAME
    inspector seizure approve ID --approver NAME [--at ISO] --user NAME
    inspector seizure report-emergency ID --approver NAME [--reason TEXT] --user NAME
    inspector seizure issue ID --user NAME
    inspector seizure extend ID --days N --reason TEXT --approver NAME --user NAME
    inspector seizure release ID --ground N [--reason TEXT] --user NAME
    inspector seizure confiscate|destroy|transfer ID --reason TEXT --user NAME
    inspector seizure testing ID (--start DATE [--end DATE] | --end DATE) --user NAME

Every step goes through core/seizure/service, which applies the same rules as the window;
a refusal is a message and exit 2, with nothing written (each command is one transaction).
Commands that change a record sign in first (common.sign_in). The JSON of `new` is
described in docs/cli-seizure.md and read by seizure_json.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from inspector_app.cli import table
from inspector_app.cli.common import (
    EXIT_OK,
    CliError,
    add_user_option,
    day_arg,
    out,
    sign_in,
    with_store,
)
from inspector_app.core.i18n import _
from inspector_app.core.seizure.rules import DECISION_RECEIPT
from inspector_app.core.seizure.rules import SIGNATURE_ROLES as SIGNER_ROLES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def add_commands(commands, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    parents = list(parents)
    group = commands.add_parser(
        "seizure", parents=parents, help=_("the seizure workflow: draft, sign, issue, extend, "
                                           "close"),
        description=_("The seizure workflow on the command line, with the rules of the "
                      "window. Commands that change a seizure sign in with --user."))
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_text: str, handler, writes: bool = True, with_id: bool = True):
        p = actions.add_parser(name, parents=parents, help=help_text, description=help_text)
        if with_id:
            p.add_argument("seizure_id", metavar="ID", help=_("the seizure's id"))
        if writes:
            add_user_option(p)
        p.set_defaults(handler=handler)
        return p

    p = action("new", _("Make a draft seizure from a JSON description; prints its id"),
               cmd_new, with_id=False)
    p.add_argument("--json", dest="json_file", required=True, metavar="FILE",
                   help=_("the JSON description (- reads standard input); see "
                          "docs/cli-seizure.md"))

    p = action("show", _("Show a seizure, and what still stops it from being issued"),
               cmd_show, writes=False)
    p.add_argument("--json", action="store_true", help=_("print JSON instead of text"))

    p = action("sign", _("Add a signature, or record a refusal to sign or the party's "
                         "absence"), cmd_sign)
    p.add_argument("--role", required=True, choices=SIGNER_ROLES,
                   help=_("who signs; decision_receipt: the party signs for the issued "
                          "decision (签收)"))
    p.add_argument("--officer", metavar="N_OR_USER",
                   help=_("with --role officer: the officer's number in the measure (1, "
                          "2, ...), user name or id"))
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--image", type=Path, metavar="PNG",
                     help=_("the handwritten signature as a PNG image"))
    how.add_argument("--refused", action="store_true",
                     help=_("the party refuses to sign (a witness then signs)"))
    how.add_argument("--absent", action="store_true",
                     help=_("the party is absent (a witness then signs); draft only"))
    p.add_argument("--witness", metavar="NAME",
                   help=_("the witness's name (见证人), kept in the draft"))
    p.add_argument("--signer", metavar="NAME",
                   help=_("the name written under the signature (default: the party's, "
                          "witness's or officer's name in the record)"))

    p = action("approve", _("Record the agency head's prior approval of a draft (行政强制法 "
                            "art. 18)"), cmd_approve)
    p.add_argument("--approver", required=True, metavar="NAME",
                   help=_("the agency head who approved it"))
    p.add_argument("--at", type=_iso_time, metavar="ISO",
                   help=_("when it was approved (default: now; without an offset, the "
                          "seizure's local time)"))

    p = action("report-emergency", _("Record the report of an emergency measure to the agency "
                                     "head (within 24 hours, 行政强制法 art. 19)"),
               cmd_report_emergency)
    p.add_argument("--approver", required=True, metavar="NAME",
                   help=_("the agency head who approved it"))
    p.add_argument("--reason", default="", metavar="TEXT",
                   help=_("why it is reported late (needed after the 24 hours)"))

    action("issue", _("Issue a draft: number its documents and freeze them"), cmd_issue)

    p = action("extend", _("Extend the term once (at most 30 days), with the approver"),
               cmd_extend)
    p.add_argument("--days", type=int, required=True, metavar="N", help=_("extra days"))
    p.add_argument("--reason", required=True, metavar="TEXT", help=_("the written reasons"))
    p.add_argument("--approver", required=True, metavar="NAME",
                   help=_("the agency head who approved it"))

    p = action("release", _("Release the measure (解除); makes the release notice"),
               cmd_release)
    p.add_argument("--ground", required=True, metavar="N_OR_TEXT",
                   help=_("the ground of 行政强制法 art. 28, by number or wording: {grounds}")
                   .format(grounds=_grounds_text()))
    p.add_argument("--reason", default="", metavar="TEXT", help=_("the reason, in words"))

    for name, text in (("confiscate", _("Close the measure: the goods are confiscated")),
                       ("destroy", _("Close the measure: the goods are destroyed")),
                       ("transfer", _("Close the measure: the case is transferred"))):
        p = action(name, text, cmd_close)
        p.add_argument("--reason", required=True, metavar="TEXT",
                       help=_("the reason for this decision"))

    p = action("testing", _("Declare a testing period (not counted in the term), or end "
                            "the running one"), cmd_testing)
    p.add_argument("--start", type=day_arg, metavar="YYYY-MM-DD", help=_("first day"))
    p.add_argument("--end", type=day_arg, metavar="YYYY-MM-DD", help=_("last day"))
    p.add_argument("--description", default="", metavar="TEXT",
                   help=_("what is tested, and by whom"))


def _iso_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a time (ISO 8601, e.g. "
                                           "2026-03-05T09:30)").format(value=text)) from None


def _grounds_text() -> str:
    from inspector_app.core.seizure import rules

    return _("; ").join(f"{key} {text}" for key, text in rules.RELEASE_GROUNDS.items())


# --- the commands --------------------------------------------------------------------------


@with_store
def cmd_new(args, store) -> int:
    from inspector_app.cli.seizure_json import draft_input, read_json
    from inspector_app.core.seizure import service

    doc = read_json(args.json_file)
    with store.write() as session:
        actor = sign_in(args, session)
        seizure = service.create_draft(session, actor, draft_input(session, actor, doc))
        seizure_id = seizure.id
    out(seizure_id)
    return EXIT_OK


@with_store
def cmd_show(args, store) -> int:
    from inspector_app.cli import seizure_view

    with store.read() as session:
        view = seizure_view.view(session, args.seizure_id)
    if args.json:
        out(json.dumps(view, ensure_ascii=False, indent=2))
    else:
        for line in seizure_view.lines(view):
            out(line)
    return EXIT_OK


def _officer(session, seizure, text: str | None):
    from inspector_app.core.models import Inspector

    if not text:
        raise CliError(_("Say which officer signs with --officer (1, 2, ... or the user "
                         "name)."))
    for o in seizure.officers:
        inspector = session.get(Inspector, o.inspector_id)
        if text in (str(o.position), o.inspector_id, inspector.username if inspector else ""):
            return o
    raise CliError(_("{officer} is not an officer of this measure; its officers are: "
                     "{names}.").format(officer=text, names=_(", ").join(
                         f"{o.position} {o.name}" for o in seizure.officers)))


def _png(path: Path) -> bytes:
    data = path.read_bytes()
    if not data.startswith(PNG_MAGIC):
        raise CliError(_("{path} is not a PNG image.").format(path=path))
    try:
        from io import BytesIO

        from PIL import Image

        with Image.open(BytesIO(data)) as image:
            image.verify()
    except Exception:  # noqa: BLE001 - any decoder failure means the same to the user
        raise CliError(_("{path} is not a readable PNG image.").format(path=path)) from None
    return data


def _set_witness(session, actor, seizure, presence: str | None, witness: str | None) -> None:
    """The draft's presence and witness as the sign command says (a new draft version)."""
    from inspector_app.core.seizure import rules, service

    witness = (witness or "").strip() or None
    if (presence is None or presence == seizure.party_presence) and (
            witness is None or witness == seizure.witness_name):
        return
    if seizure.state != rules.DRAFT:
        raise CliError(_("The party's presence and the witness can only be changed in a "
                         "draft."))
    data = service.draft_input(seizure)
    if presence is not None:
        data.party_presence = presence
    if witness is not None:
        data.witness_name = witness
    service.update_draft(session, actor, seizure.id, data, seizure.version)


@with_store
def cmd_sign(args, store) -> int:
    from inspector_app.core.models import Party
    from inspector_app.core.seizure import service

    role = args.role
    if role != "officer" and args.officer:
        raise CliError(_("--officer goes with --role officer."))
    if (args.refused and role not in ("party", DECISION_RECEIPT)) or (
            args.absent and role != "party"):
        raise CliError(_("Only the party can refuse to sign or be absent."))
    png = _png(args.image) if args.image else None
    with store.write() as session:
        actor = sign_in(args, session)
        seizure = service.load(session, args.seizure_id)
        _set_witness(session, actor, seizure, "absent" if args.absent else None, args.witness)
        seizure = service.load(session, args.seizure_id)
        if args.absent:
            message = _("Recorded: the party is absent; the witness {name} signs.").format(
                name=seizure.witness_name)
        else:
            officer = _officer(session, seizure, args.officer) if role == "officer" else None
            if args.signer:
                signer = args.signer
            elif officer is not None:
                signer = officer.name
            elif role in ("party", DECISION_RECEIPT):
                party = session.get(Party, seizure.party_id) if seizure.party_id else None
                signer = party.name if party else ""
            else:
                signer = seizure.witness_name or ""
            if not signer.strip():
                raise CliError(_("The record holds no name for this signer: give --signer "
                                 "NAME (for the witness: --witness NAME)."))
            service.add_signature(store, session, actor, seizure.id, role, signer, png=png,
                                  refused=args.refused,
                                  officer_id=officer.inspector_id if officer else None)
            message = (_("Recorded: {name} refuses to sign.") if args.refused
                       else _("Recorded the signature of {name}.")).format(name=signer)
    out(message)
    return EXIT_OK


@with_store
def cmd_approve(args, store) -> int:
    from inspector_app.core.seizure import service

    with store.write() as session:
        actor = sign_in(args, session)
        seizure = service.record_approval(session, actor, args.seizure_id, args.approver,
                                          approved_at=args.at)
        when = seizure.approved_at.astimezone(service.seizure_tz(seizure))
    out(_("Recorded the approval of {name} at {time}.").format(
        name=args.approver.strip(), time=when.isoformat(timespec="minutes")))
    return EXIT_OK


@with_store
def cmd_report_emergency(args, store) -> int:
    from inspector_app.core.seizure import service

    with store.write() as session:
        actor = sign_in(args, session)
        service.report_emergency(session, actor, args.seizure_id, args.approver, args.reason)
    out(_("Recorded the report of the emergency measure to {name}.").format(
        name=args.approver.strip()))
    return EXIT_OK


@with_store
def cmd_issue(args, store) -> int:
    from inspector_app.core.seizure import service

    with store.write() as session:
        actor = sign_in(args, session)
        seizure = service.issue(store, session, actor, args.seizure_id)
        numbers = [(d.kind, d.number) for d in seizure.documents]
    out(_("Issued. Document numbers:"))
    table.show(None, [[_(service.KIND_LABELS[kind]), number] for kind, number in numbers],
               indent=2)
    return EXIT_OK


def _new_document(seizure, kind: str) -> str:
    from inspector_app.core.seizure import service

    doc = service.document_row(seizure, kind)
    return _("{document} {number}: print it with `inspector notice {id} --kind {kind} --out "
             "F.pdf`.").format(document=_(service.KIND_LABELS[kind]), number=doc.number,
                               id=seizure.id, kind=kind)


@with_store
def cmd_extend(args, store) -> int:
    from inspector_app.core.seizure import service

    with store.write() as session:
        actor = sign_in(args, session)
        seizure = service.extend(store, session, actor, args.seizure_id, args.days,
                                 args.reason, args.approver)
        message = _new_document(seizure, "extension")
    out(_("The term is extended by {days} days.").format(days=args.days))
    out(message)
    return EXIT_OK


def _ground(text: str) -> str:
    from inspector_app.core.seizure import rules

    text = text.strip()
    for key, wording in rules.RELEASE_GROUNDS.items():
        if text in (key, wording):
            return key
    raise CliError(_("Unknown ground for release {ground}; use one of: {grounds}.").format(
        ground=text, grounds=_grounds_text()))


@with_store
def cmd_release(args, store) -> int:
    from inspector_app.core.seizure import rules, service

    ground = _ground(args.ground)
    with store.write() as session:
        actor = sign_in(args, session)
        seizure = service.close(store, session, actor, args.seizure_id, rules.RELEASED,
                                args.reason, ground=ground)
        message = _new_document(seizure, "release")
    out(_("Released."))
    out(message)
    return EXIT_OK


CLOSE_TARGETS = {"confiscate": "confiscated", "destroy": "destroyed", "transfer": "transferred"}


@with_store
def cmd_close(args, store) -> int:
    from inspector_app.core.seizure import rules, service

    target = CLOSE_TARGETS[args.action]
    with store.write() as session:
        actor = sign_in(args, session)
        service.close(store, session, actor, args.seizure_id, target, args.reason)
    out(_("The seizure is now: {state}.").format(state=_(rules.STATE_LABELS[target])))
    return EXIT_OK


@with_store
def cmd_testing(args, store) -> int:
    from inspector_app.core.seizure import service

    if args.start is None and args.end is None:
        raise CliError(_("Give --start (and --end if known) to declare a testing period, or "
                         "--end alone to end the running one."))
    with store.write() as session:
        actor = sign_in(args, session)
        if args.start is None:
            service.end_testing(session, actor, args.seizure_id, args.end)
            message = _("The testing period ends on {date}.").format(date=args.end)
        else:
            service.declare_testing(session, actor, args.seizure_id, args.start, args.end,
                                    args.description)
            message = _("Declared a testing period from {date}.").format(date=args.start)
    out(message)
    return EXIT_OK
