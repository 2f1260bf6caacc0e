"""Enrolment (rate-limited per client address, in memory) and a device's own state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync.protocol import ProtocolError
from sync.server import service
from sync.server.routes.deps import AuthDevice, Db, client_address

router = APIRouter(tags=["devices"])


class EnrolRequest(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=36, max_length=36)
    public_key: str = Field(min_length=1, max_length=64)


class EnrolResponse(BaseModel):
    device_id: str
    credential: str
    inspector: str
    agency: str


@router.post("/v1/enroll", response_model=EnrolResponse,
             responses={403: {"description": "unknown, used or expired code"},
                        409: {"description": "device or key already enrolled"},
                        429: {"description": "too many attempts"}})
async def enroll(body: EnrolRequest, request: Request, db: Db) -> EnrolResponse:
    # Checked on the event loop before any database work: a refused attempt is cheap.
    if not request.app.state.enrol_limiter.allow(client_address(request)):
        raise ProtocolError("too many enrolment attempts; wait ten minutes", 429)
    done = await run_in_threadpool(service.enrol, db, body.code, body.device_id,
                                   body.public_key)
    return EnrolResponse(device_id=done.device_id, credential=done.credential,
                         inspector=done.inspector, agency=done.agency)


@router.get("/v1/device")
def device_state(device: AuthDevice, db: Db) -> dict[str, Any]:
    return service.device_state(db, device.id)
