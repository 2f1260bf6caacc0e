"""who stored each attachment first (its per-device quota)

Revision ID: s0003
Revises: s0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blobs") as batch:
        batch.add_column(sa.Column("device_id", sa.String(length=36), nullable=True))
        batch.create_index("ix_blobs_device", ["device_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("blobs") as batch:
        batch.drop_index("ix_blobs_device")
        batch.drop_column("device_id")
