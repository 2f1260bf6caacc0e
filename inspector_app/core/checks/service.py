"""Labeling checks: saving drafts and final checks, local autosave, and starting a seizure.

Two kinds of draft, for two different needs:

* **local drafts** (`check_drafts`, `autosave`): the form's state, written on every change
  the inspector makes, so a crash or a power cut loses at most the field being typed. They
  are not records: not audited, not synced, one row per open form, deleted in the same
  transaction that saves the check. The form reopens them on the next start (`drafts`).
* **draft records** (status "draft", `save(final=False)`): a check the inspector chose to
  save unfinished. It is an audited record like any other (a version, history, the audit
  chain, the outbox), so it syncs and a supervisor sees it. `save(final=True)` checks
  everything and makes the check final; a final check is not changed any more except by
  the link to the seizure it starts.

Every write goes through `records.create` / `records.update`. A check keeps the id and
version of the definition it was made with (form_id / form_version), each item's label and
legal basis, and each extra field's label and shown value, so it reads and prints the same
whatever later definitions say.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import canonical, records
from inspector_app.core.checks import rules
from inspector_app.core.checks.photos import Photo
from inspector_app.core.checks.rules import Answer, CheckInput
from inspector_app.core.i18n import _
from inspector_app.core.models import (
    Attachment,
    CheckDraft,
    CheckField,
    CheckItem,
    CheckOfficer,
    Inspector,
    LabelCheck,
    Market,
    Party,
    Stall,
)
from inspector_app.core.store import utcnow
from inspector_app.forms import definitions
from inspector_app.forms.definitions import Definition, Registry

log = logging.getLogger(__name__)

PHOTO_ROLE = "photo"


class CheckError(Exception):
    """A change to a check that cannot be made; `message` is for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class CheckInvalid(CheckError):
    """The form has problems; `problems` maps each field key to its message."""

    def __init__(self, problems: dict[str, str]):
        first = next(iter(problems.values()), "")
        super().__init__(
            _("The check has {n} problem(s); they are marked on the form. First: {first}")
            .format(n=len(problems), first=first))
        self.problems = problems


@dataclass
class Saved:
    check_id: str
    version: int
    status: str
    outcome: str
    seizure_id: str | None = None
    seizure_error: str = ""  # why a seizure could not be started (the check is saved)


# --- reading ------------------------------------------------------------------------------


def load(session: Session, check_id: str) -> LabelCheck:
    check = session.get(LabelCheck, check_id, options=[
        selectinload(LabelCheck.items), selectinload(LabelCheck.fields),
        selectinload(LabelCheck.officers)])
    if check is None:
        raise CheckError(_("There is no labeling check {id}.").format(id=check_id))
    return check


def photos_of(session: Session, check_id: str) -> list[Photo]:
    rows = session.scalars(select(Attachment).where(
        Attachment.record_kind == "check", Attachment.record_id == check_id,
        Attachment.role == PHOTO_ROLE).order_by(Attachment.created_at, Attachment.id)).all()
    return [Photo(a.sha256, a.filename, a.mime, a.size) for a in rows]


def definition_of(registry: Registry, check: LabelCheck) -> Definition | None:
    """The definition (version) the check was made with, if this device knows it."""
    if not check.form_id:
        return None
    return registry.get(check.form_id, check.form_version)


def input_of(session: Session, check: LabelCheck, defn: Definition | None) -> CheckInput:
    """A saved check as the form holds it."""
    values: dict[str, Any] = {}
    if defn is not None:
        for f in defn.fields:
            if f.column:
                raw = getattr(check, f.column)
                if raw not in (None, ""):
                    values[f.key] = rules.as_text(f, raw)
    for row in check.fields:
        f = defn.field(row.field_key) if defn else None
        if f is not None and f.type == "yesno":
            values[row.field_key] = row.value == "yes"
        else:
            values[row.field_key] = row.value
    answers = {i.item_key: Answer(i.result, i.note) for i in check.items}
    party = session.get(Party, check.party_id) if check.party_id else None
    stall = session.get(Stall, check.stall_id) if check.stall_id else None
    computed = rules.computed_outcome(defn, values, answers) if defn else check.outcome
    return CheckInput(
        form_id=check.form_id, form_version=check.form_version, market_id=check.market_id,
        stall_id=check.stall_id, stall_number=stall.number if stall else "",
        party_id=check.party_id, party_name=party.name if party else "",
        checked_at=check.checked_at, values=values, answers=answers,
        photos=photos_of(session, check.id),
        outcome_override=check.outcome if check.outcome != computed else "",
        override_reason=check.outcome_override_reason, measure=check.measure,
        remarks=check.remarks,
        second_officer_id=check.officers[1].inspector_id if len(check.officers) > 1 else None)


