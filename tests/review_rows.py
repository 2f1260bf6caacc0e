"""Agency records for the review tests: AgencyRecord / AgencyVersion rows as the importer
leaves them (zlib of the canonical content), inserted straight into a supervisor's store."""

from __future__ import annotations

import uuid
import zlib
from datetime import UTC, datetime

from sqlalchemy import select

from sync import protocol


def content_of(kind: str, record_id: str, version: int, **fields) -> dict:
    return {"kind": kind, "id": record_id, "version": version, **fields}


def add_version(session, kind: str, record_id: str, version: int, content: dict,
                device_id: str, base_version: int | None = None) -> str:
    from inspector_app.core.models import AgencyVersion

    raw = protocol.canonical_bytes(content)
    sha = protocol.sha256_hex(raw)
    session.add(AgencyVersion(kind=kind, record_id=record_id, version=version,
                              base_version=version - 1 if base_version is None else base_version,
                              content=zlib.compress(raw), content_sha256=sha,
                              device_id=device_id, batch_id=str(uuid.uuid4()), position=0,
                              received_at=datetime.now(UTC)))
    return sha


def add_record(session, kind: str = "check", *, record_id: str | None = None,
               versions: int = 1, device_id: str | None = None, inspector: str = "李四",
               market: str = "东门市场", day: str = "2026-11-20", title: str = "酱油",
               review_state: str = "pending", **content_fields) -> tuple[str, str]:
    """An agency record with `versions` versions (the last current); (record_id, sha)."""
    from inspector_app.core.models import AgencyRecord, KnownKey

    record_id = record_id or str(uuid.uuid4())
    device_id = device_id or str(uuid.uuid4())
    if session.scalar(select(KnownKey).where(KnownKey.device_id == device_id)) is None:
        session.add(KnownKey(key_id=uuid.uuid4().hex[:16], public_key="x" * 43,
                             device_id=device_id, agency="示例", inspector=inspector,
                             source="server", added_at=datetime.now(UTC)))
    sha = ""
    for v in range(1, versions + 1):
        sha = add_version(session, kind, record_id, v,
                          content_of(kind, record_id, v, product_name=title, note=f"v{v}",
                                     **content_fields), device_id)
    session.add(AgencyRecord(kind=kind, record_id=record_id, version=versions,
                             content_sha256=sha, device_id=device_id, owner_device_id=device_id,
                             inspector=inspector, market_id="m-" + market, market=market,
                             day=day, state="final", result="conforming", title=title,
                             review_state=review_state, updated_at=datetime.now(UTC)))
    session.flush()
    return record_id, sha


def make_supervisor(store) -> None:
    from inspector_app.core.sync import state

    with store.write() as session:
        state.DEVICE_ROLE.set(session, "supervisor")


def add_conflict(session, kind: str, record_id: str, version: int, device_id: str,
                 **fields) -> str:
    """A content conflicting with the record's current one (as the importer keeps it):
    version `version` of `fields` by `device_id`; its sha256."""
    from inspector_app.core.models import AgencyConflict, AgencyRecord

    record = session.get(AgencyRecord, (kind, record_id))
    sha = add_version(session, kind, record_id, version,
                      content_of(kind, record_id, version, **fields), device_id)
    session.add(AgencyConflict(kind=kind, record_id=record_id, version=version,
                               content_sha256=sha, current_version=record.version,
                               current_sha256=record.content_sha256, reason="same_version",
                               device_id=device_id, batch_id=str(uuid.uuid4()),
                               created_at=datetime.now(UTC)))
    record.conflicts += 1
    session.flush()
    return sha
