"""The rules of a check: field values, answers, outcome, override and measure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from check_helpers import kettle

from inspector_app.core import i18n
from inspector_app.core.checks import rules
from inspector_app.core.checks.rules import Answer, CheckInput
from inspector_app.forms import definitions

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")


def _defn(form_id: str):
    return definitions.builtin().latest(form_id)


def _problems(form_id: str, values: dict, final: bool = False) -> dict[str, str]:
    return rules.check_values(_defn(form_id), values, final=final, today=TODAY)[1]


@pytest.mark.parametrize("key,value,clean", [
    ("licence_no", "sc10632058300125", "SC10632058300125"),
    ("licence_no", "ＳＣ１０６３２０５８３００１２５", "SC10632058300125"),  # full-width IME
    ("standard_code", "gb/t 20977—2007", "GB/T 20977-2007"),
    ("barcode", "690 1234 567892", "6901234567892"),
    ("production_date", "2026年3月1日", date(2026, 3, 1)),
    ("production_date", "20260301", date(2026, 3, 1)),
    ("price", "12.5", Decimal("12.5")),
    ("quantity", "1,200", Decimal(1200)),
])
def test_values_are_normalised(key, value, clean):
    values = {"packaging": "prepackaged", "product_name": "饼干", key: value}
    good, problems = rules.check_values(_defn("packaged_food"), values, final=True,
                                        today=TODAY)
    assert problems == {}
    assert good[key] == clean


@pytest.mark.parametrize("key,value,words", [
    ("licence_no", "SC123", "SC followed by 14 digits"),
    ("barcode", "6901234567890", "check digit"),
    ("production_date", "2026-13-01", "YYYY-MM-DD"),
    ("production_date", "2026-03-03", "future"),
    ("price", "12.345", "2 digits after"),
    ("price", "-1", "At least 0"),
    ("quantity", "lots", "Enter a number"),
    ("standard_code", "made well", "standard code"),
])
def test_bad_values_get_a_message_under_their_field(key, value, words):
    values = {"packaging": "prepackaged", "product_name": "饼干", key: value}
    problems = _problems("packaged_food", values)
    assert list(problems) == [key]
    assert words in problems[key]


def test_expiry_may_not_be_before_production():
    problems = _problems("packaged_food", {"production_date": "2026-02-01",
                                           "expiry_date": "2026-01-01"})
    assert "before 2026-02-01" in problems["expiry_date"]


def test_required_fields_only_for_a_final_check():
    assert _problems("agricultural_inputs", {}) == {}
    final = _problems("agricultural_inputs", {}, final=True)
    assert set(final) == {"input_type", "product_name"}
    assert final["input_type"] == "Choose one."


def test_hidden_fields_are_neither_checked_nor_kept():
    values = {"packaging": "bulk", "product_name": "散装红枣", "licence_no": "rubbish"}
    clean, problems = rules.check_values(_defn("packaged_food"), values, final=True,
                                         today=TODAY)
    assert problems == {} and "licence_no" not in clean


def test_conditional_checklist_items():
    defn = _defn("agricultural_inputs")
    keys = {i.key for i in defn.applicable_items({"input_type": "pesticide"})}
    assert {"pest_reg", "toxicity", "warning"} <= keys
    assert not keys & {"seed_label", "nutrient"}
    seed = {i.key for i in defn.applicable_items({"input_type": "seed"})}
    assert {"seed_label", "seed_licence"} <= seed and "warning" not in seed


def test_outcome_follows_the_failed_items():
    defn = _defn("electrical_ccc")
    data = kettle(None, fail_ccc=False)
    assert rules.computed_outcome(defn, data.values, data.answers) == "conforming"
    data.answers["ccc"] = Answer("fail")
    assert rules.computed_outcome(defn, data.values, data.answers) == "nonconforming"
    data.answers["ccc"] = Answer("")
    assert rules.computed_outcome(defn, data.values, data.answers) == "pending"
    data.values["ccc_required"] = False  # not in the catalogue: the CCC item goes away
    assert rules.computed_outcome(defn, data.values, data.answers) == "conforming"


def _final(data: CheckInput) -> dict[str, str]:
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    return rules.check_input(_defn(data.form_id), data, final=True, now=now)[1]


def test_a_complete_check_has_no_problems():
    assert _final(kettle("m1")) == {}


def test_an_override_needs_a_reason():
    data = kettle("m1", outcome_override="conforming", measure="")
    assert "give the reason" in _final(data)["override_reason"]
    data.override_reason = "标志在外包装上，已核实证书有效"
    assert _final(data) == {}
    assert rules.outcome(_defn("electrical_ccc"), data) == ("conforming", True)


def test_a_non_conforming_check_needs_a_measure():
    data = kettle("m1", measure="")
    assert "choose a measure" in _final(data)["measure"]
    conforming = kettle("m1", fail_ccc=False, measure="seizure")
    assert "needs no order" in _final(conforming)["measure"]
    sampled = kettle("m1", fail_ccc=False, measure="sample")
    assert _final(sampled) == {}


def test_a_seizure_needs_the_quantity_and_unit():
    data = kettle("m1", measure="seizure")
    assert _final(data) == {}
    del data.values["quantity"]
    assert "quantity" in _final(data)["measure"]


def test_not_applicable_only_where_the_item_allows():
    data = kettle("m1", fail_ccc=False)
    data.answers["cert"] = Answer("na")
    assert "applies" in _final(data)["item:cert"]
    data.answers["cert"] = Answer("pass")
    data.answers["manual"] = Answer("na")
    assert _final(data) == {}


def test_every_applicable_item_must_be_answered_when_final():
    data = kettle("m1", fail_ccc=False)
    del data.answers["warning"]
    assert _final(data) == {"item:warning": "Check this item."}


def test_header_is_required_when_final():
    data = kettle(None, fail_ccc=False, party_name="")
    assert set(_final(data)) == {"market", "party"}


def test_input_round_trips_through_json():
    data = kettle("m1")
    data.values["ccc_required"] = True
    again = CheckInput.from_json(data.to_json())
    assert again == data
