"""The seizure workflow: every change a seizure goes through, each checked by the rules first.

Every write goes through `records.create` / `records.update` (a new version, its history, the
audit chain and the outbox), inside the caller's write session. A change the rules refuse
raises `RuleError` (or `validation.ValidationError`) before anything is changed; an error
later in the same transaction rolls all of it back, so a refused change changes nothing.

Transitions are appended to `seizure_transitions`, never rewritten. Issuing freezes the
documents: their numbers come from `numbering`, their content hashes are kept in
`seizure_documents`, and the QR code of each printed page is signed with the device key
(`issued.py`: what documents print, their signatures and PDF; re-exported here).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import attachments, records, settings, validation
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import (
    Attachment,
    Inspector,
    LabelCheck,
    Party,
    Seal,
    Seizure,
    SeizureDocument,
    SeizureItem,
    SeizureOfficer,
    SeizureSignature,
    SeizureTestingPeriod,
    SeizureTransition,
)
from inspector_app.core.seizure import documents, numbering, rules
from inspector_app.core.seizure.due import DueRow, days_left, due_rows  # noqa: F401 (API)
from inspector_app.core.seizure.issued import (  # noqa: F401 (API)
    CONTACT_PHONE,
    COURT,
    KIND_LABELS,
    RECONSIDERATION_ORGAN,
    _qty,
    available_kinds,
    document_row,
    frozen_block,
    notice_jobs,
    notice_pdf,
    own_key,
    payload_for,
    sign_documents,
    snapshot,
)
from inspector_app.core.seizure.lookup import (  # noqa: F401 (API)
    ISSUE_KINDS,
    NotFound,
    load,
    seizure_tz,
    today_for,
    utc,
)
from inspector_app.core.seizure.rules import RuleError
from inspector_app.core.stalls import stall_place
from inspector_app.core.store import Store, utcnow

DEFAULT_LEGAL_BASES = [
    "《中华人民共和国产品质量法》第十八条第一款第（四）项",
    "《中华人民共和国食品安全法》第一百一十条第（四）项",
    "《中华人民共和国商标法》第六十二条",
    "《中华人民共和国行政强制法》第十八条、第二十四条、第二十五条、第二十七条、第二十八条",
]
DEFAULT_VIOLATIONS = [
    "销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品",
    "销售失效、变质的产品",
    "销售伪造产地、伪造或者冒用他人厂名厂址的产品",
    "销售伪造或者冒用认证标志等质量标志的产品",
    "销售标识不符合《中华人民共和国产品质量法》第二十七条规定的产品",
    "销售侵犯注册商标专用权的商品",
]
LEGAL_BASES = settings.Option("seizure_legal_bases", DEFAULT_LEGAL_BASES, list,
                              N_("Legal bases offered for seizures"))
VIOLATIONS = settings.Option("seizure_violations", DEFAULT_VIOLATIONS, list,
                             N_("Suspected violations offered for seizures"))
SEIZURE_OPTIONS = [LEGAL_BASES, VIOLATIONS, RECONSIDERATION_ORGAN, COURT, CONTACT_PHONE,
                   numbering.DEVICE_SEGMENT, numbering.EXTENSION_PATTERN,
                   numbering.RELEASE_PATTERN]



# --- inputs --------------------------------------------------------------------------------


@dataclass
class ItemInput:
    name: str
    quantity: Decimal | str | int
    unit: str = ""
    spec: str = ""
    remark: str = ""


@dataclass
class SealInput:
    number: str
    location: str = ""


@dataclass
class PartyInput:
    name: str
    kind: str = "enterprise"
    credit_code: str = ""
    licence_name: str = ""
    address: str = ""
    legal_rep: str = ""
    id_number: str = ""
    phone: str = ""


@dataclass
class DraftInput:
    """What an inspector fills in before issuing."""

    officer_ids: list[str] = field(default_factory=list)
    party_id: str | None = None
    market_id: str | None = None
    measure: str = "seal"
    place: str = ""
    suspected_violation: str = ""
    legal_basis: str = ""
    term_days: int = rules.MAX_TERM_DAYS
    custody_place: str = ""
    custodian: str = ""
    items: list[ItemInput] = field(default_factory=list)
    seals: list[SealInput] = field(default_factory=list)
    onsite_record: str = ""
    party_statement: str = ""
    party_presence: str = "present"
    party_notified: bool = True
    witness_name: str = ""
    emergency: bool = False
    started_at: datetime | None = None
    record_ended_at: datetime | None = None
    contact_phone: str = ""


# --- helpers -------------------------------------------------------------------------------


def _need_state(seizure: Seizure, *states: str) -> None:
    if seizure.state not in states:
        raise RuleError(_("This seizure is {state}: it can no longer be edited. Its history "
                          "keeps every version.").format(
            state=_(rules.STATE_LABELS.get(seizure.state, seizure.state))), "state")


def _transition(seizure: Seizure, target: str, actor: records.Actor, now: datetime,
                reason: str = "", approver: str | None = None,
                ground: str | None = None) -> None:
    seizure.transitions.append(SeizureTransition(
        position=len(seizure.transitions) + 1, from_state=seizure.state, to_state=target,
        at=now, inspector_id=actor.inspector_id, reason=reason.strip(),
        approver=(approver or "").strip() or None, ground=ground))
    seizure.state = target


def _half_width_wording(text: str) -> str:
    return text.translate(str.maketrans("（）", "()"))


# The shipped defaults were once written with half-width brackets (第(四)项). A list saved
# then (by the settings page, or when sync added a pulled basis) offers them in today's
# wording; the setting itself and the seizures already made keep what they hold.
_EARLIER_WORDING = {_half_width_wording(b): b for b in DEFAULT_LEGAL_BASES
                    if _half_width_wording(b) != b}


def legal_bases(session: Session) -> list[str]:
    bases = (_EARLIER_WORDING.get(str(b), str(b)) for b in LEGAL_BASES.get(session))
    return list(dict.fromkeys(b for b in bases if b.strip()))


def set_legal_bases(session: Session, bases: Sequence[str]) -> None:
    cleaned = [b.strip() for b in bases if b and b.strip()]
    if not cleaned:
        raise RuleError(_("Keep at least one legal basis in the list."), "legal_basis")
    LEGAL_BASES.set(session, list(dict.fromkeys(cleaned)))


# --- parties and drafts ----------------------------------------------------------------------


def check_party_input(data: PartyInput) -> PartyInput:
    """Validated and normalised party details (raises ValidationError)."""
    if not data.name.strip():
        raise RuleError(_("Enter the party's name."), "name")
    return PartyInput(
        name=data.name.strip(), kind=data.kind if data.kind in ("enterprise", "individual")
        else "enterprise",
        credit_code=validation.check_credit_code(data.credit_code) if data.credit_code.strip()
        else "",
        licence_name=data.licence_name.strip(), address=data.address.strip(),
        legal_rep=data.legal_rep.strip(),
        id_number=validation.check_id_number(data.id_number) if data.id_number.strip() else "",
        phone=validation.check_phone(data.phone) if data.phone.strip() else "")


def party_input(party: Party) -> PartyInput:
    """The details of a stored party, e.g. to complete them."""
    return PartyInput(name=party.name, kind=party.party_type, credit_code=party.credit_code,
                      licence_name=party.licence_name, address=party.address,
                      legal_rep=party.legal_rep, id_number=party.id_number, phone=party.phone)


def _same_code(session: Session, clean: dict, party_id: str | None) -> None:
    """Refuse a code another party already has: complete that party instead."""
    for key in ("credit_code", "id_number"):
        if not clean[key]:
            continue
        query = select(Party).where(getattr(Party, key) == clean[key])
        if party_id is not None:
            query = query.where(Party.id != party_id)
        other = session.scalars(query.limit(1)).first()
        if other is not None:
            raise RuleError(_("The party {name} already has this code: choose that party "
                              "(and complete its details) instead of entering it again."
                              ).format(name=other.name), key)


def save_party(session: Session, actor: records.Actor, data: PartyInput,
               party_id: str | None = None, expected_version: int | None = None) -> Party:
    """A new party, or (with `party_id`) the same party completed or corrected: a new
    version of the one record, its earlier details kept in history."""
    clean = dict(check_party_input(data).__dict__)
    clean["party_type"] = clean.pop("kind")
    _same_code(session, clean, party_id)
    if party_id is None:
        return records.create(session, Party(**clean), actor)
    party = session.get(Party, party_id)
    if party is None:
        raise RuleError(_("The party no longer exists."), "party")
    version = party.version if expected_version is None else expected_version
    if party.version != version:
        raise records.VersionConflict("party", party.id, version, party.version)
    if all(getattr(party, key) == value for key, value in clean.items()):
        return party  # nothing changed: no new version
    for key, value in clean.items():
        setattr(party, key, value)
    return records.update(session, party, actor, version)


def _officers(session: Session, ids: Sequence[str]) -> list[SeizureOfficer]:
    out = []
    for n, inspector_id in enumerate(ids, start=1):
        inspector = session.get(Inspector, inspector_id)
        if inspector is None or not inspector.active:
            raise RuleError(_("Officer {n} is not in the team roster.").format(n=n), "officers")
        out.append(SeizureOfficer(position=n, inspector_id=inspector.id, name=inspector.name,
                                  cert_no=inspector.cert_no.strip()))
    return out


def _check_draft(session: Session, data: DraftInput, now: datetime
                 ) -> tuple[list[SeizureOfficer], list[SeizureItem], list[Seal]]:
    officers = _officers(session, data.officer_ids)
    rules.check_started(data.started_at, now)
    rules.check_officer_certs(officers)  # two or more are checked when issuing
    rules.check_term(data.term_days)
    if data.measure not in rules.MEASURES:
        raise RuleError(_("Choose sealing (查封) or detention (扣押)."), "measure")
    if data.party_presence not in rules.PRESENCE:
        rules.check_presence(data.party_presence, data.witness_name)
    rules.check_items(data.items)
    items = [SeizureItem(position=n, name=item.name.strip(), spec=item.spec.strip(),
                         unit=item.unit.strip(), remark=item.remark.strip(),
                         quantity=rules.check_quantity(item.quantity, n))
             for n, item in enumerate(data.items, start=1)]
    seals = []
    for n, seal in enumerate(data.seals, start=1):
        if not seal.number.strip():
            raise RuleError(_("Seal {n}: enter its number.").format(n=n), "seals")
        seals.append(Seal(position=n, number=seal.number.strip(),
                          location=seal.location.strip()))
    numbers = [s.number for s in seals]
    if len(set(numbers)) != len(numbers):
        raise RuleError(_("Two seals have the same number."), "seals")
    if data.party_id is not None and session.get(Party, data.party_id) is None:
        raise RuleError(_("The party no longer exists."), "party")
    return officers, items, seals


def _apply(seizure: Seizure, data: DraftInput, officers, items, seals) -> None:
    seizure.officers = officers
    seizure.items = items
    seizure.seals = seals
    for key in ("party_id", "market_id", "measure", "place", "suspected_violation",
                "legal_basis", "custody_place", "custodian", "onsite_record",
                "party_presence", "witness_name", "emergency"):
        value = getattr(data, key)
        setattr(seizure, key, value.strip() if isinstance(value, str) else value)
    seizure.term_days = int(data.term_days)
    seizure.party_notified = bool(data.party_notified)
    seizure.party_statement = data.party_statement.strip() or None
    seizure.contact_phone = data.contact_phone.strip() or None
    seizure.record_ended_at = data.record_ended_at
    if data.started_at is not None:
        seizure.started_at = data.started_at


def create_draft(session: Session, actor: records.Actor, data: DraftInput,
                 source_check_id: str | None = None, now: datetime | None = None) -> Seizure:
    now = now or utcnow()
    officers, items, seals = _check_draft(session, data, now)
    seizure = Seizure(state=rules.DRAFT, number="", started_at=data.started_at or now,
                      extension_days=0, source_check_id=source_check_id)
    _apply(seizure, data, officers, items, seals)
    records.create(session, seizure, actor, now=now)
    if source_check_id:
        check = session.get(LabelCheck, source_check_id)
        if check is not None and check.seizure_id != seizure.id:
            check.seizure_id = seizure.id
            records.update(session, check, actor, check.version, now=now)
    return seizure


def update_draft(session: Session, actor: records.Actor, seizure_id: str, data: DraftInput,
                 expected_version: int, now: datetime | None = None) -> Seizure:
    seizure = load(session, seizure_id)
    _need_state(seizure, rules.DRAFT)
    if seizure.version != expected_version:
        raise records.VersionConflict("seizure", seizure.id, expected_version, seizure.version)
    officers, items, seals = _check_draft(session, data, now or utcnow())
    _apply(seizure, data, officers, items, seals)
    return records.update(session, seizure, actor, expected_version, now=now)


def draft_input(seizure: Seizure) -> DraftInput:
    """The editable fields of a seizure, e.g. to fill the form."""
    return DraftInput(
        officer_ids=[o.inspector_id for o in seizure.officers], party_id=seizure.party_id,
        market_id=seizure.market_id, measure=seizure.measure, place=seizure.place,
        suspected_violation=seizure.suspected_violation, legal_basis=seizure.legal_basis,
        term_days=seizure.term_days, custody_place=seizure.custody_place,
        custodian=seizure.custodian,
        items=[ItemInput(i.name, i.quantity, i.unit, i.spec, i.remark) for i in seizure.items],
        seals=[SealInput(s.number, s.location) for s in seizure.seals],
        onsite_record=seizure.onsite_record, party_statement=seizure.party_statement or "",
        party_presence=seizure.party_presence,
        party_notified=seizure.party_notified is not False, witness_name=seizure.witness_name,
        emergency=seizure.emergency, started_at=seizure.started_at,
        record_ended_at=seizure.record_ended_at, contact_phone=seizure.contact_phone or "")


def draft_from_check(session: Session, check_id: str, officer_ids: Sequence[str] = ()
                     ) -> DraftInput:
    """A seizure prefilled from a non-conforming labeling check."""
    check = session.get(LabelCheck, check_id)
    if check is None:
        raise RuleError(_("There is no labeling check {id}.").format(id=check_id), "check")
    failed = [i.label for i in check.items if i.result == "fail"]
    item = ItemInput(name=check.product_name or "", spec=check.spec_model or "",
                     unit=check.unit or "", quantity=check.quantity or Decimal(1),
                     remark=" ".join(x for x in (check.brand, check.batch_no) if x))
    place = ""
    if check.stall_id:
        from inspector_app.core.models import Market, Stall

        stall = session.get(Stall, check.stall_id)
        market = session.get(Market, check.market_id) if check.market_id else None
        place = stall_place(market.name if market else "", stall.number if stall else "")
    return DraftInput(
        officer_ids=list(officer_ids), party_id=check.party_id, market_id=check.market_id,
        place=place, custody_place=place,
        suspected_violation=(DEFAULT_VIOLATIONS[4] if failed else ""),
        legal_basis=legal_bases(session)[0] if legal_bases(session) else "",
        items=[item] if item.name else [],
        onsite_record=("检查发现：" + "、".join(failed) + "。") if failed else "")


# --- signatures and photos -------------------------------------------------------------------


def add_signature(store: Store, session: Session, actor: records.Actor, seizure_id: str,
                  role: str, signer: str, *, png: bytes | None = None,
                  strokes: bytes | None = None, refused: bool = False,
                  officer_id: str | None = None, now: datetime | None = None
                  ) -> SeizureSignature:
    """A signature (PNG + stroke data) or a refusal to sign, for the party, witness or an
    officer. A later signature of the same person is added, never overwrites.

    Role ``decision_receipt`` is the party's receipt of the issued decision (its 签收 line),
    or the party's refusal to sign for it; the on-site signatures are never reused for it."""
    seizure = load(session, seizure_id)
    if role not in documents.SIGNATURE_ROLES:
        raise RuleError(_("Unknown signer role {role}.").format(role=role), "role")
    if seizure.state not in (rules.DRAFT, rules.ISSUED, rules.EXTENDED):
        _need_state(seizure, rules.DRAFT)
    if role == documents.DECISION_RECEIPT and document_row(seizure, "decision") is None:
        raise RuleError(_("The party signs for the decision once it is issued: issue the "
                          "seizure first."), "role")
    if role == "officer" and officer_id not in {o.inspector_id for o in seizure.officers}:
        raise RuleError(_("Only the officers named in the measure sign as officers."), "role")
    if refused and role == "officer":
        raise RuleError(_("An officer cannot refuse to sign."), "role")
    if not refused and not png:
        raise RuleError(_("The signature is empty: sign in the box, or record the refusal."),
                        "signature")
    if not signer.strip():
        raise RuleError(_("Enter the signer's name."), "signer")
    now = now or utcnow()
    png_sha = strokes_sha = None
    for data, kind, mime in ((png, "signature", "image/png"),
                             (strokes, "strokes", "application/json")):
        if data:
            sha = attachments.store_bytes(store, data)
            session.add(Attachment(id=records.new_id(), record_kind="seizure",
                                   record_id=seizure.id, sha256=sha, role=f"{kind}:{role}",
                                   filename=f"{kind}-{role}.{'png' if kind == 'signature' else 'json'}",
                                   mime=mime, size=len(data), created_at=now))
            if kind == "signature":
                png_sha = sha
            else:
                strokes_sha = sha
    sig = SeizureSignature(position=len(seizure.signatures) + 1, role=role,
                           signer=signer.strip(), officer_id=officer_id,
                           status="refused" if refused else "signed", png_sha256=png_sha,
                           strokes_sha256=strokes_sha, signed_at=now)
    seizure.signatures.append(sig)
    if refused and role == "party" and seizure.state == rules.DRAFT:
        seizure.party_presence = "refused"
    session.flush()
    records.update(session, seizure, actor, seizure.version, now=now)
    return sig


