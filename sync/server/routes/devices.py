"""Enrolment (rate-limited per client address, in memory) and a device's own state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync.server import limits, service
from sync.server.routes.deps import AuthDevice, Db

router = APIRouter(tags=["devices"])
ENROL_PATH = "/v1/enroll"
TOO_MANY = (b'{"detail":"too many enrolment attempts from this address; try again in the '
            b'seconds of Retry-After"}')


class EnrolGate:
    """ASGI middleware: an enrolment attempt over its address's limit is answered 429
    before its body is read or anything else runs (no routing, no database)."""

    def __init__(self, app, limiter: limits.RateLimiter, proxies: tuple):
        self.app, self.limiter, self.proxies = app, limiter, proxies

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == ENROL_PATH and \
                scope["method"] == "POST":
            peer = scope["client"][0] if scope.get("client") else "?"
            forwarded = b",".join(v for k, v in scope["headers"] if k == b"x-forwarded-for")
            client = limits.client_address(peer, forwarded.decode("latin-1") or None,
                                           self.proxies)
            if not self.limiter.allow(client):
                wait = str(self.limiter.retry_after(client)).encode()
                await send({"type": "http.response.start", "status": 429, "headers": [
                    (b"content-type", b"application/json"), (b"retry-after", wait),
                    (b"content-length", str(len(TOO_MANY)).encode())]})
                await send({"type": "http.response.body", "body": TOO_MANY})
                return
        await self.app(scope, receive, send)


class EnrolRequest(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=36, max_length=36)
    public_key: str = Field(min_length=1, max_length=64)


class EnrolResponse(BaseModel):
    device_id: str
    credential: str
    inspector: str
    agency: str
    role: str


@router.post("/v1/enroll", response_model=EnrolResponse,
             responses={403: {"description": "unknown, used or expired code"},
                        409: {"description": "device or key already enrolled"},
                        429: {"description": "too many attempts", "headers": {"Retry-After": {
                            "description": "seconds until this address may try again",
                            "schema": {"type": "integer"}}}}})
async def enroll(body: EnrolRequest, request: Request, db: Db) -> EnrolResponse:
    """Register a device's key with a one-time code (rate-limited: `EnrolGate`)."""
    done = await run_in_threadpool(service.enrol, db, body.code, body.device_id,
                                   body.public_key)
    return EnrolResponse(device_id=done.device_id, credential=done.credential,
                         inspector=done.inspector, agency=done.agency, role=done.role)


@router.get("/v1/device")
def device_state(device: AuthDevice, db: Db) -> dict[str, Any]:
    return service.device_state(db, device.id)
