"""an agency version's content may be left to its signed batch

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

`agency_versions.content` becomes nullable: a version imported from a signed batch is
kept once, in `agency_batches.body` (its `batch_id` and `position` say where), instead of
also as its own compressed copy (core/agency/contents.py reads either). The copies held
before are dropped where the batch holds the same content (the same sha256, at the
version's position): the signed batch was always the original. A version with no batch
(made here by a resolve) keeps its copy. The table is rebuilt compact; the pages freed
are reused by later imports (`VACUUM` gives them back to the disk).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The copies are emptied first, so the table rebuilt to make the column nullable
    # holds only what stays (its pages compact), then marked NULL.
    import json

    from sync import protocol

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT pk, batch_id, position, kind, record_id, content_sha256 FROM agency_versions "
        "WHERE content IS NOT NULL ORDER BY batch_id, position")).all()
    held: tuple[str, list] = ("", [])
    copies = []
    for pk, batch_id, position, kind, record_id, sha in rows:
        if held[0] != batch_id:  # one batch decoded at a time
            body = bind.execute(sa.text("SELECT body FROM agency_batches WHERE id = :b"),
                                {"b": batch_id}).scalar()
            try:
                held = (batch_id, json.loads(protocol.decompress(body))["records"])
            except (TypeError, ValueError, KeyError):  # ProtocolError is a ValueError
                held = (batch_id, [])  # not readable: the copies stay
        records = held[1]
        item = records[position] if 0 <= position < len(records) else None
        if isinstance(item, dict) and (item.get("kind"), item.get("id")) == (kind, record_id) \
                and protocol.sha256_hex(protocol.dumps(item["content"]).encode("utf-8")) == sha:
            copies.append({"pk": pk})
    if copies:
        bind.execute(sa.text("UPDATE agency_versions SET content = x'' WHERE pk = :pk"),
                     copies)
    with op.batch_alter_table("agency_versions", recreate="always") as batch_op:
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=True)
    if copies:
        bind.execute(sa.text("UPDATE agency_versions SET content = NULL WHERE pk = :pk"),
                     copies)


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