# --- the header: market, stall, party -----------------------------------------------------


@dataclass
class Prefill:
    """Where the last check was: "repeat last check at this stall" starts from it."""

    market_id: str | None
    stall_id: str | None
    stall_number: str
    party_id: str | None
    party_name: str
    form_id: str
    check_id: str
    second_officer_id: str | None = None  # the last check's second officer


def last_at_stall(session: Session, *, stall_id: str | None = None,
                  inspector_id: str | None = None) -> Prefill | None:
    """The latest check at `stall_id`, or else the latest check by `inspector_id`."""
    query = select(LabelCheck).order_by(LabelCheck.checked_at.desc(),
                                        LabelCheck.created_at.desc()).limit(1)
    if stall_id:
        query = query.where(LabelCheck.stall_id == stall_id)
    elif inspector_id:
        query = query.where(LabelCheck.author_id == inspector_id)
    check = session.scalars(query).first()
    return prefill_of(session, check) if check is not None else None


def prefill_of(session: Session, check: LabelCheck) -> Prefill:
    """Where `check` was, to start the next check there."""
    stall = session.get(Stall, check.stall_id) if check.stall_id else None
    party = session.get(Party, check.party_id) if check.party_id else None
    second = check.officers[1].inspector_id if len(check.officers) > 1 else None
    return Prefill(check.market_id, check.stall_id, stall.number if stall else "",
                   check.party_id, party.name if party else "", check.form_id, check.id,
                   second)


def market_stalls(session: Session, market_id: str
                  ) -> tuple[list[tuple[str, str, str | None]], list[tuple[str, str]]]:
    """(the stalls of a market as (id, number, party id) by number; their parties as
    (id, name) by name), as the check's header offers them."""
    rows = [tuple(r) for r in session.execute(
        select(Stall.id, Stall.number, Stall.party_id).where(Stall.market_id == market_id)
        .order_by(Stall.number)).all()]
    party_ids = {r[2] for r in rows if r[2]}
    names = dict(session.execute(select(Party.id, Party.name).where(
        Party.id.in_(party_ids))).all()) if party_ids else {}
    return rows, sorted(names.items(), key=lambda x: x[1])


def party_name(session: Session, party_id: str) -> str | None:
    party = session.get(Party, party_id)
    return party.name if party is not None else None


def _resolve_header(session: Session, actor: records.Actor, data: CheckInput
                    ) -> tuple[str | None, str | None]:
    """(party id, stall id), making the party and the stall typed in as new ones."""
    party_id = data.party_id
    if party_id and session.get(Party, party_id) is None:
        raise CheckError(_("The party no longer exists."), "party")
    if not party_id and data.party_name.strip():
        # The same name at a stall of the same market is the same trader; elsewhere it
        # may be someone else, so a new party is made (a supervisor can merge them).
        name = data.party_name.strip()
        existing = session.scalars(
            select(Party).join(Stall, Stall.party_id == Party.id)
            .where(Party.name == name, Stall.market_id == data.market_id).limit(1)).first()
        party_id = existing.id if existing else records.create(
            session, Party(name=name[:128]), actor).id
    stall_id = data.stall_id
    if stall_id:
        stall = session.get(Stall, stall_id)
        if stall is None:
            raise CheckError(_("The stall no longer exists."), "stall")
    elif data.stall_number.strip() and data.market_id:
        number = data.stall_number.strip()[:32]
        stall = session.scalars(select(Stall).where(
            Stall.market_id == data.market_id, Stall.number == number).limit(1)).first()
        if stall is None:
            stall = records.create(session, Stall(market_id=data.market_id, number=number,
                                                  party_id=party_id), actor)
        stall_id = stall.id
    if data.market_id and session.get(Market, data.market_id) is None:
        raise CheckError(_("The market no longer exists."), "market")
    return party_id, stall_id


# --- the officers ---------------------------------------------------------------------------


def _officers(session: Session, actor: records.Actor, data: CheckInput, *, final: bool
              ) -> tuple[list[CheckOfficer], dict[str, str]]:
    """(the check's officers: the one saving it, then the second officer; problems).

    A draft may lack the second officer; a final check needs two different officers with
    a 执法证号 (`rules.officer_problems`, which the import applies too)."""
    me = session.get(Inspector, actor.inspector_id) if actor.inspector_id else None
    chosen = [me] if me is not None else []
    problems: dict[str, str] = {}
    if data.second_officer_id:
        second = session.get(Inspector, data.second_officer_id)
        if second is None or not second.active:
            problems["second_officer"] = _("The second officer is not in the roster (any "
                                           "more): choose another officer.")
        elif me is not None and second.id == me.id:
            problems["second_officer"] = _("You are the first officer of this check: choose "
                                           "another officer as the second.")
        else:
            chosen.append(second)
    officers = [CheckOfficer(position=n, inspector_id=o.id, name=o.name,
                             cert_no=(o.cert_no or "").strip())
                for n, o in enumerate(chosen, start=1)]
    if final and not problems:
        found = rules.officer_problems([(o.inspector_id, o.name, o.cert_no) for o in officers])
        if found:
            problems["second_officer"] = " ".join(found)
    return officers, problems


