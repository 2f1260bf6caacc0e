"""What the routes share: the app's configuration and database, device authentication
(a FastAPI dependency) and bounded body reading."""

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


Db = Annotated[Database, Depends(database)]
Blobs = Annotated[BlobStore, Depends(blob_store)]
Config = Annotated[Any, Depends(config)]
AuthDevice = Annotated[Device, Depends(authenticated)]


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
