"""What the server does, free of HTTP: enrolment, batch ingest, the pull feed, admin tasks.

Both the FastAPI app and the `inspector-server` command line call these functions, so a
batch file imported on the command line goes through exactly the checks of an upload.

Ingest rules (ODK Central's instanceID/deprecatedID, Kinto's If-Match):
- the same batch again (same id, same bytes) returns its stored receipt and changes nothing;
- a batch applies only in its device's sequence order; one after a gap waits (stored, not
  applied) until the gap fills, and its receipt says which sequence numbers are missing;
  once the gap fills, each request applies a bounded number of the waiting batches, one
  transaction each, so a long catch-up never holds the database for other devices;
- the version rule is `sync.versions`: a version is exactly base + 1; one on the agency's
  current version applies; the same version with the same content is a no-op; other
  content under a version already stored, or a base the server never saw, is a conflict:
  kept for a supervisor, overwriting nothing;
- a device writes only the records it created or that a recorded handover gave it
  (`sync.server.handover`); a batch with a version that is not base + 1, or with another
  device's record, is refused whole (4xx, nothing stored, each such record named). A
  version of a record this device handed over (made before it learnt of the handover) is
  kept as a conflict, so that the device's later batches still apply.
Uniqueness is enforced by the database (constraints, compare-and-set updates); a
transaction that loses a race is rolled back and retried as a whole.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from sync import facts, protocol, versions
from sync.protocol import ProtocolError
from sync.server import limits, validation
from sync.server.db import Database
from sync.server.models import (
    ROLES,
    AttachmentRef,
    Batch,
    Blob,
    Conflict,
    CurrentRecord,
    Device,
    Enrolment,
    FeedEntry,
    Handover,
    RecordVersion,
    ReferenceItem,
    ServerSetting,
    utcnow,
)

log = logging.getLogger("inspector_server")

MAIN_KINDS = ("check", "seizure", "worklog")
ENROL_CODE_DAYS = 7
ENROL_WINDOW = timedelta(minutes=10)
RETRIES = 5
CATCH_UP_BATCHES = 10  # waiting batches one request applies after its own, one at a time
NOT_OWNER = "not_owner"  # refused (or, in a batch that waited, a conflict)
HANDED_OVER = "handed_over"  # conflict: a version of a record this device handed over
SUPERVISOR_BATCH = ("a supervisor's device does not create records: its batches are "
                    "refused (records are made on an inspector's device; a supervisor "
                    "posts decisions)")


class Transient(Exception):
    """The database was busy; the client should retry (HTTP 503)."""


def secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _insert_ignore(session: Session, model, rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING (the database decides, never a prior check)."""
    if not rows:
        return
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).on_conflict_do_nothing(), rows)


def _retrying(db: Database, fn):
    """Run `fn(session)` in a write transaction, again if it loses a race."""
    for attempt in range(RETRIES):
        try:
            with db.write() as session:
                return fn(session)
        except _Retry:
            continue
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise Transient("too many concurrent writers") from None
            continue
        except OperationalError as exc:  # SQLite busy, PostgreSQL serialization/deadlock
            log.warning("transient database error: %s", type(exc.orig).__name__)
            if attempt == RETRIES - 1:
                raise Transient("the database is busy") from None
    raise Transient("too many concurrent writers")


class _Retry(Exception):
    pass


# --- settings and the feed --------------------------------------------------------------


def get_setting(session: Session, key: str, default: str = "") -> str:
    row = session.get(ServerSetting, key)
    return row.value if row else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(ServerSetting, key)
    if row:
        row.value = value
    else:
        session.add(ServerSetting(key=key, value=value))


def server_secret(db: Database) -> str:
    """A random secret of this installation (for hashing client addresses)."""
    with db.read() as session:
        value = get_setting(session, "secret")
    if value:
        return value
    candidate = secrets.token_hex(32)
    with db.write() as session:
        _insert_ignore(session, ServerSetting, [{"key": "secret", "value": candidate}])
    with db.read() as session:
        return get_setting(session, "secret")


