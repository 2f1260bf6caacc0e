"""an agency version's content may be left to its signed batch

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

`agency_versions.content` becomes nullable: a version imported from a signed batch is
kept once, in `agency_batches.body` (its `batch_id` and `position` say where), instead of
also as its own compressed copy (core/agency/contents.py reads either). Rows held before
keep their copy unchanged.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency_versions") as batch_op:
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    # A version without its own copy gets it back from its batch before the column is
    # made NOT NULL again.
    import json
    import zlib

    from sync import protocol

    bind = op.get_bind()
    bodies: dict[str, list] = {}
    rows = bind.execute(sa.text("SELECT pk, batch_id, position FROM agency_versions "
                                "WHERE content IS NULL ORDER BY batch_id, position")).all()
    for pk, batch_id, position in rows:
        if batch_id not in bodies:
            body = bind.execute(sa.text("SELECT body FROM agency_batches WHERE id = :b"),
                                {"b": batch_id}).scalar()
            bodies = {batch_id: json.loads(protocol.decompress(body))["records"]}  # one batch
        text = protocol.dumps(bodies[batch_id][position]["content"])
        bind.execute(sa.text("UPDATE agency_versions SET content = :c WHERE pk = :pk"),
                     {"c": zlib.compress(text.encode("utf-8")), "pk": pk})
    with op.batch_alter_table("agency_versions") as batch_op:
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=False)