def add_photo(store: Store, session: Session, actor: records.Actor, seizure_id: str,
              data: bytes, filename: str = "", mime: str = "image/jpeg") -> Attachment:
    seizure = load(session, seizure_id)
    return attachments.attach(store, session, seizure, actor, data, "photo", filename, mime)


# --- transitions ---------------------------------------------------------------------------


def _add_document(seizure: Seizure, kind: str, number: str, now: datetime) -> SeizureDocument:
    doc = SeizureDocument(position=len(seizure.documents) + 1, kind=kind, number=number,
                          issued_at=now, content_sha256="")
    seizure.documents.append(doc)
    return doc


def issue(store: Store | None, session: Session, actor: records.Actor, seizure_id: str,
          now: datetime | None = None, reason: str = "") -> Seizure:
    """draft → issued: number the documents and freeze their content."""
    seizure = load(session, seizure_id)
    rules.check_transition(seizure.state, rules.ISSUED)
    party = session.get(Party, seizure.party_id) if seizure.party_id else None
    now = now or utcnow()
    problems = rules.issue_problems(seizure, party, now)
    if problems:
        raise RuleError("\n".join(p.message for p in problems), problems[0].field)
    tz = seizure_tz(seizure)
    decision_no = numbering.allocate(session, "decision", seizure.id, now, tz)
    list_no = numbering.allocate(session, "list", seizure.id, now, tz)
    seizure.frozen_block = json.dumps(frozen_block(session, seizure), ensure_ascii=False,
                                      sort_keys=True)
    seizure.number = decision_no
    seizure.issued_at = now
    _transition(seizure, rules.ISSUED, actor, now, reason)
    for kind in ISSUE_KINDS:
        _add_document(seizure, kind, list_no if kind == "list" else decision_no, now)
    session.flush()
    snap = snapshot(session, seizure)
    for doc in seizure.documents:
        doc.content_sha256 = documents.content_sha256(snap, doc.kind)
    sign_documents(store, session, seizure, seizure.documents)
    records.update(session, seizure, actor, seizure.version, now=now)
    return seizure


