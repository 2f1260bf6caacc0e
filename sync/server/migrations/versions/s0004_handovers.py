"""handovers: recorded decisions that move a record to another device

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("handovers",
    sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("record_id", sa.String(length=36), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("from_device_id", sa.String(length=36), nullable=False),
    sa.Column("to_device_id", sa.String(length=36), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("decided_by", sa.String(length=128), nullable=False),
    sa.Column("decided_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["to_device_id"], ["devices.id"]),
    sa.PrimaryKeyConstraint("pk")
    )
    op.create_index("ix_handovers_from", "handovers", ["from_device_id"], unique=False)
    op.create_index("ix_handovers_record", "handovers", ["kind", "record_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_handovers_record", table_name="handovers")
    op.drop_index("ix_handovers_from", table_name="handovers")
    op.drop_table("handovers")
