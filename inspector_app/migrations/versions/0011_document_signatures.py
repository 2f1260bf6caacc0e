"""seizure_documents keep the issuing device's QR signature (key id and signature)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

A document is signed once, by the device that issues it, and the signature travels with
the record (import, sync), so a document printed on another device still carries its
issuer's signature and is never re-signed. Documents issued before this revision have
none: only their issuing device prints them, signing as it did.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seizure_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=86), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seizure_documents", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("key_id")
