"""Import signed batches of the agency's devices into a supervisor's store.

Batches come from the server's pull feed (`GET /v1/batches/{id}`) or from batch files
carried on USB (`inspector import-batches`, `agency.files`). Each is checked as the server
checks it, with the same functions: the signing device's key must be known here
(`KnownKey`, from the pull feed) and not revoked, the signature must verify on the
compressed bytes (`protocol.verify_batch_signature`) and the body must decode
(`protocol.decode_batch`: bounds, canonical content, every record's sha256), every version
being its base + 1. A batch failing any of these is refused whole, with its reason.

A verified batch is kept as signed (`AgencyBatch`), every version it carries as a row
naming its place in the batch (`AgencyVersion`, its content read from the batch by
`agency.contents`); then each version decides the record's current one (`AgencyRecord`),
in order:
- a record not held yet is new; its owner is the device that wrote it;
- a version whose base is the current version, from the record's owner (the creating
  device, or the one a handover decision gave it), becomes current; a record returned by
  a supervisor and corrected by its owner so goes back to ``pending``;
- the same version with the same content is a duplicate (nothing changes);
- anything else is kept as a conflict (`AgencyConflict`: ``same_version`` other content
  under the current version, ``stale_base`` a base below it, ``unknown_base`` above it,
  ``not_owner`` a device that does not own the record), overwriting nothing, until a
  signed ``resolve`` decision settles it.

Decisions that came before their record (a pull brings them as they are made) are applied
to it once it is imported, in the order they were made; a review of a version not held
yet, once that version becomes current.

It streams: batches are read one at a time from any iterable, and written in bulk, one
transaction per few thousand records. A batch is always written whole, in one
transaction, so a cancel (checked between transactions) leaves no half batch. A batch
held already (same id, or same device sequence number) is a duplicate: the same import
twice changes nothing.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from inspector_app.core.agency import facts as facts_mod
from inspector_app.core.i18n import _
from inspector_app.core.models import (
    AgencyBatch,
    AgencyConflict,
    AgencyRecord,
    AgencyVersion,
    Decision,
    KnownKey,
)
from inspector_app.core.store import Store, utcnow
from sync import decisions, protocol, versions
from sync.protocol import ProtocolError

log = logging.getLogger(__name__)

CHUNK_RECORDS = 5000  # records written in one transaction (whole batches)
IN_CHUNK = 500  # ids in one SQL IN list
SOURCES = ("server", "file")

SAME_VERSION, STALE_BASE, UNKNOWN_BASE, NOT_OWNER = (
    "same_version", "stale_base", "unknown_base", "not_owner")


class Incoming(NamedTuple):
    """One signed batch to import (`batch_id`: the id a file's manifest gives it, to name
    it when it is refused before its body is read)."""

    body: bytes
    signature: str
    key_id: str
    source: str = "server"
    batch_id: str = ""


@dataclass
class Summary:
    new: int = 0  # records not held before
    updated: int = 0  # records whose current version moved
    conflicts: int = 0  # versions kept as conflicts
    duplicates: int = 0  # versions held already (a batch imported again, a resend)
    refused: list[dict[str, str]] = field(default_factory=list)  # {batch_id, reason}
    batches: int = 0  # batches imported now
    duplicate_batches: int = 0
    records: int = 0  # record versions stored now
    cancelled: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"new": self.new, "updated": self.updated, "conflicts": self.conflicts,
                "duplicates": self.duplicates, "refused": list(self.refused),
                "batches": self.batches, "duplicate_batches": self.duplicate_batches,
                "records": self.records, "cancelled": self.cancelled}

    def text(self) -> str:
        """One sentence for the user (the CLI and the Sync page)."""
        return _("Imported {batches} batches: {new} new records, {updated} updated, "
                 "{conflicts} conflicts, {duplicates} already held, {refused} batches "
                 "refused.").format(batches=self.batches, new=self.new, updated=self.updated,
                                    conflicts=self.conflicts, duplicates=self.duplicates,
                                    refused=len(self.refused))

    def refused_lines(self) -> list[str]:
        return [_("Refused batch {batch}: {reason}").format(batch=r["batch_id"] or "-",
                                                            reason=r["reason"])
                for r in self.refused]

    def add(self, other: Summary) -> None:
        for name in ("new", "updated", "conflicts", "duplicates", "batches",
                     "duplicate_batches", "records"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refused += other.refused
        self.cancelled = self.cancelled or other.cancelled


@dataclass
class _Key:
    public: Any
    device_id: str
    inspector: str
    revoked_at: datetime | None


@dataclass
class _Verified:
    batch: protocol.Batch
    body: bytes
    body_sha256: str
    signature: str
    source: str
    inspector: str  # of the signing key


@dataclass
class _Current:
    """What the store holds of one record while a chunk is written."""

    version: int
    sha: str
    owner: str
    review_state: str
    conflicts: int
    device_id: str = ""
    facts: dict[str, Any] | None = None  # set when this chunk moved it ({}: conflicts only)
    new: bool = False
    moved: bool = False


def _load_keys(store: Store) -> dict[str, _Key]:
    with store.read() as session:
        rows = session.execute(select(KnownKey.key_id, KnownKey.public_key,
                                      KnownKey.device_id, KnownKey.inspector,
                                      KnownKey.revoked_at)).all()
    keys = {}
    for key_id, public, device, inspector, revoked in rows:
        try:
            keys[key_id] = _Key(protocol.load_public_key(public), device, inspector or "",
                                revoked)
        except ProtocolError:
            log.error("known key %s is not a valid public key; its batches are refused", key_id)
    return keys


def _refuse(summary: Summary, batch_id: str, reason: str, device_id: str = "") -> None:
    summary.refused.append({"batch_id": batch_id, "device_id": device_id, "reason": reason})
    log.warning("batch %s refused: %s", batch_id or "(unread)", reason)


def _verify(item: Incoming, keys: dict[str, _Key], summary: Summary) -> _Verified | None:
    """The batch decoded, if it verifies as the server would verify it; else refused."""
    known = keys.get(item.key_id)
    if known is None:
        _refuse(summary, item.batch_id, _("unknown device key {key}: this store knows no "
                                          "device with it (sync first to learn the "
                                          "agency's keys)").format(key=item.key_id or "-"))
        return None
    who = known.inspector or known.device_id
    if known.revoked_at is not None and item.source != "server":
        # The server refuses a revoked device's batches, so what it applied was sent
        # before the revocation; a file may have been written after it.
        _refuse(summary, item.batch_id, _("the device {device} ({who}) was revoked on "
                                          "{day}; its batch files are no longer accepted")
                .format(device=known.device_id, who=who,
                        day=known.revoked_at.date().isoformat()), known.device_id)
        return None
    try:
        if len(item.body) > protocol.MAX_BODY_BYTES:
            raise ProtocolError("the batch is larger than allowed", 413)
        protocol.verify_batch_signature(known.public, item.signature, item.body)
        batch = protocol.decode_batch(item.body)
    except ProtocolError as exc:
        _refuse(summary, item.batch_id, _("the batch of device {device} ({who}) does not "
                                          "verify: {reason}").format(
            device=known.device_id, who=who, reason=exc.message), known.device_id)
        return None
    if batch.key_id != item.key_id or batch.device_id != known.device_id:
        _refuse(summary, batch.batch_id, _("the batch names another device or key than the "
                                           "one that signed it"), known.device_id)
        return None
    if item.batch_id and item.batch_id != batch.batch_id:
        _refuse(summary, item.batch_id, _("the batch does not match its manifest entry"),
                known.device_id)
        return None
    bad = [r for r in batch.records if not versions.is_next(r.base, r.version)]
    if bad:
        _refuse(summary, batch.batch_id, _("record {kind} {id} version {version}: a new "
                                           "version must be its base + 1").format(
            kind=bad[0].kind, id=bad[0].id, version=bad[0].version), known.device_id)
        return None
    return _Verified(batch, item.body, protocol.sha256_hex(item.body), item.signature,
                     item.source if item.source in SOURCES else "server", known.inspector)


def import_batches(store: Store, batches: Iterable[Incoming | tuple], *,
                   progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None, total: int = 0,
                   chunk_records: int = CHUNK_RECORDS) -> Summary:
    """Verify and import `batches` ((body, signature, key_id, source) each); see the module.

    `progress(done, total)` counts batches read (`total`: how many, when known).
    `cancelled()` is asked between transactions: what was written stays, whole.
    Batches are read and verified in a helper thread, a few ahead of the transaction that
    writes them."""
    keys = _load_keys(store)
    summary = Summary()
    pending: list[_Verified] = []
    size = done = 0
    stream = _verified(batches, keys)
    try:
        for verified, refused in stream:
            if cancelled is not None and cancelled():
                summary.cancelled = True
                return summary
            summary.refused += refused
            done += 1
            if verified is not None:
                pending.append(verified)
                size += len(verified.batch.records)
            if size >= chunk_records:
                _write(store, pending, summary)
                pending, size = [], 0
                if progress:
                    progress(done, total)
        if pending:
            if cancelled is not None and cancelled():
                summary.cancelled = True
                return summary
            _write(store, pending, summary)
    finally:
        stream.close()
    if progress:
        progress(done, total or done)
    return summary


AHEAD = 4  # batches verified ahead of the writer


def _verified(batches: Iterable, keys: dict[str, _Key]):
    """(verified batch or None, its refusals) for each of `batches`, made in a thread."""
    out: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                out.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in batches:
                refusals = Summary()
                verified = _verify(Incoming(*item), keys, refusals)
                if not put(("item", verified, refusals.refused)):
                    return
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            put(("error", exc, None))
            return
        put(("end", None, None))

    worker = threading.Thread(target=produce, name="agency-import-verify", daemon=True)
    worker.start()
    try:
        while True:
            tag, value, refused = out.get()
            if tag == "end":
                return
            if tag == "error":
                raise value
            yield value, refused
    finally:
        stop.set()
        worker.join()


# --- one transaction ---------------------------------------------------------------------


def _chunks(items: list, n: int = IN_CHUNK):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _new_batches(session: Session, verified: list[_Verified], summary: Summary
                 ) -> list[_Verified]:
    """The batches not held yet (a held one is a duplicate; an id or sequence number used
    by other content is refused, as the server refuses a replay)."""
    by_id: dict[str, tuple[str, str, int]] = {}
    by_seq: dict[tuple[str, int], str] = {}
    for part in _chunks([v.batch.batch_id for v in verified]):
        for bid, sha, dev, seq in session.execute(
                select(AgencyBatch.id, AgencyBatch.body_sha256, AgencyBatch.device_id,
                       AgencyBatch.seq).where(AgencyBatch.id.in_(part))):
            by_id[bid] = (sha, dev, seq)
            by_seq[(dev, seq)] = bid
    for part in _chunks([(v.batch.device_id, v.batch.seq) for v in verified]):
        for bid, dev, seq in session.execute(
                select(AgencyBatch.id, AgencyBatch.device_id, AgencyBatch.seq).where(
                    tuple_(AgencyBatch.device_id, AgencyBatch.seq).in_(part))):
            by_seq[(dev, seq)] = bid
    fresh = []
    for v in verified:
        b = v.batch
        held = by_id.get(b.batch_id)
        if held is not None:
            if held[0] == v.body_sha256:
                summary.duplicate_batches += 1
                summary.duplicates += len(b.records)
            else:
                _refuse(summary, b.batch_id, _("this batch id was already used for other "
                                               "content"), b.device_id)
            continue
        other = by_seq.get((b.device_id, b.seq))
        if other is not None:
            _refuse(summary, b.batch_id, _("sequence number {seq} of device {device} was "
                                           "already used by another batch (a replay or a "
                                           "forged batch)").format(seq=b.seq,
                                                                   device=b.device_id),
                    b.device_id)
            continue
        by_id[b.batch_id] = (v.body_sha256, b.device_id, b.seq)
        by_seq[(b.device_id, b.seq)] = b.batch_id
        fresh.append(v)
    return fresh


def _load_state(session: Session, keys: set[tuple[str, str]]
                ) -> tuple[dict[tuple[str, str], _Current], dict[tuple[str, str, int], set[str]]]:
    current: dict[tuple[str, str], _Current] = {}
    held: dict[tuple[str, str, int], set[str]] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, rid in keys:
        by_kind.setdefault(kind, []).append(rid)
    for kind, ids in by_kind.items():
        for part in _chunks(sorted(ids)):
            for rid, version, sha, owner, review, conflicts, device in session.execute(
                    select(AgencyRecord.record_id, AgencyRecord.version,
                           AgencyRecord.content_sha256, AgencyRecord.owner_device_id,
                           AgencyRecord.review_state, AgencyRecord.conflicts,
                           AgencyRecord.device_id).where(
                        AgencyRecord.kind == kind, AgencyRecord.record_id.in_(part))):
                current[(kind, rid)] = _Current(version, sha, owner, review, conflicts, device)
            for rid, version, sha in session.execute(
                    select(AgencyVersion.record_id, AgencyVersion.version,
                           AgencyVersion.content_sha256).where(
                        AgencyVersion.kind == kind, AgencyVersion.record_id.in_(part))):
                held.setdefault((kind, rid, version), set()).add(sha)
    return current, held


def load_names(session: Session, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Names of the agency's named records (markets, inspectors, workstations)."""
    names: dict[tuple[str, str], str] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, rid in wanted:
        if rid:
            by_kind.setdefault(kind, []).append(rid)
    for kind, ids in by_kind.items():
        for part in _chunks(sorted(ids)):
            for rid, title in session.execute(
                    select(AgencyRecord.record_id, AgencyRecord.title).where(
                        AgencyRecord.kind == kind, AgencyRecord.record_id.in_(part))):
                names[(kind, rid)] = title
    return names


