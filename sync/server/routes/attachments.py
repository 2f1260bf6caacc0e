"""Attachments by SHA-256: which the server lacks, and resumable uploads."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from sync.protocol import ProtocolError
from sync.server import service
from sync.server.routes.deps import OCTETS, AuthDevice, Blobs, Db

log = logging.getLogger("inspector_server")
router = APIRouter(tags=["attachments"])


class MissingRequest(BaseModel):
    sha256: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(max_length=1000)


class UploadState(BaseModel):
    sha256: str
    offset: int
    complete: bool


@router.post("/v1/attachments/missing")
def attachments_missing(body: MissingRequest, device: AuthDevice, db: Db,
                        blobs: Blobs) -> dict[str, Any]:
    """Which of these attachments the server lacks, with how much of each it has."""
    have = service.known_blobs(db, body.sha256) if body.sha256 else set()
    missing = [{"sha256": s, "offset": blobs.offset(s)}
               for s in dict.fromkeys(body.sha256) if s not in have and not blobs.has(s)]
    # A file complete on disk but not yet in the table (a crash between the two).
    for s in dict.fromkeys(body.sha256):
        if s not in have and blobs.has(s):
            service.add_blob(db, s, blobs.path(s).stat().st_size)
    return {"missing": missing}


@router.get("/v1/attachments/missing")
def attachments_lacking(device: AuthDevice, db: Db) -> dict[str, Any]:
    """Attachments named by this device's records that the server still lacks."""
    return {"missing": service.missing_for_device(db, device.id)}


@router.get("/v1/attachments/{sha256}", response_model=UploadState)
def attachment_state(sha256: str, device: AuthDevice, blobs: Blobs) -> Any:
    blobs.check_sha(sha256)
    complete = blobs.has(sha256)
    return UploadState(sha256=sha256, complete=complete,
                       offset=0 if complete else blobs.offset(sha256))


@router.put("/v1/attachments/{sha256}", response_model=UploadState, openapi_extra=OCTETS,
            responses={409: {"description": "wrong offset"},
                       422: {"description": "hash mismatch"}})
async def put_attachment(sha256: str, request: Request, device: AuthDevice, db: Db,
                         blobs: Blobs,
                         offset: Annotated[int, Query(ge=0, le=2**40)] = 0,
                         total: Annotated[int, Query(ge=0, le=2**40)] = 0) -> Any:
    """Append bytes at `offset` to the attachment `sha256` of `total` bytes."""
    blobs.check_sha(sha256)
    if blobs.has(sha256):
        return UploadState(sha256=sha256, offset=total, complete=True)
    fh = await run_in_threadpool(blobs.open_append, sha256, offset, total)
    try:
        written = offset
        try:
            async for chunk in request.stream():
                written += len(chunk)
                if written > total:
                    raise ProtocolError("more bytes were sent than the attachment's size")
                fh.write(chunk)
        except ClientDisconnect:
            pass  # keep what arrived: the client resumes from here
        except ProtocolError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken connection, whatever its kind
            log.info("upload of %s broken (%s)", sha256[:12], type(exc).__name__)
        complete = await run_in_threadpool(blobs.finish, sha256, fh, total)
    finally:
        fh.close()  # releases the upload lock, always
    if complete:
        await run_in_threadpool(service.add_blob, db, sha256, total)
    return UploadState(sha256=sha256, offset=total if complete else blobs.offset(sha256),
                       complete=complete)
