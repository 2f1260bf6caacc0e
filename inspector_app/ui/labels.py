"""Readable labels and values for the fields of a record's canonical content, and the
marks of rows that need attention."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from inspector_app.core import i18n, queries
from inspector_app.core.i18n import N_, _

# Rows that need attention (non-conforming, overdue, positive, failed): (background, text
# colour) of each level. Colour is never the only sign: the marked cell also says it in
# words and carries `warning_icon()`.
EMPHASIS = {"alert": ("#fbe1e3", "#8a1020"), "warn": ("#fdf0d2", "#6b4500")}


def warning_icon():
    """The style's warning icon (a QIcon), for the cell that says why a row is marked."""
    from PySide6.QtWidgets import QApplication, QStyle

    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

FIELD_LABELS = {
    # every audited entity
    "version": N_("Version"),
    "position": N_("No."),
    "created_at": N_("Created at"),
    "updated_at": N_("Last changed at"),
    "device_id": N_("Device"),
    "author_id": N_("Changed by"),
    # labeling check
    "status": N_("Status"),
    "checked_at": N_("Checked at"),
    "market_id": N_("Market"),
    "stall_id": N_("Stall"),
    "party_id": N_("Party"),
    "category": N_("Category"),
    "product_name": N_("Product name"),
    "brand": N_("Brand"),
    "spec_model": N_("Specification / model"),
    "batch_no": N_("Production date / batch"),
    "shelf_life": N_("Shelf life"),
    "manufacturer": N_("Manufacturer"),
    "manufacturer_address": N_("Manufacturer's address"),
    "barcode": N_("Barcode"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "price": N_("Price"),
    "form_id": N_("Checklist"),
    "workstation_id": N_("Workstation"),
    "form_version": N_("Checklist version"),
    "outcome": N_("Outcome"),
    "outcome_override_reason": N_("Reason the outcome was changed"),
    "measure": N_("Measure"),
    "remarks": N_("Remarks"),
    "seizure_id": N_("Seizure record"),
    "items": N_("Items"),
    "item_key": N_("Item"),
    "label": N_("Check item"),
    "legal_basis": N_("Legal basis"),
    "result": N_("Result"),
    "note": N_("Note"),
    # seizure
    "state": N_("Status"),
    "number": N_("Number"),
    "place": N_("Place"),
    "suspected_violation": N_("Suspected violation"),
    "started_at": N_("Started at"),
    "issued_at": N_("Issued at"),
    "term_days": N_("Term (days)"),
    "extension_days": N_("Extension (days)"),
    "custody_place": N_("Custody place"),
    "custodian": N_("Custodian"),
    "onsite_record": N_("On-site record"),
    "party_presence": N_("Party present"),
    "witness_name": N_("Witness"),
    "emergency": N_("Emergency measure"),
    "source_check_id": N_("From labeling check"),
    "officers": N_("Officers"),
    "inspector_id": N_("Inspector"),
    "name": N_("Name"),
    "cert_no": N_("Certificate no."),
    "spec": N_("Specification"),
    "remark": N_("Remark"),
    "seals": N_("Seals"),
    "location": N_("Location"),
    "documents": N_("Documents"),
    "kind": N_("Kind"),
    "content_sha256": N_("SHA-256"),
    "transitions": N_("Status changes"),
    "from_state": N_("From"),
    "to_state": N_("To"),
    "at": N_("Time"),
    "reason": N_("Reason"),
    "record_ended_at": N_("On-site record ended at"),
    "party_notified": N_("Party notified"),
    "party_statement": N_("Party's statement and defence"),
    "contact_phone": N_("Contact phone"),
    "emergency_reported_at": N_("Emergency measure reported at"),
    "emergency_approver": N_("Emergency measure approved by"),
    "approver": N_("Approved by"),
    "ground": N_("Ground"),
    "testing_periods": N_("Testing periods"),
    "start_date": N_("Start date"),
    "end_date": N_("End date"),
    "description": N_("Description"),
    "declared_at": N_("Declared at"),
    "signatures": N_("Signatures"),
    "signer": N_("Signer"),
    "signed_at": N_("Signed at"),
    "officer_id": N_("Officer"),
    "png_sha256": N_("Signature image SHA-256"),
    "strokes_sha256": N_("Signature strokes SHA-256"),
    # workstation log
    "log_date": N_("Date"),
    "operator_name": N_("Operator"),
    "opened_at": N_("Opened at"),
    "closed_at": N_("Closed at"),
    "summary": N_("Summary"),
    "tests": N_("Rapid tests"),
    "sample_no": N_("Sample no."),
    "stall_no": N_("Stall"),
    "test_item": N_("Test item"),
    "method": N_("Method"),
    "value": N_("Value"),
    "limit_value": N_("Limit"),
    "conclusion": N_("Conclusion"),
    "tester": N_("Tester"),
    "tested_at": N_("Tested at"),
    "instrument_no": N_("Instrument no."),
    "reagent_batch": N_("Reagent batch"),
    "scale_checks": N_("Scale checks"),
    "instrument_name": N_("Instrument"),
    "model": N_("Model"),
    "serial_no": N_("Serial no."),
    "verified_on": N_("Verified on"),
    "valid_until": N_("Valid until"),
    "claimed_weight": N_("Claimed weight"),
    "actual_weight": N_("Actual weight"),
    "complaints": N_("Complaints"),
    "received_at": N_("Received at"),
    "complainant": N_("Complainant"),
    "phone": N_("Phone"),
    "content": N_("Content"),
    "follow_up": N_("Follow-up"),
    # attachments
    "attachments": N_("Attachments"),
    "sha256": N_("SHA-256"),
    "role": N_("Role"),
    "filename": N_("File name"),
    "mime": N_("Type"),
    "size": N_("Size (bytes)"),
}

# Labels that depend on the record kind: (kind, key) -> label.
KIND_FIELD_LABELS = {
    ("check", "items"): N_("Checklist items"),
    ("seizure", "items"): N_("Seized items"),
}

# Shown first, in this order; the rest follow alphabetically.
_ORDER = [
    "position", "number", "status", "state", "checked_at", "started_at", "log_date", "market_id",
    "stall_id", "party_id", "product_name", "name", "category", "brand", "spec_model", "spec",
    "batch_no", "manufacturer", "manufacturer_address", "barcode", "quantity", "unit", "price",
    "outcome", "measure", "item_key", "label", "result", "sample_no", "test_item", "value",
    "conclusion",
]
_RANK = {key: n for n, key in enumerate(_ORDER)}

_VALUES = {
    "result": {"pass": N_("Pass"), "fail": N_("Fail"), "na": N_("Not applicable")},
    "conclusion": {"negative": N_("Negative"), "positive": N_("Positive")},
    "party_presence": {"present": N_("Present"), "absent": N_("Absent"),
                       "refused": N_("Refused to sign")},
}
_YES, _NO = N_("Yes"), N_("No")


def field_label(kind: str, key: str) -> str:
    """The translated label of field `key` of a `kind` record (the key itself if unknown)."""
    text = KIND_FIELD_LABELS.get((kind, key)) or FIELD_LABELS.get(key)
    return _(text) if text else key


def order_key(key: str) -> tuple[int, str]:
    return (_RANK.get(key, len(_ORDER)), key)


def _statuses() -> dict[str, str]:
    out: dict[str, str] = {}
    for kind_statuses in queries.STATUSES.values():
        out.update(kind_statuses)
    return out


def display_value(key: str, raw: Any) -> str:
    """A canonical value as a person reads it (local times, translated codes)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return _(_YES if raw else _NO)
    if isinstance(raw, str):
        if (key == "at" or key.endswith("_at")) and raw.endswith("Z"):
            try:
                moment = datetime.fromisoformat(raw[:-1]).replace(tzinfo=UTC)
            except ValueError:
                return raw
            return moment.astimezone().strftime("%Y-%m-%d %H:%M")
        if key in ("status", "state", "from_state", "to_state"):
            label = _statuses().get(raw)
            return _(label) if label else raw
        if key == "outcome" and raw in queries.OUTCOMES:
            return _(queries.OUTCOMES[raw])
        if key == "measure" and raw in queries.MEASURES:
            return _(queries.MEASURES[raw])
        if key in _VALUES and raw in _VALUES[key]:
            return _(_VALUES[key][raw])
        if key in ("form_id", "category"):  # a checklist by its category, not its id
            return category_label(raw)
    return str(raw)


def category_label(stored: str) -> str:
    """A check's product category in the current language: a record keeps the Chinese
    category of its checklist (older ones may keep the checklist's id)."""
    return _category_label(stored, i18n.language())


@lru_cache(maxsize=256)
def _category_label(stored: str, language: str) -> str:
    from inspector_app.forms import definitions

    for defn in definitions.builtin().current():
        if stored in (defn.id, defn.category.zh, defn.category.zh[:32], defn.category.en):
            return defn.category(language)
    return stored
