"""Posting the decisions made on this (supervisor's) device: one step of a sync run.

Every decision made here and not on the server yet (`Decision.sent_at` None) is posted
as its signed envelope to `POST /v1/decisions`, oldest first; a 200 answer sets sent_at.
A refusal (409: the record changed on the server since; 422: not well formed; 401, 403,
404) is recorded with its reason in REFUSED_BY_SERVER, shown by `inspector review list` and
`inspector records show`, and never sent again: the decision stays here as made (signed
evidence), the supervisor decides again on the current version. Busy or unreachable
server: the run ends and the next one resumes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select

from inspector_app.core import settings
from inspector_app.core.agency.tables import Decision
from inspector_app.core.i18n import N_
from inspector_app.core.settings import Option
from inspector_app.core.store import utcnow
from inspector_app.core.sync.transport import FatalError
from sync import protocol

log = logging.getLogger(__name__)

# (Not "sync_refused_decisions": that one keeps pulled decisions that did not verify.)
REFUSED_BY_SERVER = Option("sync_decisions_refused_by_server", [], list,
                           N_("Decisions made here that the server refused"),
                           user_editable=False)


def unsent(session) -> list[Decision]:
    """Decisions made on this device, not on the server yet and not refused by it."""
    refused = {e["id"] for e in REFUSED_BY_SERVER.get(session)}
    rows = session.scalars(select(Decision).where(
        Decision.sent_at.is_(None), Decision.device_id == settings.DEVICE_ID.get(session))
        .order_by(Decision.decided_at, Decision.id))
    return [d for d in rows if d.id not in refused]


def post(agent, conn, cancelled=lambda: False) -> dict[str, Any]:
    """Post the unsent decisions; {"sent": n, "refused": [{"id", "status", "reason"}]}."""
    store = agent.store
    with store.read() as session:
        todo = [(d.id, d.body, d.signature) for d in unsent(session)]
    done: dict[str, Any] = {"sent": 0, "refused": []}
    for decision_id, body, signature in todo:
        if cancelled():
            break
        envelope = {"decision": json.loads(body), "signature": signature}
        try:
            agent._retry(lambda envelope=envelope: conn.json(
                "POST", "/v1/decisions", json=envelope), cancelled)
        except FatalError as exc:
            if exc.status is None:
                raise
            entry = {"id": decision_id, "status": exc.status, "reason": exc.message,
                     "kind": envelope["decision"]["kind"],
                     "record_id": envelope["decision"]["record_id"],
                     "action": envelope["decision"]["action"],
                     "at": protocol.utc_now_text()}
            with store.write() as session:
                kept = [e for e in REFUSED_BY_SERVER.get(session) if e["id"] != decision_id]
                REFUSED_BY_SERVER.set(session, kept + [entry])
            log.warning("decision %s refused by the server (%s): %s", decision_id,
                        exc.status, exc.message)
            done["refused"].append(entry)
            continue
        with store.write() as session:
            row = session.get(Decision, decision_id)
            if row is not None and row.sent_at is None:
                row.sent_at = utcnow()
        done["sent"] += 1
    return done