def supervisors_of(agency: str) -> str:
    """The feed audience of an agency's supervisors (agency names can be long: a hash)."""
    return "sup:" + hashlib.sha256(agency.encode("utf-8")).hexdigest()[:16]


def audiences(device: Device) -> tuple[str, ...]:
    """The feed audiences a device pulls: everyone's, its own, and its agency's
    supervisors' when it is a supervisor's device."""
    if device.role == "supervisor":
        return ("*", device.id, supervisors_of(device.agency))
    return ("*", device.id)


def add_feed(session: Session, audience: str, type_: str, data: dict[str, Any]) -> None:
    """Append to the pull feed. On PostgreSQL, feed writers are serialised so that `seq`
    order is commit order and a reader's cursor never skips a late commit."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text("LOCK TABLE feed IN EXCLUSIVE MODE"))
    session.add(FeedEntry(audience=audience, type=type_, data=protocol.dumps(data),
                          created_at=utcnow()))


# --- enrolment and authentication --------------------------------------------------------


def new_enrolment(db: Database, inspector: str, agency: str = "",
                  role: str = "inspector") -> str:
    """A one-time code for one device of `inspector` (only its hash is stored); `role`:
    an inspector's device (creates records) or a supervisor's (reviews the agency's)."""
    if role not in ROLES:
        raise ProtocolError(f"the role must be one of {', '.join(ROLES)}", 422)
    if not inspector or len(inspector) > 128:
        raise ProtocolError("name whose device it is (at most 128 characters)", 422)
    if len(agency) > 128:
        raise ProtocolError("the agency name is at most 128 characters", 422)
    code = "-".join(secrets.token_hex(3).upper() for _ in range(4))
    now = utcnow()
    with db.write() as session:
        session.add(Enrolment(code_hash=secret_hash(code.replace("-", "")), inspector=inspector,
                              agency=agency or get_setting(session, "agency"), role=role,
                              created_at=now,
                              expires_at=now + timedelta(days=ENROL_CODE_DAYS)))
    return code


@dataclass
class Enrolled:
    device_id: str
    credential: str
    inspector: str
    agency: str
    role: str = "inspector"


def enrol(db: Database, code: str, device_id: str, public_key: str) -> Enrolled:
    if not protocol.is_uuid(device_id):
        raise ProtocolError("device_id must be a UUID", 422)
    public_b64 = protocol.public_key_b64(protocol.load_public_key(public_key))
    key_id = protocol.key_id_of(public_b64)
    code_hash = secret_hash(code.strip().replace("-", "").upper())
    credential = protocol.b64e(secrets.token_bytes(32))

    def do(session: Session) -> Enrolled:
        now = utcnow()
        enrolment = session.get(Enrolment, code_hash, with_for_update=True)
        if enrolment is None or enrolment.expires_at < now:
            raise ProtocolError("unknown or expired enrolment code", 403)
        if enrolment.used_at is not None:
            raise ProtocolError("this enrolment code was already used", 403)
        existing = session.get(Device, device_id)
        if existing is not None:
            raise ProtocolError("this device is already enrolled; ask for its revocation "
                                "and enrol it again with a new device id", 409)
        # A conditional update: of two devices racing for one code, only one wins.
        won = session.execute(
            Enrolment.__table__.update()
            .where(Enrolment.code_hash == code_hash, Enrolment.used_at.is_(None))
            .values(used_at=now, device_id=device_id)).rowcount
        if won != 1:
            raise ProtocolError("this enrolment code was already used", 403)
        device = Device(id=device_id, key_id=key_id, public_key=public_b64,
                        inspector=enrolment.inspector, agency=enrolment.agency,
                        role=enrolment.role, credential_hash=secret_hash(credential),
                        enrolled_at=now, applied_seq=0)
        session.add(device)
        session.flush()  # a key enrolled twice fails here, on the unique key_id
        add_feed(session, "*", "device_key", _key_entry(device))
        return Enrolled(device_id, credential, enrolment.inspector, enrolment.agency,
                        enrolment.role)

    try:
        result = _retrying(db, do)
    except Transient:
        raise ProtocolError("this device key is already enrolled", 409) from None
    log.info("device %s enrolled (key %s)", device_id, key_id)
    return result


def _key_entry(device: Device) -> dict[str, Any]:
    return {"key_id": device.key_id, "public_key": device.public_key, "device_id": device.id,
            "agency": device.agency, "inspector": device.inspector, "role": device.role,
            "revoked_at": protocol_time(device.revoked_at) if device.revoked_at else None}


def protocol_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def authenticate(db: Database, device_id: str | None, credential: str | None) -> Device:
    """The active device these credentials belong to (401 unknown, 403 revoked)."""
    if not device_id or not credential or not protocol.is_uuid(device_id):
        raise ProtocolError("device credentials are missing or malformed", 401)
    with db.read() as session:
        device = session.get(Device, device_id)
    if device is None or not hmac.compare_digest(device.credential_hash,
                                                 secret_hash(credential)):
        raise ProtocolError("unknown device or wrong credential", 401)
    if device.revoked_at is not None:
        raise ProtocolError("this device was revoked", 403)
    return device


def revoke(db: Database, device_id: str) -> bool:
    with db.write() as session:
        device = session.get(Device, device_id, with_for_update=True)
        if device is None:
            return False
        if device.revoked_at is None:
            device.revoked_at = utcnow()
            add_feed(session, "*", "device_key", _key_entry(device))
    log.info("device %s revoked", device_id)
    return True


# --- ingest ---------------------------------------------------------------------------


def _load_device(session: Session, device_id: str, key_id: str, lock: bool) -> Device:
    device = session.get(Device, device_id, with_for_update=lock)
    if device is None:
        raise ProtocolError("unknown device", 401)
    if device.revoked_at is not None:
        raise ProtocolError("this device was revoked", 403)
    if device.key_id != key_id:
        raise ProtocolError("the batch names another key than the device's", 401)
    return device


class Refused(ProtocolError):
    """A batch refused whole, naming each record that may not be written and why."""

    def __init__(self, refused: list[dict[str, Any]], status: int):
        first = refused[0]
        more = f" ({len(refused) - 1} more records refused)" if len(refused) > 1 else ""
        super().__init__(f"record {first['position']} ({first['kind']} {first['id']} version "
                         f"{first['version']}): {REFUSALS[first['reason']]}{more}; nothing of "
                         "this batch was stored", status)
        self.refused = refused


BREAKS_RULES = "breaks_rules"
REFUSALS = {
    versions.Verdict.NOT_NEXT: "a new version must be its base + 1",
    BREAKS_RULES: "it breaks the rules the app enforces (see its problems)",
    NOT_OWNER: "it belongs to another device; a device writes only the records it created "
               "or that were handed to it",
}


def _refusal(position: int, r: protocol.Record, reason: str) -> dict[str, Any]:
    return {"position": position, "kind": r.kind, "id": r.id, "version": r.version,
            "base": r.base, "reason": reason}


def _check_rules(session: Session, batch: protocol.Batch) -> None:
    """Refuse (422) a batch holding a record that breaks the app's rules, each such record
    named with its problems."""
    if not any(r.kind in validation.RULED_KINDS for r in batch.records):
        return
    keys = dict(session.execute(select(Device.key_id, Device.public_key)).all()) if any(
        r.kind == "seizure" for r in batch.records) else {}
    refused = []
    for position, r in enumerate(batch.records):
        problems = validation.rule_problems(r.kind, r.content, keys)
        if problems:
            refused.append(_refusal(position, r, BREAKS_RULES)
                           | {"number": r.content.get("number") or "", "problems": problems})
    if refused:
        raise Refused(refused, 422)


def _check_next(batch: protocol.Batch) -> None:
    """Every version is its base + 1 (checked before anything is stored)."""
    refused = [_refusal(n, r, versions.Verdict.NOT_NEXT) for n, r in enumerate(batch.records)
               if not versions.is_next(r.base, r.version)]
    if refused:
        raise Refused(refused, 400)


def ingest(db: Database, body: bytes, signature: str, *, device_id: str,
           source: str = "http", quota: int = limits.DEFAULT_DEVICE_QUOTA) -> dict[str, Any]:
    """Verify and store one signed batch; return its receipt (the stored one if known).

    `device_id` is the authenticated device, or the one a batch file names. Its signature
    is checked before the body is inflated or parsed, and the parse is bounded
    (`protocol.decode_batch`, `limits.parsing`). A batch with a record its device may not
    write is refused whole (no record of it, nor the batch, is stored). After the batch, at
    most `CATCH_UP_BATCHES` batches that waited for it apply, one transaction each
    (`catch_up`)."""
    if len(body) > protocol.MAX_BODY_BYTES:
        raise ProtocolError("the batch is larger than allowed", 413)
    if not isinstance(signature, str) or not signature or len(signature) > 128:
        raise ProtocolError("the batch signature is missing", 401)
    with db.read() as session:
        signer = session.get(Device, device_id) if protocol.is_uuid(device_id) else None
    if signer is None:
        raise ProtocolError("unknown device", 401)
    if signer.role == "supervisor":
        raise ProtocolError(SUPERVISOR_BATCH, 403)
    protocol.verify_batch_signature(protocol.load_public_key(signer.public_key), signature,
                                    body)
    with limits.parsing():
        batch = protocol.decode_batch(body)
        validation.check_batch(batch)
    if batch.device_id != device_id:
        raise ProtocolError("this batch was made by another device", 403)
    body_sha = protocol.sha256_hex(body)
    cost = len(body) + sum(r.size for r in batch.records)

    def do(session: Session) -> dict[str, Any]:
        device = _load_device(session, batch.device_id, batch.key_id, lock=True)
        device.last_seen_at = utcnow()
        known = session.get(Batch, batch.batch_id)
        if known is not None:
            if known.body_sha256 != body_sha or known.device_id != batch.device_id:
                raise ProtocolError("this batch id was already used for other content", 409)
            return json.loads(known.receipt)
        _check_next(batch)  # after the stored receipt: the same batch, the same answer
        _check_rules(session, batch)
        taken = session.scalar(select(Batch.id).where(Batch.device_id == batch.device_id,
                                                      Batch.seq == batch.seq))
        if taken is not None or batch.seq <= device.applied_seq:
            raise ProtocolError(f"sequence number {batch.seq} was already used by another "
                                "batch of this device (a replay or a forged batch)", 409)
        limits.check_quota(device.stored_bytes or 0, cost, quota)
        device.stored_bytes = (device.stored_bytes or 0) + cost
        now = utcnow()
        row = Batch(id=batch.batch_id, device_id=batch.device_id, seq=batch.seq, body=body,
                    body_sha256=body_sha, signature=signature, source=source,
                    records=len(batch.records), received_at=now, status=protocol.WAITING,
                    receipt="{}")
        if batch.seq != device.applied_seq + 1:
            _refuse_unowned(session, device.id, batch)
            session.add(row)
            session.flush()
            receipt = _receipt(row, protocol.WAITING, gap=[device.applied_seq + 1,
                                                           batch.seq - 1])
            row.receipt = protocol.dumps(receipt)
            return receipt
        session.add(row)
        session.flush()
        return _apply(session, device, row, batch, strict=True)

    receipt = _retrying(db, do)
    caught = catch_up(db, batch.device_id)
    if caught and receipt.get("status") == protocol.WAITING:
        with db.read() as session:
            receipt = json.loads(session.get(Batch, batch.batch_id).receipt)
    log.info("batch %s of device %s seq %d via %s: %s, %d records%s", batch.batch_id,
             batch.device_id, batch.seq, source, receipt.get("status"), len(batch.records),
             f", {caught} waiting batches applied" if caught else "")
    return receipt


def catch_up(db: Database, device_id: str, limit: int | None = None) -> int:
    """Apply up to `limit` batches of this device that wait for their turn, each in its own
    transaction, so that no request holds the database for long and no other device
    waits on this one; the next request of the device goes on. Returns how many applied."""
    limit = CATCH_UP_BATCHES if limit is None else limit

    def step(session: Session, batch_id: str, batch: protocol.Batch) -> bool:
        device = session.get(Device, device_id, with_for_update=True)
        if device is None or device.revoked_at is not None:
            return False
        nxt = session.scalar(select(Batch).where(Batch.device_id == device_id,
                                                 Batch.seq == device.applied_seq + 1))
        if nxt is None or nxt.id != batch_id or nxt.status != protocol.WAITING:
            return False  # another request applied it first
        _apply(session, device, nxt, batch, strict=False)
        return True

    done = 0
    while done < limit:
        # Decoded before the write transaction: the database is held only to apply.
        with db.read() as session:
            device = session.get(Device, device_id)
            nxt = None if device is None else session.execute(
                select(Batch.id, Batch.body, Batch.status).where(
                    Batch.device_id == device_id, Batch.seq == device.applied_seq + 1)).first()
        if nxt is None or nxt.status != protocol.WAITING:
            break
        batch = protocol.decode_batch(nxt.body)
        if not _retrying(db, lambda s, i=nxt.id, b=batch: step(s, i, b)):
            break
        done += 1
    return done


def _receipt(row: Batch, status: str, **extra: Any) -> dict[str, Any]:
    return {"batch_id": row.id, "device_id": row.device_id, "seq": row.seq, "status": status,
            "records": row.records, "body_sha256": row.body_sha256,
            "received_at": protocol_time(row.received_at), **extra}


@dataclass
class _State:
    """What the server holds of the records a batch names."""

    current: dict[tuple[str, str], int]
    owners: dict[tuple[str, str], str]
    stored: dict[tuple[str, str, int], str]
    handed_away: set[tuple[str, str]]  # records this device held and handed over


def _load_state(session: Session, device_id: str, records: list[protocol.Record]) -> _State:
    by_kind: dict[str, set[str]] = defaultdict(set)
    for r in records:
        by_kind[r.kind].add(r.id)
    state = _State({}, {}, {}, set())
    for kind, ids in by_kind.items():
        id_list = sorted(ids)
        for i in range(0, len(id_list), 500):
            chunk = id_list[i:i + 500]
            for rid, version, owner in session.execute(
                    select(CurrentRecord.record_id, CurrentRecord.version,
                           CurrentRecord.owner_device_id).where(
                        CurrentRecord.kind == kind, CurrentRecord.record_id.in_(chunk))):
                state.current[(kind, rid)] = version
                state.owners[(kind, rid)] = owner
            for rid, version, sha in session.execute(
                    select(RecordVersion.record_id, RecordVersion.version,
                           RecordVersion.content_sha256).where(
                        RecordVersion.kind == kind, RecordVersion.record_id.in_(chunk))):
                state.stored[(kind, rid, version)] = sha
    others = sorted({key for key, owner in state.owners.items() if owner != device_id})
    for i in range(0, len(others), 500):
        chunk = set(others[i:i + 500])
        rows = session.execute(select(Handover.kind, Handover.record_id).where(
            Handover.from_device_id == device_id, Handover.kind.in_({k for k, _ in chunk}),
            Handover.record_id.in_([rid for _, rid in chunk])))
        state.handed_away.update(key for key in rows if tuple(key) in chunk)
    return state


def _refuse_unowned(session: Session, device_id: str, batch: protocol.Batch) -> None:
    """Refuse (before storing it) a batch that would write another device's record."""
    state = _load_state(session, device_id, batch.records)
    refused = [_refusal(n, r, NOT_OWNER) for n, r in enumerate(batch.records)
               if state.owners.get((r.kind, r.id), device_id) != device_id
               and (r.kind, r.id) not in state.handed_away
               and state.stored.get((r.kind, r.id, r.version)) != r.sha256]
    if refused:
        raise Refused(refused, 403)


def _apply(session: Session, device: Device, row: Batch, batch: protocol.Batch,
           strict: bool) -> dict[str, Any]:
    """Apply the records of a batch (in order) to the central tables.

    A version another device's record would take is refused (`Refused`, nothing stored)
    when `strict` (the batch's own request); when a waiting batch applies later it is kept
    as a conflict instead, like a version of a record this device handed over."""
    now = utcnow()
    state = _load_state(session, device.id, batch.records)
    current, owners, stored = state.current, state.owners, state.stored
    before = dict(current)

    new_versions, conflicts, refs, refused = [], [], [], []
    facts_of: dict[tuple[str, str], tuple[str, str]] = {}
    applied = duplicates = 0
    conflict_report = []
    for position, r in enumerate(batch.records):
        key = (r.kind, r.id)
        cur = current.get(key, 0)
        verdict = versions.for_server(r.version, r.base, cur,
                                      stored.get((r.kind, r.id, r.version)), r.sha256)
        if verdict == versions.Verdict.DUPLICATE:
            duplicates += 1
            continue
        owner = owners.get(key, device.id)
        if verdict == versions.Verdict.NOT_NEXT and strict:
            refused.append(_refusal(position, r, verdict))
            continue
        if owner != device.id:
            if key in state.handed_away:
                reason = HANDED_OVER
            elif strict:
                refused.append(_refusal(position, r, NOT_OWNER))
                continue
            else:
                reason = NOT_OWNER
        elif verdict in (versions.Verdict.CREATE, versions.Verdict.APPLY):
            new_versions.append({"kind": r.kind, "record_id": r.id, "version": r.version,
                                 "base_version": r.base,
                                 "content": r.text or protocol.dumps(r.content),
                                 "content_sha256": r.sha256, "device_id": device.id,
                                 "batch_id": row.id, "received_at": now})
            stored[(r.kind, r.id, r.version)] = r.sha256
            current[key] = r.version
            owners[key] = device.id
            facts_of[key] = (facts.state_of(r.kind, r.content), facts.result_of(r.kind, r.content))
            applied += 1
            for att in r.content.get("attachments") or ():
                sha = att.get("sha256") if isinstance(att, dict) else None
                if isinstance(sha, str) and protocol.SHA_RE.match(sha):
                    refs.append({"kind": r.kind, "record_id": r.id, "sha256": sha,
                                 "device_id": device.id})
            continue
        else:
            reason = str(verdict)
        conflicts.append({"batch_id": row.id, "position": position, "kind": r.kind,
                          "record_id": r.id, "version": r.version, "base_version": r.base,
                          "current_version": cur,
                          "content": r.text or protocol.dumps(r.content),
                          "content_sha256": r.sha256, "reason": reason, "device_id": device.id,
                          "created_at": now})
        conflict_report.append({"position": position, "kind": r.kind, "id": r.id,
                                "version": r.version, "base": r.base, "current": cur,
                                "reason": reason})
    if refused:
        raise Refused(refused, 400 if all(x["reason"] == versions.Verdict.NOT_NEXT
                                          for x in refused) else 403)

    if new_versions:
        session.execute(RecordVersion.__table__.insert(), new_versions)
    new_rows, moves = [], []
    for key, version in current.items():
        old = before.get(key, 0)
        if version == old:
            continue
        if old == 0:
            sha = stored[(key[0], key[1], version)]
            new_rows.append({"kind": key[0], "record_id": key[1], "version": version,
                             "content_sha256": sha, "owner_device_id": device.id,
                             "updated_at": now, "state": facts_of[key][0],
                             "result": facts_of[key][1], "review_state": "pending"})
        else:
            moves.append({"k": key[0], "rid": key[1], "old": old, "new": version,
                          "sha": stored[(key[0], key[1], version)], "now": now,
                          "st": facts_of[key][0], "res": facts_of[key][1]})
    if new_rows:
        session.execute(CurrentRecord.__table__.insert(), new_rows)
    if moves:
        table = CurrentRecord.__table__
        stmt = table.update().where(and_(
            table.c.kind == bindparam("k"), table.c.record_id == bindparam("rid"),
            table.c.version == bindparam("old"), table.c.owner_device_id == device.id,
        )).values(version=bindparam("new"), content_sha256=bindparam("sha"),
                  updated_at=bindparam("now"), state=bindparam("st"),
                  result=bindparam("res"),
                  # a new version is not the one decided on: it awaits review again
                  review_state="pending")
        moved = session.connection().execute(stmt, moves).rowcount
        if moved != len(moves):  # another writer (or a handover) came first: start again
            raise _Retry()
    if conflicts:
        session.execute(Conflict.__table__.insert(), conflicts)
    _insert_ignore(session, AttachmentRef, refs)

    receipt = _receipt(row, protocol.APPLIED, applied=applied, duplicates=duplicates,
                       conflicts=conflict_report)
    row.status = protocol.APPLIED
    row.applied_at = now
    row.receipt = protocol.dumps(receipt)
    device.applied_seq = row.seq
    # Last, so that PostgreSQL's feed lock (add_feed) is held only until the commit.
    add_feed(session, supervisors_of(device.agency), "batch", {
        "batch_id": row.id, "device_id": row.device_id, "seq": row.seq,
        "records": row.records, "body_sha256": row.body_sha256})
    return receipt


def import_file(db: Database, data: bytes, source: str = "file",
                limit: int = protocol.MAX_FILE_BYTES,
                quota: int = limits.DEFAULT_DEVICE_QUOTA) -> list[dict[str, Any]]:
    """Ingest every batch of a signed batch file, in sequence order."""
    with limits.parsing():
        bf = protocol.decode_file(data, limit)
    with db.read() as session:
        device = _load_device(session, bf.device_id, bf.key_id, lock=False)
    protocol.verify_file(protocol.load_public_key(device.public_key), bf)
    receipts = []
    for fb in sorted(bf.batches, key=lambda b: b.seq):
        receipt = ingest(db, fb.body, fb.signature, device_id=bf.device_id, source=source,
                         quota=quota)
        if receipt.get("batch_id") != fb.batch_id:
            raise ProtocolError("a batch of the file does not match its manifest entry")
        receipts.append(receipt)
    return receipts


def receipts_after(db: Database, device_id: str, after_seq: int, limit: int = 500
                   ) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(select(Batch.receipt).where(
            Batch.device_id == device_id, Batch.seq > after_seq).order_by(Batch.seq)
            .limit(limit)).all()
    return [json.loads(r) for r in rows]


def device_state(db: Database, device_id: str) -> dict[str, Any]:
    with db.read() as session:
        device = session.get(Device, device_id)
        waiting = session.scalars(select(Batch.seq).where(
            Batch.device_id == device_id, Batch.status == protocol.WAITING)
            .order_by(Batch.seq)).all()
    return {"device_id": device_id, "applied_seq": device.applied_seq if device else 0,
            "waiting": list(waiting),
            "gap": [device.applied_seq + 1, waiting[0] - 1] if waiting and device else None}


# --- attachments ------------------------------------------------------------------------


def known_blobs(db: Database, shas: list[str]) -> set[str]:
    with db.read() as session:
        return set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(shas))))


