"""Opening the store: migrations, refusal of foreign or newer files, WAL, the lock."""

from __future__ import annotations

import sqlite3

import pytest

from inspector_app.core import i18n, search
from inspector_app.core.store import (
    APPLICATION_ID,
    AlreadyOpenError,
    NoStoreError,
    Store,
    StoreError,
    current_revisions,
    instance_lock,
    migrate,
    schema_revisions,
)


def test_schema_heads_constant_names_the_newest_migrations():
    from inspector_app.core.store import SCHEMA_HEADS

    assert SCHEMA_HEADS == schema_revisions()[0]


def test_new_store_is_wal_marked_and_at_head(tmp_path):
    store = Store(tmp_path)
    con = sqlite3.connect(store.db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert current_revisions(store.engine) == schema_revisions()[0]
    store.close()


def test_open_existing_only_makes_nothing(tmp_path):
    for folder in (tmp_path / "absent", tmp_path / "empty"):
        if folder.name == "empty":
            folder.mkdir()
        with pytest.raises(NoStoreError) as err:
            Store(folder, create=False)
        assert err.value.message == f"{folder}中没有本软件的数据库。"
    assert not (tmp_path / "absent").exists() and not any((tmp_path / "empty").iterdir())
    Store(tmp_path / "made").close()
    store = Store(tmp_path / "made", create=False)
    assert current_revisions(store.engine) == schema_revisions()[0]
    store.close()


def test_foreign_file_is_refused_and_left_untouched(tmp_path):
    db = tmp_path / "inspector.db"
    db.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert "不是" in err.value.message and str(db) in err.value.message
    assert db.read_bytes() == before


def test_other_programs_sqlite_file_is_refused(tmp_path):
    db = tmp_path / "inspector.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.execute("INSERT INTO contacts VALUES ('someone')")
    con.commit()
    con.close()
    before = db.read_bytes()
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert "其他程序" in err.value.message
    assert db.read_bytes() == before


def test_damaged_database_is_refused(tmp_path):
    store = Store(tmp_path)
    store.close()
    db = tmp_path / "inspector.db"
    data = bytearray(db.read_bytes())
    data[16:100] = b"\xff" * 84  # a header sqlite cannot read
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        Store(tmp_path)
    assert db.read_bytes() == bytes(data)


def test_database_of_a_newer_app_is_refused_in_english_too(tmp_path):
    Store(tmp_path).close()
    con = sqlite3.connect(tmp_path / "inspector.db")
    con.execute("DELETE FROM alembic_version")
    con.execute("INSERT INTO alembic_version VALUES ('9999_future')")
    con.commit()
    con.close()
    before = (tmp_path / "inspector.db").read_bytes()
    i18n.set_language("en")
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert "newer version" in err.value.message and "9999_future" in err.value.message
    assert (tmp_path / "inspector.db").read_bytes() == before


def test_second_instance_gets_a_clear_message(tmp_path):
    lock = instance_lock(tmp_path)
    try:
        with pytest.raises(AlreadyOpenError) as err:
            instance_lock(tmp_path)
        assert "已在运行" in err.value.message
    finally:
        lock.release()
    instance_lock(tmp_path).release()  # free again once the first one closed


def _dump(con: sqlite3.Connection, tables: list[str]) -> dict[str, list[tuple]]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


def test_upgrade_from_first_revision_keeps_every_row(tmp_path):
    """A store made by the first release, with rows in it, upgrades to head intact."""
    store = Store(tmp_path, upgrade=False)
    migrate(store.write_engine, "0001")
    store.close()
    con = sqlite3.connect(tmp_path / "inspector.db")
    now = "2025-03-01 02:00:00.000000"
    common = f"1, '{now}', 480, '{now}', 480, 'dev-1', NULL"
    con.executescript(f"""
        INSERT INTO markets (id, version, created_at, created_offset, updated_at,
            updated_offset, device_id, author_id, name, address, district)
            VALUES ('m1', {common}, '东门农副产品批发市场', '东门路1号', '鼓楼区');
        INSERT INTO parties (id, version, created_at, created_offset, updated_at,
            updated_offset, device_id, author_id, kind, name, credit_code, licence_name,
            address, legal_rep, id_number, phone)
            VALUES ('p1', {common}, 'individual', '𠮷祥日杂商行', '', '营业执照', '', '',
            '', '');
        INSERT INTO label_checks (id, version, created_at, created_offset, updated_at,
            updated_offset, device_id, author_id, status, checked_at, market_id, stall_id,
            party_id, category, product_name, brand, spec_model, batch_no, shelf_life,
            manufacturer, manufacturer_address, barcode, quantity, unit, price, form_id,
            form_version, outcome, outcome_override_reason, measure, remarks, seizure_id)
            VALUES ('c1', {common}, 'final', '{now}', 'm1', NULL, 'p1', '家用电器',
            '电热水壶', '美的', '1.7L', '20250101', '', '某电器厂', '', '6901234567892',
            12, '台', 89.5, 'appliance', 1, 'conforming', '', '', '', NULL);
        INSERT INTO check_items (check_id, position, item_key, label, legal_basis,
            result, note) VALUES ('c1', 1, 'ccc', 'CCC认证标志', '', 'pass', '');
        INSERT INTO outbox (kind, record_id, version, created_at, acked_at)
            VALUES ('check', 'c1', 1, '{now}', NULL);
    """)
    con.commit()
    tables = ["markets", "parties", "label_checks", "check_items", "outbox"]
    before = _dump(con, tables)
    con.close()

    upgraded = Store(tmp_path)
    assert current_revisions(upgraded.engine) == schema_revisions()[0]
    con = sqlite3.connect(tmp_path / "inspector.db")
    assert _dump(con, tables) == before
    # The new search index covers the rows that were already there.
    match = search.match_expression("水壶")
    hits = con.execute(
        "SELECT d.record_id FROM search_check f JOIN search_docs d ON d.rowid = f.rowid "
        "WHERE search_check MATCH ?", (match,)).fetchall()
    assert hits == [("c1",)]
    assert list(tmp_path.glob("inspector.db.before-*.bak")), "a backup is made before migrating"
    upgraded.close()


def test_migrations_build_exactly_the_models(tmp_path):
    """Every model change comes with a migration: the migrated schema equals the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from inspector_app.core.models import Base

    store = Store(tmp_path)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": search.include_object})
        assert compare_metadata(context, Base.metadata) == []
    store.close()
