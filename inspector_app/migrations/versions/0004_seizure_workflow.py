"""seizure workflow: on-site record and emergency fields, testing periods, signatures,
the ledger of document numbers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Every added column is nullable, so records made before this revision keep their content.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_ended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("party_notified", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("party_statement", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("emergency_reported_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("emergency_approver", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("frozen_block", sa.Text(), nullable=True))

    with op.batch_alter_table("seizure_transitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approver", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("ground", sa.String(length=16), nullable=True))

    op.create_table(
        "seizure_testing_periods",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=False),
        sa.Column("end_date", sa.String(length=10), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["seizure_id"], ["seizures.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    with op.batch_alter_table("seizure_testing_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizure_testing_periods_seizure_id"),
                              ["seizure_id"], unique=False)

    op.create_table(
        "seizure_signatures",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("signer", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("png_sha256", sa.String(length=64), nullable=True),
        sa.Column("strokes_sha256", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["seizure_id"], ["seizures.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    with op.batch_alter_table("seizure_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizure_signatures_seizure_id"),
                              ["seizure_id"], unique=False)

    op.create_table(
        "seizure_doc_numbers",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("segment", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("seizure_id", sa.String(length=36), nullable=False),
        sa.Column("allocated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("segment", "year", "seq"),
    )


def downgrade() -> None:
    op.drop_table("seizure_doc_numbers")
    with op.batch_alter_table("seizure_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizure_signatures_seizure_id"))
    op.drop_table("seizure_signatures")
    with op.batch_alter_table("seizure_testing_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizure_testing_periods_seizure_id"))
    op.drop_table("seizure_testing_periods")
    with op.batch_alter_table("seizure_transitions", schema=None) as batch_op:
        batch_op.drop_column("ground")
        batch_op.drop_column("approver")
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        for name in ("frozen_block", "emergency_approver", "emergency_reported_at", "contact_phone",
                     "party_statement", "party_notified", "record_ended_at"):
            batch_op.drop_column(name)
