"""What the routes share: the app's configuration and database, device authentication and
role checks (FastAPI dependencies) and bounded body reading.

Every route names who may call it by the dependency it takes: `AuthDevice` (any enrolled
device), `InspectorDevice` (an inspector's device: it creates records) or
`SupervisorDevice` (a supervisor's device: it reads its agency's batches, posts decisions
and bulletins). Routes with none of them are public (health, enrolment by code, batch
files vouched for by their signatures, published bulletins): tests/sync/test_roles.py
holds the list and fails for a route it does not know."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from sync.protocol import ProtocolError
from sync.server import service
from sync.server.blobs import BlobStore
from sync.server.db import Database
from sync.server.models import Device

OCTETS = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


def config(request: Request) -> Any:
    """The app's `ServerConfig`."""
    return request.app.state.config


def database(request: Request) -> Database:
    return request.app.state.db


def blob_store(request: Request) -> BlobStore:
    return request.app.state.blobs


def _bearer(value: str | None) -> str | None:
    if value and value.startswith("Bearer "):
        return value[7:].strip()
    return None


def authenticated(request: Request,
                  x_device_id: Annotated[str | None, Header()] = None,
                  authorization: Annotated[str | None, Header()] = None) -> Device:
    """The active device of the request's credentials (401 unknown, 403 revoked)."""
    return service.authenticate(request.app.state.db, x_device_id, _bearer(authorization))


def inspector_device(device: Annotated[Device, Depends(authenticated)]) -> Device:
    """The calling device, if it is an inspector's (403 for a supervisor's)."""
    if device.role != "inspector":
        raise ProtocolError("this is an inspector device's request; a supervisor's device "
                            "does not create records, upload attachments or hand records "
                            "over itself (it posts decisions)", 403)
    return device


def supervisor_device(device: Annotated[Device, Depends(authenticated)]) -> Device:
    """The calling device, if it is a supervisor's (403 for an inspector's)."""
    if device.role != "supervisor":
        raise ProtocolError("only a supervisor's device may do this (enrol one with "
                            "`inspector-server device add --role supervisor`)", 403)
    return device


Db = Annotated[Database, Depends(database)]
Blobs = Annotated[BlobStore, Depends(blob_store)]
Config = Annotated[Any, Depends(config)]
AuthDevice = Annotated[Device, Depends(authenticated)]
InspectorDevice = Annotated[Device, Depends(inspector_device)]
SupervisorDevice = Annotated[Device, Depends(supervisor_device)]


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read as it arrives and refused (413) as soon as it passes `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ProtocolError("bad Content-Length", 400)
        if int(declared) > limit:
            raise ProtocolError("the request body is larger than allowed", 413)
    body = bytearray()
    async for chunk in request.stream():
        if len(body) + len(chunk) > limit:
            raise ProtocolError("the request body is larger than allowed", 413)
        body += chunk
    return bytes(body)
