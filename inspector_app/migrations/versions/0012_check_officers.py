"""labeling checks name their officers: check_officers (行政处罚法 art. 42, two officers)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

A new child table of label_checks, so no existing row changes: a check made before this
revision has no officer rows (its canonical content and audit hashes stay the same; its
record prints the officer who saved it, as before), and a draft of it gets its officers
when it is saved again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_officers",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("cert_no", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["label_checks.id"]),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspectors.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    with op.batch_alter_table("check_officers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_officers_check_id"), ["check_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_officers_check_id"))
    op.drop_table("check_officers")
