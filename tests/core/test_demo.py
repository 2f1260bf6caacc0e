"""Demo data: realistic, valid by the identifier rules, searchable, and sound evidence."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sample_records import fill
from sqlalchemy import func, select, text

from inspector_app.core import audit, demo, search, settings, validation
from inspector_app.core.models import (
    AuditEntry,
    History,
    Inspector,
    LabelCheck,
    Market,
    Outbox,
    Party,
    Seizure,
    SeizureDocNumber,
    WorkLog,
    Workstation,
)
from inspector_app.core.records import Actor
from inspector_app.core.seizure import service as seizure_service
from inspector_app.core.store import Store
from inspector_app.core.worklog import entry, service
from inspector_app.core.worklog import workstation as ws

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """One store with 30 records of each kind, shared by the read-only tests below."""
    store = Store(tmp_path_factory.mktemp("demo"))
    counts = demo.generate(store, 30, now=NOW)
    yield store, counts
    store.close()


def _history(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(History.content).order_by(History.pk)))


def test_counts(demo_store):
    store, counts = demo_store
    assert counts["check"] == counts["seizure"] == counts["worklog"] == 30
    assert counts["party"] >= 12 and counts["stall"] >= counts["party"]
    assert counts["market"] >= 3 and counts["inspector"] >= 2
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(LabelCheck)) == 30
        assert session.scalar(select(func.count()).select_from(Seizure)) == 30
        assert session.scalar(select(func.count()).select_from(WorkLog)) == 30


def test_fresh_demo_store_verifies(demo_store):
    store, _ = demo_store
    with store.read() as session:
        assert audit.verify(session, store.attachment_path) == []
        entries = session.scalar(select(func.count()).select_from(AuditEntry))
        assert entries == session.scalar(select(func.count()).select_from(History))
        assert entries == session.scalar(select(func.count()).select_from(Outbox))


def test_search_finds_two_character_chinese_substrings(demo_store):
    store, _ = demo_store
    with store.read() as session:
        check_id, product = session.execute(
            select(LabelCheck.id, LabelCheck.product_name).limit(1)).one()
        seizure_id, violation = session.execute(
            select(Seizure.id, Seizure.suspected_violation).limit(1)).one()
        worklog_id, market = session.execute(
            select(WorkLog.id, Market.name).join(Market, Market.id == WorkLog.market_id)
            .limit(1)).one()
        for kind, record_id, word in (("check", check_id, product[:2]),
                                      ("seizure", seizure_id, violation[2:4]),
                                      ("worklog", worklog_id, market[-4:-2])):
            assert len(word) == 2 and all("\u4e00" <= c <= "\u9fff" for c in word)
            match = search.match_expression(word)
            found = set(session.execute(text(search.matching_ids_sql(kind)),
                                        {"match": match}).scalars())
            assert record_id in found, (kind, word)
        # and the search is a substring search, not a word search
        found = session.execute(text(search.matching_ids_sql("check")),
                                {"match": search.match_expression("不存在的词")}).all()
        assert found == []


def test_party_names_beyond_the_bmp_and_valid_identifiers(demo_store):
    store, _ = demo_store
    with store.read() as session:
        parties = session.scalars(select(Party)).all()
        checks = session.scalars(select(LabelCheck)).all()
        worklogs = session.scalars(select(WorkLog)).all()
        assert any(any(ord(c) > 0xFFFF for c in p.name) for p in parties)
        # stored and read back unchanged, and searchable
        name = next(p.name for p in parties if any(ord(c) > 0xFFFF for c in p.name))
        assert session.scalar(select(Party.name).where(Party.name == name)) == name
        assert sum(1 for p in parties if p.credit_code) >= len(parties) // 2
        for party in parties:
            if party.credit_code:
                assert validation.is_valid_credit_code(party.credit_code), party.credit_code
            assert validation.is_valid_id_number(party.id_number)
            assert validation.is_valid_phone(party.phone) and len(party.phone) == 11
        codes = [p.credit_code for p in parties if p.credit_code]
        assert len(set(codes)) == len(codes)
        barcodes = [c.barcode for c in checks if c.barcode]
        assert barcodes and all(validation.is_valid_gtin13(b) for b in barcodes)
        for log in worklogs:
            for complaint in log.complaints:
                assert validation.is_valid_phone(complaint.phone)


def test_records_are_consistent(demo_store):
    store, _ = demo_store
    earliest = NOW - timedelta(days=demo.DAYS + 1)
    with store.read() as session:
        officers = {i.id: i for i in session.scalars(select(Inspector))}
        for check in session.scalars(select(LabelCheck)):
            assert 6 <= len(check.items) <= 10
            failed = [i for i in check.items if i.result == "fail"]
            assert check.outcome == ("nonconforming" if failed else "conforming")
            assert (check.measure == "") == (not failed)
            assert earliest < check.checked_at < NOW and check.checked_at.tzinfo is not None
            assert check.created_offset == 480
            if check.seizure_id:
                seizure = session.get(Seizure, check.seizure_id)
                assert seizure.source_check_id == check.id and check.measure == "seizure"
        states = Counter()
        for seizure in session.scalars(select(Seizure)):
            states[seizure.state] += 1
            assert len(seizure.officers) == 2
            assert len({o.inspector_id for o in seizure.officers}) == 2
            for o in seizure.officers:
                assert o.cert_no and officers[o.inspector_id].cert_no == o.cert_no
            assert 1 <= len(seizure.items) <= 6
            assert all(i.quantity > 0 for i in seizure.items)
            assert seizure.term_days <= 30 and seizure.extension_days <= 30
            assert "产品质量法" in seizure.legal_basis or "法第" in seizure.legal_basis
            assert seizure.onsite_record and seizure.party_presence in (
                "present", "absent", "refused")
            if seizure.party_presence == "absent":
                assert seizure.witness_name
            path = [t.from_state for t in seizure.transitions] + [seizure.state]
            assert path[0] == "draft"
            for t, after in zip(seizure.transitions, seizure.transitions[1:], strict=False):
                assert t.to_state == after.from_state and t.at <= after.at
            if seizure.state == "draft":
                assert seizure.issued_at is None and not seizure.number
            else:
                assert seizure.issued_at and seizure.number
                assert seizure.transitions[0].at == seizure.issued_at
            assert seizure.updated_at <= NOW
        assert states["released"] and states["issued"] + states["extended"]
        days = Counter()
        for log in session.scalars(select(WorkLog)):
            days[(log.market_id, log.log_date)] += 1
            assert 3 <= len(log.tests) <= 10
            for t in log.tests:
                if t.test_item == "农药残留":
                    assert Decimal(0) <= t.value <= Decimal(100)
                    assert (t.conclusion == "positive") == (t.value >= 50)
                assert log.opened_at <= t.tested_at
        assert max(days.values()) == 1  # one log per market and day
        numbers = [n for (n,) in session.execute(select(Seizure.number)) if n]
        assert len(set(numbers)) == len(numbers)


def test_same_seed_same_data(tmp_path):
    actor = Actor("demo-device")
    contents = []
    for name in ("a", "b"):
        store = Store(tmp_path / name)
        demo.generate(store, 12, actor, seed=7, now=NOW)
        contents.append(_history(store))
        store.close()
    assert contents[0] == contents[1]
    store = Store(tmp_path / "c")
    demo.generate(store, 12, actor, seed=8, now=NOW)
    assert _history(store) != contents[0]
    store.close()


def test_worker_process_makes_the_same_data(tmp_path, monkeypatch):
    actor = Actor("demo-device")
    contents = []
    for worker in (False, True):
        monkeypatch.setattr(demo, "WORKER", worker)
        store = Store(tmp_path / str(worker))
        demo.generate(store, 40, actor, seed=3, now=NOW)
        assert ("worker:total" in demo.LAST_TIMINGS) == worker  # it did not fall back
        contents.append(_history(store))
        with store.read() as session:
            assert audit.verify(session) == []
        store.close()
    assert contents[0] == contents[1]


def test_adds_to_a_signed_in_store_reusing_markets_and_inspectors(signed_in):
    store, actor, first = signed_in
    calls = []
    demo.generate(store, 20, actor, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (60, 60)
    with store.read() as session:
        markets = session.scalar(select(func.count()).select_from(Market))
        names = list(session.scalars(select(Inspector.username)))
        assert names.count("zhang") == 1 and len(names) > 2
        assert session.scalar(select(func.count()).select_from(Inspector)
                              .where(Inspector.cert_no != "")) >= 2
        # everything was made by the actor, on the actor's device
        authors = set(session.scalars(select(LabelCheck.author_id)))
        assert authors == {first.id}
    counts = demo.generate(store, 25, actor, seed=2)
    assert counts["market"] == 0 and counts["inspector"] == 0
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Market)) == markets
        assert session.scalar(select(func.count()).select_from(LabelCheck)) == 45
        assert session.scalar(select(func.count()).select_from(Seizure)) == 45
        assert audit.verify(session, store.attachment_path) == []
        pairs = session.execute(select(WorkLog.market_id, WorkLog.log_date)).all()
        assert len(set(pairs)) == len(pairs) == 45
        numbers = [n for (n,) in session.execute(select(Seizure.number)) if n]
        assert len(set(numbers)) == len(numbers)
        # the second run's records are searchable too
        rows = session.execute(text("SELECT count(*) FROM search_docs WHERE kind = 'seizure'"))
        assert rows.scalar() == 45


# --- the workstation, re-runs, unique ids, signed seizures -------------------------------


def test_the_worklog_page_finds_a_workstation_with_instruments_and_reagents(demo_store):
    store, counts = demo_store
    today = NOW.astimezone(demo.LOCAL).date()
    with store.read() as session:
        station = ws.the_workstation(session)
        assert station is not None and counts["workstation"] >= 1
        assert session.get(Market, station.market_id) is not None
        assert station.operators and all(o.name for o in station.operators)
        numbers = [i.number for i in station.instruments]
        assert numbers and all(numbers) and len(set(numbers)) == len(numbers)
        for inst in station.instruments:
            assert inst.cert_no and inst.serial_no
            assert date.fromisoformat(inst.valid_until) > today + timedelta(
                days=ws.EXPIRY_WARNING_DAYS)
        usable = [r for r in station.reagents if date.fromisoformat(r.expires_on) > today]
        assert {r.test_item for r in usable} == {r.test_item for r in station.reagents}
        # Nothing to warn about on the day the demo is made, and no shift left open:
        # the operator opens today's.
        kinds = {r.kind for r in ws.reminders(session, today, station.id)}
        assert not kinds & {"instrument_expired", "instrument_expiring", "instrument_undated",
                            "reagent_expired", "reagent_expiring"}
        assert service.current_log(session, station.id) is None
        # Every log names its market's workstation; the tests of this one name its
        # instruments and batches usable on the day, as the entry form checks them.
        stations = dict(session.execute(select(Workstation.market_id, Workstation.id)).all())
        logs = session.scalars(select(WorkLog)).all()
        assert all(log.workstation_id == stations[log.market_id] for log in logs)
        mine = [log for log in logs if log.workstation_id == station.id]
        assert mine
        for log in mine:
            ctx = service.entry_context(session, log, now=NOW)
            for t in log.tests:
                assert t.instrument_no in numbers
                assert entry.reagent_problem(t.test_item, t.reagent_batch,
                                             date.fromisoformat(log.log_date), ctx) is None


def test_a_shift_opens_at_the_demo_workstation(tmp_path):
    store = Store(tmp_path)
    demo.generate(store, 10, now=NOW)
    with store.write() as session:
        station = ws.the_workstation(session)
        actor = Actor(settings.device_id(session))
        # the set-up passes the workstation model's own checks, saved as it is
        ws.save(session, actor, ws.as_input(station), station.id, now=NOW)
        wl = service.open_shift(session, actor, station.operators[0].name, station.id,
                                now=NOW)
        ctx = service.entry_context(session, wl, now=NOW)
        assert ctx.default_instrument("农药残留") and ctx.default_reagent("农药残留", ctx.log_date)
        assert service.current_log(session, station.id).id == wl.id
    with store.read() as session:
        assert audit.verify(session, store.attachment_path) == []
    store.close()


def _record_ids(store: Store) -> set[str]:
    with store.read() as session:
        return set(session.scalars(select(History.record_id)))


def test_two_demo_stores_share_no_record_id_or_document_number(tmp_path):
    stores = [Store(tmp_path / name) for name in ("a", "b")]
    for store in stores:
        demo.generate(store, 12, now=NOW)
        demo.printable_seizures(store)
    ids = [_record_ids(store) for store in stores]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    numbers = []
    for store in stores:
        with store.read() as session:
            numbers.append({n for n in session.scalars(select(SeizureDocNumber.number))})
    assert numbers[0] and not numbers[0] & numbers[1]
    for store in stores:
        store.close()


def test_a_second_run_adds_more_to_a_demo_store(tmp_path):
    store = Store(tmp_path)
    demo.generate(store, 15, now=NOW)
    first = _record_ids(store)
    counts = demo.generate(store, 15, now=NOW)  # the same seed and time
    assert counts["check"] == counts["seizure"] == counts["worklog"] == 15
    assert counts["workstation"] == 0  # the markets have theirs
    second = _record_ids(store)
    assert first < second and len(second) > len(first) + 45
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(LabelCheck)) == 30
        assert audit.verify(session, store.attachment_path) == []
        pairs = session.execute(select(WorkLog.market_id, WorkLog.log_date)).all()
        assert len(set(pairs)) == len(pairs) == 30
        station = ws.the_workstation(session)
        assert service.current_log(session, station.id) is None
    store.close()


def test_a_demo_store_made_before_the_mark_takes_more_too(tmp_path):
    store = Store(tmp_path)
    demo.generate(store, 10, now=NOW)
    with store.write() as session:  # as a demo store of an earlier version
        session.execute(text("DELETE FROM settings WHERE key = 'demo_store'"))
        session.execute(text("UPDATE seizure_doc_numbers SET segment = 'DEMO', "
                             "number = replace(number, segment || '-', 'DEMO-')"))
    assert demo.generate(store, 10, now=NOW)["check"] == 10
    store.close()


def _table_counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        names = session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"))
        return {name: session.scalar(text(f'SELECT count(*) FROM "{name}"'))
                for name in list(names)}


def test_a_store_with_real_records_is_refused_and_left_unchanged(tmp_path):
    store = Store(tmp_path)
    fill(store)  # set up, with one record of each kind made through the app's services
    before = _table_counts(store)
    with pytest.raises(demo.DemoError) as raised:
        demo.generate(store, 5, now=NOW)
    assert "示例数据" in raised.value.message
    assert _table_counts(store) == before
    with store.read() as session:
        assert audit.verify(session, store.attachment_path) == []
    store.close()


def test_printable_seizures_are_signed_by_the_party_and_both_officers(tmp_path):
    store = Store(tmp_path)
    demo.generate(store, 5, now=NOW)
    made = demo.printable_seizures(store)
    assert len(made) == 3
    with store.read() as session:
        for seizure_id in made:
            seizure = seizure_service.load(session, seizure_id)
            signed = {(s.role, s.officer_id) for s in seizure.signatures
                      if s.status == "signed"}
            if seizure.state == "draft":
                assert not signed
                continue
            officers = {o.inspector_id for o in seizure.officers}
            assert signed == {("party", None)} | {("officer", o) for o in officers}
            for sig in seizure.signatures:
                image = store.attachment_path(sig.png_sha256).read_bytes()
                assert image.startswith(b"\x89PNG") and len(image) > 500
                assert store.attachment_path(sig.strokes_sha256).exists()
            assert seizure.number and "DEMO" not in seizure.number
        assert audit.verify(session, store.attachment_path) == []
    store.close()
