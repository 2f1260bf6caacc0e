"""parties.kind becomes parties.party_type, so it no longer collides with the entity kind

The canonical content of every entity names its kind under "kind"; the party's own
enterprise/individual column was hidden behind it and so was not protected by the audit
trail. Renamed, it is part of the content like every other column.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


# SQLite renames a column in place (no table copy, so no foreign key trouble).


def upgrade() -> None:
    op.execute("ALTER TABLE parties RENAME COLUMN kind TO party_type")


def downgrade() -> None:
    op.execute("ALTER TABLE parties RENAME COLUMN party_type TO kind")
