"""A supervisor's device: its agency's batches (raw, to verify as the server did) and
signed decisions (the work is in `sync.server.review`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sync.server import review
from sync.server.routes.deps import Db, SupervisorDevice, read_body

router = APIRouter(tags=["supervision"])


@router.get("/v1/batches/{batch_id}",
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "the batch body as signed; headers X-Signature, "
                                            "X-Key-Id, X-Device-Id, X-Seq"},
                       403: {"description": "not a supervisor, or another agency's batch"},
                       404: {"description": "no such batch"},
                       409: {"description": "not applied yet"}})
def get_batch(batch_id: str, device: SupervisorDevice, db: Db) -> Response:
    """A batch of the supervisor's agency, exactly as its device signed it."""
    body, headers = review.batch_for(db, device, batch_id)
    return Response(body, media_type="application/octet-stream", headers=headers)


@router.post("/v1/decisions",
             responses={401: {"description": "bad signature"},
                        403: {"description": "not a supervisor, not the signer, or another "
                                             "agency's record"},
                        404: {"description": "no such record"},
                        409: {"description": "stale decision, or its id reused"},
                        422: {"description": "not a well-formed decision"}})
async def post_decision(request: Request, device: SupervisorDevice, db: Db) -> dict[str, Any]:
    """Store a signed decision (approve, return, reject, resolve, handover) and apply it."""
    envelope = review.parse_json(await read_body(request, review.MAX_DECISION_BYTES))
    return await run_in_threadpool(review.post_decision, db, device, envelope)
