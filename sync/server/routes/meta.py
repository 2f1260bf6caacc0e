"""Health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from sync import protocol
from sync.server.routes.deps import Db

router = APIRouter(tags=["meta"])


@router.get("/health")
def health(db: Db) -> dict[str, Any]:
    try:
        with db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - reported, not raised
        return JSONResponse({"status": "degraded", "database": "unreachable"}, 503)
    return {"status": "ok", "database": "ok", "protocol": protocol.VERSION}