def extend(store: Store | None, session: Session, actor: records.Actor, seizure_id: str,
           days: int, reason: str, approver: str = "", now: datetime | None = None) -> Seizure:
    """issued → extended (once, ≤ 30 days, with written reasons, before the term ends)."""
    seizure = load(session, seizure_id)
    now = now or utcnow()
    days = rules.check_extension(seizure, days, reason, today_for(seizure, now),
                                 seizure_tz(seizure), approver=approver)
    rules.check_emergency_reported(rules.emergency_status(seizure, now), rules.EXTENDED,
                                   seizure_tz(seizure))
    number = numbering.allocate(session, "extension", seizure.id, now, seizure_tz(seizure))
    seizure.extension_days = days
    # The term's new last day, as the extension decision states it, frozen with it.
    new_end = rules.term(seizure, today_for(seizure, now), seizure_tz(seizure))
    if seizure.frozen_block and new_end is not None:
        frozen = json.loads(seizure.frozen_block)
        frozen["extension_end"] = new_end.end.isoformat()
        seizure.frozen_block = json.dumps(frozen, ensure_ascii=False, sort_keys=True)
    _transition(seizure, rules.EXTENDED, actor, now, reason, approver)
    doc = _add_document(seizure, "extension", number, now)
    session.flush()
    doc.content_sha256 = documents.content_sha256(snapshot(session, seizure), "extension")
    sign_documents(store, session, seizure, [doc])
    return records.update(session, seizure, actor, seizure.version, now=now)


