"""The documents of a seizure: what they print (`snapshot`), their signed QR payloads
(each document keeps its issuing device's key id and signature), and their PDF."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from inspector_app.core import device_key, settings
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import (
    KnownKey,
    Party,
    Seizure,
    SeizureDocNumber,
    SeizureDocument,
)
from inspector_app.core.seizure import documents, qr, rules
from inspector_app.core.seizure.lookup import ISSUE_KINDS, load, seizure_tz, utc
from inspector_app.core.seizure.rules import RuleError
from inspector_app.core.store import Store, utcnow

RECONSIDERATION_ORGAN = settings.Option(
    "reconsideration_organ", "", str,
    N_("Body that hears administrative reconsideration (printed on notices)"))
COURT = settings.Option("court_name", "", str,
                        N_("Court for administrative suits (printed on notices)"))
CONTACT_PHONE = settings.Option("agency_contact_phone", "", str,
                                N_("Agency contact phone (printed on notices)"))


def frozen_block(session: Session, seizure: Seizure) -> dict:
    """The party and agency details as the documents print them (frozen at issue)."""
    party = session.get(Party, seizure.party_id) if seizure.party_id else None
    pinfo = documents.PartyInfo(kind=party.party_type, **{k: getattr(party, k) for k in (
        "name", "credit_code", "licence_name", "address", "legal_rep", "id_number",
        "phone")}) if party else documents.PartyInfo()
    return {
        "party": pinfo.__dict__,
        "agency": settings.AGENCY_NAME.get(session),
        "contact_phone": seizure.contact_phone or CONTACT_PHONE.get(session),
        "reconsideration_organ": RECONSIDERATION_ORGAN.get(session),
        "court": COURT.get(session),
    }


# --- -----------------------------------------------------------------------------


def snapshot(session: Session, seizure: Seizure, store: Store | None = None
             ) -> documents.Snapshot:
    """The seizure as its documents print it (signature images only when `store` is given)."""
    tz = seizure_tz(seizure)
    if seizure.frozen_block:
        frozen = json.loads(seizure.frozen_block)
    else:
        frozen = frozen_block(session, seizure)
    numbers, dates = {}, {}
    for doc in seizure.documents:
        numbers[doc.kind] = doc.number
        dates[doc.kind] = doc.issued_at.astimezone(tz).date()
    extension = release = None
    for t in seizure.transitions:
        if t.to_state == rules.EXTENDED:
            extension = {"days": seizure.extension_days, "reason": t.reason,
                         "approver": t.approver or ""}
            if frozen.get("extension_end"):
                extension["new_end"] = date.fromisoformat(frozen["extension_end"])
        elif t.to_state == rules.RELEASED:
            release = {"ground": t.ground or "", "reason": t.reason}
            if "release" in dates:  # the term as it stood on the release day
                term = rules.term(seizure, dates["release"], tz)
                release["term_end"] = term.end if term is not None else None
    sigs = []
    for s in seizure.signatures:
        png = None
        if store is not None and s.png_sha256:
            path = store.attachment_path(s.png_sha256)
            png = path.read_bytes() if path.exists() else None
        sigs.append(documents.SignatureInfo(s.role, s.signer, s.status, png,
                                            s.signed_at.astimezone(tz).date(), s.officer_id))
    officers = [(o.name, o.cert_no) for o in seizure.officers]
    return documents.Snapshot(
        seizure_id=seizure.id, state=seizure.state, measure=seizure.measure,
        agency=frozen["agency"], party=documents.PartyInfo(**frozen["party"]),
        officers=officers,
        items=[documents.ItemInfo(i.name, i.spec, i.unit, _qty(i.quantity), i.remark)
               for i in seizure.items],
        seals=[(s.number, s.location) for s in seizure.seals],
        suspected_violation=seizure.suspected_violation, legal_basis=seizure.legal_basis,
        place=seizure.place, term_days=seizure.term_days, custody_place=seizure.custody_place,
        custodian=seizure.custodian, onsite_record=seizure.onsite_record,
        party_statement=seizure.party_statement or "", party_presence=seizure.party_presence,
        party_notified=seizure.party_notified, witness_name=seizure.witness_name,
        started_at=seizure.started_at.astimezone(tz).replace(tzinfo=None),
        record_ended_at=(seizure.record_ended_at.astimezone(tz).replace(tzinfo=None)
                         if seizure.record_ended_at else None),
        contact_name=officers[0][0] if officers else "",
        contact_phone=frozen.get("contact_phone") or "",
        reconsideration_organ=frozen.get("reconsideration_organ") or "",
        court=frozen.get("court") or "", approver=_prior_approver(seizure),
        numbers=numbers, dates=dates,
        issued_on=seizure.issued_at.astimezone(tz).date() if seizure.issued_at else None,
        extension=extension, release=release, signatures=sigs)


def _prior_approver(seizure: Seizure) -> str:
    """Who approved the measure before it was issued (art. 18(一)), when that is recorded.

    An emergency measure's later approval (art. 19) is not a prior approval: the decision
    issued before it does not say it was approved.
    """
    approver = (getattr(seizure, "approver", None) or "").strip()
    approved_at = getattr(seizure, "approved_at", None)
    if not approver or approved_at is None:
        return ""
    if seizure.issued_at is not None and utc(approved_at) > utc(seizure.issued_at):
        return ""
    return approver


def _qty(value) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def own_key(store: Store, session: Session):
    """This device's signing key; its public key is registered in known_keys (source "own")."""
    key = device_key.load_or_create(store.data_dir)
    kid = device_key.key_id(key)
    known = session.get(KnownKey, kid)
    if known is None:
        session.add(KnownKey(key_id=kid, public_key=device_key.public_b64(key),
                             device_id=settings.device_id(session),
                             agency=settings.AGENCY_NAME.get(session), source="own",
                             added_at=utcnow()))
        session.flush()
    return key


