"""Records are evidence: versions, history and the hash-chained audit trail."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from inspector_app.core import attachments, audit, records
from inspector_app.core.models import (
    AuditEntry,
    CheckItem,
    History,
    LabelCheck,
    Market,
    Outbox,
    Party,
)


def _check(store, actor, product="电热水壶"):
    with store.write() as session:
        market = records.create(session, Market(name="东门农副产品批发市场"), actor)
        party = records.create(session, Party(name="𠮷祥日杂商行", party_type="individual"), actor)
        check = LabelCheck(
            checked_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
            market_id=market.id, party_id=party.id, product_name=product, category="家用电器",
            items=[CheckItem(position=1, item_key="cert", label="产品质量检验合格证明",
                             result="pass")],
        )
        records.create(session, check, actor)
        return check.id


def _problems(store):
    with store.read() as session:
        return audit.verify(session, store.attachment_path)


def test_untouched_store_verifies(signed_in):
    store, actor, _ = signed_in
    _check(store, actor)
    assert _problems(store) == []


def test_update_keeps_every_version_in_history(signed_in):
    store, actor, _ = signed_in
    check_id = _check(store, actor)
    with store.write() as session:
        check = session.get(LabelCheck, check_id)
        check.product_name = "电水壶"
        records.update(session, check, actor, expected_version=1)
    with store.read() as session:
        versions = session.scalars(
            select(History.content).where(History.record_id == check_id)
            .order_by(History.version)).all()
        assert len(versions) == 2
        assert "电热水壶" in versions[0] and "电水壶" in versions[1]
        assert session.scalar(select(func.count()).select_from(Outbox)
                              .where(Outbox.record_id == check_id)) == 2
    assert _problems(store) == []


def test_stale_version_is_refused(signed_in):
    store, actor, _ = signed_in
    check_id = _check(store, actor)
    with pytest.raises(records.VersionConflict), store.write() as session:
        check = session.get(LabelCheck, check_id)
        check.product_name = "x"
        records.update(session, check, actor, expected_version=0)
    with store.read() as session:
        assert session.get(LabelCheck, check_id).product_name == "电热水壶"


def _sql(store, statement, params=()):
    con = sqlite3.connect(store.db_path)
    con.execute(statement, params)
    con.commit()
    con.close()


def test_row_changed_outside_the_app_is_named(signed_in):
    store, actor, _ = signed_in
    check_id = _check(store, actor)
    _sql(store, "UPDATE label_checks SET product_name = '别的东西' WHERE id = ?", (check_id,))
    problems = _problems(store)
    assert [(p.kind, p.record_id) for p in problems] == [("check", check_id)]
    assert "修改" in problems[0].message


def test_child_row_changed_outside_the_app_is_named(signed_in):
    store, actor, _ = signed_in
    check_id = _check(store, actor)
    _sql(store, "UPDATE check_items SET result = 'fail' WHERE check_id = ?", (check_id,))
    assert [p.record_id for p in _problems(store)] == [check_id]


def test_deleted_and_inserted_rows_are_named(signed_in):
    store, actor, _ = signed_in
    check_id = _check(store, actor)
    _sql(store, "DELETE FROM check_items WHERE check_id = ?", (check_id,))
    _sql(store, "DELETE FROM label_checks WHERE id = ?", (check_id,))
    _sql(store, "INSERT INTO markets (id, version, created_at, created_offset, updated_at, "
                "updated_offset, device_id, name, address, district) VALUES ('forged', 1, "
                "'2026-01-01', 0, '2026-01-01', 0, 'x', '假市场', '', '')")
    found = {(p.kind, p.record_id, p.message) for p in _problems(store)}
    assert ("check", check_id, "该记录在本软件之外被删除") in found
    assert ("market", "forged", "该记录在本软件之外被添加（无审计记录）") in found


def test_rewritten_audit_entry_breaks_the_chain(signed_in):
    store, actor, _ = signed_in
    _check(store, actor)
    _sql(store, "UPDATE audit_log SET action = 'import' WHERE seq = 2")
    assert any("审计链" in p.message for p in _problems(store))


def test_consistent_forgery_of_row_and_history_is_still_caught(signed_in):
    """Changing the row and its history snapshot together still breaks the hash chain."""
    store, actor, _ = signed_in
    check_id = _check(store, actor)
    _sql(store, "UPDATE label_checks SET product_name = 'x' WHERE id = ?", (check_id,))
    _sql(store, "UPDATE history SET content = replace(content, '电热水壶', 'x') "
                "WHERE record_id = ?", (check_id,))
    assert check_id in {p.record_id for p in _problems(store)}


def test_chain_cannot_fork(signed_in):
    """Two entries naming the same predecessor are refused by the database."""
    store, actor, _ = signed_in
    _check(store, actor)
    con = sqlite3.connect(store.db_path)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO audit_log (at, kind, record_id, version, action, device_id, "
                    "content_sha256, prev_hash, entry_hash) SELECT at, kind, record_id, "
                    "version, action, device_id, content_sha256, prev_hash, entry_hash "
                    "FROM audit_log WHERE seq = 3")
    con.close()


def test_attachment_bytes_are_evidence(signed_in):
    store, actor, _ = signed_in
    check_id = _check(store, actor)
    photo = b"\xff\xd8\xff\xe0 pretend jpeg bytes"
    with store.write() as session:
        check = session.get(LabelCheck, check_id)
        att = attachments.attach(store, session, check, actor, photo, "photo", "label.jpg",
                                 "image/jpeg")
        assert check.version == 2
    path = store.attachment_path(att.sha256)
    assert path.read_bytes() == photo
    assert _problems(store) == []
    path.write_bytes(b"swapped")
    assert [p.record_id for p in _problems(store)] == [check_id]


def test_audit_entries_name_device_and_author(signed_in):
    store, actor, inspector = signed_in
    check_id = _check(store, actor)
    with store.read() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.record_id == check_id))
        check = session.get(LabelCheck, check_id)
    assert (entry.device_id, entry.author_id) == (actor.device_id, inspector.id)
    assert check.created_at.tzinfo is not None and check.version == 1
