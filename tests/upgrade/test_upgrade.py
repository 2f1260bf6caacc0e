"""Stores made by every earlier schema revision open in today's app with nothing lost.

Each frozen store (tests/upgrade/frozen/, made by make_frozen.py, like the Home Assistant
recorder's old schemas) is copied, opened with the app's opener, which migrates it to
whatever the head is today, and then: every row it held is still there with the same
values, and the audit chain, history and attachment files verify.

A migration may add a version of a record (its audit entry says "migrate"), never change a
record silently: a row whose version went up must keep every other value, and its earlier
version must still be in the history.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from make_frozen import FROZEN, RENAMED, frozen_path, old_name, revisions, unpack

from inspector_app.core import audit
from inspector_app.core.models import AUDITED
from inspector_app.core.store import Store, current_revisions, migrate, schema_revisions

ORDER = revisions()
FROZEN_REVISIONS = sorted(p.name.split(".")[0] for p in FROZEN.glob("*.sqlite.gz"))
ENTITY_TABLES = {cls.__tablename__ for cls in AUDITED.values()}
BOOKKEEPING_COLUMNS = {"version", "updated_at", "updated_offset", "device_id", "author_id"}


def _tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'search_%' AND name != 'alembic_version' ORDER BY name")]


def _dump(db: Path, revision: str | None) -> dict[str, list[dict]]:
    """Every row of every table, under today's column names."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for table in _tables(con):
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            today = {}
            if revision is not None:
                today = {old_name(t, c, revision, ORDER): c for (t, c) in RENAMED if t == table}
            out[table] = [dict(zip([today.get(c, c) for c in cols], row, strict=True))
                          for row in con.execute(f'SELECT * FROM "{table}"')]
        return out
    finally:
        con.close()


def _schema(db: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(db)
    try:
        return {t: [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
                for t in _tables(con)}
    finally:
        con.close()


def test_every_earlier_revision_has_a_frozen_store():
    """Every revision before today's head (a store in the field may be at any of them);
    the head itself gets its file when a newer revision comes."""
    heads = schema_revisions()[0]
    missing = [r for r in ORDER if r not in heads and not frozen_path(r).exists()]
    assert not missing, (f"no frozen store of revision {', '.join(missing)}: run "
                         f"`PYTHONPATH=. python tests/upgrade/make_frozen.py` and commit "
                         f"tests/upgrade/frozen/")
    assert set(FROZEN_REVISIONS) <= set(ORDER)


@pytest.mark.parametrize("revision", FROZEN_REVISIONS)
def test_frozen_store_is_what_its_revision_made(revision, tmp_path):
    """The frozen file has exactly the tables and columns of its revision, and rows of
    every kind that revision knows."""
    data = unpack(revision, tmp_path / "frozen")
    fresh = Store(tmp_path / "fresh", upgrade=False)
    migrate(fresh.write_engine, revision)
    fresh.close()
    assert _schema(data / "inspector.db") == _schema(tmp_path / "fresh" / "inspector.db")
    con = sqlite3.connect(data / "inspector.db")
    try:
        assert [r[0] for r in con.execute("SELECT version_num FROM alembic_version")] == \
            [revision]
    finally:
        con.close()
    empty = [t for t, rows in _dump(data / "inspector.db", revision).items() if not rows]
    assert empty == [], "every table holds rows"


@pytest.mark.parametrize("revision", FROZEN_REVISIONS)
def test_upgrade_keeps_every_row_and_the_audit_chain(revision, tmp_path):
    data = unpack(revision, tmp_path / "data")
    before = _dump(data / "inspector.db", revision)

    store = Store(data)  # the app's opener: migrates to today's head
    try:
        assert current_revisions(store.engine) == schema_revisions()[0]
        with store.read() as session:
            problems = audit.verify(session, store.attachment_path)
        assert [str(p) for p in problems] == []
    finally:
        store.close()
    if revision not in schema_revisions()[0]:
        assert list(data.glob("inspector.db.before-*.bak")), "a backup is made before migrating"
    after = _dump(data / "inspector.db", None)

    migrated = {(e["kind"], e["record_id"], e["version"]) for e in after["audit_log"]
                if e["action"] == "migrate"}
    history = Counter((h["kind"], h["record_id"], h["version"], h["content"])
                      for h in after["history"])
    for table, rows in before.items():
        assert table in after, f"table {table} is gone"
        kept = Counter(tuple(sorted((c, row[c]) for c in rows[0])) for row in after[table]) \
            if rows else Counter()
        for row in rows:
            key = tuple(sorted(row.items()))
            if kept[key]:
                kept[key] -= 1
                continue
            # Only an audited entity may change, and only by a migration's new version.
            assert table in ENTITY_TABLES, f"{table} row changed or lost: {row}"
            now = next(r for r in after[table] if r["id"] == row["id"])
            assert now["version"] > row["version"], f"{table} {row['id']} changed in place"
            assert {c: now[c] for c in row if c not in BOOKKEEPING_COLUMNS} == \
                {c: row[c] for c in row if c not in BOOKKEEPING_COLUMNS}
            kind = next(k for k, cls in AUDITED.items() if cls.__tablename__ == table)
            assert (kind, row["id"], now["version"]) in migrated
            assert any(k[:3] == (kind, row["id"], row["version"]) for k in history), \
                "the earlier version stays in the history"