# --- saving -------------------------------------------------------------------------------


def _apply(check: LabelCheck, defn: Definition, data: CheckInput, clean: dict[str, Any],
           outcome: str, overridden: bool) -> None:
    for f in defn.fields:
        if f.column:
            value = clean.get(f.key)
            if f.column in ("quantity", "price"):
                setattr(check, f.column, Decimal(value) if value is not None else None)
            else:
                setattr(check, f.column, rules.as_text(f, value) if value is not None else "")
    extra = [f for f in defn.fields if not f.column and f.key in clean]
    check.fields = [
        CheckField(position=n, field_key=f.key, label=f.label.zh,
                   value=rules.as_text(f, clean[f.key]),
                   display=(shown if (shown := rules.shown_zh(f, clean[f.key]))
                            != rules.as_text(f, clean[f.key]) else None))
        for n, f in enumerate(extra, start=1)]
    items = []
    for item in defn.applicable_items(data.values):
        answer = data.answers.get(item.key, Answer())
        if not answer.result:
            continue
        note = answer.note.strip()
        if answer.result == "fail" and not note and item.fail_note:
            note = item.fail_note.zh
        items.append(CheckItem(position=len(items) + 1, item_key=item.key,
                               label=item.label.zh, legal_basis=item.basis.zh,
                               result=answer.result, note=note))
    check.items = items
    check.category = defn.category.zh[:32]
    check.form_id, check.form_version = defn.id, defn.version
    check.outcome = outcome
    check.outcome_override_reason = data.override_reason.strip() if overridden else ""
    check.measure = data.measure
    check.remarks = data.remarks.strip()


def _sync_photos(store: Any, session: Session, check_id: str, wanted: list[Photo],
                 now: datetime) -> None:
    have = {a.sha256: a for a in session.scalars(select(Attachment).where(
        Attachment.record_kind == "check", Attachment.record_id == check_id,
        Attachment.role == PHOTO_ROLE))}
    wanted_shas = set()
    for n, photo in enumerate(wanted):
        if photo.sha256 in wanted_shas:
            continue
        wanted_shas.add(photo.sha256)
        if photo.sha256 in have:
            continue
        if store is None or not store.attachment_path(photo.sha256).exists():
            raise CheckError(_("The file of photo {name} is missing; add the photo again.")
                             .format(name=photo.filename or photo.sha256[:12]), "photos")
        session.add(Attachment(
            id=records.new_id(), record_kind="check", record_id=check_id,
            sha256=photo.sha256, role=PHOTO_ROLE, filename=photo.filename[:256],
            mime=photo.mime[:64], size=photo.size,
            created_at=now + timedelta(microseconds=n)))  # keeps the order they were added
    for sha, attachment in have.items():
        if sha not in wanted_shas:  # the file stays; older versions still list it
            session.delete(attachment)


def save(session: Session, actor: records.Actor, data: CheckInput, *, final: bool,
         check_id: str | None = None, expected_version: int | None = None,
         draft_id: str | None = None, store: Any = None, registry: Registry | None = None,
         now: datetime | None = None) -> Saved:
    """Save the form as a draft record or as the final check (one new version).

    Raises CheckInvalid (nothing is written) when the input has problems; the local draft
    `draft_id`, if given, is deleted in the same transaction. A final non-conforming check
    with the measure "seizure" starts a seizure (see `start_seizure`).
    """
    now = now or utcnow()
    registry = registry or definitions.registry_for(session)
    defn = registry.get(data.form_id, data.form_version)
    if defn is None:
        raise CheckError(_("The checklist {id} version {version} is not on this device; "
                           "sync, or update the app.").format(id=data.form_id,
                                                              version=data.form_version))
    clean, problems = rules.check_input(defn, data, final=final, now=now)
    officers, officer_problems = _officers(session, actor, data, final=final)
    problems.update(officer_problems)
    if problems:
        raise CheckInvalid(problems)
    outcome, overridden = rules.outcome(defn, data)
    party_id, stall_id = _resolve_header(session, actor, data)
    if check_id is None:
        check = LabelCheck(id=draft_id or records.new_id(), checked_at=data.checked_at or now)
        if session.get(LabelCheck, check.id) is not None:
            check.id = records.new_id()
    else:
        check = load(session, check_id)
        if check.status == "final":
            raise CheckError(_("This check is final and can no longer be changed; its "
                               "history keeps every version."), "status")
        if expected_version is not None and check.version != expected_version:
            raise records.VersionConflict("check", check.id, expected_version, check.version)
    check.status = "final" if final else "draft"
    check.checked_at = data.checked_at or check.checked_at or now
    check.market_id, check.stall_id, check.party_id = data.market_id, stall_id, party_id
    _apply(check, defn, data, clean, outcome, overridden)
    check.officers = officers
    _sync_photos(store, session, check.id, data.photos, now)
    if check_id is None:
        records.create(session, check, actor, now=now)
    else:
        records.update(session, check, actor, check.version, now=now)
    if draft_id:
        discard_draft(session, draft_id)
    saved = Saved(check.id, check.version, check.status, check.outcome)
    if final and outcome == "nonconforming" and data.measure == "seizure":
        try:
            with session.begin_nested():
                saved.seizure_id = start_seizure(session, actor, check.id, now=now)
        except CheckError as exc:
            saved.seizure_error = exc.message
        saved.version = session.get(LabelCheck, check.id).version
    return saved


