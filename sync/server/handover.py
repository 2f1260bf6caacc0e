"""Handing a record to another device: a recorded decision that moves who may write it.

A record belongs to the device that created it. A handover names the record, the device
it leaves and the device it goes to, the version it was at, who decided, when and why; the
record's owner moves in the same transaction, and both devices learn of it in their pull
feed; the new owner is fed the record's current version too (`records_feed`). From then on only the new owner's versions apply; a version the old owner made
before it learnt of the handover becomes a conflict for a supervisor (see `service`).

Who may decide: the `inspector-server handover` command (the operator), or, through the
API, the device that holds the record now (it may give away what it may write), or a
supervisor of the record's agency by a signed `handover` decision (`sync.server.review`),
which moves it in the decision's own transaction (`move`).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sync import protocol
from sync.protocol import ProtocolError
from sync.server import records_feed
from sync.server.db import Database
from sync.server.models import CurrentRecord, Device, Handover, utcnow
from sync.server.service import add_feed, protocol_time

log = logging.getLogger("inspector_server")

MAX_REASON = 1000


def _entry(h: Handover) -> dict[str, Any]:
    return {"kind": h.kind, "record_id": h.record_id, "version": h.version,
            "from_device_id": h.from_device_id, "to_device_id": h.to_device_id,
            "reason": h.reason, "decided_by": h.decided_by,
            "decided_at": protocol_time(h.decided_at)}


def hand_over(db: Database, kind: str, record_id: str, to_device_id: str, *,
              reason: str = "", decided_by: str, by_device: str | None = None
              ) -> dict[str, Any]:
    """Move a record to `to_device_id`. `by_device`: the calling device, which must hold
    the record (None: the operator's command)."""
    if not protocol.KIND_RE.match(kind or "") or not protocol.ID_RE.match(record_id or ""):
        raise ProtocolError("bad record kind or id", 422)
    if not protocol.is_uuid(to_device_id):
        raise ProtocolError("the device to hand over to must be a device id (UUID)", 422)
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise ProtocolError(f"the reason is at most {MAX_REASON} characters of text", 422)
    if not decided_by or len(decided_by) > 128:
        raise ProtocolError("who decided the handover must be named (at most 128 "
                            "characters)", 422)

    with db.write() as session:
        data = move(session, kind, record_id, to_device_id, reason=reason,
                    decided_by=decided_by, by_device=by_device)
    log.info("%s %s handed from device %s to device %s", kind, record_id,
             data["from_device_id"], to_device_id)
    return data


def move(session: Session, kind: str, record_id: str, to_device_id: str, *, reason: str,
         decided_by: str, by_device: str | None = None, agency: str | None = None
         ) -> dict[str, Any]:
    """The handover in the caller's transaction (`hand_over` checks its arguments);
    `agency`: the device it goes to must belong to it (a supervisor's decision)."""
    cur = session.get(CurrentRecord, (kind, record_id), with_for_update=True)
    if cur is None:
        raise ProtocolError("no such record on the server", 404)
    if by_device is not None and cur.owner_device_id != by_device:
        raise ProtocolError("only the device that holds a record may hand it over", 403)
    target = session.get(Device, to_device_id)
    if target is None:
        raise ProtocolError("no such device", 404)
    if agency is not None and (target.agency != agency or target.role != "inspector"):
        raise ProtocolError("a record is handed only to an inspector device of its agency",
                            422)
    if target.revoked_at is not None:
        raise ProtocolError("that device was revoked", 409)
    if cur.owner_device_id == to_device_id:
        raise ProtocolError("the record already belongs to that device", 409)
    row = Handover(kind=kind, record_id=record_id, version=cur.version,
                   from_device_id=cur.owner_device_id, to_device_id=to_device_id,
                   reason=reason, decided_by=decided_by, decided_at=utcnow())
    session.add(row)
    cur.owner_device_id = to_device_id
    session.flush()
    data = _entry(row)
    for audience in (row.from_device_id, row.to_device_id):
        add_feed(session, audience, "handover", data)
    # The new owner gets the record itself (and what it names) to go on with it.
    records_feed.feed_current(session, kind, record_id, [to_device_id])
    return data


def list_handovers(db: Database, kind: str | None = None, record_id: str | None = None,
                   device_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Handovers, oldest first: of one record, or those a device gave or received."""
    q = select(Handover).order_by(Handover.pk).limit(limit)
    if kind:
        q = q.where(Handover.kind == kind)
    if record_id:
        q = q.where(Handover.record_id == record_id)
    if device_id:
        q = q.where(or_(Handover.from_device_id == device_id,
                        Handover.to_device_id == device_id))
    with db.read() as session:
        return [_entry(h) for h in session.scalars(q)]

