"""The central server's tables (SQLAlchemy 2.0 typed ORM, SQLite or PostgreSQL).

Uniqueness is always a database constraint: a record version is unique by
(kind, record_id, version), a batch by its id and by (device_id, seq). Raw batches are
stored as received and their bytes are never updated. A record belongs to the device that
created it until a recorded handover (`handovers`) moves it.

A device has a role: an inspector's device creates records; a supervisor's device reads
its agency's batches and posts signed decisions and bulletins (`sync.server.review`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("inspector", "supervisor")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime stored as naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ServerSetting(Base):
    __tablename__ = "server_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Enrolment(Base):
    """A one-time enrolment code (only its hash is kept) waiting for a device."""

    __tablename__ = "enrolments"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    inspector: Mapped[str] = mapped_column(String(128))
    agency: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16), default="inspector",
                                      server_default="inspector")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_id: Mapped[str | None] = mapped_column(String(36))


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the client-made device id
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))
    inspector: Mapped[str] = mapped_column(String(128))
    agency: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16), default="inspector",
                                      server_default="inspector")  # ROLES
    credential_hash: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_seq: Mapped[int] = mapped_column(Integer, default=0)  # batches applied 1..n
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bytes its batches and record contents take (the storage quota; limits.py).
    stored_bytes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Batch(Base):
    """A raw batch as received (body and signature never change) and its receipt."""

    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(8))  # http / file
    records: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # waiting / applied
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("device_id", "seq", name="uq_batches_device_seq"),)


class RecordVersion(Base):
    """Every version of every record ever received, as its canonical content."""

    __tablename__ = "record_versions"
    pk: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(String(36))
    batch_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("kind", "record_id", "version", name="uq_record_versions_kiv"),
        Index("ix_record_versions_device", "device_id"),
    )


class CurrentRecord(Base):
    """The version of each record the agency holds now (moved only from its base)."""

    __tablename__ = "current_records"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The device that may write it: its creator, or the one it was last handed to.
    owner_device_id: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Facts of the current content (sync.facts) and the review state its decisions left.
    state: Mapped[str] = mapped_column(String(16), default="", server_default="")
    result: Mapped[str] = mapped_column(String(16), default="", server_default="")
    review_state: Mapped[str] = mapped_column(String(16), default="pending",
                                              server_default="pending")
    __table_args__ = (Index("ix_current_records_owner", "owner_device_id"),)


class Conflict(Base):
    """A version that could not apply; kept for a supervisor, overwriting nothing."""

    __tablename__ = "conflicts"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    current_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("batch_id", "position", name="uq_conflicts_batch_position"),
        Index("ix_conflicts_record", "kind", "record_id"),
    )


class Handover(Base):
    """A recorded decision that moves a record to another device (its new owner)."""

    __tablename__ = "handovers"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)  # the agency's version when handed over
    from_device_id: Mapped[str] = mapped_column(String(36))
    to_device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(128))  # device:ID, or an admin's name
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_handovers_record", "kind", "record_id"),
                      Index("ix_handovers_from", "from_device_id"))


class Blob(Base):
    """An attachment file complete in the content-addressed store."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_id: Mapped[str | None] = mapped_column(String(36))  # stored first by (its quota)
    __table_args__ = (Index("ix_blobs_device", "device_id"),)


class AttachmentRef(Base):
    """An attachment a record names (so the server knows what each record still lacks)."""

    __tablename__ = "attachment_refs"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    __table_args__ = (Index("ix_attachment_refs_sha", "sha256"),
                      Index("ix_attachment_refs_device", "device_id"))


class FeedEntry(Base):
    """What devices pull, oldest first by `seq`: for every device ('*') or for one."""

    __tablename__ = "feed"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    audience: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(16))  # reference, device_key, batch, decision...
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_feed_audience_seq", "audience", "seq"),)


class Review(Base):
    """An unsigned review of a record version, made by the admin command before signed
    decisions (`ServerDecision`); kept readable, no longer made."""

    __tablename__ = "reviews"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))  # approved / returned
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(128), default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_reviews_record", "kind", "record_id"),)


class ReferenceItem(Base):
    """Reference data the agency publishes to its devices (markets, roster, legal bases...)."""

    __tablename__ = "reference_items"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServerDecision(Base):
    """A supervisor's signed decision (sync/decisions.py), as received. Append-only."""

    __tablename__ = "server_decisions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the decision's id
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[str] = mapped_column(String(40))  # as signed
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    envelope: Mapped[str] = mapped_column(Text)  # {"decision", "signature"}, canonical JSON
    envelope_sha256: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(Text)  # the answer given (the same one again)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_server_decisions_record", "kind", "record_id"),)


class Bulletin(Base):
    """A published spot-check results bulletin (sync/bulletins.py), signed. Append-only."""

    __tablename__ = "bulletins"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(256))
    period_from: Mapped[str] = mapped_column(String(10))
    period_to: Mapped[str] = mapped_column(String(10))
    issued_at: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    envelope: Mapped[str] = mapped_column(Text)
    envelope_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_bulletins_agency", "agency", "issued_at"),)
