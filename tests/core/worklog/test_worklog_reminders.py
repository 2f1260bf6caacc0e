"""Reminders: instrument verification expiring within 30 days, expired reagent batches,
positives awaiting a re-test; and the workstation set-up they come from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from worklog_helpers import NOW, TODAY, day, pesticide

from inspector_app.core.worklog import entry, service
from inspector_app.core.worklog import workstation as ws
from inspector_app.core.worklog.items import WorklogError


def _set_instruments(station, *valid_until: str | None):
    with station.store.write() as s:
        data = ws.as_input(ws.load(s, station.workstation_id))
        data.instruments = [
            ws.InstrumentInput(f"YQ-{n}", "农药残留速测仪", "GDYN", f"SN{n}", f"JD-{n}",
                               day(-300), until or "", ["农药残留"])
            for n, until in enumerate(valid_until, start=1)]
        data.reagents = [r for r in data.reagents if r.batch_no != "NC20250301"]
        ws.save(s, station.actor, data, station.workstation_id, now=NOW)


def _kinds(station, today=TODAY):
    with station.store.read() as s:
        return [(r.kind, r.ref) for r in ws.reminders(s, today, station.workstation_id)]


def test_instruments_expiring_within_30_days(station):
    _set_instruments(station, day(29), day(30), day(31), day(0), day(-1), None)
    got = _kinds(station)
    assert ("instrument_expired", "YQ-5") in got
    assert ("instrument_expiring", "YQ-1") in got
    assert ("instrument_expiring", "YQ-2") in got
    assert ("instrument_expiring", "YQ-4") in got  # valid through today
    assert not any(ref == "YQ-3" for _k, ref in got)  # 31 days: not yet
    assert ("instrument_undated", "YQ-6") in got
    assert got[0] == ("instrument_expired", "YQ-5")  # most urgent first


def test_reminder_text_names_the_certificate_and_day(station):
    _set_instruments(station, day(10))
    with station.store.read() as s:
        [first] = [r for r in ws.reminders(s, TODAY) if r.kind == "instrument_expiring"]
    assert "JD-1" in first.message and day(10) in first.message and "10" in first.message


def test_an_inactive_instrument_is_not_reminded(station):
    with station.store.write() as s:
        data = ws.as_input(ws.load(s, station.workstation_id))
        for inst in data.instruments:
            inst.active = False
        ws.save(s, station.actor, data, station.workstation_id, now=NOW)
    assert not [k for k, _r in _kinds(station) if k.startswith("instrument")]


def test_expired_reagent_batch(station):
    """The only batch of an item expired: a reminder, and no test can use it."""
    with station.store.write() as s:
        data = ws.as_input(ws.load(s, station.workstation_id))
        data.reagents = [ws.ReagentInput("瘦肉精", "SRJ-OLD", day(-1))]
        ws.save(s, station.actor, data, station.workstation_id, now=NOW)
    assert ("reagent_expired", "SRJ-OLD") in _kinds(station)
    check = entry.check_row({"product_name": "猪肉", "test_item": "瘦肉精", "value": "阴性",
                             "reagent_batch": "SRJ-OLD"}, station.ctx())
    assert "reagent_batch" in check.errors
    # no usable batch left: the default stays empty and the row asks for one
    check = entry.check_row({"product_name": "猪肉", "test_item": "瘦肉精", "value": "阴性"},
                            station.ctx())
    assert check.cells["reagent_batch"] == "" and "reagent_batch" in check.errors


def test_reagent_expiring_soon_and_the_next_batch_is_chosen(station):
    with station.store.write() as s:
        ws.add_reagent(s, station.actor, station.workstation_id,
                       ws.ReagentInput("农药残留", "NC-SOON", day(3)), now=NOW)
    assert ("reagent_expiring", "NC-SOON") in _kinds(station)
    ctx = station.ctx()
    assert ctx.default_reagent("农药残留", TODAY) == "NC-SOON"  # first to expire, first used
    assert ctx.default_reagent("农药残留", TODAY + timedelta(days=4)) == "NC20261001"


def test_positive_awaiting_retest_is_reminded(station):
    check = entry.check_row(pesticide("青菜", "66"), station.ctx())
    with station.store.write() as s:
        [t] = service.add_tests(s, station.actor, station.log_id, [check.test], now=NOW)
    kinds = _kinds(station)
    assert ("retest", t.sample_no) in kinds and ("follow_up", t.sample_no) in kinds


def test_setup_is_checked(station):
    with station.store.write() as s:
        data = ws.as_input(ws.load(s, station.workstation_id))
        data.instruments.append(ws.InstrumentInput("YQ-01", "重复", valid_until=day(1)))
        with pytest.raises(WorklogError):
            ws.save(s, station.actor, data, station.workstation_id)
        data = ws.as_input(ws.load(s, station.workstation_id))
        data.reagents.append(ws.ReagentInput("农药残留", "X", "2026-13-40"))
        with pytest.raises(WorklogError):
            ws.save(s, station.actor, data, station.workstation_id)
        data = ws.as_input(ws.load(s, station.workstation_id))
        data.instruments[0].verified_on, data.instruments[0].valid_until = day(5), day(1)
        with pytest.raises(WorklogError):
            ws.save(s, station.actor, data, station.workstation_id)


def test_setup_round_trip(station):
    with station.store.read() as s:
        station_row = ws.load(s, station.workstation_id)
        data = ws.as_input(station_row)
        version = station_row.version
    assert [o.name for o in data.operators] == ["李四", "王芳"]
    assert data.instruments[0].cert_no == "JD2026-0452"
    assert data.instruments[0].test_items == ["农药残留"]
    with station.store.write() as s:
        saved = ws.save(s, station.actor, data, station.workstation_id, version, now=NOW)
        assert saved.version == version + 1
        assert ws.as_input(saved) == data
