"""Decisions made on a supervisor device, and the review queue (SUPERVISOR.md signatures).

Minimal version written with the supervisor's pages (branch supui) so they can be used
and tested; helper "review" writes the full module to the same signatures.
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core import device_key
from inspector_app.core.i18n import _
from inspector_app.core.models import (  # the agency tables, re-exported
    AgencyConflict,
    AgencyRecord,
    AgencyVersion,
    Decision,
    KnownKey,
)
from inspector_app.core.store import utcnow
from sync import decisions, protocol

__all__ = ["DecisionError", "content", "count", "decide", "history", "queue"]


class DecisionError(ValueError):
    """A decision that cannot be made; the message is in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _filtered(stmt, *, state, kind, inspector, market, day_from, day_to):
    if state:
        stmt = stmt.where(AgencyRecord.review_state == state)
    if kind:
        stmt = stmt.where(AgencyRecord.kind == kind)
    if inspector:
        stmt = stmt.where(AgencyRecord.inspector == inspector)
    if market:
        stmt = stmt.where(AgencyRecord.market_id == market)
    if day_from:
        stmt = stmt.where(AgencyRecord.day >= _day(day_from))
    if day_to:
        stmt = stmt.where(AgencyRecord.day <= _day(day_to))
    return stmt


def _day(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def queue(session: Session, *, state: str | None = "pending", kind: str | None = None,
          inspector: str | None = None, market: str | None = None,
          day_from: date | str | None = None, day_to: date | str | None = None,
          offset: int = 0, limit: int = 100) -> list[AgencyRecord]:
    """The records in review state `state` (None: every state), by kind, oldest day first
    (the order of the index ix_agency_records_review: no sort of the whole queue)."""
    stmt = _filtered(select(AgencyRecord), state=state, kind=kind, inspector=inspector,
                     market=market, day_from=day_from, day_to=day_to)
    stmt = stmt.order_by(AgencyRecord.kind, AgencyRecord.day, AgencyRecord.record_id)
    return list(session.scalars(stmt.offset(offset).limit(limit)))


def count(session: Session, *, state: str | None = "pending", kind: str | None = None,
          inspector: str | None = None, market: str | None = None,
          day_from: date | str | None = None, day_to: date | str | None = None) -> int:
    stmt = _filtered(select(func.count()).select_from(AgencyRecord), state=state, kind=kind,
                     inspector=inspector, market=market, day_from=day_from, day_to=day_to)
    return session.scalar(stmt) or 0


def content(session: Session, kind: str, record_id: str, version: int,
            sha256: str | None = None) -> dict[str, Any]:
    """The canonical content of a version of the record (KeyError if none is held)."""
    stmt = select(AgencyVersion).where(AgencyVersion.kind == kind,
                                       AgencyVersion.record_id == record_id,
                                       AgencyVersion.version == version)
    if sha256:
        stmt = stmt.where(AgencyVersion.content_sha256 == sha256)
    row = session.scalars(stmt.order_by(AgencyVersion.pk)).first()
    if row is None:
        raise KeyError((kind, record_id, version, sha256))
    return json.loads(zlib.decompress(row.content))


def history(session: Session, kind: str, record_id: str) -> list[dict[str, Any]]:
    """The versions received and the decisions made on the record, oldest first."""
    names = dict(session.execute(select(KnownKey.device_id, KnownKey.inspector)).all())
    out: list[dict[str, Any]] = []
    for v in session.scalars(select(AgencyVersion).where(
            AgencyVersion.kind == kind, AgencyVersion.record_id == record_id)):
        out.append({"type": "version", "version": v.version, "sha256": v.content_sha256,
                    "base_version": v.base_version, "device_id": v.device_id,
                    "inspector": names.get(v.device_id) or "",
                    "at": protocol_time(v.received_at)})
    for d in session.scalars(select(Decision).where(Decision.kind == kind,
                                                    Decision.record_id == record_id)):
        body = json.loads(d.body)
        out.append({"type": "decision", "id": d.id, "action": d.action, "text": d.text,
                    "by": d.by, "version": d.version, "device_id": d.device_id,
                    "at": d.decided_at, "to_device_id": body.get("to_device_id"),
                    "chosen_version": body.get("chosen_version")})
    out.sort(key=lambda e: e["at"])
    return out


def protocol_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decide(store, kind: str, record_id: str, action: str, text: str = "", *, user,
           chosen_version: int | None = None, chosen_sha256: str | None = None,
           to_device_id: str | None = None) -> dict[str, Any]:
    """Sign and store a decision on the record; returns the stored decision."""
    from inspector_app.core.sync.state import DEVICE_ROLE

    text = (text or "").strip()
    if action not in decisions.ACTIONS:
        raise DecisionError(_("Unknown decision."))
    key = device_key.load_or_create(store.data_dir)
    with store.write() as session:
        if DEVICE_ROLE.get(session) != "supervisor":
            raise DecisionError(_("Only a supervisor's device makes decisions."))
        record = session.get(AgencyRecord, (kind, record_id))
        if record is None:
            raise DecisionError(_("There is no such record."))
        if action in decisions.NEEDS_TEXT and not text:
            raise DecisionError({
                "return": _("Write the comment the inspector will correct the record by."),
                "reject": _("Write the reason for rejecting the record."),
                "resolve": _("Write why this version is chosen."),
            }[action])
        extra: dict[str, Any] = {}
        if action in decisions.STATE_AFTER:
            done = session.scalar(select(func.count()).select_from(Decision).where(
                Decision.kind == kind, Decision.record_id == record_id,
                Decision.version == record.version,
                Decision.action.in_(tuple(decisions.STATE_AFTER))))
            if done:
                raise DecisionError(_("This version of the record has already been decided."))
        elif action == "resolve":
            if chosen_version is None or not chosen_sha256:
                raise DecisionError(_("Choose the version to keep."))
            held = session.scalar(select(func.count()).select_from(AgencyVersion).where(
                AgencyVersion.kind == kind, AgencyVersion.record_id == record_id,
                AgencyVersion.version == chosen_version,
                AgencyVersion.content_sha256 == chosen_sha256))
            if not held:
                raise DecisionError(_("That version of the record is not held here."))
            extra = {"chosen_version": chosen_version, "chosen_sha256": chosen_sha256}
        elif action == "handover":
            target = session.scalars(select(KnownKey).where(
                KnownKey.device_id == (to_device_id or ""),
                KnownKey.revoked_at.is_(None))).first()
            if target is None:
                raise DecisionError(_("Choose a device the record can be handed to."))
            if to_device_id == record.owner_device_id:
                raise DecisionError(_("The record already belongs to that device."))
            extra = {"to_device_id": to_device_id}
        if len(text) > decisions.MAX_TEXT:
            raise DecisionError(_("The text is too long (at most {n} characters).").format(
                n=decisions.MAX_TEXT))
        from inspector_app.core import settings

        device = settings.device_id(session)
        try:
            decision = decisions.make(
                kind=kind, record_id=record_id, version=record.version,
                sha256=record.content_sha256, action=action, text=text, by=user.name,
                device_id=device, key_id=device_key.key_id(key), **extra)
        except protocol.ProtocolError as exc:
            raise DecisionError(_("The decision is not valid: {reason}").format(
                reason=str(exc))) from exc
        envelope = decisions.sign(key, decision)
        now = utcnow()
        session.add(Decision(
            id=decision["id"], kind=kind, record_id=record_id, version=record.version,
            action=action, text=text, by=user.name, decided_at=decision["decided_at"],
            device_id=device, key_id=decision["key_id"],
            body=protocol.canonical_bytes(decision).decode("utf-8"),
            signature=envelope["signature"], sent_at=None, received_at=now))
        if action in decisions.STATE_AFTER:
            record.review_state = decisions.STATE_AFTER[action]
        elif action == "resolve":
            for conflict in session.scalars(select(AgencyConflict).where(
                    AgencyConflict.kind == kind, AgencyConflict.record_id == record_id,
                    AgencyConflict.resolved_by.is_(None))):
                conflict.resolved_by = decision["id"]
            if (chosen_version, chosen_sha256) != (record.version, record.content_sha256):
                chosen = session.scalars(select(AgencyVersion).where(
                    AgencyVersion.kind == kind, AgencyVersion.record_id == record_id,
                    AgencyVersion.version == chosen_version,
                    AgencyVersion.content_sha256 == chosen_sha256)).first()
                record.version = chosen_version
                record.content_sha256 = chosen_sha256
                record.device_id = chosen.device_id
            record.conflicts = 0
        elif action == "handover":
            record.owner_device_id = to_device_id
        record.updated_at = now
    return decision