def close(store: Store | None, session: Session, actor: records.Actor, seizure_id: str,
          target: str, reason: str = "", ground: str | None = None,
          now: datetime | None = None) -> Seizure:
    """issued/extended → released / confiscated / destroyed / transferred."""
    seizure = load(session, seizure_id)
    now = now or utcnow()
    if target not in rules.CLOSING:
        rules.check_transition(seizure.state, target)
    rules.check_close(seizure, target, reason, ground, today_for(seizure, now),
                      seizure_tz(seizure))
    rules.check_emergency_reported(rules.emergency_status(seizure, now), target,
                                   seizure_tz(seizure))
    number = None
    if target == rules.RELEASED:
        number = numbering.allocate(session, "release", seizure.id, now, seizure_tz(seizure))
    _transition(seizure, target, actor, now, reason, ground=ground)
    if number:
        doc = _add_document(seizure, "release", number, now)
        session.flush()
        doc.content_sha256 = documents.content_sha256(snapshot(session, seizure), "release")
        sign_documents(store, session, seizure, [doc])
    return records.update(session, seizure, actor, seizure.version, now=now)


def declare_testing(session: Session, actor: records.Actor, seizure_id: str, start: date,
                    end: date | None = None, description: str = "",
                    now: datetime | None = None) -> Seizure:
    """A testing/inspection period (not counted in the term), notified to the party."""
    seizure = load(session, seizure_id)
    _need_state(seizure, rules.ISSUED, rules.EXTENDED)
    issued = rules.local_date(seizure.issued_at, seizure_tz(seizure))
    if start <= issued:
        raise RuleError(_("A testing period starts after the measure was issued ({date})."
                          ).format(date=issued.isoformat()), "start_date")
    if end is not None and end < start:
        raise RuleError(_("A testing period cannot end before it starts."), "end_date")
    if any(p.end_date is None for p in seizure.testing_periods):
        raise RuleError(_("A testing period is still running: enter its end first."),
                        "start_date")
    now = now or utcnow()
    seizure.testing_periods.append(SeizureTestingPeriod(
        position=len(seizure.testing_periods) + 1, start_date=start.isoformat(),
        end_date=end.isoformat() if end else None, description=description.strip() or None,
        declared_at=now))
    return records.update(session, seizure, actor, seizure.version, now=now)


