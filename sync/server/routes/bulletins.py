"""Bulletins (监督抽查结果公告): posted by a supervisor's device, published to everyone
(the pages need no credentials; `sync.server.publication`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from sync.server import publication, review
from sync.server.routes.deps import Db, SupervisorDevice, read_body

router = APIRouter(tags=["bulletins"])


@router.post("/v1/bulletins",
             responses={401: {"description": "bad signature"},
                        403: {"description": "not a supervisor, not the signer, or another "
                                             "agency"},
                        409: {"description": "its id reused for another bulletin"},
                        422: {"description": "not a well-formed bulletin"}})
async def post_bulletin(request: Request, device: SupervisorDevice, db: Db) -> dict[str, Any]:
    """Publish a signed bulletin of the supervisor's agency."""
    envelope = review.parse_json(await read_body(request, publication.MAX_BULLETIN_BYTES))
    return await run_in_threadpool(publication.post_bulletin, db, device, envelope)


@router.get("/bulletins", response_class=HTMLResponse)
def bulletin_list(db: Db, agency: Annotated[str | None, Query(max_length=128)] = None) -> str:
    """The published bulletins, by agency (public)."""
    return publication.list_page(db, agency)


@router.get("/bulletins/{bulletin_id}.json")
def bulletin_json(bulletin_id: str, db: Db) -> dict[str, Any]:
    """A bulletin as signed: {"bulletin", "signature"} (public)."""
    return publication.envelope_of(db, bulletin_id)


@router.get("/bulletins/{bulletin_id}", response_class=HTMLResponse)
def bulletin_page(bulletin_id: str, db: Db) -> str:
    """A bulletin as an HTML page (public)."""
    return publication.bulletin_page(db, bulletin_id)