def _wanted_names(verified: list[_Verified]) -> set[tuple[str, str]]:
    wanted = set()
    for v in verified:
        for r in v.batch.records:
            c = r.content
            for kind, field_ in (("market", "market_id"), ("inspector", "author_id"),
                                 ("workstation", "workstation_id")):
                value = c.get(field_)
                if isinstance(value, str) and value:
                    wanted.add((kind, value))
    return wanted


def _write(store: Store, verified: list[_Verified], summary: Summary) -> None:
    """Write whole batches in one transaction."""
    now = utcnow()
    today = datetime.now(UTC).date()
    part = Summary()
    with store.write() as session:
        fresh = _new_batches(session, verified, part)
        if not fresh:
            summary.add(part)
            return
        keys = {(r.kind, r.id) for v in fresh for r in v.batch.records}
        current, held = _load_state(session, keys)
        names = load_names(session, _wanted_names(fresh))
        renamed: dict[tuple[str, str], str] = {}
        batch_rows, version_rows, conflict_rows = [], [], []
        for v in fresh:
            b = v.batch
            batch_rows.append({"id": b.batch_id, "device_id": b.device_id, "key_id": b.key_id,
                               "seq": b.seq, "body": v.body, "body_sha256": v.body_sha256,
                               "signature": v.signature, "records": len(b.records),
                               "source": v.source, "imported_at": now})
            for position, r in enumerate(b.records):
                key = (r.kind, r.id)
                shas = held.setdefault((r.kind, r.id, r.version), set())
                if r.sha256 in shas:
                    part.duplicates += 1
                    continue
                shas.add(r.sha256)
                version_rows.append({"kind": r.kind, "record_id": r.id, "version": r.version,
                                     "base_version": r.base, "content": None,
                                     "content_sha256": r.sha256, "device_id": b.device_id,
                                     "batch_id": b.batch_id, "position": position,
                                     "received_at": now})
                part.records += 1
                cur = current.get(key)
                reason = None
                if cur is None:
                    cur = current[key] = _Current(r.version, r.sha256, b.device_id, "pending",
                                                  0, b.device_id, new=True)
                    part.new += 1
                elif cur.owner != b.device_id:
                    reason = NOT_OWNER
                elif r.base == cur.version:
                    if not cur.new and not cur.moved:
                        part.updated += 1
                    cur.moved = True
                    cur.version, cur.sha, cur.device_id = r.version, r.sha256, b.device_id
                    if cur.review_state == "returned":
                        cur.review_state = "pending"
                elif r.version == cur.version:
                    reason = SAME_VERSION
                else:
                    reason = STALE_BASE if r.base < cur.version else UNKNOWN_BASE
                if reason is not None:
                    conflict_rows.append({
                        "kind": r.kind, "record_id": r.id, "version": r.version,
                        "content_sha256": r.sha256, "current_version": cur.version,
                        "current_sha256": cur.sha, "reason": reason,
                        "device_id": b.device_id, "batch_id": b.batch_id,
                        "created_at": now, "resolved_by": None})
                    cur.conflicts += 1
                    if cur.facts is None:
                        cur.facts = {}  # only the conflict count changes
                    part.conflicts += 1
                    continue
                cur.facts = facts_mod.extract(r.kind, r.content, names, v.inspector, today)
                if r.kind in facts_mod.NAMED:
                    title = cur.facts["title"]
                    if names.get(key) != title:
                        names[key] = renamed[key] = title
        _flush(session, batch_rows, version_rows, conflict_rows, current, now)
        _rename(session, renamed)
        _apply_waiting(session, current)
        part.batches += len(fresh)
    summary.add(part)


