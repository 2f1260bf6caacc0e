"""The supervisor's import of signed agency batches (inspector_app/core/agency/importer.py)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from agency_helpers import Dev, check, counts, record, supervisor
from sqlalchemy import func, select

from inspector_app.core.agency import contents, importer
from inspector_app.core.models import AgencyConflict, AgencyRecord, AgencyVersion
from sync import protocol


def _rec(store, kind, rid) -> AgencyRecord:
    with store.read() as session:
        return session.get(AgencyRecord, (kind, rid))


def test_new_records_keep_their_versions_and_facts(tmp_path):
    dev = Dev("李娜")
    market = record("market", dev, name="东门农副产品批发市场")
    person = record("inspector", dev, rid=dev.author_id, name="王磊")
    chk = check(dev, market_id=market.id, outcome="nonconforming")
    seizure = record("seizure", dev, author_id=dev.author_id, market_id=market.id,
                     number="示例市监强制〔2026〕A1-1号", state="issued", emergency=True,
                     started_at="2026-11-01T01:00:00.000000Z",
                     issued_at="2026-11-01T02:00:00.000000Z", term_days=30,
                     extension_days=10)
    worklog = record("worklog", dev, author_id=dev.author_id, log_date="2026-11-28",
                     status="closed", tests=[{"conclusion": "positive"},
                                             {"conclusion": "negative"},
                                             {"conclusion": "positive"}])
    store = supervisor(tmp_path / "sup", dev)
    # The check comes before the market and the inspector it names.
    summary = importer.import_batches(store, [dev.batch([chk, seizure, worklog]),
                                              dev.batch([market, person])])
    assert summary.as_dict() | {"refused": []} == {
        "new": 5, "updated": 0, "conflicts": 0, "duplicates": 0, "refused": [],
        "batches": 2, "duplicate_batches": 0, "records": 5, "cancelled": False}

    got = _rec(store, "check", chk.id)
    assert (got.version, got.content_sha256, got.device_id, got.owner_device_id) == (
        1, chk.sha256, dev.device_id, dev.device_id)
    assert (got.inspector, got.market, got.day, got.state, got.result, got.category,
            got.title, got.review_state) == (
        "王磊", "东门农副产品批发市场", "2026-12-01", "final", "nonconforming", "家用电器",
        "电热水壶", "pending")
    s = _rec(store, "seizure", seizure.id)
    assert (s.title, s.state, s.deadline, s.report_due, s.market) == (
        "示例市监强制〔2026〕A1-1号", "issued", "2026-12-11", "2026-11-02T01:00:00.000000Z",
        "东门农副产品批发市场")
    w = _rec(store, "worklog", worklog.id)
    assert (w.positives, w.day, w.state, w.inspector) == (2, "2026-11-28", "closed", "王磊")
    with store.read() as session:
        row = session.scalar(select(AgencyVersion).where(AgencyVersion.record_id == chk.id))
        assert row.content is None  # kept once, in its signed batch
        raw = contents.text_of(session, row).encode("utf-8")
    assert protocol.sha256_hex(raw) == chk.sha256 == row.content_sha256
    assert json.loads(raw) == chk.content


def test_inspector_name_falls_back_to_the_devices_key(tmp_path):
    dev = Dev("赵静")
    chk = check(dev)
    store = supervisor(tmp_path / "sup", dev)
    importer.import_batches(store, [dev.batch([chk])])
    assert _rec(store, "check", chk.id).inspector == "赵静"


def test_the_same_import_twice_changes_nothing(tmp_path):
    a, b = Dev("李娜"), Dev("王磊")
    batches = [a.batch([check(a) for _ in range(3)]), b.batch([check(b), check(b)]),
               a.batch([check(a)])]
    store = supervisor(tmp_path / "sup", a, b)
    first = importer.import_batches(store, batches)
    assert (first.new, first.batches) == (6, 3)
    before = counts(store)
    again = importer.import_batches(store, batches)
    assert again.as_dict() == {"new": 0, "updated": 0, "conflicts": 0, "duplicates": 6,
                               "refused": [], "batches": 0, "duplicate_batches": 3,
                               "records": 0, "cancelled": False}
    assert counts(store) == before


def test_unknown_and_revoked_keys_are_refused_naming_the_device(tmp_path):
    known, stranger, revoked = Dev("李娜"), Dev("陌生"), Dev("孙浩")
    store = supervisor(tmp_path / "sup", known, revoked, revoked=(revoked,))
    body, sig, kid, _ = revoked.batch([check(revoked)])
    summary = importer.import_batches(store, [
        stranger.batch([check(stranger)]), (body, sig, kid, "file")])
    reasons = [r["reason"] for r in summary.refused]
    assert len(reasons) == 2
    assert stranger.key_id in reasons[0] and "未知" in reasons[0]
    assert revoked.device_id in reasons[1] and "孙浩" in reasons[1] and "2026-11-01" in reasons[1]
    assert summary.refused[1]["device_id"] == revoked.device_id
    assert counts(store)["agency_batches"] == 0 and counts(store)["agency_records"] == 0


def test_a_forged_or_replayed_batch_is_refused(tmp_path):
    dev, thief = Dev(), Dev()
    store = supervisor(tmp_path / "sup", dev)
    body, _sig, kid, src = dev.batch([check(dev)], seq=2)
    forged = protocol.sign_batch(thief.key, body)
    other = dev.batch([check(dev)], seq=1)  # another batch under a used sequence number
    summary = importer.import_batches(store, [(body, forged, kid, src),
                                              dev.batch([check(dev)], seq=1), other])
    assert len(summary.refused) == 2
    assert "签名" in summary.refused[0]["reason"]
    assert "序号1" in summary.refused[1]["reason"] and "重放" in summary.refused[1]["reason"]
    assert summary.batches == 1


def test_conflicts_are_kept_and_overwrite_nothing(tmp_path):
    a, b = Dev("李娜"), Dev("王磊")
    rid = check(a).id
    v1, v2, v3 = (check(a, rid, n, product_name=f"v{n}") for n in (1, 2, 3))
    store = supervisor(tmp_path / "sup", a, b)
    first = importer.import_batches(store, [a.batch([v1, v2, v3])])
    assert (first.new, first.updated) == (1, 0)
    stale = check(a, rid, 2, product_name="另一个v2")  # base 1, the record is at 3
    same = check(a, rid, 3, product_name="另一个v3")  # other content under version 3
    foreign = check(b, rid, 4, product_name="别人的v4")  # B does not own A's record
    summary = importer.import_batches(store, [a.batch([stale, same]), b.batch([foreign])])
    assert (summary.conflicts, summary.updated, summary.new) == (3, 0, 0)
    got = _rec(store, "check", rid)
    assert (got.version, got.content_sha256, got.conflicts, got.title) == (
        3, v3.sha256, 3, "v3")
    with store.read() as session:
        rows = session.execute(select(AgencyConflict.version, AgencyConflict.reason,
                                      AgencyConflict.device_id, AgencyConflict.current_version)
                               .order_by(AgencyConflict.pk)).all()
    assert [tuple(r) for r in rows] == [(2, "stale_base", a.device_id, 3),
                                       (3, "same_version", a.device_id, 3),
                                       (4, "not_owner", b.device_id, 3)]
    assert counts(store)["agency_versions"] == 6  # every content is kept


def test_a_new_version_from_the_owner_moves_the_record(tmp_path):
    dev = Dev()
    rid = check(dev).id
    store = supervisor(tmp_path / "sup", dev)
    importer.import_batches(store, [dev.batch([check(dev, rid, 1)])])
    summary = importer.import_batches(store, [dev.batch([check(dev, rid, 2,
                                                               outcome="nonconforming")])])
    assert (summary.updated, summary.new, summary.conflicts) == (1, 0, 0)
    got = _rec(store, "check", rid)
    assert (got.version, got.result) == (2, "nonconforming")


def test_a_returned_record_corrected_by_its_owner_is_pending_again(tmp_path):
    dev, other = Dev(), Dev()
    rid = check(dev).id
    store = supervisor(tmp_path / "sup", dev, other)
    importer.import_batches(store, [dev.batch([check(dev, rid, 1)])])
    with store.write() as session:
        session.get(AgencyRecord, ("check", rid)).review_state = "returned"
    importer.import_batches(store, [other.batch([check(other, rid, 2)])])  # not its owner
    assert _rec(store, "check", rid).review_state == "returned"
    importer.import_batches(store, [dev.batch([check(dev, rid, 2, remarks="已更正")])])
    got = _rec(store, "check", rid)
    assert (got.version, got.review_state) == (2, "pending")


def test_cancel_between_transactions_leaves_whole_batches_only(tmp_path):
    dev = Dev()
    batches = [dev.batch([check(dev) for _ in range(4)]) for _ in range(5)]
    store = supervisor(tmp_path / "sup", dev)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 3  # after two transactions of a batch each

    summary = importer.import_batches(store, batches, cancelled=cancelled, chunk_records=4)
    assert summary.cancelled
    got = counts(store)
    assert got["agency_batches"] * 4 == got["agency_versions"] == got["agency_records"]
    assert 0 < got["agency_batches"] < 5
    rest = importer.import_batches(store, batches, chunk_records=4)
    assert rest.duplicate_batches == got["agency_batches"]
    assert counts(store)["agency_records"] == 20


def test_a_failing_write_stores_nothing_of_its_batches(tmp_path, monkeypatch):
    dev = Dev()
    store = supervisor(tmp_path / "sup", dev)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(importer, "_rename", broken)  # after every row was inserted
    with pytest.raises(OSError):
        importer.import_batches(store, [dev.batch([check(dev), check(dev)])])
    assert set(counts(store).values()) == {0}


def test_a_record_version_that_is_not_base_plus_one_refuses_its_batch(tmp_path):
    dev = Dev()
    store = supervisor(tmp_path / "sup", dev)
    jump = check(dev, version=5, base=1)
    summary = importer.import_batches(store, [dev.batch([check(dev), jump])])
    assert len(summary.refused) == 1 and "基础版本号加一" in summary.refused[0]["reason"]
    assert counts(store)["agency_versions"] == 0


def test_a_versions_content_is_read_from_its_batch_and_checked(tmp_path, caplog):
    from inspector_app.core.agency import review

    dev = Dev("李娜")
    first, second = check(dev, product_name="酱油"), check(dev, product_name="食醋")
    store = supervisor(tmp_path / "sup", dev)
    importer.import_batches(store, [dev.batch([first]), dev.batch([second])])
    with store.read() as session:
        assert review.content(session, "check", first.id, 1)["product_name"] == "酱油"
        other = session.scalar(select(AgencyVersion.batch_id).where(
            AgencyVersion.record_id == second.id))
    # The bytes of the second batch altered behind the store's back: nothing is shown.
    with sqlite3.connect(store.db_path) as con:
        con.execute("UPDATE agency_batches SET body = ? WHERE id = ?",
                    (protocol.encode_batch(protocol.decode_batch(dev.batch([first])[0])),
                     other))
    with store.read() as session:
        assert review.content(session, "check", second.id, 1) == {}
    assert "does not match the hash it was imported with" in caplog.text


def test_a_store_of_0014_keeps_each_version_once_after_the_upgrade(tmp_path):
    from alembic import command

    from inspector_app.core import store as store_mod
    from inspector_app.core.agency import review
    from inspector_app.core.store import Store

    dev = Dev("李娜")
    records = [check(dev, product_name=f"产品{n}") for n in range(3)]
    store = supervisor(tmp_path / "sup", dev)
    importer.import_batches(store, [dev.batch(records[:2]), dev.batch(records[2:])])
    with store.write() as session:  # as 0014 kept them: each version with its own copy
        command.downgrade(store_mod.alembic_config(session.connection()), "0014")
    store.close()
    with sqlite3.connect(tmp_path / "sup" / "inspector.db") as con:
        assert con.execute("SELECT count(*) FROM agency_versions WHERE content IS NULL"
                           ).fetchone() == (0,)
    store = Store(tmp_path / "sup")  # opening it upgrades it
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(AgencyVersion).where(
            AgencyVersion.content.is_not(None))) == 0
        assert [review.content(session, "check", r.id, 1)["product_name"]
                for r in records] == ["产品0", "产品1", "产品2"]
    store.close()
