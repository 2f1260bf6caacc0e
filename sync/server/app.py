"""The HTTP API of the central server (FastAPI). OpenAPI docs at /docs, health at /health.

Every error a client can cause is a 4xx with a JSON `detail`; the server keeps no state
between requests beyond its database and attachment folder, so several workers can share
one PostgreSQL database behind a load balancer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.requests import ClientDisconnect

from sync import protocol
from sync.protocol import ProtocolError
from sync.server import handover_api, service
from sync.server.blobs import BlobStore
from sync.server.db import Database

log = logging.getLogger("inspector_server")

OCTETS = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


@dataclass
class ServerConfig:
    data_dir: Path
    database_url: str
    enrol_limit: int = 10  # attempts per client address per 10 minutes


class EnrolRequest(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=36, max_length=36)
    public_key: str = Field(min_length=1, max_length=64)


class EnrolResponse(BaseModel):
    device_id: str
    credential: str
    inspector: str
    agency: str


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


class MissingRequest(BaseModel):
    sha256: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(max_length=1000)


class UploadState(BaseModel):
    sha256: str
    offset: int
    complete: bool


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ProtocolError("bad Content-Length", 400)
        if int(declared) > limit:
            raise ProtocolError("the request body is larger than allowed", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError("the request body is larger than allowed", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _bearer(value: str | None) -> str | None:
    if value and value.startswith("Bearer "):
        return value[7:].strip()
    return None


def create_app(config: ServerConfig, db: Database | None = None) -> FastAPI:
    db = db or Database(config.database_url)
    blobs = BlobStore(Path(config.data_dir) / "attachments")
    app = FastAPI(title="Inspector central server", version="1",
                  description="Sync of signed record batches from inspection devices.")
    app.state.db = db
    app.state.blobs = blobs

    @app.exception_handler(ProtocolError)
    async def _protocol_error(request: Request, exc: ProtocolError):
        content: dict[str, Any] = {"detail": exc.message}
        if hasattr(exc, "offset"):
            content["offset"] = exc.offset
        if hasattr(exc, "refused"):  # the records a refused batch may not write, and why
            content["refused"] = exc.refused
        return JSONResponse(content, status_code=exc.status)

    @app.exception_handler(service.Transient)
    async def _transient(request: Request, exc: service.Transient):
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        # The field names only: the values sent may hold personal data or bad bytes.
        where = sorted({".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()})
        return JSONResponse({"detail": f"invalid request: {', '.join(where)}"},
                            status_code=422)

    def device_of(x_device_id: str | None, authorization: str | None):
        return service.authenticate(db, x_device_id, _bearer(authorization))

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, Any]:
        try:
            with db.read() as session:
                session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - reported, not raised
            return JSONResponse({"status": "degraded", "database": "unreachable"}, 503)
        return {"status": "ok", "database": "ok", "protocol": protocol.VERSION}

    @app.post("/v1/enroll", response_model=EnrolResponse, tags=["devices"],
              responses={403: {"description": "unknown, used or expired code"},
                         409: {"description": "device or key already enrolled"},
                         429: {"description": "too many attempts"}})
    def enroll(body: EnrolRequest, request: Request) -> EnrolResponse:
        if not service.check_rate(db, _client(request), config.enrol_limit):
            raise ProtocolError("too many enrolment attempts; wait ten minutes", 429)
        done = service.enrol(db, body.code, body.device_id, body.public_key)
        return EnrolResponse(device_id=done.device_id, credential=done.credential,
                             inspector=done.inspector, agency=done.agency)

    @app.post("/v1/batches", response_model=Receipt, tags=["sync"], openapi_extra=OCTETS,
              responses={401: {"description": "unknown device or bad signature"},
                         403: {"description": "revoked device"},
                         409: {"description": "sequence number or batch id reused"},
                         413: {"description": "too large"}})
    async def post_batch(request: Request,
                         x_device_id: Annotated[str | None, Header()] = None,
                         authorization: Annotated[str | None, Header()] = None,
                         x_signature: Annotated[str | None, Header()] = None) -> Any:
        device = await run_in_threadpool(device_of, x_device_id, authorization)
        body = await _read_body(request, protocol.MAX_BODY_BYTES)
        return await run_in_threadpool(service.ingest, db, body, x_signature or "",
                                       device_id=device.id)

    @app.get("/v1/receipts", response_model=list[Receipt], tags=["sync"])
    def receipts(after_seq: Annotated[int, Query(ge=0, le=protocol.MAX_INT)] = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 500,
                 x_device_id: Annotated[str | None, Header()] = None,
                 authorization: Annotated[str | None, Header()] = None) -> Any:
        device = device_of(x_device_id, authorization)
        return service.receipts_after(db, device.id, after_seq, limit)

    @app.get("/v1/device", tags=["devices"])
    def device_state(x_device_id: Annotated[str | None, Header()] = None,
                     authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        device = device_of(x_device_id, authorization)
        return service.device_state(db, device.id)

    @app.post("/v1/attachments/missing", tags=["attachments"])
    def attachments_missing(body: MissingRequest,
                            x_device_id: Annotated[str | None, Header()] = None,
                            authorization: Annotated[str | None, Header()] = None
                            ) -> dict[str, Any]:
        """Which of these attachments the server lacks, with how much of each it has."""
        device_of(x_device_id, authorization)
        have = service.known_blobs(db, body.sha256) if body.sha256 else set()
        missing = [{"sha256": s, "offset": blobs.offset(s)}
                   for s in dict.fromkeys(body.sha256) if s not in have and not blobs.has(s)]
        # A file complete on disk but not yet in the table (a crash between the two).
        for s in dict.fromkeys(body.sha256):
            if s not in have and blobs.has(s):
                service.add_blob(db, s, blobs.path(s).stat().st_size)
        return {"missing": missing}

    @app.get("/v1/attachments/missing", tags=["attachments"])
    def attachments_lacking(x_device_id: Annotated[str | None, Header()] = None,
                            authorization: Annotated[str | None, Header()] = None
                            ) -> dict[str, Any]:
        """Attachments named by this device's records that the server still lacks."""
        device = device_of(x_device_id, authorization)
        return {"missing": service.missing_for_device(db, device.id)}

    @app.get("/v1/attachments/{sha256}", response_model=UploadState, tags=["attachments"])
    def attachment_state(sha256: str, x_device_id: Annotated[str | None, Header()] = None,
                         authorization: Annotated[str | None, Header()] = None) -> Any:
        device_of(x_device_id, authorization)
        blobs.check_sha(sha256)
        complete = blobs.has(sha256)
        return UploadState(sha256=sha256, complete=complete,
                           offset=0 if complete else blobs.offset(sha256))

    @app.put("/v1/attachments/{sha256}", response_model=UploadState, tags=["attachments"],
             openapi_extra=OCTETS, responses={409: {"description": "wrong offset"},
                                              422: {"description": "hash mismatch"}})
    async def put_attachment(sha256: str, request: Request,
                             offset: Annotated[int, Query(ge=0, le=2**40)] = 0,
                             total: Annotated[int, Query(ge=0, le=2**40)] = 0,
                             x_device_id: Annotated[str | None, Header()] = None,
                             authorization: Annotated[str | None, Header()] = None) -> Any:
        """Append bytes at `offset` to the attachment `sha256` of `total` bytes."""
        await run_in_threadpool(device_of, x_device_id, authorization)
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

    @app.get("/v1/pull", tags=["sync"])
    def pull(since: Annotated[int, Query(ge=0, le=protocol.MAX_INT)] = 0,
             limit: Annotated[int, Query(ge=1, le=1000)] = 500,
             x_device_id: Annotated[str | None, Header()] = None,
             authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """Reference data, the agency's device keys and reviews of this device's records."""
        device = device_of(x_device_id, authorization)
        return service.pull(db, device.id, since, limit)

    @app.post("/v1/import", tags=["sync"], openapi_extra=OCTETS,
              responses={401: {"description": "bad signature"},
                         403: {"description": "revoked device"}})
    async def import_file(request: Request) -> dict[str, Any]:
        """Upload a batch file made by `inspector batch export` (its signatures vouch)."""
        data = await _read_body(request, protocol.MAX_FILE_BYTES)
        receipts = await run_in_threadpool(service.import_file, db, data, "file")
        return {"receipts": receipts}

    app.include_router(handover_api.router)
    return app
