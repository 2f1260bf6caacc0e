"""Creating and changing audited entities: the one path every write takes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from inspector_app.core import audit, search
from inspector_app.core.i18n import _
from inspector_app.core.models import RECORD_KINDS, AuditedMixin
from inspector_app.core.store import local_offset_minutes, utcnow
from sync import versions


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and on which device."""

    device_id: str
    inspector_id: str | None = None


class VersionConflict(Exception):
    def __init__(self, kind: str, record_id: str, expected: int, actual: int):
        super().__init__(
            _("The {kind} record {id} was changed elsewhere (version {actual}, "
              "expected {expected}); reopen it and apply your change again.")
            .format(kind=kind, id=record_id, actual=actual, expected=expected)
        )


class HandedOver(VersionConflict):
    """The record was handed to another device: this one may no longer change it (shown
    wherever a VersionConflict is)."""

    def __init__(self, message: str):
        Exception.__init__(self, message)
        self.message = message


def new_id() -> str:
    return str(uuid.uuid4())


def create(session: Session, obj: AuditedMixin, actor: Actor, now: datetime | None = None,
           action: str = "create") -> AuditedMixin:
    """Add a new entity (version 1) with its audit entry, history and outbox entry."""
    now = now or utcnow()
    offset = local_offset_minutes(now)
    obj.id = obj.id or new_id()
    obj.version = 1
    obj.created_at = obj.updated_at = now
    obj.created_offset = obj.updated_offset = offset
    obj.device_id = actor.device_id
    obj.author_id = actor.inspector_id
    return save_version(session, obj, action)


def save_version(session: Session, obj: AuditedMixin, action: str) -> AuditedMixin:
    """Record `obj` exactly as it stands as a version: audit entry, history, outbox, search.

    Its id, version, times, device and author must already be set; nothing here changes
    them. `create` ends here; an import uses it directly to keep the version it received.
    """
    session.add(obj)
    session.flush()
    audit.record_change(session, obj, action)
    _reindex(session, obj)
    return obj


def update(session: Session, obj: AuditedMixin, actor: Actor, expected_version: int,
           now: datetime | None = None, action: str = "update") -> AuditedMixin:
    """Record the changes made to `obj` as its next version. The old one stays in history."""
    if obj.version != expected_version:
        raise VersionConflict(obj.__kind__, obj.id, expected_version, obj.version)
    from inspector_app.core.sync import handed

    refused = handed.refusal(session, obj.__kind__, obj.id)
    if refused:
        raise HandedOver(refused)
    now = now or utcnow()
    obj.version = versions.next_version(obj.version)
    obj.updated_at = now
    obj.updated_offset = local_offset_minutes(now)
    obj.device_id = actor.device_id
    obj.author_id = actor.inspector_id
    session.flush()
    audit.record_change(session, obj, action)
    _reindex(session, obj)
    return obj


def _reindex(session: Session, obj: AuditedMixin) -> None:
    reindex(session, obj.__kind__, [obj.id])


def reindex(session: Session, kind: str, ids: Sequence[str]) -> None:
    """Refresh the search index after entities of `kind` changed: a record's own entries;
    for a party or stall, those of the records showing its name or stall number."""
    conn = session.connection()
    if kind in RECORD_KINDS:
        search.reindex(conn, kind, ids)
    elif kind in ("party", "stall"):
        column = "party_id" if kind == "party" else "stall_id"
        for shown, table in (("check", "label_checks"), ("seizure", "seizures")):
            if shown == "seizure" and column == "stall_id":
                continue
            found: list[str] = []
            for i in range(0, len(ids), 500):
                chunk = tuple(ids[i : i + 500])
                found += [r[0] for r in conn.exec_driver_sql(
                    f"SELECT id FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))})",
                    chunk)]
            if found:
                search.reindex(conn, shown, found)
