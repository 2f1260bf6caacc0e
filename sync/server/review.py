"""What a supervisor's device does on the server: fetch its agency's batches, post signed
decisions, and the counts its dashboard reconciles with (`inspector-server stats`).

A decision (sync/decisions.py) is verified with the calling device's key and must be
signed by it; the record must belong to the caller's agency (its owner device's agency).
It is stored as received (`server_decisions`, append-only: the same envelope again gets
the same answer, another envelope under its id is refused), and fed to the record's
owner device and to the agency's supervisors (`service.supervisors_of`), in the same
transaction as its effect:
- approve / return / reject: the record's review state, if the decision is about the
  server's current version and content (else 409: stale);
- resolve: the record's open conflicts are marked resolved; if the chosen content is not
  the current one, it becomes a new version on the server (current + 1, written by the
  deciding device, its content's "version" set to the new number); so does a new content
  the decision carries, once checked as a synced content is (schema, a seizure's rules)
  and found made of the conflicting contents' fields (`decisions.invented`);
- handover: `handover.move` (decided_by "device:ID"), to an inspector device of the
  same agency; the new owner is fed the decision too.
A new version synced by the owner puts the record back to review state "pending"
(`service._apply`): a decision is about one version.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync import decisions, facts, protocol
from sync.protocol import ProtocolError
from sync.server import handover, records_feed, service, validation
from sync.server.db import Database
from sync.server.models import (
    AttachmentRef,
    Batch,
    Conflict,
    CurrentRecord,
    Device,
    RecordVersion,
    ServerDecision,
    utcnow,
)

MAX_DECISION_BYTES = protocol.MAX_RECORD_BYTES + 64 * 1024  # a resolve may hold content


def signed_by_caller(device: Device, item: dict[str, Any], what: str) -> None:
    """A decision or bulletin names the calling device and its key (403 otherwise)."""
    if item.get("device_id") != device.id or item.get("key_id") != device.key_id:
        raise ProtocolError(f"a {what} must be signed by the device that posts it (its "
                            "device_id and key_id)", 403)


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("the request body is not JSON", 400) from None


# --- batches ---------------------------------------------------------------------------


def batch_for(db: Database, device: Device, batch_id: str) -> tuple[bytes, dict[str, str]]:
    """The raw signed body of an applied batch of the caller's agency, and its headers."""
    if not protocol.is_uuid(batch_id):
        raise ProtocolError("no such batch (a batch id is a UUID)", 404)
    with db.read() as session:
        row = session.get(Batch, batch_id)
        owner = session.get(Device, row.device_id) if row is not None else None
    if row is None or owner is None:
        raise ProtocolError("no such batch", 404)
    if owner.agency != device.agency:
        raise ProtocolError("this batch belongs to another agency", 403)
    if row.status != protocol.APPLIED:
        raise ProtocolError("this batch waits for earlier batches of its device; it is "
                            "in the feed once applied", 409)
    return row.body, {"X-Signature": row.signature, "X-Key-Id": owner.key_id,
                      "X-Device-Id": row.device_id, "X-Seq": str(row.seq)}


# --- decisions -------------------------------------------------------------------------


