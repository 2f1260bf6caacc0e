"""search index: FTS5 tables of character bigrams, built from the rows already there

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

from inspector_app.core import search

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    for statement in search.CREATE_SQL:
        conn.exec_driver_sql(statement)
    for kind in search.KINDS:
        search.reindex(conn, kind)


def downgrade() -> None:
    conn = op.get_bind()
    for statement in search.DROP_SQL:
        conn.exec_driver_sql(statement)
