"""The supervisor's dashboard figures, computed from `AgencyRecord` with SQL aggregates.

Figures (each has a key; `records(session, key, filters)` lists the rows behind it):

* ``seizures_expiring``: running seizures (issued / extended) whose term ends today or in
  the next `EXPIRING_DAYS` days; ``seizures_overdue``: running ones whose term has ended.
* ``emergency_unreported``: emergency measures still awaiting their 24-hour report
  (`report_due` set); ``emergency_late``: those whose report is past due now.
* ``positive_worklogs``: work logs with positive rapid tests (`positives` > 0); the figure
  also gives the number of positive tests. Their follow-up is in the records' content,
  which the list opens; the dashboard only counts.
* Non-conformity rates of final checks: ``nc_market:<market id>``,
  ``nc_category:<category>``, ``nc_month:<YYYY-MM>`` (the non-conforming checks behind the
  bar); ``checked_market:<id>`` etc. list every final check of the group.

Filters: market (id), inspector (name) apply to every figure; the period (record day, from
and to inclusive) applies to the rates and the rapid tests. The deadline figures are what is
due *now* whatever day the record was made, so the period does not hide a running seizure
started before it.

Core only (no Qt): the dashboard page runs these on a worker thread (ui/tasks.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from inspector_app.core.models import AgencyRecord

EXPIRING_DAYS = 5
RUNNING = ("issued", "extended")
NONCONFORMING = "nonconforming"
RATE_GROUPS = ("market", "category", "month")

class FigureKeyError(ValueError):
    """No figure has this key."""


@dataclass(frozen=True)
class Filters:
    day_from: str = ""  # YYYY-MM-DD, inclusive; empty: open
    day_to: str = ""
    market_id: str = ""
    inspector: str = ""


NO_FILTERS = Filters()


@dataclass
class Rate:
    key: str  # the group's value (market id, category, YYYY-MM)
    label: str  # what is shown (market name, category, YYYY-MM)
    checked: int = 0
    nonconforming: int = 0

    @property
    def rate(self) -> float:
        return self.nonconforming / self.checked if self.checked else 0.0


@dataclass
class Figures:
    today: str
    seizures_running: int = 0
    seizures_expiring: int = 0
    seizures_overdue: int = 0
    emergency_unreported: int = 0
    emergency_late: int = 0
    positive_worklogs: int = 0
    positive_tests: int = 0
    checked: int = 0
    nonconforming: int = 0
    rates: dict[str, list[Rate]] = field(default_factory=dict)  # by RATE_GROUPS

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "seizures": {"running": self.seizures_running,
                         "expiring": self.seizures_expiring,
                         "overdue": self.seizures_overdue},
            "emergency": {"unreported": self.emergency_unreported,
                          "late": self.emergency_late},
            "rapid_tests": {"worklogs": self.positive_worklogs,
                            "positives": self.positive_tests},
            "checks": {"checked": self.checked, "nonconforming": self.nonconforming},
            "rates": {g: [{"key": r.key, "label": r.label, "checked": r.checked,
                           "nonconforming": r.nonconforming, "rate": round(r.rate, 4)}
                          for r in rows] for g, rows in self.rates.items()},
        }


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).astimezone().date()


def where(flt: Filters, *, period: bool, params: dict[str, Any]) -> str:
    """The filters as SQL terms (" AND ..."), their values put into `params`."""
    parts = []
    if flt.market_id:
        parts.append("market_id = :market_id")
        params["market_id"] = flt.market_id
    if flt.inspector:
        parts.append("inspector = :inspector")
        params["inspector"] = flt.inspector
    if period and flt.day_from:
        parts.append("day >= :day_from")
        params["day_from"] = flt.day_from
    if period and flt.day_to:
        parts.append("day <= :day_to")
        params["day_to"] = flt.day_to
    return "".join(f" AND {p}" for p in parts)


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def figures(session: Session, flt: Filters = NO_FILTERS, today: date | None = None,
            now: str | None = None) -> Figures:
    """Every figure of the dashboard for `flt` (a handful of indexed aggregates)."""
    day = _today(today)
    soon = (day + timedelta(days=EXPIRING_DAYS)).isoformat()
    now = now or _now_text()
    fig = Figures(today=day.isoformat())

    p: dict[str, Any] = {"today": day.isoformat(), "soon": soon, "now": now}
    w = where(flt, period=False, params=p)
    row = session.execute(text(
        "SELECT count(*), "
        " coalesce(sum(deadline != '' AND deadline < :today), 0), "
        " coalesce(sum(deadline >= :today AND deadline <= :soon), 0) "
        "FROM agency_records INDEXED BY ix_agency_running "
        "WHERE kind = 'seizure' AND state IN ('issued', 'extended')" + w),
        p).one()
    fig.seizures_running, fig.seizures_overdue, fig.seizures_expiring = map(int, row)

    row = session.execute(text(
        "SELECT count(*), coalesce(sum(report_due < :now), 0) FROM agency_records "
        "INDEXED BY ix_agency_report_due WHERE kind = 'seizure' AND report_due != ''" + w),
        p).one()
    fig.emergency_unreported, fig.emergency_late = map(int, row)

    p = {}
    w = where(flt, period=True, params=p)
    row = session.execute(text(
        "SELECT count(*), coalesce(sum(positives), 0) FROM agency_records "
        "INDEXED BY ix_agency_positives WHERE kind = 'worklog' AND positives > 0" + w),
        p).one()
    fig.positive_worklogs, fig.positive_tests = map(int, row)

    groups: dict[str, dict[str, Rate]] = {g: {} for g in RATE_GROUPS}

    def add(group: str, key: str, n: int, nc: int) -> None:
        rate = groups[group].get(key)
        if rate is None:
            rate = groups[group][key] = Rate(key, key)
        rate.checked += n
        rate.nonconforming += nc

    final = "kind = 'check' AND state = 'final'"
    if flt.market_id or flt.inspector:
        # A market's or an inspector's checks are few: one grouped pass over them.
        index = "ix_agency_checks_market" if flt.market_id else "ix_agency_checks_inspector"
        for market_id, category, month, n, nc in session.execute(text(
                "SELECT market_id, category, substr(day, 1, 7), count(*), "
                f"sum(result = 'nonconforming') FROM agency_records INDEXED BY {index} "
                f"WHERE {final}{w} GROUP BY 1, 2, 3"), p):
            add("market", market_id, n, nc)
            add("category", category, n, nc)
            add("month", month, n, nc)
    else:
        # Every check of the period: two passes in index order (day, market) and (day,
        # category), aggregated as they stream, with no sort; months are sums of days.
        for day_, market_id, n, nc in session.execute(text(
                "SELECT day, market_id, count(*), sum(result = 'nonconforming') "
                "FROM agency_records INDEXED BY ix_agency_checks_day_market "
                f"WHERE {final}{w} GROUP BY 1, 2"), p):
            add("market", market_id, n, nc)
            add("month", day_[:7], n, nc)
        for _day, category, n, nc in session.execute(text(
                "SELECT day, category, count(*), sum(result = 'nonconforming') "
                "FROM agency_records INDEXED BY ix_agency_checks_day_category "
                f"WHERE {final}{w} GROUP BY 1, 2"), p):
            add("category", category, n, nc)
    for rate in groups["market"].values():
        fig.checked += rate.checked
        fig.nonconforming += rate.nonconforming
    names = market_names(session, list(groups["market"]))
    for rate in groups["market"].values():
        rate.label = names.get(rate.key, rate.key)
    fig.rates = {
        "market": sorted(groups["market"].values(), key=lambda r: (-r.rate, r.label)),
        "category": sorted(groups["category"].values(), key=lambda r: (-r.rate, r.label)),
        "month": sorted(groups["month"].values(), key=lambda r: r.key),
    }
    return fig


# --- the records behind a figure -------------------------------------------------------

_SIMPLE = {
    # key: (period applies, SQL condition)
    "seizures_running": (False, "kind = 'seizure' AND state IN ('issued', 'extended')"),
    "seizures_expiring": (False, ("kind = 'seizure' AND state IN ('issued', 'extended') "
                                  "AND deadline >= :today AND deadline <= :soon")),
    "seizures_overdue": (False, ("kind = 'seizure' AND state IN ('issued', 'extended') "
                                 "AND deadline != '' AND deadline < :today")),
    "emergency_unreported": (False, "kind = 'seizure' AND report_due != ''"),
    "emergency_late": (False, "kind = 'seizure' AND report_due != '' AND report_due < :now"),
    "positive_worklogs": (True, "kind = 'worklog' AND positives > 0"),
    "checked": (True, "kind = 'check' AND state = 'final'"),
    "nonconforming": (True, ("kind = 'check' AND state = 'final' "
                             "AND result = 'nonconforming'")),
}
_GROUP_SQL = {"market": "market_id = :group", "category": "category = :group",
              "month": "day LIKE :group || '-%'"}
_ORDER = {"seizures_expiring": "deadline, day", "seizures_overdue": "deadline, day",
          "seizures_running": "deadline, day", "emergency_unreported": "report_due",
          "emergency_late": "report_due"}


def condition(key: str, flt: Filters, today: date | None, now: str | None
              ) -> tuple[str, dict[str, Any], str]:
    """(SQL condition, its parameters, the list's order) of the records behind `key`;
    FigureKeyError for a key no figure has."""
    day = _today(today)
    params: dict[str, Any] = {"today": day.isoformat(), "now": now or _now_text(),
                              "soon": (day + timedelta(days=EXPIRING_DAYS)).isoformat()}
    if key in _SIMPLE:
        period, cond = _SIMPLE[key]
        order = _ORDER.get(key, "day DESC, record_id")
    else:
        what, _sep, rest = key.partition(":")
        group_of = {"nc_market": "market", "nc_category": "category", "nc_month": "month",
                    "checked_market": "market", "checked_category": "category",
                    "checked_month": "month"}
        g = group_of.get(what)
        if g is None or not _sep:
            raise FigureKeyError(key)
        params["group"] = rest
        period, cond = True, _SIMPLE["nonconforming" if what.startswith("nc_") else
                                     "checked"][1] + " AND " + _GROUP_SQL[g]
        order = "day DESC, record_id"
    cond += where(flt, period=period, params=params)
    return cond, params, order


def records(session: Session, key: str, flt: Filters = NO_FILTERS, *, offset: int = 0,
            limit: int | None = 200, today: date | None = None, now: str | None = None
            ) -> list[AgencyRecord]:
    """The AgencyRecord rows behind figure `key`, in the order the list shows them."""
    cond, params, order = condition(key, flt, today, now)
    stmt = select(AgencyRecord).where(text(cond)).params(**params).order_by(text(order))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return list(session.scalars(stmt))


def count(session: Session, key: str, flt: Filters = NO_FILTERS, *, today: date | None = None,
          now: str | None = None) -> int:
    cond, params, _order = condition(key, flt, today, now)
    return int(session.execute(text(f"SELECT count(*) FROM agency_records WHERE {cond}"),
                               params).scalar_one())


def due_text(report_due: str) -> str:
    """An emergency report's due time (stored in UTC) in this computer's time zone."""
    try:
        moment = datetime.fromisoformat(report_due)
    except ValueError:
        return report_due
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --- what the filters offer ------------------------------------------------------------


def market_names(session: Session, ids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for market_id in ids:
        name = session.execute(text(
            "SELECT market FROM agency_records WHERE market_id = :m AND market != '' LIMIT 1"),
            {"m": market_id}).scalar()
        names[market_id] = name or market_id
    return names


def markets(session: Session) -> list[tuple[str, str]]:
    """(id, name) of every market the agency's records name, by name."""
    ids = [m for (m,) in session.execute(text(
        "SELECT DISTINCT market_id FROM agency_records WHERE market_id != ''"))]
    names = market_names(session, ids)
    return sorted(names.items(), key=lambda kv: (kv[1], kv[0]))


def inspectors(session: Session) -> list[str]:
    return [n for (n,) in session.execute(text(
        "SELECT DISTINCT inspector FROM agency_records WHERE inspector != '' ORDER BY 1"))]


def resolve_market(session: Session, text_: str) -> str | None:
    """A market id from its id or (unique) name; None if none matches."""
    found = markets(session)
    for market_id, name in found:
        if text_ in (market_id, name):
            return market_id
    partial = [m for m, n in found if text_ in n]
    return partial[0] if len(partial) == 1 else None