def end_testing(session: Session, actor: records.Actor, seizure_id: str, end: date,
                now: datetime | None = None) -> Seizure:
    seizure = load(session, seizure_id)
    running = [p for p in seizure.testing_periods if p.end_date is None]
    if not running:
        raise RuleError(_("No testing period is running."), "end_date")
    if end < date.fromisoformat(running[-1].start_date):
        raise RuleError(_("A testing period cannot end before it starts."), "end_date")
    running[-1].end_date = end.isoformat()
    return records.update(session, seizure, actor, seizure.version, now=now)


def record_approval(session: Session, actor: records.Actor, seizure_id: str, approver: str,
                    approved_at: datetime | None = None, now: datetime | None = None
                    ) -> Seizure:
    """The agency head's prior approval of a draft (art. 18(一)): who, and when (default:
    now; a naive time is the seizure's local time). Recorded again, it is a correction: a
    new version of the record, the earlier one kept in its history."""
    seizure = load(session, seizure_id)
    if seizure.state != rules.DRAFT:
        raise RuleError(_("The measure is already issued: its prior approval can no longer be "
                          "recorded or changed."), "approval")
    if seizure.emergency:
        raise RuleError(_("This measure was taken on the spot as an emergency measure: report "
                          "it to the agency head (within 24 hours) instead of recording a "
                          "prior approval."), "emergency")
    name = (approver or "").strip()
    if not name:
        raise RuleError(_("Enter who approved the measure (the agency head)."), "approver")
    if len(name) > 64:
        raise RuleError(_("The approver's name is too long (at most 64 characters)."),
                        "approver")
    now = now or utcnow()
    moment = approved_at or now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=seizure_tz(seizure))
    rules.check_approval_time(moment, seizure.started_at, now, seizure_tz(seizure))
    if seizure.approver == name and seizure.approved_at == moment:
        return seizure  # the same approval: no new version
    seizure.approver = name
    seizure.approved_at = moment
    return records.update(session, seizure, actor, seizure.version, now=now)


