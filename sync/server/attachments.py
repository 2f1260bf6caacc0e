"""Attachment uploads of the HTTP API: what is missing, upload state, resumable PUTs, quota.

The routes in `app.py` call these. Uploads are staged per device (`blobs.BlobStore`); the
quota counts, per device, the attachments it stored first plus its unfinished uploads.
An attachment another device already stored costs nothing and is not sent again.

A device downloads an attachment (`readable`) only if it may read a record naming it: the
record's owner, or a supervisor of the record's agency.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from starlette.requests import ClientDisconnect, Request

from sync.protocol import ProtocolError
from sync.server import service
from sync.server.blobs import BlobStore
from sync.server.db import Database
from sync.server.models import AttachmentRef, Blob, CurrentRecord, Device

log = logging.getLogger("inspector_server")

DEFAULT_QUOTA = 20 * 1024**3  # bytes of attachments per device


def stored_bytes(db: Database, device_id: str) -> int:
    """Bytes of the attachments this device stored first."""
    with db.read() as session:
        return int(session.scalar(select(func.coalesce(func.sum(Blob.size), 0))
                                  .where(Blob.device_id == device_id)) or 0)


def missing(db: Database, blobs: BlobStore, device_id: str, shas: list[str]
            ) -> list[dict[str, Any]]:
    """Which of `shas` the server lacks, with how much of each this device already sent."""
    shas = list(dict.fromkeys(shas))
    have = service.known_blobs(db, shas) if shas else set()
    out = []
    for s in shas:
        if s in have:
            continue
        if blobs.has(s):  # complete on disk but not yet in the table (a crash between)
            service.add_blob(db, s, blobs.path(s).stat().st_size)
            continue
        out.append({"sha256": s, "offset": blobs.offset(s, device_id)})
    return out


def state(blobs: BlobStore, device_id: str, sha: str) -> dict[str, Any]:
    blobs.check_sha(sha)
    complete = blobs.has(sha)
    return {"sha256": sha, "complete": complete,
            "offset": 0 if complete else blobs.offset(sha, device_id)}


async def put(db: Database, blobs: BlobStore, device_id: str, sha: str, request: Request,
              offset: int, total: int, quota: int) -> dict[str, Any]:
    """Append the request body at `offset` to this device's upload of `sha` (`total` bytes)."""
    blobs.check_sha(sha)
    if blobs.has(sha):
        return {"sha256": sha, "offset": total, "complete": True}

    def room(staged: int) -> int:
        return quota - stored_bytes(db, device_id) - staged

    upload = await run_in_threadpool(blobs.begin, sha, device_id, offset, total, room)
    try:
        try:
            async for chunk in request.stream():
                upload.write(chunk)
        except ClientDisconnect:
            pass  # keep what arrived: the client resumes from here
        except ProtocolError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken connection, whatever its kind
            log.info("upload of %s broken (%s)", sha[:12], type(exc).__name__)
        complete = await run_in_threadpool(upload.finish)
    finally:
        await run_in_threadpool(upload.close)  # releases the device's upload lock, always
    if complete:
        await run_in_threadpool(service.add_blob, db, sha, total, device_id)
        return {"sha256": sha, "offset": total, "complete": True}
    return {"sha256": sha, "offset": blobs.offset(sha, device_id), "complete": False}


def readable(db: Database, blobs: BlobStore, device: Device, sha: str):
    """The file of attachment `sha`, if `device` may read a record that names it (403
    otherwise, 404 when the server lacks the file)."""
    blobs.check_sha(sha)
    with db.read() as session:
        q = (select(func.count()).select_from(AttachmentRef)
             .join(CurrentRecord, (CurrentRecord.kind == AttachmentRef.kind)
                   & (CurrentRecord.record_id == AttachmentRef.record_id))
             .join(Device, Device.id == CurrentRecord.owner_device_id)
             .where(AttachmentRef.sha256 == sha))
        if device.role == "supervisor":
            q = q.where(Device.agency == device.agency)
        else:
            q = q.where(CurrentRecord.owner_device_id == device.id)
        allowed = bool(session.scalar(q))
    if not allowed:
        raise ProtocolError("this attachment belongs to no record this device may read", 403)
    if not blobs.has(sha):
        raise ProtocolError("the server does not have this attachment (yet)", 404)
    return blobs.path(sha)
