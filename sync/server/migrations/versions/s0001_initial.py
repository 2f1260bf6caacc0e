"""central server schema

Revision ID: s0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("attachment_refs",
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("record_id", sa.String(length=36), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint("kind", "record_id", "sha256")
    )
    op.create_index("ix_attachment_refs_device", "attachment_refs", ["device_id"], unique=False)
    op.create_index("ix_attachment_refs_sha", "attachment_refs", ["sha256"], unique=False)

    op.create_table("blobs",
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("stored_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("sha256")
    )
    op.create_table("conflicts",
    sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("batch_id", sa.String(length=36), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("record_id", sa.String(length=36), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("base_version", sa.Integer(), nullable=False),
    sa.Column("current_version", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("content_sha256", sa.String(length=64), nullable=False),
    sa.Column("reason", sa.String(length=32), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("resolved_at", sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint("pk"),
    sa.UniqueConstraint("batch_id", "position", name="uq_conflicts_batch_position")
    )
    op.create_index("ix_conflicts_record", "conflicts", ["kind", "record_id"], unique=False)

    op.create_table("current_records",
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("record_id", sa.String(length=36), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("content_sha256", sa.String(length=64), nullable=False),
    sa.Column("owner_device_id", sa.String(length=36), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("kind", "record_id")
    )
    op.create_index("ix_current_records_owner", "current_records", ["owner_device_id"], unique=False)

    op.create_table("devices",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("key_id", sa.String(length=16), nullable=False),
    sa.Column("public_key", sa.String(length=64), nullable=False),
    sa.Column("inspector", sa.String(length=128), nullable=False),
    sa.Column("agency", sa.String(length=128), nullable=False),
    sa.Column("credential_hash", sa.String(length=64), nullable=False),
    sa.Column("enrolled_at", sa.DateTime(), nullable=False),
    sa.Column("revoked_at", sa.DateTime(), nullable=True),
    sa.Column("applied_seq", sa.Integer(), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("key_id")
    )
    op.create_table("enrol_attempts",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("client_hash", sa.String(length=16), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index("ix_enrol_attempts_client_at", "enrol_attempts", ["client_hash", "at"], unique=False)

    op.create_table("enrolments",
    sa.Column("code_hash", sa.String(length=64), nullable=False),
    sa.Column("inspector", sa.String(length=128), nullable=False),
    sa.Column("agency", sa.String(length=128), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("expires_at", sa.DateTime(), nullable=False),
    sa.Column("used_at", sa.DateTime(), nullable=True),
    sa.Column("device_id", sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint("code_hash")
    )
    op.create_table("feed",
    sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("audience", sa.String(length=36), nullable=False),
    sa.Column("type", sa.String(length=16), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("seq")
    )
    op.create_index("ix_feed_audience_seq", "feed", ["audience", "seq"], unique=False)

    op.create_table("record_versions",
    sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("record_id", sa.String(length=36), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("base_version", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("content_sha256", sa.String(length=64), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("batch_id", sa.String(length=36), nullable=False),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("pk"),
    sa.UniqueConstraint("kind", "record_id", "version", name="uq_record_versions_kiv")
    )
    op.create_index("ix_record_versions_device", "record_versions", ["device_id"], unique=False)

    op.create_table("reference_items",
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("item_id", sa.String(length=64), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("kind", "item_id")
    )
    op.create_table("reviews",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("record_id", sa.String(length=36), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("decision", sa.String(length=16), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("reviewer", sa.String(length=128), nullable=False),
    sa.Column("decided_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index("ix_reviews_record", "reviews", ["kind", "record_id"], unique=False)

    op.create_table("server_settings",
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("key")
    )
    op.create_table("batches",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("body", sa.LargeBinary(), nullable=False),
    sa.Column("body_sha256", sa.String(length=64), nullable=False),
    sa.Column("signature", sa.String(length=128), nullable=False),
    sa.Column("source", sa.String(length=8), nullable=False),
    sa.Column("records", sa.Integer(), nullable=False),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("applied_at", sa.DateTime(), nullable=True),
    sa.Column("receipt", sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("device_id", "seq", name="uq_batches_device_seq")
    )


def downgrade() -> None:
    op.drop_table("batches")
    op.drop_table("server_settings")
    op.drop_index("ix_reviews_record", table_name="reviews")

    op.drop_table("reviews")
    op.drop_table("reference_items")
    op.drop_index("ix_record_versions_device", table_name="record_versions")

    op.drop_table("record_versions")
    op.drop_index("ix_feed_audience_seq", table_name="feed")

    op.drop_table("feed")
    op.drop_table("enrolments")
    op.drop_index("ix_enrol_attempts_client_at", table_name="enrol_attempts")

    op.drop_table("enrol_attempts")
    op.drop_table("devices")
    op.drop_index("ix_current_records_owner", table_name="current_records")

    op.drop_table("current_records")
    op.drop_index("ix_conflicts_record", table_name="conflicts")

    op.drop_table("conflicts")
    op.drop_table("blobs")
    op.drop_index("ix_attachment_refs_sha", table_name="attachment_refs")
    op.drop_index("ix_attachment_refs_device", table_name="attachment_refs")

    op.drop_table("attachment_refs")
