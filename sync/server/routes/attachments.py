"""Attachments by SHA-256: which the server lacks, resumable uploads, downloads (the work is in
`sync.server.attachments`: per-device staging, expiry, quota)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from sync.server import attachments, service
from sync.server.routes.deps import OCTETS, AuthDevice, Blobs, Config, Db, InspectorDevice

router = APIRouter(tags=["attachments"])


class MissingRequest(BaseModel):
    sha256: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(max_length=1000)


class UploadState(BaseModel):
    sha256: str
    offset: int
    complete: bool


@router.post("/v1/attachments/missing")
def attachments_missing(body: MissingRequest, device: InspectorDevice, db: Db,
                        blobs: Blobs) -> dict[str, Any]:
    """Which of these attachments the server lacks, with how much of each it has."""
    return {"missing": attachments.missing(db, blobs, device.id, body.sha256)}


@router.get("/v1/attachments/missing")
def attachments_lacking(device: InspectorDevice, db: Db) -> dict[str, Any]:
    """Attachments named by this device's records that the server still lacks."""
    return {"missing": service.missing_for_device(db, device.id)}


@router.get("/v1/attachments/{sha256}", response_model=UploadState)
def attachment_state(sha256: str, device: InspectorDevice, blobs: Blobs) -> Any:
    return attachments.state(blobs, device.id, sha256)


@router.put("/v1/attachments/{sha256}", response_model=UploadState, openapi_extra=OCTETS,
            responses={409: {"description": "wrong offset"},
                       413: {"description": "too large or over quota"},
                       422: {"description": "hash mismatch"}})
async def put_attachment(sha256: str, request: Request, device: InspectorDevice, db: Db,
                         blobs: Blobs, config: Config,
                         offset: Annotated[int, Query(ge=0, le=2**40)] = 0,
                         total: Annotated[int, Query(ge=0, le=2**40)] = 0) -> Any:
    """Append bytes at `offset` to the attachment `sha256` of `total` bytes."""
    return await attachments.put(db, blobs, device.id, sha256, request, offset, total,
                                 config.attachment_quota)


@router.get("/v1/attachments/{sha256}/content", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}},
                       403: {"description": "no record this device may read names it"}})
def attachment_content(sha256: str, device: AuthDevice, db: Db, blobs: Blobs) -> Any:
    """The attachment's bytes, for a device that may read a record naming it (its owner,
    or a supervisor of its agency)."""
    return FileResponse(attachments.readable(db, blobs, device, sha256),
                        media_type="application/octet-stream")
