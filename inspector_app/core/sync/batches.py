"""Outbox entries into signed batches, acknowledgements, and batch files.

A batch is built once, in one transaction with the marks that put its outbox entries in
it, and never changes afterwards: a resend is byte-identical, so the server answers with
the same receipt. An outbox entry is acknowledged (`acked_at`) only when the server's
receipt says its batch was applied; nothing is deleted.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from inspector_app.core import device_key, settings
from inspector_app.core.models import Outbox, SyncBatch, SyncBatchEntry
from inspector_app.core.store import Store, utcnow
from sync import protocol

log = logging.getLogger(__name__)

MAX_RECORDS = 500
MAX_JSON_BYTES = 4 * 1024 * 1024  # uncompressed content of one batch, roughly

PENDING, ACKED, FAILED = "pending", "acked", "failed"

_UNBATCHED = text("""
    SELECT o.seq, o.kind, o.record_id, o.version, h.content
    FROM outbox o
    LEFT JOIN sync_batch_entries e ON e.outbox_seq = o.seq
    LEFT JOIN history h ON h.kind = o.kind AND h.record_id = o.record_id
                       AND h.version = o.version
    WHERE e.outbox_seq IS NULL AND o.acked_at IS NULL AND o.seq > :after
    ORDER BY o.seq LIMIT :limit
""")


@dataclass
class Built:
    batches: int = 0
    records: int = 0
    missing_history: int = 0


def build(store: Store, key: Ed25519PrivateKey | None = None, max_records: int = MAX_RECORDS,
          max_bytes: int = MAX_JSON_BYTES) -> Built:
    """Put every outbox entry that is in no batch yet into new signed batches."""
    key = key or device_key.load_or_create(store.data_dir)
    kid = device_key.key_id(key)
    built = Built()
    with store.write() as session:
        device = settings.device_id(session)
        seq = session.scalar(select(func.max(SyncBatch.seq))) or 0
        after = 0
        pending: list[tuple[int, protocol.Record]] = []
        size = 0
        while True:
            rows = session.execute(_UNBATCHED, {"after": after, "limit": 2000}).all()
            if not rows:
                break
            for oseq, kind, record_id, version, content in rows:
                after = oseq
                if content is None:  # a damaged store: `inspector audit verify` names it
                    built.missing_history += 1
                    log.error("outbox entry %d has no history row; not sent", oseq)
                    continue
                if pending and (len(pending) >= max_records or size + len(content) > max_bytes):
                    seq += 1
                    _add_batch(session, key, device, kid, seq, pending)
                    built.batches += 1
                    built.records += len(pending)
                    pending, size = [], 0
                pending.append((oseq, protocol.make_record(kind, record_id, version, content)))
                size += len(content.encode("utf-8"))
        if pending:
            seq += 1
            _add_batch(session, key, device, kid, seq, pending)
            built.batches += 1
            built.records += len(pending)
    return built


def _add_batch(session: Session, key: Ed25519PrivateKey, device: str, kid: str, seq: int,
               entries: list[tuple[int, protocol.Record]]) -> None:
    batch = protocol.Batch(str(uuid.uuid4()), device, kid, seq, protocol.utc_now_text(),
                           [r for _, r in entries])
    body = protocol.encode_batch(batch)
    session.add(SyncBatch(id=batch.batch_id, seq=seq, created_at=utcnow(),
                          records=len(entries), body=body,
                          signature=protocol.sign_batch(key, body), state=PENDING,
                          attempts=0, last_error="", receipt=""))
    session.flush()
    session.execute(SyncBatchEntry.__table__.insert(),
                    [{"outbox_seq": oseq, "batch_id": batch.batch_id} for oseq, _ in entries])


def unacked(session: Session, include_failed: bool = True) -> list[SyncBatch]:
    states = (PENDING, FAILED) if include_failed else (PENDING,)
    return list(session.scalars(select(SyncBatch).where(SyncBatch.state.in_(states))
                                .order_by(SyncBatch.seq)))


def attachment_shas(body: bytes) -> list[str]:
    """SHA-256 of every attachment the records of a batch name."""
    data = json.loads(protocol.decompress(body))
    shas: dict[str, None] = {}
    for record in data.get("records", ()):
        for att in record.get("content", {}).get("attachments") or ():
            sha = att.get("sha256") if isinstance(att, dict) else None
            if isinstance(sha, str) and protocol.SHA_RE.match(sha):
                shas[sha] = None
    return list(shas)


def mark_acked(store: Store, batch_id: str, receipt: dict) -> bool:
    """Acknowledge a batch and its outbox entries, if the receipt is for this very batch."""
    with store.write() as session:
        batch = session.get(SyncBatch, batch_id)
        if batch is None or batch.state == ACKED:
            return False
        if receipt.get("body_sha256") != protocol.sha256_hex(batch.body):
            log.error("receipt for batch %s names other content; not acknowledged", batch_id)
            return False
        now = utcnow()
        batch.state = ACKED
        batch.acked_at = now
        batch.last_error = ""
        batch.receipt = protocol.dumps(receipt)
        session.execute(
            update(Outbox).where(
                Outbox.seq.in_(select(SyncBatchEntry.outbox_seq)
                               .where(SyncBatchEntry.batch_id == batch_id)),
                Outbox.acked_at.is_(None))
            .values(acked_at=now).execution_options(synchronize_session=False))
    return True


def mark_attempt(store: Store, batch_id: str, error: str = "", failed: bool = False,
                 receipt: dict | None = None) -> None:
    with store.write() as session:
        batch = session.get(SyncBatch, batch_id)
        if batch is None or batch.state == ACKED:
            return
        batch.attempts += 1
        batch.last_attempt_at = utcnow()
        batch.last_error = error
        if failed:
            batch.state = FAILED
        if receipt is not None:
            batch.receipt = protocol.dumps(receipt)


def retry_failed(store: Store) -> int:
    """Put batches the server refused back in line (after the cause was fixed)."""
    with store.write() as session:
        return session.execute(update(SyncBatch).where(SyncBatch.state == FAILED)
                               .values(state=PENDING)).rowcount


def export_file(store: Store, out: Path, key: Ed25519PrivateKey | None = None) -> tuple[int, int]:
    """Write every batch not yet acknowledged into one signed file; (batches, records)."""
    key = key or device_key.load_or_create(store.data_dir)
    build(store, key)
    with store.write() as session:
        device = settings.device_id(session)
        batches = unacked(session)
        entries = [protocol.FileBatch(b.id, b.seq, b.body, b.signature) for b in batches]
        data = protocol.encode_file(key, device, device_key.key_id(key), entries)
        out = Path(out)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
        now = utcnow()
        for b in batches:
            b.exported_at = now
        return len(batches), sum(b.records for b in batches)


def pending_count(session: Session) -> int:
    """Changes the server has not acknowledged (the status bar's number). On a supervisor's
    device: its decisions not posted yet. Its own rows (its sign-in profile, reference
    data it keeps) stay in the outbox, kept as every change is, but are never sent: the
    server takes only decisions from a supervisor, so counting them would never end."""
    from inspector_app.core.sync import decisions_out, state

    if state.is_supervisor(session):
        return len(decisions_out.unsent(session))
    return session.scalar(select(func.count()).select_from(Outbox)
                          .where(Outbox.acked_at.is_(None))) or 0
