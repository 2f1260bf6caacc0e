"""workstation logs: workstations with operators, instruments and reagent batches; re-test
links and follow-up of rapid tests; re-weigh and complaint details

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

A branch from 0003 (other branches are merged later). Every column added to an existing
table is nullable, so logs made before this revision keep their canonical content.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workstations",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("market_id", sa.String(length=36), nullable=True),
        sa.Column("address", sa.String(length=256), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_offset", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_offset", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["market_id"], ["markets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_workstations_market_id", "workstations", ["market_id"], unique=False)

    op.create_table(
        "workstation_operators",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("workstation_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("cert_no", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["workstation_id"], ["workstations.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_workstation_operators_workstation_id", "workstation_operators",
                    ["workstation_id"], unique=False)

    op.create_table(
        "workstation_instruments",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("workstation_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("serial_no", sa.String(length=64), nullable=True),
        sa.Column("cert_no", sa.String(length=64), nullable=True),
        sa.Column("verified_on", sa.String(length=10), nullable=True),
        sa.Column("valid_until", sa.String(length=10), nullable=True),
        sa.Column("test_items", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["workstation_id"], ["workstations.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_workstation_instruments_workstation_id", "workstation_instruments",
                    ["workstation_id"], unique=False)

    op.create_table(
        "reagent_batches",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("workstation_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("test_item", sa.String(length=32), nullable=False),
        sa.Column("batch_no", sa.String(length=64), nullable=False),
        sa.Column("expires_on", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("manufacturer", sa.String(length=128), nullable=True),
        sa.Column("received_on", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["workstation_id"], ["workstations.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_reagent_batches_workstation_id", "reagent_batches",
                    ["workstation_id"], unique=False)

    with op.batch_alter_table("work_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workstation_id", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_work_logs_workstation_id", ["workstation_id"], unique=False)

    with op.batch_alter_table("rapid_tests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retest_of", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("follow_up", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("linked_check_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("linked_seizure_id", sa.String(length=36), nullable=True))

    with op.batch_alter_table("scale_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("product_name", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))

    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("handler", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        for name in ("closed_at", "handler", "category"):
            batch_op.drop_column(name)
    with op.batch_alter_table("scale_checks", schema=None) as batch_op:
        for name in ("note", "product_name", "checked_at"):
            batch_op.drop_column(name)
    with op.batch_alter_table("rapid_tests", schema=None) as batch_op:
        for name in ("linked_seizure_id", "linked_check_id", "follow_up", "retest_of"):
            batch_op.drop_column(name)
    with op.batch_alter_table("work_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_work_logs_workstation_id")
        batch_op.drop_column("workstation_id")
    for table in ("reagent_batches", "workstation_instruments", "workstation_operators"):
        op.drop_index(f"ix_{table}_workstation_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_workstations_market_id", table_name="workstations")
    op.drop_table("workstations")
