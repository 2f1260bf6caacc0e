"""The hash-chained audit trail, the version history, and the outbox, written together.

Every change to an audited entity goes through `record_change` inside the same transaction
as the change: it bumps nothing itself, but snapshots the entity's canonical content into
`history`, appends an `audit_log` entry chained to the previous one, and queues an
`outbox` entry for sync. `verify` recomputes all of it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import canonical
from inspector_app.core.i18n import _
from inspector_app.core.models import (
    AUDITED,
    Attachment,
    AuditedMixin,
    AuditEntry,
    History,
    Outbox,
)

GENESIS = "0" * 64
# Versions that came from the central server: kept and audited here, not sent back.
PULLED = "pull"


def entry_hash(prev_hash: str, seq: int, at: str, kind: str, record_id: str, version: int,
               action: str, device_id: str, author_id: str | None, content_sha256: str) -> str:
    fields = [prev_hash, str(seq), at, kind, record_id, str(version), action, device_id,
              author_id or "", content_sha256]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def last_entry(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


@dataclass
class Chain:
    """The tail of the chain, carried along when many entries are appended at once."""

    seq: int
    head: str

    def append(self, at: datetime, kind: str, record_id: str, version: int, action: str,
               device_id: str, author_id: str | None, content_sha256: str) -> dict:
        self.seq += 1
        at_text = canonical.plain(at)
        digest = entry_hash(self.head, self.seq, at_text, kind, record_id, version, action,
                            device_id, author_id, content_sha256)
        row = {"seq": self.seq, "at": at, "kind": kind, "record_id": record_id,
               "version": version, "action": action, "device_id": device_id,
               "author_id": author_id, "content_sha256": content_sha256,
               "prev_hash": self.head, "entry_hash": digest}
        self.head = digest
        return row


@dataclass(frozen=True)
class Version:
    """A version to record: its canonical content, when (its updated_at) and by whom."""

    kind: str
    record_id: str
    version: int
    at: datetime
    device_id: str
    author_id: str | None
    content: str


def record_versions(session: Session, versions: Sequence[Version], action: str) -> list[str]:
    """Snapshot `versions`, in order, into history, the audit chain and (unless they were
    pulled from the server) the outbox, with one insert of many rows per table.
    Returns their content digests."""
    if not versions:
        return []
    chain = Chain(*last_entry(session))
    history, entries, outbox, digests = [], [], [], []
    for v in versions:
        digest = canonical.sha256_text(v.content)
        digests.append(digest)
        history.append({"kind": v.kind, "record_id": v.record_id, "version": v.version,
                        "content": v.content})
        entries.append(chain.append(v.at, v.kind, v.record_id, v.version, action,
                                    v.device_id, v.author_id, digest))
        if action != PULLED:
            outbox.append({"kind": v.kind, "record_id": v.record_id, "version": v.version,
                           "created_at": v.at})
    session.execute(insert(History.__table__), history)
    session.execute(insert(AuditEntry.__table__), entries)
    if outbox:
        session.execute(insert(Outbox.__table__), outbox)
    return digests


def record_change(session: Session, obj: AuditedMixin, action: str) -> str:
    """Snapshot `obj` (already flushed) into history, the audit chain and (unless it was
    pulled from the server) the outbox."""
    attachments = session.scalars(
        select(Attachment).where(
            Attachment.record_kind == obj.__kind__, Attachment.record_id == obj.id
        )
    ).all()
    content = canonical.dumps(canonical.to_dict(obj, attachments))
    return record_versions(session, [Version(obj.__kind__, obj.id, obj.version,
                                             obj.updated_at, obj.device_id, obj.author_id,
                                             content)], action)[0]


@dataclass
class Problem:
    kind: str
    record_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: {self.message}"


def verify(session: Session, attachment_path=None, batch: int = 2000) -> list[Problem]:
    """Every way the store differs from what its audit trail says."""
    problems: list[Problem] = []
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    digests: dict[tuple[str, str, int], str] = {}
    expected = (0, GENESIS)
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        seq, head = expected
        recomputed = entry_hash(entry.prev_hash, entry.seq, canonical.plain(entry.at),
                                entry.kind, entry.record_id, entry.version, entry.action,
                                entry.device_id, entry.author_id, entry.content_sha256)
        if entry.prev_hash != head or recomputed != entry.entry_hash:
            problems.append(Problem(entry.kind, entry.record_id, _(
                "audit entry {seq} was altered or the chain was broken").format(seq=entry.seq)))
        if entry.seq != seq + 1:
            problems.append(Problem(entry.kind, entry.record_id, _(
                "audit entries before {seq} are missing").format(seq=entry.seq)))
        expected = (entry.seq, entry.entry_hash)
        latest[(entry.kind, entry.record_id)] = (entry.version, entry.content_sha256)
        digests[(entry.kind, entry.record_id, entry.version)] = entry.content_sha256
    session.expunge_all()

    for h in session.execute(select(History)).scalars():
        if digests.pop((h.kind, h.record_id, h.version), None) != canonical.sha256_text(h.content):
            problems.append(Problem(h.kind, h.record_id, _(
                "version {version} of its history does not match the audit trail")
                .format(version=h.version)))
    session.expunge_all()
    for kind, record_id, version in digests:
        problems.append(Problem(kind, record_id, _(
            "version {version} of its history is missing").format(version=version)))

    for kind, cls in AUDITED.items():
        seen: set[str] = set()
        for obj, attachments in _load_all(session, cls, batch):
            seen.add(obj.id)
            known = latest.get((kind, obj.id))
            if known is None:
                problems.append(Problem(kind, obj.id, _(
                    "it was added outside the app (no audit entry)")))
                continue
            digest = canonical.content_hash(canonical.to_dict(obj, attachments))
            if known[0] != obj.version or known[1] != digest:
                problems.append(Problem(kind, obj.id, _(
                    "it was changed outside the app (its content does not match "
                    "the audit trail)")))
        for (k, record_id) in latest:
            if k == kind and record_id not in seen:
                problems.append(Problem(kind, record_id, _(
                    "it was deleted outside the app")))
    if attachment_path is not None:
        problems += _verify_files(session, attachment_path)
    return problems


def _verify_files(session: Session, attachment_path) -> list[Problem]:
    """Each attachment's file must exist and still hash to its SHA-256."""
    problems = []
    checked: dict[str, bool] = {}
    for att in session.execute(select(Attachment)).scalars():
        if att.sha256 not in checked:
            path = attachment_path(att.sha256)
            checked[att.sha256] = path.exists() and _file_sha256(path) == att.sha256
        if not checked[att.sha256]:
            problems.append(Problem(att.record_kind, att.record_id, _(
                "the file of attachment {name} is missing or was changed")
                .format(name=att.filename or att.sha256[:12])))
    return problems


def _file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_all(session: Session, cls: type[AuditedMixin], batch: int
              ) -> Iterator[tuple[AuditedMixin, list[Attachment]]]:
    from sqlalchemy import inspect as sa_inspect

    loaders = [
        selectinload(getattr(cls, rel.key))
        for rel in sa_inspect(cls).relationships
        if rel.uselist
    ]
    last = ""
    while True:
        rows = session.scalars(
            select(cls).where(cls.id > last).order_by(cls.id).limit(batch).options(*loaders)
        ).all()
        if not rows:
            return
        atts: dict[str, list[Attachment]] = defaultdict(list)
        for att in session.scalars(
            select(Attachment).where(
                Attachment.record_kind == cls.__kind__,
                Attachment.record_id.in_([r.id for r in rows]),
            )
        ):
            atts[att.record_id].append(att)
        for row in rows:
            yield row, atts.get(row.id, [])
        last = rows[-1].id
        session.expunge_all()
