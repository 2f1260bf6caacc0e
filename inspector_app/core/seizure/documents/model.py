"""What a seizure document is drawn from (`Snapshot`) and what its QR code's hash covers.

A `Snapshot` holds plain values, no session: a document can be drawn on a worker thread.
`content` is every fact a document prints that must not change after issue; its hash is
kept when the document is issued and checked before each print. Facts added to it later
are added only when they hold a value, so the documents issued before keep their hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from inspector_app.core import canonical

# Signature roles are kept with the rules (which need no PDF code); named here for drawing.
from inspector_app.core.seizure.rules import (  # noqa: F401
    DECISION_RECEIPT,
    ONSITE_ROLES,
    SIGNATURE_ROLES,
)

KINDS = ("decision", "list", "record", "seals", "extension", "release")


@dataclass
class PartyInfo:
    name: str = ""
    kind: str = "enterprise"
    credit_code: str = ""
    licence_name: str = ""
    address: str = ""
    legal_rep: str = ""
    id_number: str = ""
    phone: str = ""


@dataclass
class ItemInfo:
    name: str
    spec: str
    unit: str
    quantity: str  # as printed, e.g. "12" or "2.5"
    remark: str = ""


@dataclass
class SignatureInfo:
    role: str  # party / witness / officer / decision_receipt
    signer: str
    status: str  # signed / refused
    png: bytes | None = None
    signed_on: date | None = None
    officer_id: str | None = None


@dataclass
class Snapshot:
    """One seizure as its documents print it."""

    seizure_id: str
    state: str
    measure: str
    agency: str
    party: PartyInfo
    officers: list[tuple[str, str]]  # (name, 证号)
    items: list[ItemInfo]
    seals: list[tuple[str, str]]  # (number, where placed)
    suspected_violation: str = ""
    legal_basis: str = ""
    place: str = ""
    term_days: int = 30
    custody_place: str = ""
    custodian: str = ""
    onsite_record: str = ""
    party_statement: str = ""
    party_presence: str = "present"
    party_notified: bool | None = True
    witness_name: str = ""
    started_at: datetime | None = None  # local time
    record_ended_at: datetime | None = None  # local time
    contact_name: str = ""
    contact_phone: str = ""
    reconsideration_organ: str = ""
    court: str = ""
    approver: str = ""  # the agency head's prior approval of the measure, when recorded
    numbers: dict[str, str] = field(default_factory=dict)  # kind -> document number
    dates: dict[str, date] = field(default_factory=dict)  # kind -> issue date
    issued_on: date | None = None
    # days, reason, approver, new_end (date: the term's last day after the extension)
    extension: dict[str, Any] | None = None
    # ground, reason, term_end (date: the term's last day as of the release day)
    release: dict[str, Any] | None = None
    signatures: list[SignatureInfo] = field(default_factory=list)

    def number(self, kind: str) -> str:
        """The number printed on a `kind` document (record and seals carry the decision's)."""
        if kind in ("record", "seals"):
            kind = "decision"
        return self.numbers.get(kind, "")

    def doc_date(self, kind: str) -> date | None:
        return self.dates.get(kind) or self.issued_on

    def signature(self, role: str, officer_id: str | None = None) -> SignatureInfo | None:
        """The latest signature (or refusal) of `role`."""
        found = None
        for sig in self.signatures:
            if sig.role == role and (officer_id is None or sig.officer_id == officer_id):
                found = sig
        return found


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def cn_time(moment: datetime | None) -> str:
    if moment is None:
        return "    年  月  日  时  分"
    return f"{moment.year}年{moment.month}月{moment.day}日{moment.hour}时{moment.minute:02d}分"


# --- canonical content (what the QR code's hash covers) ---------------------------------


def _party(p: PartyInfo) -> dict[str, str]:
    return {"name": p.name, "kind": p.kind, "credit_code": p.credit_code,
            "licence_name": p.licence_name, "address": p.address, "legal_rep": p.legal_rep,
            "id_number": p.id_number, "phone": p.phone}


def _items(snap: Snapshot) -> list[dict[str, str]]:
    return [{"name": i.name, "spec": i.spec, "unit": i.unit, "quantity": i.quantity,
             "remark": i.remark} for i in snap.items]


def _extension(snap: Snapshot) -> dict[str, Any]:
    ext = {k: v for k, v in (snap.extension or {}).items() if k in ("days", "reason",
                                                                   "approver")}
    new_end = (snap.extension or {}).get("new_end")
    if new_end:
        ext["new_end"] = new_end.isoformat()
    return ext


def content(snap: Snapshot, kind: str) -> dict[str, Any]:
    """The document's canonical content: every fact it prints, none that may change later."""
    day = snap.doc_date(kind)
    base: dict[str, Any] = {
        "kind": kind, "number": snap.number(kind), "agency": snap.agency,
        "date": day.isoformat() if day else "", "measure": snap.measure,
        "party": _party(snap.party), "decision_number": snap.numbers.get("decision", ""),
    }
    if kind == "decision":
        base.update(list_number=snap.numbers.get("list", ""),
                    suspected_violation=snap.suspected_violation,
                    legal_basis=snap.legal_basis, place=snap.place, term_days=snap.term_days,
                    custody_place=snap.custody_place, custodian=snap.custodian,
                    contact_name=snap.contact_name, contact_phone=snap.contact_phone,
                    reconsideration_organ=snap.reconsideration_organ, court=snap.court,
                    items=_items(snap))
        if snap.approver:
            base["approver"] = snap.approver
    elif kind == "list":
        base.update(items=_items(snap))
    elif kind == "record":
        base.update(officers=[list(o) for o in snap.officers], place=snap.place,
                    started_at=snap.started_at.isoformat() if snap.started_at else "",
                    ended_at=snap.record_ended_at.isoformat() if snap.record_ended_at else "",
                    presence=snap.party_presence, notified=snap.party_notified,
                    witness=snap.witness_name, text=snap.onsite_record,
                    statement=snap.party_statement, item_count=len(snap.items))
    elif kind == "seals":
        base.update(seals=[list(s) for s in snap.seals])
    elif kind == "extension":
        base.update(extension=_extension(snap))
    elif kind == "release":
        rel = {k: v for k, v in (snap.release or {}).items() if k in ("ground", "reason")}
        base.update(release=rel, items=_items(snap))
    else:
        raise ValueError(kind)
    return base


def content_sha256(snap: Snapshot, kind: str) -> str:
    return canonical.content_hash(content(snap, kind))
