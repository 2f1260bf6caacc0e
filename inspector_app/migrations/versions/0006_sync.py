"""sync: signed batches, pulled reference data and review decisions; which batch carries each outbox entry

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

A branch from 0003 (other branches are merged later). Existing outbox entries keep their
acked_at; the ones not acknowledged go into a batch at the next sync. The outbox table
itself is not changed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("exported_at", sa.DateTime(), nullable=True),
        sa.Column("acked_at", sa.DateTime(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("ix_sync_batches_state", "sync_batches", ["state"], unique=False)
    op.create_table(
        "sync_reference",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id"),
    )
    op.create_table(
        "sync_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sync_reviews_record", "sync_reviews", ["kind", "record_id"],
                    unique=False)
    op.create_table(
        "sync_batch_entries",
        sa.Column("outbox_seq", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["sync_batches.id"]),
        sa.ForeignKeyConstraint(["outbox_seq"], ["outbox.seq"]),
        sa.PrimaryKeyConstraint("outbox_seq"),
    )
    op.create_index("ix_sync_batch_entries_batch_id", "sync_batch_entries", ["batch_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_sync_batch_entries_batch_id", table_name="sync_batch_entries")
    op.drop_table("sync_batch_entries")
    op.drop_index("ix_sync_reviews_record", table_name="sync_reviews")
    op.drop_table("sync_reviews")
    op.drop_table("sync_reference")
    op.drop_index("ix_sync_batches_state", table_name="sync_batches")
    op.drop_table("sync_batches")