def start_seizure(session: Session, actor: records.Actor, check_id: str,
                  now: datetime | None = None) -> str:
    """Start a draft seizure prefilled from a check (party, market and stall, the product
    as its item, the failed items in the on-site record, the check's photos as evidence),
    and link the two. Returns the seizure's id (the existing one if already started)."""
    from inspector_app.core.seizure import service as seizures
    from inspector_app.core.seizure.rules import RuleError
    from inspector_app.core.validation import ValidationError

    now = now or utcnow()
    check = load(session, check_id)
    if check.seizure_id:
        return check.seizure_id
    # The check's officers go on to the seizure (checks made before migration 0009 name
    # none: then the officer starting it).
    ids = [o.inspector_id for o in check.officers] or (
        [actor.inspector_id] if actor.inspector_id else [])
    officers = [i for i in ids if (o := session.get(Inspector, i)) is not None and o.active
                and o.cert_no.strip()]
    try:
        data = seizures.draft_from_check(session, check_id, officers)
        seizure = seizures.create_draft(session, actor, data, source_check_id=check_id,
                                        now=now)
    except (RuleError, ValidationError) as exc:
        raise CheckError(_("The check is saved, but the seizure could not be started: "
                           "{error}").format(error=exc.message), "measure") from None
    evidence = session.scalars(select(Attachment).where(
        Attachment.record_kind == "check", Attachment.record_id == check_id,
        Attachment.role == PHOTO_ROLE).order_by(Attachment.created_at, Attachment.id)).all()
    if evidence:
        for n, photo in enumerate(evidence):
            session.add(Attachment(
                id=records.new_id(), record_kind="seizure", record_id=seizure.id,
                sha256=photo.sha256, role=PHOTO_ROLE, filename=photo.filename,
                mime=photo.mime, size=photo.size, created_at=now + timedelta(microseconds=n)))
        session.flush()
        records.update(session, seizure, actor, seizure.version, now=now)
    return seizure.id


# --- local drafts -------------------------------------------------------------------------


@dataclass
class LocalDraft:
    id: str
    record_id: str | None
    base_version: int | None
    data: CheckInput
    updated_at: datetime


def autosave(session: Session, actor: records.Actor, draft_id: str, data: CheckInput,
             record_id: str | None = None, base_version: int | None = None,
             now: datetime | None = None) -> None:
    """Keep the form's state (no checks: a draft may hold anything being typed)."""
    content = canonical.dumps(data.to_json())
    row = session.get(CheckDraft, draft_id)
    if row is None:
        row = CheckDraft(id=draft_id)
        session.add(row)
    row.record_id, row.base_version = record_id, base_version
    row.inspector_id = actor.inspector_id
    row.form_id, row.form_version = data.form_id, data.form_version
    row.content = content
    row.updated_at = now or utcnow()


def drafts(session: Session, inspector_id: str | None) -> list[LocalDraft]:
    """The forms `inspector_id` left open (after a crash, say), oldest first."""
    rows = session.scalars(select(CheckDraft).where(CheckDraft.inspector_id == inspector_id)
                           .order_by(CheckDraft.updated_at)).all()
    out = []
    for row in rows:
        try:
            data = CheckInput.from_json(json.loads(row.content))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("unreadable local draft %s left alone: %s", row.id, exc)
            continue
        out.append(LocalDraft(row.id, row.record_id, row.base_version, data,
                              row.updated_at or datetime.now(UTC)))
    return out


def discard_draft(session: Session, draft_id: str) -> None:
    session.execute(delete(CheckDraft).where(CheckDraft.id == draft_id))
