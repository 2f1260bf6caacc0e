"""Tables of the agency's records as a supervisor's store holds them (migration 0013).

Records made on other devices are not put into the editable record tables: each
verified batch is kept as signed (`agency_batches`, its bytes never change), every
version it carries by its place in that batch (`agency_versions`, whose own content is
empty then: migration 0015; see agency/contents.py), and the version
the agency holds now with the facts that lists, the review queue, the dashboard and the
bulletin filter on (`agency_records`). Nothing here is edited by hand; decisions
(`decisions`, on every device) are the only thing a supervisor adds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from inspector_app.core.models import Base, UTCDateTime


class AgencyBatch(Base):
    """A batch verified with its device's key, kept exactly as signed."""

    __tablename__ = "agency_batches"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    key_id: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # the compressed bytes that were signed
    body_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    records: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8))  # server / file
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("device_id", "seq", name="uq_agency_batches_device_seq"),)


class AgencyVersion(Base):
    """Every version of every agency record received (two contents under one version are
    both kept: that is a conflict)."""

    __tablename__ = "agency_versions"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    # zlib of the canonical JSON of a version made here (a resolve); None for a version
    # held in its batch (`batch_id`, at `position`) and imported since migration 0015
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_sha256: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(String(36))
    batch_id: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer)  # in its batch
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("kind", "record_id", "version", "content_sha256",
                         name="uq_agency_versions_kivs"),
    )


# Migration 0014: the dashboard's indexes (core/agency/oversight.py). Partial and
# covering, so every figure is an index-only aggregate: the final checks' rates per day and
# market, per day and category (both streamed in index order, no sort), and per market or
# inspector when one is chosen; the running seizures, unreported emergency measures and
# positive rapid tests are few, each in its own small index.
OVERSIGHT_INDEX_COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "ix_agency_checks_day_market": (("state", "day", "market_id", "result", "kind"),
                                    "kind = 'check'"),
    "ix_agency_checks_day_category": (("state", "day", "category", "result", "kind"),
                                      "kind = 'check'"),
    "ix_agency_checks_market": (("market_id", "state", "day", "inspector", "category",
                                 "result", "kind"), "kind = 'check'"),
    "ix_agency_checks_inspector": (("inspector", "state", "day", "market_id", "category",
                                    "result", "kind"), "kind = 'check'"),
    "ix_agency_running": (("deadline", "market_id", "inspector", "kind", "state"),
                          "kind = 'seizure' AND state IN ('issued', 'extended')"),
    "ix_agency_report_due": (("kind", "report_due", "market_id", "inspector"),
                             "report_due != ''"),
    "ix_agency_positives": (("kind", "day", "market_id", "inspector", "positives"),
                            "positives > 0"),
}
OVERSIGHT_INDEXES = tuple(Index(name, *cols, sqlite_where=text(where))
                          for name, (cols, where) in OVERSIGHT_INDEX_COLUMNS.items())


class AgencyRecord(Base):
    """The version of each agency record held now, with the facts lists filter on."""

    __tablename__ = "agency_records"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(String(36))  # the device that wrote this version
    owner_device_id: Mapped[str] = mapped_column(String(36))  # creator, or handed to
    author_id: Mapped[str] = mapped_column(String(36), default="")
    inspector: Mapped[str] = mapped_column(String(64), default="")  # the author's name
    market_id: Mapped[str] = mapped_column(String(36), default="")
    market: Mapped[str] = mapped_column(String(128), default="")  # its name
    day: Mapped[str] = mapped_column(String(10), default="")  # local date of the record
    state: Mapped[str] = mapped_column(String(16), default="")  # status / seizure state
    result: Mapped[str] = mapped_column(String(16), default="")  # conforming / nonconforming
    category: Mapped[str] = mapped_column(String(32), default="")  # product category
    title: Mapped[str] = mapped_column(String(256), default="")  # product or number, shown
    deadline: Mapped[str] = mapped_column(String(10), default="")  # seizure term's last day
    report_due: Mapped[str] = mapped_column(String(32), default="")  # emergency, unreported
    positives: Mapped[int] = mapped_column(Integer, default=0)  # positive rapid tests
    review_state: Mapped[str] = mapped_column(String(16), default="pending")
    conflicts: Mapped[int] = mapped_column(Integer, default=0)  # unresolved
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        Index("ix_agency_records_review", "review_state", "kind", "day"),
        Index("ix_agency_records_day", "kind", "day"),
        Index("ix_agency_records_market", "market_id", "day"),
        Index("ix_agency_records_inspector", "inspector", "day"),
        Index("ix_agency_records_deadline", "kind", "state", "deadline"),
        *OVERSIGHT_INDEXES,
    )


class AgencyConflict(Base):
    """A version that could not become the record's current one (its base was not the
    current version, or another content came under the same version), until a signed
    `resolve` decision settles it."""

    __tablename__ = "agency_conflicts"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    current_version: Mapped[int] = mapped_column(Integer)
    current_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))  # stale_base / same_version
    device_id: Mapped[str] = mapped_column(String(36))
    batch_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(36))  # the decision's id
    __table_args__ = (
        UniqueConstraint("kind", "record_id", "version", "content_sha256",
                         name="uq_agency_conflicts_kivs"),
        Index("ix_agency_conflicts_open", "resolved_by"),
    )


class Decision(Base):
    """A signed decision (sync/decisions.py) on a record: made here by a supervisor, or
    received by sync. Append-only: comments are never edited or deleted."""

    __tablename__ = "decisions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[str] = mapped_column(String(40))  # as signed (ISO-8601 UTC)
    device_id: Mapped[str] = mapped_column(String(36))  # the deciding device
    key_id: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)  # the decision's canonical JSON, as signed
    signature: Mapped[str] = mapped_column(String(128))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # made here: on the server
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_decisions_record", "kind", "record_id"),)