def _insert_many(session: Session, table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows in one executemany on the driver (the columns' own conversions
    applied, without the ORM's per-row work: most of an import's rows pass here)."""
    if not rows:
        return
    names = list(rows[0])
    dialect = session.get_bind().dialect
    procs = [table.c[n].type._cached_bind_processor(dialect) for n in names]
    marks = ", ".join("?" * len(names)) if dialect.paramstyle == "qmark" else \
        ", ".join(f"%({n})s" for n in names)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
    if dialect.paramstyle != "qmark":  # not SQLite: let SQLAlchemy do it
        session.execute(table.insert(), rows)
        return
    data = [tuple(row[n] if p is None else p(row[n]) for n, p in zip(names, procs, strict=True))
            for row in rows]
    session.connection().exec_driver_sql(sql, data)


def _flush(session: Session, batch_rows: list, version_rows: list, conflict_rows: list,
           current: dict[tuple[str, str], _Current], now: datetime) -> None:
    _insert_many(session, AgencyBatch.__table__, batch_rows)
    _insert_many(session, AgencyVersion.__table__, version_rows)
    _insert_many(session, AgencyConflict.__table__, conflict_rows)
    inserts, moves, counts = [], [], []
    for (kind, rid), cur in current.items():
        if cur.facts is None:
            continue
        if cur.new:
            inserts.append({"kind": kind, "record_id": rid, "version": cur.version,
                            "content_sha256": cur.sha, "device_id": cur.device_id,
                            "owner_device_id": cur.owner, "review_state": cur.review_state,
                            "conflicts": cur.conflicts, "updated_at": now, **cur.facts})
        elif cur.facts:
            moves.append({"k": kind, "rid": rid, "version": cur.version,
                          "content_sha256": cur.sha, "device_id": cur.device_id,
                          "review_state": cur.review_state, "conflicts": cur.conflicts,
                          "updated_at": now, **cur.facts})
        else:
            counts.append({"k": kind, "rid": rid, "conflicts": cur.conflicts})
    table = AgencyRecord.__table__
    _insert_many(session, table, inserts)
    where = (table.c.kind == _bp("k")) & (table.c.record_id == _bp("rid"))
    if moves:
        names = ["version", "content_sha256", "device_id", "review_state", "conflicts",
                 "updated_at", *facts_mod.FACT_FIELDS]
        session.connection().execute(
            table.update().where(where).values({n: _bp(n) for n in names}), moves)
    if counts:
        session.connection().execute(
            table.update().where(where).values(conflicts=_bp("conflicts")), counts)


def _apply_waiting(session: Session, current: dict[tuple[str, str], _Current]) -> None:
    """Apply the decisions received before what they decide on (stored, not applied then:
    see incoming.apply_to_record), oldest first: all of them to a record new in this
    transaction; to a record that moved, the reviews of the version it moved to."""
    from inspector_app.core.agency.incoming import apply_to_record  # it imports this module

    touched = {key: cur for key, cur in current.items() if cur.new or cur.moved}
    if not touched or session.scalar(select(Decision.id).limit(1)) is None:
        return
    by_kind: dict[str, list[str]] = {}
    for kind, rid in touched:
        by_kind.setdefault(kind, []).append(rid)
    waiting: list[Decision] = []
    for kind, ids in by_kind.items():
        for part in _chunks(ids):
            waiting += session.scalars(select(Decision).where(
                Decision.kind == kind, Decision.record_id.in_(part)))
    for row in sorted(waiting, key=lambda d: (d.decided_at, d.id)):
        cur = touched[(row.kind, row.record_id)]
        if cur.new or (row.action in decisions.STATE_AFTER and row.version == cur.version):
            apply_to_record(session, json.loads(row.body))


def _bp(name: str):
    from sqlalchemy import bindparam

    return bindparam(name)


def _rename(session: Session, renamed: dict[tuple[str, str], str]) -> None:
    """Records imported before the market (or inspector) they name get its name."""
    for (kind, rid), name in renamed.items():
        if kind == "market":
            session.execute(update(AgencyRecord).where(
                AgencyRecord.market_id == rid, AgencyRecord.market != name)
                .values(market=name[:128]).execution_options(synchronize_session=False))
        elif kind == "inspector" and name:
            session.execute(update(AgencyRecord).where(
                AgencyRecord.author_id == rid, AgencyRecord.inspector != name,
                AgencyRecord.kind.in_(facts_mod.MAIN_KINDS))
                .values(inspector=name[:64]).execution_options(synchronize_session=False))
