"""Handovers: a device hands a record it holds to another device (recorded)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync.server import handover
from sync.server.routes.deps import AuthDevice, Db, InspectorDevice

router = APIRouter(tags=["handovers"])


class HandoverRequest(BaseModel):
    kind: str = Field(min_length=1, max_length=16)
    record_id: str = Field(min_length=1, max_length=36)
    to_device_id: str = Field(min_length=36, max_length=36)
    reason: str = Field(default="", max_length=handover.MAX_REASON)


@router.post("/v1/handovers",
             responses={403: {"description": "the calling device does not hold the record"},
                        404: {"description": "no such record or device"},
                        409: {"description": "revoked device, or it holds the record already"}})
async def post_handover(body: HandoverRequest, device: InspectorDevice, db: Db) -> dict[str, Any]:
    """Hand a record this device holds to another device of the agency."""
    return await run_in_threadpool(
        lambda: handover.hand_over(db, body.kind, body.record_id, body.to_device_id,
                                   reason=body.reason, decided_by=f"device:{device.id}",
                                   by_device=device.id))


@router.get("/v1/handovers")
def get_handovers(device: AuthDevice, db: Db) -> dict[str, Any]:
    """The handovers this device gave or received, oldest first."""
    return {"handovers": handover.list_handovers(db, device_id=device.id)}