def _payload(doc: SeizureDocument, snap: documents.Snapshot, key_id: str) -> qr.Payload:
    return qr.Payload(kind=doc.kind, number=doc.number, agency=snap.agency,
                      issued=snap.dates[doc.kind],
                      party_hash=qr.party_hash(snap.party.name), item_count=len(snap.items),
                      content_sha256=doc.content_sha256, key_id=key_id)


def sign_documents(store: Store | None, session: Session, seizure: Seizure,
                    docs: Sequence[SeizureDocument]) -> None:
    """Sign newly issued documents with this device's key, once: the signature is kept in
    the record, and every later print (here or on any other device) carries it."""
    if store is None:
        return
    key = own_key(store, session)
    snap = snapshot(session, seizure)
    for doc in docs:
        signed = qr.sign(_payload(doc, snap, device_key.key_id(key)), key)
        doc.key_id, doc.signature = signed.key_id, qr.b64(signed.signature)


def _issued_here(session: Session, seizure: Seizure, doc: SeizureDocument) -> bool:
    """Whether this device gave out the document's number (its ledger holds it)."""
    row = session.get(SeizureDocNumber, doc.number)
    return row is not None and row.seizure_id == seizure.id


def payload_for(store: Store, session: Session, seizure: Seizure, kind: str,
                snap: documents.Snapshot, key=None) -> str:
    """The signed QR text of an issued document: its issuing device's signature, as the
    record carries it. Refuses a document whose content has changed, and one issued on
    another device that carries no signature of that device (it is never re-signed)."""
    doc = document_row(seizure, kind)
    if doc is None:
        raise RuleError(_("This seizure has no {kind} document yet.").format(
            kind=_(KIND_LABELS[kind])), "kind")
    digest = documents.content_sha256(snap, kind)
    if digest != doc.content_sha256:
        raise RuleError(_("The content of this document no longer matches the one issued: the "
                          "record was changed outside the app. It cannot be printed."), "kind")
    if doc.signature and doc.key_id:
        payload = _payload(doc, snap, doc.key_id)
        try:
            payload = qr.Payload(**{**payload.__dict__, "signature": qr.unb64(doc.signature)})
        except ValueError:
            payload = None
        known = session.get(KnownKey, doc.key_id)
        public = device_key.public_from_b64(known.public_key) if known is not None else None
        if payload is None or (public is not None and not qr.signature_ok(payload, public)):
            raise RuleError(_("The signature this document carries does not match its "
                              "content: the record was changed after it was issued. It "
                              "cannot be printed."), "kind")
        return payload.text()
    if not _issued_here(session, seizure, doc):
        raise RuleError(_("The {kind} {number} was issued on another device, and the record "
                          "carries no signature of that device. This device does not sign "
                          "another device's document as its own: print it on the device "
                          "that issued it.").format(kind=_(KIND_LABELS[kind]),
                                                    number=doc.number), "kind")
    # Issued here before documents kept their signature: this device signs, as it did.
    key = key or own_key(store, session)
    return qr.sign(_payload(doc, snap, device_key.key_id(key)), key).text()


KIND_LABELS = rules.DOCUMENT_LABELS


def document_row(seizure: Seizure, kind: str) -> SeizureDocument | None:
    found = None
    for doc in seizure.documents:
        if doc.kind == kind:
            found = doc
    return found


def available_kinds(seizure: Seizure) -> list[str]:
    """Kinds that can be printed: all issued ones, or the four drafts of a draft."""
    if seizure.state == rules.DRAFT:
        return list(ISSUE_KINDS)
    have = {d.kind for d in seizure.documents}
    return [k for k in documents.KINDS if k in have]


def notice_jobs(store: Store, session: Session, seizure_id: str, kinds: Sequence[str],
                key=None) -> list[tuple[documents.Snapshot, str, str | None]]:
    """What `documents.render` needs to print `kinds` of a seizure (drafts get no QR)."""
    seizure = load(session, seizure_id)
    snap = snapshot(session, seizure, store)
    jobs = []
    for kind in kinds:
        if kind not in documents.KINDS:
            raise RuleError(_("Unknown document kind {kind}.").format(kind=kind), "kind")
        if seizure.state == rules.DRAFT:
            if kind not in ISSUE_KINDS:
                raise RuleError(_("This seizure has no {kind} document yet.").format(
                    kind=_(KIND_LABELS[kind])), "kind")
            jobs.append((snap, kind, None))
        else:
            key = key or own_key(store, session)
            jobs.append((snap, kind, payload_for(store, session, seizure, kind, snap, key)))
    return jobs


def notice_pdf(store: Store, session: Session, seizure_id: str, kind: str) -> bytes:
    jobs = notice_jobs(store, session, seizure_id, [kind])
    pdf = documents.render(jobs)
    assert pdf is not None
    return pdf