def approval_history(session: Session, seizure_id: str) -> list[tuple[str, datetime]]:
    """Every prior approval the seizure has held, oldest first (corrections included)."""
    from inspector_app.core.models import History

    out: list[tuple[str, datetime]] = []
    for row in session.scalars(select(History).where(
            History.kind == "seizure", History.record_id == seizure_id
    ).order_by(History.version)):
        content = json.loads(row.content)
        if content.get("approver") and content.get("approved_at"):
            entry = (content["approver"], datetime.fromisoformat(content["approved_at"]))
            if not out or out[-1] != entry:
                out.append(entry)
    return out


def report_emergency(session: Session, actor: records.Actor, seizure_id: str, approver: str,
                     reason: str = "", now: datetime | None = None) -> Seizure:
    """Record, when it is made, the report of an emergency measure to the agency head and
    its approval (art. 19); after the 24 hours, with the reason for the delay."""
    seizure = load(session, seizure_id)
    if not seizure.emergency:
        raise RuleError(_("This measure was not taken as an emergency measure."), "emergency")
    now = now or utcnow()
    status = rules.emergency_status(seizure, now)
    assert status is not None
    rules.check_emergency_report(status, approver, reason, now, seizure_tz(seizure))
    if len(approver.strip()) > 64:
        raise RuleError(_("The approver's name is too long (at most 64 characters)."),
                        "approver")
    seizure.emergency_reported_at = now
    seizure.emergency_approver = approver.strip()
    seizure.emergency_report_reason = (reason or "").strip() or None
    return records.update(session, seizure, actor, seizure.version, now=now)
