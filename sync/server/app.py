"""The HTTP API of the central server (FastAPI). OpenAPI docs at /docs, health at /health.

Every error a client can cause is a 4xx with a JSON `detail`; the server keeps no state
between requests beyond its database and attachment folder (and each process's enrolment
rate-limit buckets, limits.py), so several workers can share one PostgreSQL database
behind a load balancer. The routes live in `sync/server/routes/`, one APIRouter per
area; what they share (configuration, database, device authentication) is in
`routes/deps.py` and reaches them through `app.state`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from sync.protocol import ProtocolError
from sync.server import attachments as attachment_uploads
from sync.server import docs, limits, service
from sync.server.blobs import PARTIAL_MAX_AGE, BlobStore
from sync.server.db import Database
from sync.server.routes import (
    attachments,
    batches,
    bulletins,
    devices,
    handovers,
    meta,
    supervision,
)


@dataclass
class ServerConfig:
    data_dir: Path
    database_url: str
    enrol_limit: int = 10  # attempts per client address per 10 minutes
    attachment_quota: int = attachment_uploads.DEFAULT_QUOTA  # attachment bytes per device
    partial_max_age: float = PARTIAL_MAX_AGE  # seconds an unfinished upload is kept
    # Proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: tuple[str, ...] = ()
    device_quota: int = limits.DEFAULT_DEVICE_QUOTA  # bytes stored per device
    max_import_bytes: int = limits.MAX_IMPORT_BYTES  # a batch file over HTTP
    proxies: tuple = field(init=False, default=())

    def __post_init__(self) -> None:
        self.proxies = limits.parse_proxies(self.trusted_proxies)


def create_app(config: ServerConfig, db: Database | None = None) -> FastAPI:
    app = FastAPI(title="Inspector central server", version="1",
                  description="Sync of signed record batches from inspection devices.",
                  docs_url=None, redoc_url=None)  # docs.py: /docs without a CDN
    app.state.config = config
    app.state.db = db or Database(config.database_url)
    app.state.blobs = BlobStore(Path(config.data_dir) / "attachments", config.partial_max_age)
    app.state.enrol_limiter = limits.RateLimiter(config.enrol_limit)
    app.add_middleware(devices.EnrolGate, limiter=app.state.enrol_limiter,
                       proxies=config.proxies)
    app.state.imports = asyncio.Semaphore(1)
    for module in (meta, devices, batches, attachments, handovers, supervision, bulletins):
        app.include_router(module.router)
    docs.add_docs(app)

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

    return app
