"""The content of an agency record's version, from where the store keeps it.

A version that came in a signed batch is kept once, in its batch as signed
(`AgencyBatch.body`, record `position`): `AgencyVersion.content` is then empty (None).
A version made here (a resolve makes the chosen content the next version) has no batch
and keeps its own compressed canonical JSON. Either way the content read is checked
against the version's sha256, so what is shown is what was signed.

Reading one version decodes its whole batch (checked against the hash of the bytes
imported); the last few batches decoded are kept.
"""

from __future__ import annotations

import json
import logging
import threading
import zlib
from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.models import AgencyBatch, AgencyVersion
from sync import protocol

log = logging.getLogger(__name__)

KEPT_BATCHES = 8
_batches: OrderedDict[tuple[str, str], list[Any]] = OrderedDict()
_lock = threading.Lock()


def _records_of(session: Session, batch_id: str) -> list[Any] | None:
    """The records of a held batch, as its body lists them (None: not held, or its bytes
    are not the ones imported)."""
    row = session.execute(select(AgencyBatch.body, AgencyBatch.body_sha256).where(
        AgencyBatch.id == batch_id)).first()
    if row is None:
        return None
    key = (batch_id, row.body_sha256)
    with _lock:
        if key in _batches:
            _batches.move_to_end(key)
            return _batches[key]
    if protocol.sha256_hex(row.body) != row.body_sha256:
        log.error("batch %s does not match the hash it was imported with", batch_id)
        return None
    records = json.loads(protocol.decompress(row.body)).get("records") or []
    with _lock:
        _batches[key] = records
        while len(_batches) > KEPT_BATCHES:
            _batches.popitem(last=False)
    return records


def text_of(session: Session, row: AgencyVersion) -> str | None:
    """The canonical JSON of a version (None, logged, when the store does not hold it or
    it does not match the version's sha256)."""
    if row.content is not None:
        text = zlib.decompress(row.content).decode("utf-8")
    else:
        records = _records_of(session, row.batch_id) or []
        item = records[row.position] if 0 <= row.position < len(records) else None
        if not isinstance(item, dict) or (item.get("kind"), item.get("id")) != (
                row.kind, row.record_id):
            log.error("version %s of %s %s is not at %s in batch %s", row.version, row.kind,
                      row.record_id, row.position, row.batch_id)
            return None
        text = protocol.dumps(item.get("content"))
    if protocol.sha256_hex(text.encode("utf-8")) != row.content_sha256:
        log.error("version %s of %s %s does not match its sha256", row.version, row.kind,
                  row.record_id)
        return None
    return text


def content_of(session: Session, row: AgencyVersion) -> dict[str, Any]:
    """The content of a version as a dict ({} when it cannot be read, see `text_of`)."""
    text = text_of(session, row)
    return json.loads(text) if text is not None else {}


def find(session: Session, kind: str, record_id: str, version: int,
         sha256: str) -> AgencyVersion | None:
    return session.scalars(select(AgencyVersion).where(
        AgencyVersion.kind == kind, AgencyVersion.record_id == record_id,
        AgencyVersion.version == version, AgencyVersion.content_sha256 == sha256)).first()
