"""The local store's tables (SQLAlchemy 2.0 typed ORM).

Audited entities (reference data and the three record kinds) share `AuditedMixin`: a
client-made UUID, a version, created/updated times in UTC with the device's offset in
minutes, and the device and inspector that made the change. Their canonical content
(see `canonical.py`) is what the audit trail hashes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as naive UTC; loads it back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Key/value settings of this store (agency, device id, language...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditedMixin:
    """Columns every audited entity carries."""

    __kind__: ClassVar[str]
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_offset: Mapped[int] = mapped_column(Integer)  # minutes east of UTC
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_offset: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str] = mapped_column(String(36))
    # Reference data is made before any inspector exists, so this may be empty.
    author_id: Mapped[str | None] = mapped_column(String(36))


# --- reference data -------------------------------------------------------------------


class Inspector(AuditedMixin, Base):
    """An officer (执法人员) or workstation operator with a local sign-in."""

    __tablename__ = "inspectors"
    __kind__ = "inspector"
    name: Mapped[str] = mapped_column(String(64))
    cert_no: Mapped[str] = mapped_column(String(32), default="")  # 执法证号
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))  # not in canonical content
    role: Mapped[str] = mapped_column(String(16), default="inspector")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Market(AuditedMixin, Base):
    __tablename__ = "markets"
    __kind__ = "market"
    name: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(256), default="")
    district: Mapped[str] = mapped_column(String(64), default="")


class Party(AuditedMixin, Base):
    """当事人: an enterprise or an individual trader."""

    __tablename__ = "parties"
    __kind__ = "party"
    party_type: Mapped[str] = mapped_column(String(16), default="enterprise")  # or "individual"
    name: Mapped[str] = mapped_column(String(128))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    licence_name: Mapped[str] = mapped_column(String(64), default="")  # licence type
    address: Mapped[str] = mapped_column(String(256), default="")
    legal_rep: Mapped[str] = mapped_column(String(64), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")


class Stall(AuditedMixin, Base):
    __tablename__ = "stalls"
    __kind__ = "stall"
    market_id: Mapped[str] = mapped_column(ForeignKey("markets.id"))
    number: Mapped[str] = mapped_column(String(32))  # 摊位号
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    business: Mapped[str] = mapped_column(String(128), default="")


# --- record kind 1: labeling and certificate check -------------------------------------


class LabelCheck(AuditedMixin, Base):
    __tablename__ = "label_checks"
    __kind__ = "check"
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft / final
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    market_id: Mapped[str | None] = mapped_column(ForeignKey("markets.id"), index=True)
    stall_id: Mapped[str | None] = mapped_column(ForeignKey("stalls.id"))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    category: Mapped[str] = mapped_column(String(32), default="")
    product_name: Mapped[str] = mapped_column(String(128), default="")
    brand: Mapped[str] = mapped_column(String(64), default="")
    spec_model: Mapped[str] = mapped_column(String(64), default="")
    batch_no: Mapped[str] = mapped_column(String(64), default="")  # 生产日期/批号
    shelf_life: Mapped[str] = mapped_column(String(32), default="")
    manufacturer: Mapped[str] = mapped_column(String(128), default="")
    manufacturer_address: Mapped[str] = mapped_column(String(256), default="")
    barcode: Mapped[str] = mapped_column(String(14), default="")
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(16), default="")
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    form_id: Mapped[str] = mapped_column(String(64), default="")
    form_version: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    outcome_override_reason: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(String(16), default="")  # correct / sample / seizure
    remarks: Mapped[str] = mapped_column(Text, default="")
    seizure_id: Mapped[str | None] = mapped_column(String(36))  # set when a seizure starts

    items: Mapped[list[CheckItem]] = relationship(
        back_populates="check", cascade="all, delete-orphan", order_by="CheckItem.position"
    )
    # Migration 0007: the values of the definition's fields that have no column here.
    fields: Mapped[list[CheckField]] = relationship(
        cascade="all, delete-orphan", order_by="CheckField.position"
    )
    # Migration 0009: the officers who made the check (the one who saved it, then the
    # second officer), as printed; none for checks made before it.
    officers: Mapped[list[CheckOfficer]] = relationship(
        cascade="all, delete-orphan", order_by="CheckOfficer.position"
    )
    __table_args__ = (Index("ix_label_checks_status", "status"),)


class CheckItem(Base):
    __tablename__ = "check_items"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("label_checks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(256))
    legal_basis: Mapped[str] = mapped_column(String(128), default="")
    result: Mapped[str] = mapped_column(String(8))  # pass / fail / na
    note: Mapped[str] = mapped_column(Text, default="")
    check: Mapped[LabelCheck] = relationship(back_populates="items")


class CheckField(Base):
    """A value of a field of the check's definition that has no column of its own
    (migration 0007), with its label and shown value as printed, so the record reads the
    same whatever later versions of the definition say."""

    __tablename__ = "check_fields"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("label_checks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    field_key: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(Text)  # dates YYYY-MM-DD, yes/no, a choice's value
    display: Mapped[str | None] = mapped_column(Text)  # as printed, when not the value itself


class CheckOfficer(Base):
    """An officer of a check (行政处罚法 art. 42: two officers with 执法证), with the name and
    certificate number as printed, kept if the roster changes (migration 0009)."""

    __tablename__ = "check_officers"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("label_checks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspectors.id"))
    name: Mapped[str] = mapped_column(String(64))
    cert_no: Mapped[str] = mapped_column(String(32))


class CheckDraft(Base):
    """A labeling check being typed, saved locally on every change (migration 0007).

    Not audited and never synced: it is the form's state (JSON), so a crash or a power cut
    loses at most the field being typed, and the form reopens on the next start. It is
    deleted in the same transaction that saves the check as a record.
    """

    __tablename__ = "check_drafts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str | None] = mapped_column(String(36))  # the saved check it changes
    base_version: Mapped[int | None] = mapped_column(Integer)
    inspector_id: Mapped[str | None] = mapped_column(String(36), index=True)
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- record kind 2: seizure and sealing ------------------------------------------------


class Seizure(AuditedMixin, Base):
    __tablename__ = "seizures"
    __kind__ = "seizure"
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    number: Mapped[str] = mapped_column(String(64), default="")  # decision notice number
    measure: Mapped[str] = mapped_column(String(16), default="seal")  # seal 查封 / detain 扣押
    market_id: Mapped[str | None] = mapped_column(ForeignKey("markets.id"), index=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    place: Mapped[str] = mapped_column(String(256), default="")
    suspected_violation: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    term_days: Mapped[int] = mapped_column(Integer, default=30)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    custody_place: Mapped[str] = mapped_column(String(256), default="")
    custodian: Mapped[str] = mapped_column(String(64), default="")
    onsite_record: Mapped[str] = mapped_column(Text, default="")  # 现场笔录
    party_presence: Mapped[str] = mapped_column(String(16), default="present")
    witness_name: Mapped[str] = mapped_column(String(64), default="")
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    source_check_id: Mapped[str | None] = mapped_column(String(36))
    # Added by migration 0004 (None for records made before it).
    record_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 笔录 end time
    party_notified: Mapped[bool | None] = mapped_column(Boolean)
    party_statement: Mapped[str | None] = mapped_column(Text)  # 陈述申辩
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    emergency_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emergency_approver: Mapped[str | None] = mapped_column(String(64))
    # Added by migration 0009: the agency head's prior approval (art. 18(一)), and the reason
    # given with an emergency report made after its 24 hours (art. 19).
    approver: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emergency_report_reason: Mapped[str | None] = mapped_column(Text)
    # The party and agency details as printed, frozen (JSON) when the measure is issued.
    frozen_block: Mapped[str | None] = mapped_column(Text)

    officers: Mapped[list[SeizureOfficer]] = relationship(
        cascade="all, delete-orphan", order_by="SeizureOfficer.position"
    )
    items: Mapped[list[SeizureItem]] = relationship(
        cascade="all, delete-orphan", order_by="SeizureItem.position"
    )
    seals: Mapped[list[Seal]] = relationship(
        cascade="all, delete-orphan", order_by="Seal.position"
    )
    documents: Mapped[list[SeizureDocument]] = relationship(
        cascade="all, delete-orphan", order_by="SeizureDocument.position"
    )
    transitions: Mapped[list[SeizureTransition]] = relationship(
        cascade="all, delete-orphan", order_by="SeizureTransition.position"
    )
    testing_periods: Mapped[list[SeizureTestingPeriod]] = relationship(
        cascade="all, delete-orphan", order_by="SeizureTestingPeriod.position"
    )
    signatures: Mapped[list[SeizureSignature]] = relationship(
        cascade="all, delete-orphan", order_by="SeizureSignature.position"
    )


class SeizureOfficer(Base):
    __tablename__ = "seizure_officers"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[str] = mapped_column(ForeignKey("seizures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspectors.id"))
    name: Mapped[str] = mapped_column(String(64))  # as printed, kept if the roster changes
    cert_no: Mapped[str] = mapped_column(String(32))


class SeizureItem(Base):
    __tablename__ = "seizure_items"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[str] = mapped_column(ForeignKey("seizures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    spec: Mapped[str] = mapped_column(String(128), default="")
    unit: Mapped[str] = mapped_column(String(16), default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    remark: Mapped[str] = mapped_column(String(256), default="")


class Seal(Base):
    __tablename__ = "seals"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[str] = mapped_column(ForeignKey("seizures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(256), default="")


class SeizureDocument(Base):
    __tablename__ = "seizure_documents"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[str] = mapped_column(ForeignKey("seizures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # decision / list / record / seals ...
    number: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The issuing device's QR signature (qr.Payload), made once when the document is
    # issued; every later print, on any device, carries this one.
    key_id: Mapped[str | None] = mapped_column(String(16))
    signature: Mapped[str | None] = mapped_column(String(86))  # Ed25519, base64url


class SeizureTransition(Base):
    """One state change, kept forever."""

    __tablename__ = "seizure_transitions"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[str] = mapped_column(ForeignKey("seizures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    inspector_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text, default="")
    approver: Mapped[str | None] = mapped_column(String(64))  # who approved (extension)
    ground: Mapped[str | None] = mapped_column(String(16))  # e.g. release ground, art. 28


class SeizureTestingPeriod(Base):
    """A declared testing/inspection period (检测、检验、检疫、技术鉴定): not counted in the term."""

    __tablename__ = "seizure_testing_periods"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[str] = mapped_column(ForeignKey("seizures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[str] = mapped_column(String(10))  # local date, YYYY-MM-DD
    end_date: Mapped[str | None] = mapped_column(String(10))  # None while it runs
    description: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SeizureSignature(Base):
    """A signature (PNG and strokes, as attachments) or a recorded refusal to sign."""

    __tablename__ = "seizure_signatures"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[str] = mapped_column(ForeignKey("seizures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # party / witness / officer / decision_receipt
    signer: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(8))  # signed / refused
    png_sha256: Mapped[str | None] = mapped_column(String(64))
    strokes_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SeizureDocNumber(Base):
    """Every document number this device has given out; never deleted, so never reused."""

    __tablename__ = "seizure_doc_numbers"
    number: Mapped[str] = mapped_column(String(64), primary_key=True)
    segment: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    seizure_id: Mapped[str] = mapped_column(String(36))
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("segment", "year", "seq"),)


# --- record kind 3: market workstation log ---------------------------------------------


class WorkLog(AuditedMixin, Base):
    __tablename__ = "work_logs"
    __kind__ = "worklog"
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open / closed
    market_id: Mapped[str | None] = mapped_column(ForeignKey("markets.id"), index=True)
    log_date: Mapped[str] = mapped_column(String(10), index=True)  # local date, YYYY-MM-DD
    operator_name: Mapped[str] = mapped_column(String(64), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    # Added by migration 0005 (None for logs made before it).
    workstation_id: Mapped[str | None] = mapped_column(String(36), index=True)

    tests: Mapped[list[RapidTest]] = relationship(
        cascade="all, delete-orphan", order_by="RapidTest.position"
    )
    scale_checks: Mapped[list[ScaleCheck]] = relationship(
        cascade="all, delete-orphan", order_by="ScaleCheck.position"
    )
    complaints: Mapped[list[Complaint]] = relationship(
        cascade="all, delete-orphan", order_by="Complaint.position"
    )


class RapidTest(Base):
    __tablename__ = "rapid_tests"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    worklog_id: Mapped[str] = mapped_column(ForeignKey("work_logs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sample_no: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32), default="")
    product_name: Mapped[str] = mapped_column(String(64))
    stall_no: Mapped[str] = mapped_column(String(32), default="")
    test_item: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(64), default="")
    value: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    unit: Mapped[str] = mapped_column(String(16), default="")
    limit_value: Mapped[str] = mapped_column(String(32), default="")
    conclusion: Mapped[str] = mapped_column(String(16))  # negative / positive
    tester: Mapped[str] = mapped_column(String(64), default="")
    tested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    instrument_no: Mapped[str] = mapped_column(String(64), default="")
    reagent_batch: Mapped[str] = mapped_column(String(64), default="")
    # Added by migration 0005 (None for tests made before it).
    retest_of: Mapped[str | None] = mapped_column(String(32))  # sample_no re-tested
    follow_up: Mapped[str | None] = mapped_column(Text)  # what was done about a positive
    linked_check_id: Mapped[str | None] = mapped_column(String(36))  # labeling check started
    linked_seizure_id: Mapped[str | None] = mapped_column(String(36))  # seizure started


class ScaleCheck(Base):
    __tablename__ = "scale_checks"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    worklog_id: Mapped[str] = mapped_column(ForeignKey("work_logs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="verification")  # or reweigh
    stall_no: Mapped[str] = mapped_column(String(32), default="")
    instrument_name: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(64), default="")
    serial_no: Mapped[str] = mapped_column(String(64), default="")
    cert_no: Mapped[str] = mapped_column(String(64), default="")
    verified_on: Mapped[str] = mapped_column(String(10), default="")
    valid_until: Mapped[str] = mapped_column(String(10), default="")
    claimed_weight: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    actual_weight: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    result: Mapped[str] = mapped_column(String(16), default="")
    # Added by migration 0005 (None for rows made before it).
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    product_name: Mapped[str | None] = mapped_column(String(64))  # goods re-weighed
    note: Mapped[str | None] = mapped_column(Text)


class Complaint(Base):
    __tablename__ = "complaints"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    worklog_id: Mapped[str] = mapped_column(ForeignKey("work_logs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    complainant: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    stall_no: Mapped[str] = mapped_column(String(32), default="")
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    # Added by migration 0005 (None for rows made before it).
    category: Mapped[str | None] = mapped_column(String(16))  # complaint 投诉 / report 举报
    handler: Mapped[str | None] = mapped_column(String(64))  # who follows it up
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Workstation(AuditedMixin, Base):
    """A market quality-inspection workstation 市场质量检验工作站 (migration 0005): its market,
    operators, instruments with their verification certificates, and reagent batches."""

    __tablename__ = "workstations"
    __kind__ = "workstation"
    name: Mapped[str] = mapped_column(String(128))
    market_id: Mapped[str | None] = mapped_column(ForeignKey("markets.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(256))
    phone: Mapped[str | None] = mapped_column(String(32))

    operators: Mapped[list[WorkstationOperator]] = relationship(
        cascade="all, delete-orphan", order_by="WorkstationOperator.position"
    )
    instruments: Mapped[list[Instrument]] = relationship(
        cascade="all, delete-orphan", order_by="Instrument.position"
    )
    reagents: Mapped[list[ReagentBatch]] = relationship(
        cascade="all, delete-orphan", order_by="ReagentBatch.position"
    )


class WorkstationOperator(Base):
    __tablename__ = "workstation_operators"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    workstation_id: Mapped[str] = mapped_column(ForeignKey("workstations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    inspector_id: Mapped[str | None] = mapped_column(String(36))  # when they can sign in
    cert_no: Mapped[str | None] = mapped_column(String(32))  # 检验员证号
    active: Mapped[bool | None] = mapped_column(Boolean)


class Instrument(Base):
    """A rapid-test instrument or a reference scale, with its verification certificate."""

    __tablename__ = "workstation_instruments"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    workstation_id: Mapped[str] = mapped_column(ForeignKey("workstations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))  # 仪器编号, as written on each test
    name: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(64))
    serial_no: Mapped[str | None] = mapped_column(String(64))
    cert_no: Mapped[str | None] = mapped_column(String(64))  # 检定/校准证书编号
    verified_on: Mapped[str | None] = mapped_column(String(10))  # local date
    valid_until: Mapped[str | None] = mapped_column(String(10))  # local date
    test_items: Mapped[str | None] = mapped_column(Text)  # items it is used for, "、"-joined
    active: Mapped[bool | None] = mapped_column(Boolean)


class ReagentBatch(Base):
    __tablename__ = "reagent_batches"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    workstation_id: Mapped[str] = mapped_column(ForeignKey("workstations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    test_item: Mapped[str] = mapped_column(String(32))
    batch_no: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[str] = mapped_column(String(10))  # local date: last day of use
    name: Mapped[str | None] = mapped_column(String(64))
    manufacturer: Mapped[str | None] = mapped_column(String(128))
    received_on: Mapped[str | None] = mapped_column(String(10))


# --- attachments, history, audit, outbox -----------------------------------------------


class Attachment(Base):
    """A photo or signature of a record. The bytes live in attachments/<sha[:2]>/<sha>."""

    __tablename__ = "attachments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))  # photo / signature:party / ...
    filename: Mapped[str] = mapped_column(String(256), default="")
    mime: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_attachments_record", "record_kind", "record_id"),)


class History(Base):
    """Every version of every audited entity, as canonical JSON. Append-only."""

    __tablename__ = "history"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("kind", "record_id", "version"),)


class AuditEntry(Base):
    """The hash chain: each entry names the previous entry's hash and the content's hash."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create / update / import
    device_id: Mapped[str] = mapped_column(String(36))
    author_id: Mapped[str | None] = mapped_column(String(36))
    content_sha256: Mapped[str] = mapped_column(String(64))
    # Unique, so two writers can never fork the chain.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_record", "kind", "record_id"),)


