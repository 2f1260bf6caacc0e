"""device storage used (the quota); the enrolment rate limit leaves the database

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite too): a table rebuild would meet the foreign keys.
    op.add_column("devices", sa.Column("stored_bytes", sa.BigInteger(), nullable=False,
                                       server_default="0"))
    # What each device holds already (length() counts characters of text: near enough).
    op.execute("""
        UPDATE devices SET stored_bytes =
            (SELECT COALESCE(SUM(LENGTH(b.body)), 0) FROM batches b
             WHERE b.device_id = devices.id)
          + (SELECT COALESCE(SUM(LENGTH(v.content)), 0) FROM record_versions v
             WHERE v.device_id = devices.id)
    """)
    op.drop_index("ix_enrol_attempts_client_at", table_name="enrol_attempts")
    op.drop_table("enrol_attempts")


def downgrade() -> None:
    op.create_table("enrol_attempts",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("client_hash", sa.String(length=16), nullable=False),
                    sa.Column("at", sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_enrol_attempts_client_at", "enrol_attempts", ["client_hash", "at"])
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("stored_bytes")
