"""The supervisor's dashboard figures (core/agency/oversight.py) over a known store."""

from __future__ import annotations

import agency_sample as sample
import pytest

from inspector_app.core.agency import oversight
from inspector_app.core.agency.oversight import NO_FILTERS, Filters


@pytest.fixture()
def store(tmp_path):
    st = sample.fill(tmp_path / "store")
    yield st
    st.close()


def _fig(store, flt=NO_FILTERS):
    with store.read() as s:
        return oversight.figures(s, flt, today=sample.TODAY, now=sample.NOW)


def _titles(store, key, flt=NO_FILTERS):
    with store.read() as s:
        rows = oversight.records(s, key, flt, today=sample.TODAY, now=sample.NOW)
        assert oversight.count(s, key, flt, today=sample.TODAY, now=sample.NOW) == len(rows)
        return [r.title for r in rows]


def test_deadline_figures_and_the_records_behind_them(store):
    fig = _fig(store)
    assert (fig.seizures_running, fig.seizures_expiring, fig.seizures_overdue) == (3, 1, 1)
    assert (fig.emergency_unreported, fig.emergency_late) == (1, 1)
    assert (fig.positive_worklogs, fig.positive_tests) == (1, 2)
    assert _titles(store, "seizures_expiring") == ["查封〔2026〕11号"]
    assert _titles(store, "seizures_overdue") == ["查封〔2026〕12号"]
    assert _titles(store, "emergency_unreported") == ["查封〔2026〕14号"]
    assert _titles(store, "positive_worklogs") == ["2026-11-10 东门工作站"]
    # The released seizure and the worklog without positives are in no figure.
    assert "查封〔2026〕13号" not in _titles(store, "seizures_running")


def test_rates_count_final_checks_only(store):
    fig = _fig(store)
    assert (fig.checked, fig.nonconforming) == (3, 1)  # the draft is not counted
    market = {r.label: (r.checked, r.nonconforming) for r in fig.rates["market"]}
    assert market == {"东门市场": (2, 1), "西门市场": (1, 0)}
    category = {r.key: (r.checked, r.nonconforming) for r in fig.rates["category"]}
    assert category == {"调味品": (1, 1), "食用油": (1, 0), "食糖": (1, 0)}
    month = [(r.key, r.checked, r.nonconforming) for r in fig.rates["month"]]
    assert month == [("2026-10", 1, 0), ("2026-11", 2, 1)]
    assert fig.rates["market"][0].rate == 0.5
    assert _titles(store, f"nc_market:{sample.M1}") == ["酱油"]
    assert _titles(store, f"checked_market:{sample.M1}") == ["酱油", "白砂糖"]
    assert _titles(store, "nc_category:调味品") == ["酱油"]
    assert _titles(store, "checked_month:2026-10") == ["白砂糖"]


def test_filters_narrow_every_figure(store):
    by_market = _fig(store, Filters(market_id=sample.M2))
    assert (by_market.seizures_overdue, by_market.seizures_expiring) == (1, 0)
    assert (by_market.checked, by_market.nonconforming, by_market.positive_worklogs) == (1, 0, 0)
    by_inspector = _fig(store, Filters(inspector="张三"))
    assert (by_inspector.checked, by_inspector.nonconforming) == (2, 1)
    assert by_inspector.emergency_unreported == 1 and by_inspector.seizures_overdue == 0
    november = Filters(day_from="2026-11-01", day_to="2026-11-30")
    fig = _fig(store, november)
    assert (fig.checked, fig.nonconforming) == (2, 1)
    assert [r.key for r in fig.rates["month"]] == ["2026-11"]
    # Deadlines are what is due now: a period does not hide a seizure started before it.
    assert fig.seizures_overdue == 1
    assert _titles(store, f"checked_market:{sample.M1}", november) == ["酱油"]
    both = Filters(market_id=sample.M1, inspector="赵六")
    assert _fig(store, both).checked == 0


def test_unknown_figure_key_is_refused(store):
    with store.read() as s, pytest.raises(oversight.FigureKeyError):
        oversight.records(s, "nonsense", Filters())


def test_markets_and_inspectors_offered_by_the_filters(store):
    with store.read() as s:
        assert oversight.markets(s) == [(sample.M1, "东门市场"), (sample.M2, "西门市场")]
        assert oversight.inspectors(s) == ["张三", "赵六"]
        assert oversight.resolve_market(s, "西门市场") == sample.M2
        assert oversight.resolve_market(s, "北门") is None