def add_blob(db: Database, sha: str, size: int, device_id: str | None = None) -> None:
    """Record a complete attachment; `device_id` (who stored it first) pays its quota."""
    with db.write() as session:
        _insert_ignore(session, Blob, [{"sha256": sha, "size": size, "stored_at": utcnow(),
                                        "device_id": device_id}])


def missing_for_device(db: Database, device_id: str, limit: int = 1000) -> list[str]:
    """Attachments the records of this device name that the server does not have yet."""
    with db.read() as session:
        return list(session.scalars(
            select(AttachmentRef.sha256).distinct()
            .outerjoin(Blob, Blob.sha256 == AttachmentRef.sha256)
            .where(AttachmentRef.device_id == device_id, Blob.sha256.is_(None))
            .limit(limit)))


# --- pull ------------------------------------------------------------------------------


def pull(db: Database, device: Device, since: int, limit: int) -> dict[str, Any]:
    """What is meant for this device after `since`, oldest first (`audiences`)."""
    with db.read() as session:
        rows = session.execute(
            select(FeedEntry.seq, FeedEntry.type, FeedEntry.data)
            .where(FeedEntry.audience.in_(audiences(device)), FeedEntry.seq > since)
            .order_by(FeedEntry.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"changes": [{"seq": s, "type": t, "data": json.loads(d)} for s, t, d in rows],
            "cursor": rows[-1][0] if rows else since, "more": more}


# --- admin -----------------------------------------------------------------------------


def list_devices(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        devices = session.scalars(select(Device).order_by(Device.enrolled_at)).all()
        pending = session.scalars(select(Enrolment).where(Enrolment.used_at.is_(None))
                                  .order_by(Enrolment.created_at)).all()
        waiting = dict(session.execute(
            select(Batch.device_id, func.min(Batch.seq)).where(
                Batch.status == protocol.WAITING).group_by(Batch.device_id)).all())
    out = []
    for d in devices:
        gap = [d.applied_seq + 1, waiting[d.id] - 1] if d.id in waiting else None
        out.append({"device_id": d.id, "inspector": d.inspector, "agency": d.agency,
                    "role": d.role, "key_id": d.key_id, "enrolled_at": protocol_time(d.enrolled_at),
                    "revoked_at": protocol_time(d.revoked_at) if d.revoked_at else None,
                    "applied_seq": d.applied_seq, "gap": gap,
                    "last_seen_at": protocol_time(d.last_seen_at) if d.last_seen_at else None})
    for e in pending:
        out.append({"device_id": None, "inspector": e.inspector, "agency": e.agency,
                    "role": e.role, "pending_since": protocol_time(e.created_at),
                    "expires_at": protocol_time(e.expires_at)})
    return out


def stats(db: Database) -> dict[str, int]:
    """Records held now, by kind (each record once, whatever its number of versions)."""
    with db.read() as session:
        counts = dict(session.execute(select(CurrentRecord.kind, func.count())
                                      .group_by(CurrentRecord.kind)).all())
    return {kind: counts.get(kind, 0) for kind in MAIN_KINDS} | counts


def details(db: Database) -> dict[str, Any]:
    with db.read() as session:
        return {
            "records": stats(db),
            "versions": session.scalar(select(func.count()).select_from(RecordVersion)),
            "batches": session.scalar(select(func.count()).select_from(Batch)),
            "conflicts": session.scalar(select(func.count()).select_from(Conflict)),
            "attachments": session.scalar(select(func.count()).select_from(Blob)),
            "devices": session.scalar(select(func.count()).select_from(Device)),
        }


def put_reference(db: Database, kind: str, item_id: str, content: dict[str, Any]) -> int:
    """Publish (a new version of) one reference item to every device."""
    if not protocol.KIND_RE.match(kind) or not item_id or len(item_id) > 64:
        raise ProtocolError("bad reference kind or id", 422)
    with db.write() as session:
        item = session.get(ReferenceItem, (kind, item_id), with_for_update=True)
        text_ = protocol.dumps(content)
        if item is not None and item.content == text_:
            return item.version
        if item is None:
            item = ReferenceItem(kind=kind, item_id=item_id, version=1, content=text_,
                                 updated_at=utcnow())
            session.add(item)
        else:
            item.version += 1
            item.content = text_
            item.updated_at = utcnow()
        add_feed(session, "*", "reference", {"kind": kind, "id": item_id,
                                             "version": item.version, "content": content})
        return item.version