def post_decision(db: Database, device: Device, envelope: Any) -> dict[str, Any]:
    """Verify, store and apply a signed decision; its receipt (the stored one again)."""
    if not isinstance(envelope, dict) or set(envelope) != {"decision", "signature"}:
        raise ProtocolError("a signed decision is {decision, signature}", 422)
    decision = decisions.check(envelope["decision"])
    signed_by_caller(device, decision, "decision")
    decisions.verify(protocol.load_public_key(device.public_key), envelope)
    text = protocol.dumps(envelope)
    sha = protocol.sha256_hex(text.encode("utf-8"))
    kind, record_id, action = decision["kind"], decision["record_id"], decision["action"]

    def do(session: Session) -> dict[str, Any]:
        known = session.get(ServerDecision, decision["id"])
        if known is not None:
            if known.envelope_sha256 != sha:
                raise ProtocolError("this decision id was already used for another "
                                    "decision", 409)
            return json.loads(known.receipt)
        cur = session.get(CurrentRecord, (kind, record_id), with_for_update=True)
        if cur is None:
            raise ProtocolError(f"no such record on the server ({kind} {record_id})", 404)
        owner = session.get(Device, cur.owner_device_id)
        agency = owner.agency if owner is not None else None
        if agency != device.agency:
            raise ProtocolError("this record belongs to another agency", 403)
        now = utcnow()
        audience = {cur.owner_device_id, service.supervisors_of(agency)}
        if action in decisions.STATE_AFTER:
            if (decision["version"], decision["sha256"]) != (cur.version, cur.content_sha256):
                raise ProtocolError(f"stale decision: the server holds version {cur.version} "
                                    f"of this record (content {cur.content_sha256[:12]}), not "
                                    f"version {decision['version']} "
                                    f"({decision['sha256'][:12]})", 409)
            cur.review_state = decisions.STATE_AFTER[action]
        elif action == "resolve":  # the devices whose versions conflicted receive it too
            audience |= _resolve(session, cur, decision, device, now)
        else:  # handover
            handover.move(session, kind, record_id, decision["to_device_id"],
                          reason=decision["text"], decided_by=f"device:{device.id}",
                          agency=device.agency)
            audience.add(decision["to_device_id"])
        receipt = {"id": decision["id"], "status": "stored", "action": action, "kind": kind,
                   "record_id": record_id, "review_state": cur.review_state,
                   "version": cur.version, "sha256": cur.content_sha256,
                   "owner_device_id": cur.owner_device_id}
        session.add(ServerDecision(
            id=decision["id"], kind=kind, record_id=record_id, version=decision["version"],
            action=action, by=decision["by"], decided_at=decision["decided_at"],
            device_id=device.id, envelope=text, envelope_sha256=sha,
            receipt=protocol.dumps(receipt), received_at=now))
        session.flush()  # a decision id stored twice fails here (retried: the same answer)
        for who in sorted(audience):
            service.add_feed(session, who, "decision", envelope)
        return receipt

    return service._retrying(db, do)


def _resolve(session: Session, cur: CurrentRecord, decision: dict[str, Any], device: Device,
             now) -> set[str]:
    """Settle a record's open conflicts by the chosen content (see the module's doc); the
    devices whose versions conflicted."""
    open_ = session.scalars(select(Conflict).where(
        Conflict.kind == cur.kind, Conflict.record_id == cur.record_id,
        Conflict.resolved_at.is_(None)).order_by(Conflict.pk)).all()
    if not open_:
        raise ProtocolError("this record has no unresolved conflict", 409)
    chosen = (decision["chosen_version"], decision["chosen_sha256"])
    if "content" in decision or chosen != (cur.version, cur.content_sha256):
        if "content" in decision:  # a new content made of the sides' values
            content, authors = _merged(session, cur, decision, open_)
        else:
            conflict = next((c for c in open_ if (c.version, c.content_sha256) == chosen),
                            None)
            if conflict is None:
                raise ProtocolError("the chosen content is neither the record's current "
                                    "one nor one of its unresolved conflicts", 422)
            content = json.loads(conflict.content)
            authors = [(content, conflict.device_id)]
        version = cur.version + 1
        if isinstance(content, dict) and "version" in content:
            content["version"] = version
        text = protocol.dumps(content)
        sha = protocol.sha256_hex(text.encode("utf-8"))
        session.add(RecordVersion(kind=cur.kind, record_id=cur.record_id, version=version,
                                  base_version=cur.version, content=text, content_sha256=sha,
                                  device_id=device.id, batch_id=decision["id"],
                                  received_at=now))
        attachments = content.get("attachments") if isinstance(content, dict) else None
        # the device that sent the blobs: the one whose side the attachments come from
        author = next((d for side, d in authors if side.get("attachments") == attachments),
                      authors[0][1])
        refs = [{"kind": cur.kind, "record_id": cur.record_id, "sha256": a["sha256"],
                 "device_id": author}
                for a in (attachments or ())
                if isinstance(a, dict) and isinstance(a.get("sha256"), str)
                and protocol.SHA_RE.match(a["sha256"])]
        service._insert_ignore(session, AttachmentRef, refs)
        cur.version, cur.content_sha256, cur.updated_at = version, sha, now
        cur.state = facts.state_of(cur.kind, content)
        cur.result = facts.result_of(cur.kind, content)
        cur.review_state = "pending"
    for c in open_:
        c.resolved_at = now
    conflicted = {c.device_id for c in open_}
    # The owner and those devices then hold the version now current (records_feed).
    records_feed.feed_current(session, cur.kind, cur.record_id,
                              conflicted | {cur.owner_device_id})
    return conflicted