class Outbox(Base):
    """A change waiting to be sent to the central server; written with the change itself."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class KnownKey(Base):
    """A device public key this store trusts: its own, or the agency's devices (via sync)."""

    __tablename__ = "known_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519, base64url
    device_id: Mapped[str] = mapped_column(String(36))
    agency: Mapped[str] = mapped_column(String(128), default="")
    source: Mapped[str] = mapped_column(String(16))  # own / server
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inspector: Mapped[str | None] = mapped_column(String(128))  # migration 0013: its user


# --- sync with the central server (issue 6, migration 0006) -----------------------------


class SyncBatch(Base):
    """A signed batch of outbox entries: built once (its bytes never change, so a resend
    gets the same receipt), sent until the server acknowledges it, and kept after."""

    __tablename__ = "sync_batches"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # this device's batch sequence
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    records: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # compressed canonical JSON, as signed
    signature: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt: Mapped[str] = mapped_column(Text, default="")


class SyncBatchEntry(Base):
    """Which batch carries an outbox entry (an entry is in at most one batch)."""

    __tablename__ = "sync_batch_entries"
    outbox_seq: Mapped[int] = mapped_column(ForeignKey("outbox.seq"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("sync_batches.id"), index=True)


class SyncReference(Base):
    """Reference data pulled from the server (markets, roster, legal bases, forms...)."""

    __tablename__ = "sync_reference"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncReview(Base):
    """A supervisor's review decision on one of this device's records, pulled."""

    __tablename__ = "sync_reviews"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))  # approved / returned
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(128), default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_sync_reviews_record", "kind", "record_id"),)


AUDITED: dict[str, type[AuditedMixin]] = {
    cls.__kind__: cls
    for cls in (Inspector, Market, Party, Stall, LabelCheck, Seizure, WorkLog, Workstation)
}
RECORD_KINDS: dict[str, type[AuditedMixin]] = {
    "check": LabelCheck,
    "seizure": Seizure,
    "worklog": WorkLog,
}


# The supervisor's tables (migration 0013) share this metadata.
from inspector_app.core.agency.tables import (  # noqa: F401
    AgencyBatch,
    AgencyConflict,
    AgencyRecord,
    AgencyVersion,
    Decision,
)
