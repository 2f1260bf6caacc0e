"""One record as a reader sees it: its current canonical content and its history size.

Used by the record detail view (GUI) and usable by the CLI; read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core import canonical
from inspector_app.core.models import (
    RECORD_KINDS,
    Attachment,
    History,
    Inspector,
    Market,
    Party,
    Stall,
)


@dataclass
class RecordView:
    kind: str
    record_id: str
    content: dict[str, Any]  # canonical.to_dict of the current version
    versions: int  # how many versions the history holds
    names: dict[str, str] = field(default_factory=dict)  # e.g. market_id -> market name
    handed_over: str = ""  # to whom and when this device handed it over (sync.handed)


_REFERENCES = {
    "market_id": (Market, "name"),
    "party_id": (Party, "name"),
    "stall_id": (Stall, "number"),
    "author_id": (Inspector, "name"),
}


def load(session: Session, kind: str, record_id: str) -> RecordView | None:
    """The record `record_id` of `kind`, or None if there is no such record."""
    cls = RECORD_KINDS.get(kind)
    if cls is None:
        raise ValueError(kind)
    obj = session.get(cls, record_id)
    if obj is None:
        return None
    attachments = session.scalars(
        select(Attachment).where(Attachment.record_kind == kind,
                                 Attachment.record_id == record_id)
    ).all()
    content = canonical.to_dict(obj, attachments)
    versions = session.scalar(
        select(func.count()).select_from(History).where(
            History.kind == kind, History.record_id == record_id)
    ) or 0
    names: dict[str, str] = {}
    for key, (ref_cls, attr) in _REFERENCES.items():
        ref_id = content.get(key)
        if ref_id:
            ref = session.get(ref_cls, ref_id)
            if ref is not None:
                names[key] = getattr(ref, attr)
    from inspector_app.core.sync import handed

    found = handed.entry(session, kind, record_id)
    return RecordView(kind, record_id, content, versions, names,
                      handed.describe(session, found) if found else "")
