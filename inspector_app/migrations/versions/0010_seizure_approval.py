"""seizures: the agency head's prior approval (who, when), and the reason of a late
emergency report

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

The added columns are nullable and SQLite adds them in place (no table copy): every row
keeps its content, and, as empty values are not part of a record's canonical content, its
audit hash.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("seizures", sa.Column("approver", sa.String(length=64), nullable=True))
    op.add_column("seizures", sa.Column("approved_at", sa.DateTime(), nullable=True))
    op.add_column("seizures", sa.Column("emergency_report_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        for name in ("emergency_report_reason", "approved_at", "approver"):
            batch_op.drop_column(name)
