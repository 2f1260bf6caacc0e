"""The API of handovers: a device hands a record it holds to another device."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync.server import handover, service

router = APIRouter(tags=["handovers"])


class HandoverRequest(BaseModel):
    kind: str = Field(min_length=1, max_length=16)
    record_id: str = Field(min_length=1, max_length=36)
    to_device_id: str = Field(min_length=36, max_length=36)
    reason: str = Field(default="", max_length=handover.MAX_REASON)


def _device(request: Request, device_id: str | None, authorization: str | None):
    credential = authorization[7:].strip() if authorization and \
        authorization.startswith("Bearer ") else None
    return service.authenticate(request.app.state.db, device_id, credential)


@router.post("/v1/handovers",
             responses={403: {"description": "the calling device does not hold the record"},
                        404: {"description": "no such record or device"},
                        409: {"description": "revoked device, or it holds the record already"}})
async def post_handover(body: HandoverRequest, request: Request,
                        x_device_id: Annotated[str | None, Header()] = None,
                        authorization: Annotated[str | None, Header()] = None
                        ) -> dict[str, Any]:
    """Hand a record this device holds to another device of the agency (recorded)."""
    device = await run_in_threadpool(_device, request, x_device_id, authorization)
    return await run_in_threadpool(
        lambda: handover.hand_over(request.app.state.db, body.kind, body.record_id,
                                   body.to_device_id, reason=body.reason,
                                   decided_by=f"device:{device.id}", by_device=device.id))


@router.get("/v1/handovers")
async def get_handovers(request: Request,
                        x_device_id: Annotated[str | None, Header()] = None,
                        authorization: Annotated[str | None, Header()] = None
                        ) -> dict[str, Any]:
    """The handovers this device gave or received, oldest first."""
    device = await run_in_threadpool(_device, request, x_device_id, authorization)
    items = await run_in_threadpool(handover.list_handovers, request.app.state.db,
                                    device_id=device.id)
    return {"handovers": items}
