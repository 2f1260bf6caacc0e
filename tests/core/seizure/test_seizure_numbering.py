"""Document numbers: the agency's pattern, a device segment, never the same number twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspector_app.core import settings
from inspector_app.core.models import SeizureDocNumber
from inspector_app.core.seizure import numbering
from inspector_app.core.seizure.rules import RuleError
from inspector_app.core.store import Store

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def _allocate(store, n, kind="decision", start=NOW):
    out = []
    with store.write() as s:
        for i in range(n):
            out.append(numbering.allocate(s, kind, f"seizure-{i}", start + timedelta(minutes=i),
                                          UTC))
    return out


def test_number_follows_the_pattern(agency):
    first, second = _allocate(agency.store, 2)
    assert first == "示例市监强制〔2025〕07-1号"
    assert second == "示例市监强制〔2025〕07-2号"
    with agency.store.write() as s:
        assert numbering.allocate(s, "release", "x", NOW, UTC) == "示例市监解强〔2025〕07-3号"


def test_two_devices_offline_never_make_the_same_number(tmp_path, new_agency):
    """Two stores (devices) of one agency, never in contact, each issuing many numbers."""
    a = new_agency(Store(tmp_path / "a"), segment="01")
    b = new_agency(Store(tmp_path / "b"), segment="02")
    numbers_a = _allocate(a.store, 300)
    numbers_b = _allocate(b.store, 300)
    # also across kinds, with the same clock and the same counters
    numbers_a += _allocate(a.store, 50, "list")
    numbers_b += _allocate(b.store, 50, "list")
    assert len(set(numbers_a)) == len(numbers_a) == 350
    assert len(set(numbers_b)) == 350
    assert not set(numbers_a) & set(numbers_b)
    a.store.close()
    b.store.close()


def test_numbers_are_never_reused(agency):
    store = agency.store
    first = _allocate(store, 3)
    # The seizure the numbers were made for is abandoned: the numbers stay used.
    # The pattern is changed and changed back: still no number comes twice.
    with store.write() as s:
        settings.DOC_NUMBER_PATTERN.set(s, "{abbr}强〔{year}〕{seq}号")
    second = _allocate(store, 2)
    with store.write() as s:
        settings.DOC_NUMBER_PATTERN.set(s, "{abbr}市监强制〔{year}〕{seq}号")
    third = _allocate(store, 2)
    everything = first + second + third
    assert len(set(everything)) == len(everything)
    assert third[0] == "示例市监强制〔2025〕07-6号"
    # A new year starts a new counter, and its numbers differ by the year.
    next_year = _allocate(store, 1, start=NOW.replace(year=2026))
    assert next_year == ["示例市监强制〔2026〕07-1号"]
    # The ledger refuses a duplicate at the database level too.
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(SeizureDocNumber(number="other", segment="07", year=2025, seq=1, kind="decision",
                               seizure_id="x", allocated_at=NOW))
    with store.read() as s:
        assert len(s.scalars(select(SeizureDocNumber)).all()) == 8


def test_device_without_segment_gets_a_clear_message(store, new_agency):
    agency = new_agency(store)
    with store.write() as s:
        numbering.DEVICE_SEGMENT.set(s, "")
    with pytest.raises(RuleError) as err, store.write() as s:
        numbering.allocate(s, "decision", "x", NOW)
    assert "分段" in err.value.message or "segment" in err.value.message
    assert agency


@pytest.mark.parametrize("pattern", ["{abbr}〔{year}〕号", "{abbr}{year}{device}号", "{bogus}{seq}",
                                     "{abbr|{seq}", "{abbr}|{seq}"])
def test_patterns_that_could_collide_or_are_broken_are_refused(pattern):
    with pytest.raises(RuleError):
        numbering.check_pattern(pattern)


@pytest.mark.parametrize("segment", ["", "0123456789", "a b", "０７x"])
def test_bad_segments_are_refused(segment):
    with pytest.raises(RuleError):
        numbering.check_segment(segment)
