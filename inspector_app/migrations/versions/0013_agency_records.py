"""the supervisor's tables: agency batches, versions, records, conflicts; decisions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

New tables only (core/agency/tables.py), so no existing row changes. An inspector's
store keeps them empty except `decisions` (those about its own records).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_batches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("device_id", "seq", name="uq_agency_batches_device_seq"),
    )
    op.create_table(
        "agency_versions",
        sa.Column("pk", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("kind", "record_id", "version", "content_sha256",
                            name="uq_agency_versions_kivs"),
    )
    op.create_table(
        "agency_records",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("owner_device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("inspector", sa.String(64), nullable=False),
        sa.Column("market_id", sa.String(36), nullable=False),
        sa.Column("market", sa.String(128), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("title", sa.String(256), nullable=False),
        sa.Column("deadline", sa.String(10), nullable=False),
        sa.Column("report_due", sa.String(32), nullable=False),
        sa.Column("positives", sa.Integer(), nullable=False),
        sa.Column("review_state", sa.String(16), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_agency_records_review", "agency_records",
                    ["review_state", "kind", "day"])
    op.create_index("ix_agency_records_day", "agency_records", ["kind", "day"])
    op.create_index("ix_agency_records_market", "agency_records", ["market_id", "day"])
    op.create_index("ix_agency_records_inspector", "agency_records", ["inspector", "day"])
    op.create_index("ix_agency_records_deadline", "agency_records",
                    ["kind", "state", "deadline"])
    op.create_table(
        "agency_conflicts",
        sa.Column("pk", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("current_sha256", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_by", sa.String(36), nullable=True),
        sa.UniqueConstraint("kind", "record_id", "version", "content_sha256",
                            name="uq_agency_conflicts_kivs"),
    )
    op.create_index("ix_agency_conflicts_open", "agency_conflicts", ["resolved_by"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.String(40), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_decisions_record", "decisions", ["kind", "record_id"])
    with op.batch_alter_table("known_keys") as batch_op:
        batch_op.add_column(sa.Column("inspector", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("known_keys") as batch_op:
        batch_op.drop_column("inspector")
    for table in ("decisions", "agency_conflicts", "agency_records", "agency_versions",
                  "agency_batches"):
        op.drop_table(table)
