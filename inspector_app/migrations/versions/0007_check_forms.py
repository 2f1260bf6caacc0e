"""labeling checks made from definitions: the values of definition fields without a column
of their own, and the local drafts table

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

A branch from 0003 (other branches are merged later). No existing table changes: checks
made before this revision keep exactly their content. `check_drafts` is local only: never
audited, never synced.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_fields",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field_key", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("display", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["check_id"], ["label_checks.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    with op.batch_alter_table("check_fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_fields_check_id"), ["check_id"],
                              unique=False)

    op.create_table(
        "check_drafts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("check_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_drafts_inspector_id"), ["inspector_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_drafts_inspector_id"))
    op.drop_table("check_drafts")
    with op.batch_alter_table("check_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_fields_check_id"))
    op.drop_table("check_fields")
