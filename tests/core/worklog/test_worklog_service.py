"""The daily log: shifts, re-tests and follow-up, scale checks, complaints, links."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from worklog_helpers import NOW, TODAY, day, history_versions, pesticide

from inspector_app.core import audit, records
from inspector_app.core.models import Seizure
from inspector_app.core.worklog import entry, service
from inspector_app.core.worklog.entry import TestInput
from inspector_app.core.worklog.items import WorklogError


def _add(station, *rows, now=NOW):
    ctx = station.ctx(now)
    tests = []
    for cells in rows:
        check = entry.check_row(cells, ctx, [t.sample_no for t in tests])
        assert check.errors == {}, check.errors
        tests.append(check.test)
    with station.store.write() as s:
        return [r.sample_no for r in service.add_tests(s, station.actor, station.log_id, tests,
                                                       now=now)]


def test_many_tests_are_one_version(station):
    before = history_versions(station.store, station.log_id)
    numbers = _add(station, *[pesticide(f"青菜{i}", str(i / 2)) for i in range(200)])
    assert history_versions(station.store, station.log_id) == before + 1
    assert numbers[0] == f"{TODAY:%Y%m%d}-001" and numbers[-1] == f"{TODAY:%Y%m%d}-200"
    assert len(set(numbers)) == 200


def test_sample_numbers_continue_across_shifts_of_a_day(station):
    _add(station, pesticide("青菜", "3"))
    with station.store.write() as s:
        service.close_shift(s, station.actor, station.log_id, now=NOW)
        wl = service.open_shift(s, station.actor, "王芳", station.workstation_id, now=NOW)
        station.log_id = wl.id
    [number] = _add(station, pesticide("菠菜", "4"))
    assert number == f"{TODAY:%Y%m%d}-002"


def test_duplicate_sample_number_is_refused(station):
    _add(station, pesticide("青菜", "3", sample_no="S-1"))
    check = entry.check_row(pesticide("菠菜", "4", sample_no="S-1"), station.ctx())
    assert "sample_no" in check.errors


def test_shift_open_and_close(station):
    with station.store.write() as s, pytest.raises(WorklogError):  # one open shift at a time
        service.open_shift(s, station.actor, "王芳", station.workstation_id, now=NOW)
    _add(station, pesticide("青菜", "55"), pesticide("菠菜", "5"))
    with station.store.write() as s:
        wl = service.close_shift(s, station.actor, station.log_id, now=NOW)
        assert wl.status == "closed" and wl.closed_at == NOW
        assert "快速检测2批次，阳性1批次" in wl.summary
    test = TestInput("韭菜", "农药残留", value=Decimal(1), tested_at=NOW,
                     reagent_batch="NC20261001")
    with pytest.raises(WorklogError, match="closed|交班|关闭|已"), station.store.write() as s:
        service.add_tests(s, station.actor, station.log_id, [test], now=NOW)
    # Follow-up comes later: still allowed.
    with station.store.write() as s:
        sample = station.log(s).tests[0].sample_no
        t = service.set_follow_up(s, station.actor, station.log_id, sample, "已下架",
                                  now=NOW + timedelta(days=1))
        assert t.follow_up == "已下架"


def test_a_positive_asks_for_a_retest(station):
    first, _neg = _add(station, pesticide("青菜", "62.5", stall="A07"), pesticide("菠菜", "5"))
    with station.store.read() as s:
        wl = station.log(s)
        assert [t.sample_no for t in service.awaiting_retest(wl)] == [first]
        ctx = service.entry_context(s, wl, NOW)
        cells = service.retest_cells(wl, first, ctx)
    assert cells["stall_no"] == "A07" and cells["product_name"] == "青菜"
    assert cells["retest_of"] == first
    [again] = _add(station, {**cells, "value": "58"})
    with station.store.read() as s:
        wl = station.log(s)
        assert service.awaiting_retest(wl) == []
        assert [t.sample_no for t in service.awaiting_follow_up(wl)] == [again]
        assert service.retests_of(wl, first)[0].conclusion == "positive"


def test_retest_must_name_a_sample_of_the_log(station):
    check = entry.check_row(pesticide("青菜", "12", retest_of="NOPE"), station.ctx())
    assert "retest_of" in check.errors


def test_expired_reagent_batch_cannot_be_used_for_a_new_test(station):
    check = entry.check_row(pesticide("青菜", "12", reagent_batch="NC20250301"), station.ctx())
    assert "reagent_batch" in check.errors
    assert day(-30) in check.errors["reagent_batch"]
    test = TestInput("青菜", "农药残留", value=Decimal(12), tested_at=NOW,
                     reagent_batch="NC20250301")
    with pytest.raises(service.RowsRefused), station.store.write() as s:
        service.add_tests(s, station.actor, station.log_id, [test], now=NOW)
    # a batch of another item, or one the workstation does not know
    assert "reagent_batch" in entry.check_row(
        pesticide("青菜", "12", reagent_batch="SRJ2026-08"), station.ctx()).errors
    assert "reagent_batch" in entry.check_row(
        pesticide("青菜", "12", reagent_batch="XX-1"), station.ctx()).errors


def test_time_must_be_on_the_log_day_and_not_in_the_future(station):
    ctx = station.ctx()
    assert "tested_at" in entry.check_row(
        pesticide("青菜", "1", tested_at=f"{day(-1)} 08:00"), ctx).errors
    assert "tested_at" in entry.check_row(pesticide("青菜", "1", tested_at="23:59"), ctx).errors
    ok = entry.check_row(pesticide("青菜", "1", tested_at="07:05"), ctx)
    assert ok.errors == {} and ok.test.tested_at.hour == 7


def test_correcting_a_test_recomputes_it_and_keeps_history(station):
    [sample] = _add(station, pesticide("青菜", "12"))
    with station.store.write() as s:
        wl = station.log(s)
        version = wl.version
        fixed = service.test_input(wl.tests[0])
        fixed.value = Decimal(51)
        row = service.update_test(s, station.actor, station.log_id, sample, fixed, version,
                                  now=NOW)
        assert row.conclusion == "positive"
    assert history_versions(station.store, station.log_id) == version + 1


def test_version_conflict(station):
    _add(station, pesticide("青菜", "12"))
    test = TestInput("菠菜", "农药残留", value=Decimal(1), tested_at=NOW,
                     reagent_batch="NC20261001")
    with pytest.raises(records.VersionConflict), station.store.write() as s:
        service.add_tests(s, station.actor, station.log_id, [test], expected_version=1,
                          now=NOW)


def test_scale_checks_are_flagged(station):
    at = NOW - timedelta(hours=1)
    with station.store.write() as s:
        ok = service.add_scale_check(s, station.actor, station.log_id, service.ScaleInput(
            stall_no="A01", cert_no="JD-1", verified_on=day(-100), valid_until=day(200),
            result="pass", checked_at=at), now=NOW)
        overdue = service.add_scale_check(s, station.actor, station.log_id, service.ScaleInput(
            stall_no="A02", cert_no="JD-2", verified_on=day(-400), valid_until=day(-1),
            result="pass", checked_at=at), now=NOW)
        failed = service.add_scale_check(s, station.actor, station.log_id, service.ScaleInput(
            stall_no="A03", cert_no="JD-3", verified_on=day(-10), valid_until=day(300),
            result="fail", checked_at=at), now=NOW)
        unmarked = service.add_scale_check(s, station.actor, station.log_id, service.ScaleInput(
            stall_no="A04", checked_at=at), now=NOW)
        assert (ok.result, overdue.result, failed.result, unmarked.result) == (
            "pass", "overdue", "fail", "fail")
        assert service.scale_flags(ok, TODAY) == []
        assert service.scale_flags(overdue, TODAY) == ["overdue"]
        assert service.scale_flags(failed, TODAY) == ["failed"]
        assert service.scale_flags(unmarked, TODAY) == ["unverified"]


def test_fair_scale_reweigh_difference(station):
    with station.store.write() as s:
        short = service.add_scale_check(s, station.actor, station.log_id, service.ScaleInput(
            kind="reweigh", stall_no="A12", product_name="五花肉", claimed_weight="1.5",
            actual_weight="1.42"), now=NOW)
        fair = service.add_scale_check(s, station.actor, station.log_id, service.ScaleInput(
            kind="reweigh", stall_no="A05", product_name="苹果", claimed_weight="2",
            actual_weight="2.01"), now=NOW)
        assert service.difference(short) == Decimal("-0.080")
        assert short.result == "fail" and service.scale_flags(short, TODAY) == ["short"]
        assert service.difference(fair) == Decimal("0.010") and fair.result == "pass"
        service.REWEIGH_TOLERANCE_G.set(s, 100)
        tolerated = service.add_scale_check(s, station.actor, station.log_id,
                                            service.ScaleInput(
                                                kind="reweigh", claimed_weight="1.5",
                                                actual_weight="1.42"), now=NOW)
        assert tolerated.result == "pass"
        with pytest.raises(WorklogError):
            service.add_scale_check(s, station.actor, station.log_id, service.ScaleInput(
                kind="reweigh", claimed_weight="0", actual_weight="1"), now=NOW)


def test_complaints_with_status_and_follow_up(station):
    with station.store.write() as s:
        c = service.add_complaint(s, station.actor, station.log_id, service.ComplaintInput(
            "反映短斤缺两", complainant="陈先生", phone="138 1234 5678", stall_no="A12"),
            now=NOW)
        assert c.status == "open" and c.phone == "13812345678"
        with pytest.raises(WorklogError):
            service.update_complaint(s, station.actor, station.log_id, c.position, "",
                                     close=True, now=NOW)
        c = service.update_complaint(s, station.actor, station.log_id, c.position,
                                     "已退还差价", close=True, now=NOW)
        assert c.status == "closed" and c.closed_at == NOW
        with pytest.raises(WorklogError):
            service.add_complaint(s, station.actor, station.log_id,
                                  service.ComplaintInput(" "), now=NOW)


def test_a_positive_starts_a_seizure_prefilled_with_stall_and_product(station):
    [sample] = _add(station, pesticide("豇豆", "71.2", stall="B05"))
    with station.store.write() as s:
        seizure_id = service.start_seizure(s, station.actor, station.log_id, sample, now=NOW)
        seizure = s.get(Seizure, seizure_id)
        assert seizure.state == "draft"
        assert "B05号摊位" in seizure.place and "东门农副产品批发市场" in seizure.place
        assert seizure.items[0].name == "豇豆"
        assert sample in seizure.onsite_record and "71.2%" in seizure.onsite_record
        test = service.find_test(station.log(s), sample)
        assert test.linked_seizure_id == seizure_id
        assert service.awaiting_follow_up(station.log(s)) == []
    with station.store.read() as s:
        assert audit.verify(s) == []


def test_only_a_positive_starts_a_seizure(station):
    [sample] = _add(station, pesticide("豇豆", "11"))
    with pytest.raises(WorklogError), station.store.write() as s:
        service.start_seizure(s, station.actor, station.log_id, sample, now=NOW)


def test_a_positive_starts_a_labeling_check_prefilled_with_stall_and_product(station):
    from inspector_app.core.models import LabelCheck, Stall

    [sample] = _add(station, pesticide("豇豆", "71.2", stall="B05"))
    with station.store.write() as s:
        check_id = service.start_check(s, station.actor, station.log_id, sample, now=NOW)
        check = s.get(LabelCheck, check_id)
        assert check.status == "draft" and check.product_name == "豇豆"
        assert check.market_id == station.market_id
        assert s.get(Stall, check.stall_id).number == "B05"
        assert sample in check.remarks
        assert service.find_test(station.log(s), sample).linked_check_id == check_id
    with station.store.read() as s:
        assert audit.verify(s) == []


def test_completions_from_history(station):
    _add(station, pesticide("青菜", "1", stall="A07"), pesticide("青菜", "2", stall="A07"),
         pesticide("菠菜", "3", stall="B01"))
    with station.store.read() as s:
        got = service.completions(s)
    assert got["product_name"][:2] == ["青菜", "菠菜"]
    assert got["stall_no"][:2] == ["A07", "B01"]
    assert got["test_item"][0] == "农药残留" and "瘦肉精" in got["test_item"]


def test_open_logs_of_other_markets_do_not_block_the_shift(station):
    from inspector_app.core.models import Market, WorkLog

    with station.store.write() as s:
        other = records.create(s, Market(name="西城小商品市场"), station.actor)
        legacy = records.create(s, WorkLog(status="open", market_id=other.id,
                                           log_date=TODAY.isoformat(), operator_name="王五",
                                           opened_at=NOW), station.actor)
        mine = records.create(s, WorkLog(status="open", market_id=station.market_id,
                                         log_date=TODAY.isoformat(), operator_name="李四",
                                         opened_at=NOW - timedelta(hours=9)), station.actor)
        # the station's own shift, then (before 0005) an unnamed log of its market
        assert service.current_log(s, station.workstation_id).id == station.log_id
        service.close_shift(s, station.actor, station.log_id, now=NOW)
        assert service.current_log(s, station.workstation_id).id == mine.id
        service.close_shift(s, station.actor, mine.id, now=NOW)
        assert service.current_log(s, station.workstation_id) is None
        wl = service.open_shift(s, station.actor, "李四", station.workstation_id, now=NOW)
        assert wl.workstation_id == station.workstation_id
        assert service.current_log(s).id in (wl.id, legacy.id)
