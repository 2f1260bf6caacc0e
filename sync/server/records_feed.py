"""Record content fed to devices: a "record" change carries a record's current version.

Fed when a record is handed over (to its new owner, `handover.move`) and when a resolve
settles its conflicts (to its owner and every device whose version conflicted,
`review._resolve`), so that those devices hold the server's version and hash.

Before the record come the entities its content names that the device may lack: the
server does not know kinds, so it takes every UUID value anywhere in the content, and
feeds the current records of the same agency with those ids (then the ones those name, up
to `DEPTH` steps), each before what names it. Records of the main kinds (a seizure's
source check, say) are not among them: a link between records is not needed to accept
one, and that record stays with its owner. A device that owns one of them already holds
it and is not fed it. Such a change names the record it is for (`needed_by`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import protocol
from sync.server.models import CurrentRecord, Device, RecordVersion
from sync.server.service import MAIN_KINDS, add_feed

DEPTH = 4  # a seizure -> its party -> the party's author, and a little more


def _uuids(value: Any, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        for v in value.values():
            _uuids(v, out)
    elif isinstance(value, list):
        for v in value:
            _uuids(v, out)
    elif isinstance(value, str) and protocol.is_uuid(value):
        out.add(value)
    return out


def change(session: Session, cur: CurrentRecord) -> dict[str, Any]:
    """The "record" change of a record's current version."""
    row = session.scalar(select(RecordVersion).where(
        RecordVersion.kind == cur.kind, RecordVersion.record_id == cur.record_id,
        RecordVersion.version == cur.version))
    data = {"kind": cur.kind, "id": cur.record_id, "version": cur.version,
            "sha256": cur.content_sha256, "content": json.loads(row.content),
            "device_id": row.device_id, "owner_device_id": cur.owner_device_id}
    return data


def _references(session: Session, cur: CurrentRecord, content: dict[str, Any]
                ) -> list[dict[str, Any]]:
    """The changes of the agency's current records `content` names (transitively), each
    before what names it."""
    owner = session.get(Device, cur.owner_device_id)
    agency = owner.agency if owner is not None else None
    found: dict[str, dict[str, Any]] = {}  # record id -> its change
    looked = {cur.record_id}
    wave = [content]
    for _depth in range(DEPTH):
        ids = sorted(set().union(*(_uuids(c, set()) for c in wave)) - looked)
        if not ids:
            break
        looked.update(ids)
        rows = session.scalars(select(CurrentRecord).join(
            Device, Device.id == CurrentRecord.owner_device_id).where(
            CurrentRecord.record_id.in_(ids), CurrentRecord.kind.not_in(MAIN_KINDS),
            Device.agency == agency)).all()
        wave = []
        for ref in rows:
            found[ref.record_id] = change(session, ref)
            wave.append(found[ref.record_id]["content"])
    order: list[dict[str, Any]] = []
    placed: set[str] = set()

    def place(rid: str) -> None:  # what it names first (a cycle is broken where it closes)
        if rid in placed:
            return
        placed.add(rid)
        for dep in sorted(_uuids(found[rid]["content"], set()) & set(found)):
            place(dep)
        order.append(found[rid])

    for rid in sorted(found):
        place(rid)
    return order


def feed_current(session: Session, kind: str, record_id: str, audience: Iterable[str]) -> None:
    """Feed the record's current version (after the entities it names) to each device of
    `audience`."""
    cur = session.get(CurrentRecord, (kind, record_id))
    if cur is None:
        return
    main = change(session, cur)
    refs = _references(session, cur, main["content"])
    for who in sorted(set(audience)):
        for ref in refs:
            if ref["owner_device_id"] != who:
                add_feed(session, who, "record",
                         ref | {"needed_by": {"kind": kind, "id": record_id}})
        add_feed(session, who, "record", main)
