"""roles (inspector / supervisor), signed decisions, bulletins, the supervisors' batch feed

Devices and enrolment codes get a role (every existing one is an inspector's). Current
records get the facts stats count (state, result: sync.facts) and a review state, filled
from their contents and the last unsigned review of their current version. Every batch
already applied gets its "batch" feed entry for its agency's supervisors, in applied
order, so a supervisor enrolled later still pulls every batch.

Revision ID: s0005
Revises: s0004
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "s0005"
down_revision = "s0004"
branch_labels = None
depends_on = None

CHUNK = 1000


def upgrade() -> None:
    for table in ("enrolments", "devices"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("role", sa.String(length=16), nullable=False,
                                       server_default="inspector"))
    with op.batch_alter_table("current_records") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("result", sa.String(length=16), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("review_state", sa.String(length=16), nullable=False,
                                   server_default="pending"))
    op.create_table("server_decisions",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("record_id", sa.String(length=36), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("action", sa.String(length=16), nullable=False),
    sa.Column("by", sa.String(length=128), nullable=False),
    sa.Column("decided_at", sa.String(length=40), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("envelope", sa.Text(), nullable=False),
    sa.Column("envelope_sha256", sa.String(length=64), nullable=False),
    sa.Column("receipt", sa.Text(), nullable=False),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index("ix_server_decisions_record", "server_decisions", ["kind", "record_id"],
                    unique=False)
    op.create_table("bulletins",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("agency", sa.String(length=128), nullable=False),
    sa.Column("title", sa.String(length=256), nullable=False),
    sa.Column("period_from", sa.String(length=10), nullable=False),
    sa.Column("period_to", sa.String(length=10), nullable=False),
    sa.Column("issued_at", sa.String(length=40), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("envelope", sa.Text(), nullable=False),
    sa.Column("envelope_sha256", sa.String(length=64), nullable=False),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index("ix_bulletins_agency", "bulletins", ["agency", "issued_at"], unique=False)
    _fill_facts()
    _feed_batches()


def _fill_facts() -> None:
    from sync import facts

    conn = op.get_bind()
    page = sa.text(
        "SELECT c.kind, c.record_id, v.content FROM current_records c JOIN record_versions v "
        "ON v.kind = c.kind AND v.record_id = c.record_id AND v.version = c.version "
        "WHERE c.kind > :k OR (c.kind = :k AND c.record_id > :i) "
        "ORDER BY c.kind, c.record_id LIMIT :n")
    update = sa.text("UPDATE current_records SET state = :s, result = :r "
                     "WHERE kind = :k AND record_id = :i")
    last = ("", "")
    while True:  # a page at a time: the contents of every record never sit in memory
        rows = conn.execute(page, {"k": last[0], "i": last[1], "n": CHUNK}).all()
        if not rows:
            break
        todo = []
        for kind, record_id, content in rows:
            try:
                data = json.loads(content)
            except ValueError:
                data = {}
            todo.append({"s": facts.state_of(kind, data), "r": facts.result_of(kind, data),
                         "k": kind, "i": record_id})
        conn.execute(update, todo)
        last = (rows[-1][0], rows[-1][1])
    # The last unsigned review of a record's current version is its review state.
    reviews = conn.execute(sa.text(
        "SELECT r.kind, r.record_id, r.decision FROM reviews r JOIN current_records c "
        "ON c.kind = r.kind AND c.record_id = r.record_id AND c.version = r.version "
        "ORDER BY r.decided_at")).all()
    latest = {(k, i): d for k, i, d in reviews}
    if latest:
        conn.execute(sa.text("UPDATE current_records SET review_state = :s "
                             "WHERE kind = :k AND record_id = :i"),
                     [{"s": d, "k": k, "i": i} for (k, i), d in latest.items()])


def _feed_batches() -> None:
    from sync import protocol
    from sync.server.service import supervisors_of

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT b.id, b.device_id, b.seq, b.records, b.body_sha256, d.agency, "
        "COALESCE(b.applied_at, b.received_at) "
        "FROM batches b JOIN devices d ON d.id = b.device_id WHERE b.status = 'applied' "
        "ORDER BY COALESCE(b.applied_at, b.received_at), b.device_id, b.seq")).all()
    insert = sa.text("INSERT INTO feed (audience, type, data, created_at) "
                     "VALUES (:a, 'batch', :d, :t)")
    todo = [{"a": supervisors_of(agency), "t": applied_at,
             "d": protocol.dumps({"batch_id": bid, "device_id": dev, "seq": seq,
                                  "records": n, "body_sha256": sha})}
            for bid, dev, seq, n, sha, agency, applied_at in rows]
    for i in range(0, len(todo), CHUNK):
        conn.execute(insert, todo[i:i + CHUNK])


def downgrade() -> None:
    op.execute("DELETE FROM feed WHERE type IN ('batch', 'decision')")
    op.drop_index("ix_bulletins_agency", table_name="bulletins")
    op.drop_table("bulletins")
    op.drop_index("ix_server_decisions_record", table_name="server_decisions")
    op.drop_table("server_decisions")
    with op.batch_alter_table("current_records") as batch:
        batch.drop_column("review_state")
        batch.drop_column("result")
        batch.drop_column("state")
    for table in ("devices", "enrolments"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("role")
