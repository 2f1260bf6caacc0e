"""Batches in (bounded: limits.py), receipts and the pull feed out, batch-file import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from sync import protocol
from sync.server import service
from sync.server.routes.deps import OCTETS, AuthDevice, Config, Db, InspectorDevice, read_body

router = APIRouter(tags=["sync"])


class Receipt(BaseModel):
    batch_id: str
    device_id: str
    seq: int
    status: str
    records: int
    body_sha256: str
    received_at: str
    applied: int | None = None
    duplicates: int | None = None
    conflicts: list[dict[str, Any]] | None = None
    gap: list[int] | None = None


@router.post("/v1/batches", response_model=Receipt, openapi_extra=OCTETS,
             responses={401: {"description": "unknown device or bad signature"},
                        403: {"description": "revoked device, or a supervisor's device"},
                        409: {"description": "sequence number or batch id reused"},
                        413: {"description": "too large, or the device's quota is used"}})
async def post_batch(request: Request, device: InspectorDevice, db: Db, config: Config,
                     x_signature: Annotated[str | None, Header()] = None) -> Any:
    body = await read_body(request, protocol.MAX_BODY_BYTES)
    return await run_in_threadpool(service.ingest, db, body, x_signature or "",
                                   device_id=device.id, quota=config.device_quota)


@router.get("/v1/receipts", response_model=list[Receipt])
def receipts(device: InspectorDevice, db: Db,
             after_seq: Annotated[int, Query(ge=0, le=protocol.MAX_INT)] = 0,
             limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> Any:
    return service.receipts_after(db, device.id, after_seq, limit)


@router.get("/v1/pull")
def pull(device: AuthDevice, db: Db,
         since: Annotated[int, Query(ge=0, le=protocol.MAX_INT)] = 0,
         limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> dict[str, Any]:
    """Reference data, device keys, decisions on this device's records and its
    handovers; for a supervisor's device also its agency's batches and decisions."""
    return service.pull(db, device, since, limit)


@router.post("/v1/import", openapi_extra=OCTETS,
             responses={401: {"description": "bad signature"},
                        403: {"description": "revoked device"},
                        413: {"description": "too large"}})
async def import_file(request: Request, db: Db, config: Config) -> dict[str, Any]:
    """Upload a batch file made by `inspector batch export` (its signatures vouch)."""
    async with request.app.state.imports:  # batch files (no credential): one at a time
        data = await read_body(request, config.max_import_bytes)
        receipts = await run_in_threadpool(service.import_file, db, data, "file",
                                           config.max_import_bytes, config.device_quota)
    return {"receipts": receipts}
