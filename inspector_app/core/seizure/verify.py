"""Checking a printed document's QR code against what the agency holds.

`verify_text` answers VALID or INVALID with the reason, never raises on bad input:

* unreadable code — not a payload of this app, or incomplete (truncated), or mangled;
* another agency — the payload names an agency other than this store's;
* unknown key / revoked key — the signing device's key is not one this store trusts;
* bad signature — the payload was altered (or re-encoded) after it was signed;
* other signer — a known key signed it, but not the key of the device that issued it;
* content changed — the document held here (or the record it comes from) no longer has the
  content whose hash the code carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import device_key, settings
from inspector_app.core.i18n import _
from inspector_app.core.models import KnownKey, Party, Seizure, SeizureDocument
from inspector_app.core.seizure import documents, qr, rules, service

UNREADABLE = "unreadable"
FOREIGN_AGENCY = "foreign_agency"
UNKNOWN_KEY = "unknown_key"
REVOKED_KEY = "revoked_key"
BAD_SIGNATURE = "bad_signature"
CONTENT_CHANGED = "content_changed"
OTHER_SIGNER = "other_signer"

_UNREADABLE_REASONS = {
    "not an Inspector document code": lambda: _("it is not a document code of this app"),
    "incomplete code (truncated)": lambda: _("the code is incomplete (truncated)"),
    "incomplete code (truncated signature)": lambda: _("the code is incomplete (truncated)"),
}


@dataclass
class Verdict:
    valid: bool
    code: str  # "" when valid, else one of the constants above
    reason: str  # translated
    payload: qr.Payload | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)  # (label, value), translated
    note: str = ""
    seizure_id: str | None = None

    def text(self) -> str:
        # The first word is always VALID or INVALID (for scripts), then the user's language.
        if self.valid:
            word = _("VALID")
            lines = ["VALID" + ("" if word == "VALID" else f" {word}")]
        else:
            word = _("INVALID")
            lines = ["INVALID" + ("" if word == "INVALID" else f" {word}") + ": " + self.reason]
        lines += [f"  {label}: {value}" for label, value in self.summary]
        if self.note:
            lines.append("  " + self.note)
        return "\n".join(lines)


def _invalid(code: str, reason: str, payload: qr.Payload | None = None) -> Verdict:
    verdict = Verdict(False, code, reason, payload)
    if payload is not None:
        verdict.summary = _payload_summary(payload)
    return verdict


def _payload_summary(p: qr.Payload) -> list[tuple[str, str]]:
    return [
        (_("Document"), _(service.KIND_LABELS[p.kind])),
        (_("Number"), p.number),
        (_("Agency"), p.agency),
        (_("Issued on"), p.issued.isoformat()),
        (_("Items"), str(p.item_count)),
    ]


def verify_text(session: Session, text: str) -> Verdict:
    """Verify the text of one QR code against this store."""
    try:
        payload = qr.parse(text)
    except qr.Unreadable as exc:
        reason = _UNREADABLE_REASONS.get(str(exc), lambda: _("the code is damaged or was "
                                                              "altered"))()
        return _invalid(UNREADABLE, _("unreadable code: {detail}").format(detail=reason))
    agency = settings.AGENCY_NAME.get(session)
    if agency and payload.agency != agency:
        return _invalid(FOREIGN_AGENCY, _("issued by another agency ({agency}), not by "
                                          "{ours}").format(agency=payload.agency, ours=agency),
                        payload)
    known = session.get(KnownKey, payload.key_id)
    if known is None:
        return _invalid(UNKNOWN_KEY, _("unknown key {key}: no device of this agency known "
                                       "here signed it").format(key=payload.key_id), payload)
    try:
        public = device_key.public_from_b64(known.public_key)
    except ValueError:
        return _invalid(UNKNOWN_KEY, _("unknown key {key}").format(key=payload.key_id), payload)
    if not qr.signature_ok(payload, public):
        return _invalid(BAD_SIGNATURE, _("bad signature: the code was altered after it was "
                                         "printed"), payload)
    if known.revoked_at is not None and payload.issued >= known.revoked_at.date():
        return _invalid(REVOKED_KEY, _("the signing key was revoked on {date}").format(
            date=known.revoked_at.date().isoformat()), payload)
    verdict = _compare_with_store(session, payload)
    if verdict.valid:
        verdict.summary.append((_("Signed by device"), known.device_id))
    return verdict


def _compare_with_store(session: Session, payload: qr.Payload) -> Verdict:
    doc = session.scalars(select(SeizureDocument).where(
        SeizureDocument.number == payload.number, SeizureDocument.kind == payload.kind)).first()
    verdict = Verdict(True, "", "", payload, _payload_summary(payload))
    if doc is None:
        verdict.note = _("The signature is valid, but this store does not hold the document, "
                         "so its content was not compared (sync, then verify again).")
        return verdict
    seizure = service.load(session, doc.seizure_id)
    changed = _("content changed: the document no longer matches the record the agency "
                "holds")
    if doc.content_sha256 != payload.content_sha256:
        return _invalid(CONTENT_CHANGED, changed, payload)
    if doc.key_id and payload.key_id != doc.key_id:
        return _invalid(OTHER_SIGNER, _("signed by another device (key {key}) than the one "
                                        "that issued the document (key {issuer})").format(
            key=payload.key_id, issuer=doc.key_id), payload)
    snap = service.snapshot(session, seizure)
    if documents.content_sha256(snap, payload.kind) != doc.content_sha256 \
            or qr.party_hash(snap.party.name) != payload.party_hash \
            or len(snap.items) != payload.item_count:
        return _invalid(CONTENT_CHANGED, changed, payload)
    party = session.get(Party, seizure.party_id) if seizure.party_id else None
    verdict.seizure_id = seizure.id
    verdict.summary += [
        (_("Party"), snap.party.name or (party.name if party else "")),
        (_("State"), _(rules.STATE_LABELS.get(seizure.state, seizure.state))),
    ]
    term = rules.term(seizure, service.today_for(seizure), service.seizure_tz(seizure))
    if term is not None and term.active:
        verdict.summary.append((_("Term ends"), term.end.isoformat()))
    return verdict


def _seizure_exists(session: Session, seizure_id: str) -> bool:
    return session.get(Seizure, seizure_id) is not None


def verify_input(session: Session, source: str) -> list[Verdict]:
    """Verify a PDF, an image (photo or scan), or raw QR text; one verdict per code found."""
    path = Path(source)
    is_file = False
    try:
        is_file = len(source) < 4096 and path.is_file()
    except OSError:
        is_file = False
    if not is_file:
        return [verify_text(session, source)]
    try:
        texts = qr.decode_file(path)
    except Exception:  # noqa: BLE001 - any unreadable file is an unreadable code
        return [_invalid(UNREADABLE, _("unreadable code: the file {name} could not be read as "
                                       "a PDF or an image").format(name=path.name))]
    if not texts:
        return [_invalid(UNREADABLE, _("unreadable code: no QR code was found in {name}")
                         .format(name=path.name))]
    return [verify_text(session, t) for t in texts]
