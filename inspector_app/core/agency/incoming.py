"""What a pull brings a supervisor's (or an inspector's) device about the agency's records.

- ``batch`` changes (supervisors only): each batch the server applied is fetched
  (`GET /v1/batches/{id}`, signature and key in the headers) and imported by
  `agency.importer`, verified there with the signing device's known key.
- ``decision`` changes: a signed decision (sync/decisions.py) is verified with the
  deciding device's known key and stored in `Decision` (append-only); on a supervisor's
  device it then applies to the imported record (its review state; a resolve settles the
  record's conflicts and makes the chosen content, or the new one it carries, current;
  a handover moves its owner).
  A decision that does not verify is kept aside with its reason and logged, never applied.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspector_app.core.agency import contents
from inspector_app.core.agency import facts as facts_mod
from inspector_app.core.agency.importer import Incoming, load_names
from inspector_app.core.i18n import _
from inspector_app.core.models import (
    AgencyConflict,
    AgencyRecord,
    AgencyVersion,
    Decision,
    KnownKey,
)
from inspector_app.core.store import utcnow
from inspector_app.core.sync import state
from sync import decisions, protocol
from sync.protocol import ProtocolError

log = logging.getLogger(__name__)

MAX_REFUSED = 200  # unverifiable decisions kept aside (the newest)


# --- batches -----------------------------------------------------------------------------


def fetch_batches(conn, retry: Callable, changes: list[dict[str, Any]],
                  failed: list[dict[str, str]]) -> Iterator[Incoming]:
    """The batches of `changes`, fetched one at a time (a batch the server will not give
    is named in `failed` with the server's reason)."""
    from inspector_app.core.sync.transport import FatalError

    for change in changes:
        data = change.get("data") or {}
        batch_id = str(data.get("batch_id") or "")
        if not protocol.is_uuid(batch_id):
            failed.append({"batch_id": batch_id, "reason": _("the pull named no batch id")})
            continue
        try:
            response = retry(lambda b=batch_id: conn.request("GET", f"/v1/batches/{b}"))
        except FatalError as exc:
            failed.append({"batch_id": batch_id, "reason": exc.message})
            log.warning("batch %s could not be fetched: %s", batch_id, exc.message)
            continue
        body = response.content
        expected = data.get("body_sha256")
        if expected and expected != protocol.sha256_hex(body):
            failed.append({"batch_id": batch_id,
                           "reason": _("the batch received does not match its hash")})
            continue
        yield Incoming(body, response.headers.get("X-Signature", ""),
                       response.headers.get("X-Key-Id", ""), "server", batch_id)


# --- decisions ---------------------------------------------------------------------------


def verify(session: Session, envelope: Any) -> dict[str, Any]:
    """The decision of a signed envelope if the deciding device's known key verifies it;
    else ProtocolError saying why."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("decision"), dict):
        raise ProtocolError("a signed decision is {decision, signature}", 422)
    decision = decisions.check(envelope["decision"])
    key = session.get(KnownKey, decision["key_id"])
    if key is None:
        raise ProtocolError(_("unknown device key {key}").format(key=decision["key_id"]), 401)
    if key.device_id != decision["device_id"]:
        raise ProtocolError(_("the key {key} belongs to another device").format(
            key=decision["key_id"]), 401)
    if key.revoked_at is not None:
        decided = facts_mod.parse_time(decision["decided_at"])
        revoked = key.revoked_at if key.revoked_at.tzinfo else \
            key.revoked_at.replace(tzinfo=UTC)
        if decided is None or decided >= revoked:
            raise ProtocolError(_("the deciding device was revoked before this decision"),
                                403)
    return decisions.verify(protocol.load_public_key(key.public_key), envelope)


def apply_decision(session: Session, envelope: Any) -> bool:
    """Verify and store one pulled decision; on a supervisor's device apply it too.
    False when it did not verify (kept aside, see the module)."""
    try:
        decision = verify(session, envelope)
    except ProtocolError as exc:
        _keep_aside(session, envelope, exc.message)
        return False
    now = utcnow()
    row = session.get(Decision, decision["id"])
    if row is not None:
        if row.sent_at is None:  # made here: the feed shows the server holds it
            row.sent_at = now
        return True
    session.add(Decision(
        id=decision["id"], kind=decision["kind"], record_id=decision["record_id"],
        version=decision["version"], action=decision["action"], text=decision["text"],
        by=decision["by"], decided_at=decision["decided_at"],
        device_id=decision["device_id"], key_id=decision["key_id"],
        body=protocol.dumps(decision), signature=envelope["signature"], sent_at=now,
        received_at=now))
    if state.is_supervisor(session):
        apply_to_record(session, decision)
    return True


def apply_to_record(session: Session, decision: dict[str, Any]) -> None:
    """A verified decision's effect on the imported record (see `decisions.STATE_AFTER`)."""
    kind, rid, action = decision["kind"], decision["record_id"], decision["action"]
    record = session.get(AgencyRecord, (kind, rid))
    if record is None:
        log.info("decision %s on %s %s: the record is not imported here yet; it applies "
                 "when it is (agency.importer)", decision["id"], kind, rid)
        return
    if action in decisions.STATE_AFTER:
        if (record.version, record.content_sha256) == (decision["version"], decision["sha256"]):
            record.review_state = decisions.STATE_AFTER[action]
        else:  # a later version came in since: it stays in the queue as it is
            log.info("decision %s is on version %s, the record is at %s", decision["id"],
                     decision["version"], record.version)
    elif action == "resolve":
        session.execute(update(AgencyConflict).where(
            AgencyConflict.kind == kind, AgencyConflict.record_id == rid,
            AgencyConflict.resolved_by.is_(None)).values(resolved_by=decision["id"])
            .execution_options(synchronize_session=False))
        record.conflicts = 0
        chosen = (decision["chosen_version"], decision["chosen_sha256"])
        if "content" in decision or chosen != (record.version, record.content_sha256):
            _make_current(session, record, *chosen, decision=decision)
    elif action == "handover":
        record.owner_device_id = decision["to_device_id"]
    record.updated_at = utcnow()


def _make_current(session: Session, record: AgencyRecord, version: int, sha: str, *,
                  decision: dict[str, Any]) -> None:
    """The chosen content (or the new one the decision carries) becomes the record's next
    version, as the server makes it (sync/server/review._resolve): version current + 1,
    its "version" field set to it, by the deciding device, so both hold the same version
    and hash. A new content keeps the current version's author."""
    if "content" in decision:
        if decision["version"] != record.version:  # the server refuses it as stale
            log.error("resolve of %s %s by a new content made from version %s; the record "
                      "is at %s", record.kind, record.record_id, decision["version"],
                      record.version)
            return
        content, author_device = dict(decision["content"]), record.device_id
    else:
        row = contents.find(session, record.kind, record.record_id, version, sha)
        text_ = contents.text_of(session, row) if row is not None else None
        if text_ is None:
            log.error("resolve of %s %s chose version %s %s, which this store does not hold",
                      record.kind, record.record_id, version, sha[:12])
            return
        content = json.loads(text_)
        author_device = row.device_id
    new_version = record.version + 1
    if isinstance(content, dict) and "version" in content:
        content["version"] = new_version
    text_ = protocol.dumps(content)
    new_sha = protocol.sha256_hex(text_.encode("utf-8"))
    if session.scalar(select(AgencyVersion.pk).where(  # a conflict may hold this number
            AgencyVersion.kind == record.kind, AgencyVersion.record_id == record.record_id,
            AgencyVersion.version == new_version,
            AgencyVersion.content_sha256 == new_sha).limit(1)) is None:
        session.add(AgencyVersion(
            kind=record.kind, record_id=record.record_id, version=new_version,
            base_version=record.version, content=zlib.compress(text_.encode("utf-8")),
            content_sha256=new_sha, device_id=decision["device_id"], batch_id=decision["id"],
            position=0, received_at=utcnow()))
    key = session.scalar(select(KnownKey.inspector).where(KnownKey.device_id == author_device)
                         .limit(1))
    wanted = {("market", str(content.get("market_id") or "")),
              ("inspector", str(content.get("author_id") or "")),
              ("workstation", str(content.get("workstation_id") or ""))}
    found = facts_mod.extract(record.kind, content, load_names(session, wanted), key or "")
    for name, value in found.items():
        setattr(record, name, value)
    record.version, record.content_sha256, record.device_id = new_version, new_sha, author_device
    record.review_state = "pending"  # a new version, as on the server


def _keep_aside(session: Session, envelope: Any, reason: str) -> None:
    decision = envelope.get("decision") if isinstance(envelope, dict) else None
    decision = decision if isinstance(decision, dict) else {}
    entry = {"id": str(decision.get("id", ""))[:36], "kind": str(decision.get("kind", ""))[:16],
             "record_id": str(decision.get("record_id", ""))[:36],
             "action": str(decision.get("action", ""))[:16], "reason": reason,
             "received_at": protocol.utc_now_text()}
    kept = [e for e in state.REFUSED_DECISIONS.get(session) if e.get("id") != entry["id"]]
    state.REFUSED_DECISIONS.set(session, (kept + [entry])[-MAX_REFUSED:])
    log.warning("pulled decision %s on %s %s not verified, kept aside: %s", entry["id"],
                entry["kind"], entry["record_id"], reason)