def _merged(session: Session, cur: CurrentRecord, decision: dict[str, Any],
            open_: list[Conflict]) -> tuple[dict[str, Any], list[tuple[dict, str]]]:
    """The new content of a resolve, if the server would take it: decided on the current
    version, each field one side's (current or conflicting), valid for its kind and,
    for a seizure, within the rules (422 saying why otherwise); with each side's device."""
    if (decision["version"], decision["sha256"]) != (cur.version, cur.content_sha256):
        raise ProtocolError(f"stale resolve: its new content was made from version "
                            f"{decision['version']} ({decision['sha256'][:12]}), the server "
                            f"holds version {cur.version} ({cur.content_sha256[:12]})", 409)
    current = session.scalars(select(RecordVersion).where(
        RecordVersion.kind == cur.kind, RecordVersion.record_id == cur.record_id,
        RecordVersion.version == cur.version,
        RecordVersion.content_sha256 == cur.content_sha256)).first()
    authors = [(json.loads(current.content), current.device_id)] if current else []
    authors += [(json.loads(c.content), c.device_id) for c in open_]
    content = dict(decision["content"])
    foreign = decisions.invented(content, [side for side, _device in authors])
    if foreign:
        raise ProtocolError("the resolve's content must take each field from one of the "
                            "contents in conflict; these fields are none of theirs: "
                            + ", ".join(foreign), 422)
    try:
        validation.check_record(0, cur.kind, content)
    except ProtocolError as exc:
        raise ProtocolError(f"the resolve's content is not a valid {cur.kind}: "
                            f"{exc.message}", 422) from None
    keys = dict(session.execute(select(Device.key_id, Device.public_key)).all())
    problems = validation.rule_problems(cur.kind, content, keys)
    if problems:
        raise ProtocolError("the resolve's content breaks the rules of a seizure: "
                            + "; ".join(problems), 422)
    return content, authors


def list_decisions(db: Database, kind: str, record_id: str) -> list[dict[str, Any]]:
    """The signed decisions on a record, oldest first."""
    with db.read() as session:
        rows = session.scalars(select(ServerDecision.envelope).where(
            ServerDecision.kind == kind, ServerDecision.record_id == record_id)
            .order_by(ServerDecision.received_at, ServerDecision.id)).all()
    return [json.loads(r) for r in rows]


# --- counts ----------------------------------------------------------------------------


def stats(db: Database) -> dict[str, Any]:
    """Records held now: by kind, by kind and state, checks by result, by review state,
    and the unresolved conflicts (what a supervisor's dashboard reconciles with)."""
    with db.read() as session:
        by_state = session.execute(select(CurrentRecord.kind, CurrentRecord.state, func.count())
                                   .group_by(CurrentRecord.kind, CurrentRecord.state)).all()
        by_result = session.execute(
            select(CurrentRecord.kind, CurrentRecord.result, func.count())
            .where(CurrentRecord.result != "")
            .group_by(CurrentRecord.kind, CurrentRecord.result)).all()
        by_review = dict(session.execute(
            select(CurrentRecord.review_state, func.count())
            .group_by(CurrentRecord.review_state)).all())
        conflicts = session.scalar(select(func.count()).select_from(Conflict)
                                   .where(Conflict.resolved_at.is_(None)))
    records = {kind: 0 for kind in service.MAIN_KINDS}
    states: dict[str, dict[str, int]] = {kind: {} for kind in service.MAIN_KINDS}
    for kind, state, n in by_state:
        records[kind] = records.get(kind, 0) + n
        states.setdefault(kind, {})[state] = n
    results: dict[str, dict[str, int]] = {}
    for kind, result, n in by_result:
        results.setdefault(kind, {})[result] = n
    review = {state: by_review.get(state, 0) for state in decisions.REVIEW_STATES}
    return {"records": records, "states": states, "results": results,
            "review": review | by_review, "open_conflicts": conflicts or 0}
