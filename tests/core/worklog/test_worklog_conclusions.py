"""Computed conclusions: the enzyme-inhibition rate (≥ 50 % positive), range errors, and the
conclusion never taken from the caller."""

from __future__ import annotations

from decimal import Decimal

import pytest
from worklog_helpers import NOW, pesticide

from inspector_app.core import audit, i18n
from inspector_app.core.worklog import entry, items, service
from inspector_app.core.worklog.entry import TestInput

BOUNDARY = [
    ("49.99", "negative"),
    ("50", "positive"),
    ("50.00", "positive"),
    ("50.01", "positive"),
    ("0", "negative"),
    ("100", "positive"),
    ("49.999", "negative"),
    ("５０", "positive"),  # full-width digits from a Chinese input method
    ("50%", "positive"),
]


@pytest.mark.parametrize(("typed", "expected"), BOUNDARY)
def test_inhibition_rate_conclusion_at_the_50_percent_boundary(station, typed, expected):
    check = entry.check_row(pesticide("青菜", typed), station.ctx())
    assert check.errors == {}
    assert check.conclusion == expected


@pytest.mark.parametrize("typed", ["-0.1", "100.1", "-5", "250"])
def test_inhibition_rate_out_of_range_is_refused(station, typed):
    check = entry.check_row(pesticide("青菜", typed), station.ctx())
    assert check.test is None
    assert set(check.errors) == {"value"}
    assert "0" in check.errors["value"] and "100" in check.errors["value"]


@pytest.mark.parametrize(("typed", "expected"),
                         [("49.99", "negative"), ("50", "positive"), ("50.01", "positive"),
                          ("0", "negative"), ("100", "positive")])
def test_stored_conclusion_is_computed_by_the_service(station, typed, expected):
    test = entry.check_row(pesticide("青菜", typed), station.ctx()).test
    with station.store.write() as s:
        [row] = service.add_tests(s, station.actor, station.log_id, [test], now=NOW)
        assert row.conclusion == expected
        assert row.value == Decimal(typed)


@pytest.mark.parametrize("value", [Decimal("-0.1"), Decimal("100.1")])
def test_service_refuses_a_rate_out_of_range_and_stores_nothing(station, value):
    bad = TestInput("青菜", "农药残留", value=value, tested_at=NOW, reagent_batch="NC20261001")
    good = TestInput("菠菜", "农药残留", value=Decimal(3), tested_at=NOW,
                     reagent_batch="NC20261001")
    before = station.version()
    with pytest.raises(service.RowsRefused) as caught, station.store.write() as s:
        service.add_tests(s, station.actor, station.log_id, [good, bad], now=NOW)
    assert caught.value.problems[0][0] == 1
    assert "value" in caught.value.problems[0][1]
    assert station.version() == before
    with station.store.read() as s:
        assert station.log(s).tests == []


def test_a_typed_conclusion_is_never_taken(station):
    """A reading word in place of a rate is refused, and a reading passed with a value is
    ignored by the rules: the conclusion comes from the rate."""
    check = entry.check_row(pesticide("青菜", "阳性"), station.ctx())
    assert "computed" in check.errors["value"] or "计算" in check.errors["value"]
    sneaky = TestInput("青菜", "农药残留", value=Decimal(10), reading="positive",
                       tested_at=NOW, reagent_batch="NC20261001")
    with pytest.raises(service.RowsRefused), station.store.write() as s:
        service.add_tests(s, station.actor, station.log_id, [sneaky], now=NOW)


def test_more_decimals_than_stored_are_refused_not_rounded(station):
    check = entry.check_row(pesticide("青菜", "49.9996"), station.ctx())
    assert "value" in check.errors


def test_not_a_number(station):
    check = entry.check_row(pesticide("青菜", "四十"), station.ctx())
    assert "value" in check.errors


def test_quantitative_item_compares_with_its_limit():
    assert items.conclusion(items.QUANTITATIVE, Decimal(30), None, "30") == "negative"
    assert items.conclusion(items.QUANTITATIVE, Decimal("30.001"), None, "≤30") == "positive"
    assert items.conclusion(items.QUANTITATIVE, Decimal(0), None, "不得检出") == "negative"
    assert items.conclusion(items.QUANTITATIVE, Decimal("0.1"), None, "不得检出") == "positive"
    with pytest.raises(items.WorklogError):
        items.conclusion(items.QUANTITATIVE, Decimal(1), None, "")
    with pytest.raises(items.WorklogError):
        items.conclusion(items.QUANTITATIVE, Decimal(-1), None, "30")


def test_test_card_reading(station):
    ctx = station.ctx()
    for typed, expected in (("阴性", "negative"), ("+", "positive"), ("阳性", "positive"),
                            ("-", "negative")):
        check = entry.check_row({"product_name": "猪肉", "test_item": "瘦肉精", "value": typed},
                                ctx)
        assert check.conclusion == expected, typed
    bad = entry.check_row({"product_name": "猪肉", "test_item": "瘦肉精", "value": "12"}, ctx)
    assert "value" in bad.errors


def test_required_cells_and_lengths(station):
    check = entry.check_row({"stall_no": "A" * 40}, station.ctx())
    assert {"product_name", "test_item", "value", "stall_no"} <= set(check.errors)


def test_messages_are_translated(station):
    i18n.set_language("zh_CN")
    check = entry.check_row(pesticide("青菜", "100.1"), station.ctx())
    assert "抑制率" in check.errors["value"]
    i18n.set_language("en")
    check = entry.check_row(pesticide("青菜", "100.1"), station.ctx())
    assert "inhibition rate" in check.errors["value"]


def test_defaults_are_filled_from_the_setup(station):
    check = entry.check_row(pesticide("青菜", "12"), station.ctx())
    cells = check.cells
    assert cells["unit"] == "%" and cells["limit_value"] == "50"
    assert cells["instrument_no"] == "YQ-01"
    assert cells["reagent_batch"] == "NC20261001"  # not the expired batch
    assert cells["tester"] == "李四"
    assert check.test.tested_at is not None


def test_audit_trail_holds_after_adding_tests(station):
    ctx = station.ctx()
    tests = [entry.check_row(pesticide(f"青菜{i}", str(i * 7)), ctx).test for i in range(10)]
    with station.store.write() as s:
        service.add_tests(s, station.actor, station.log_id, tests, now=NOW)
    with station.store.read() as s:
        assert audit.verify(s) == []


def test_an_item_is_found_by_its_name_with_either_width_of_brackets():
    """The alias is written 农药残留（酶抑制率法）; instruments and typists write either."""
    for typed in ("农药残留（酶抑制率法）", "农药残留(酶抑制率法)", "农药残留", "农残"):
        assert items.canonical_item_name(typed) == "农药残留", typed
