"""Read-side queries for record lists: filtered, ordered ids, and display rows by id.

Lists hold only ids (cheap even for 100,000 records) and fetch the columns of the rows
on screen, so the UI's table models and the CLI share the same SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from inspector_app.core import search
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import RECORD_KINDS


@dataclass
class Filter:
    text: str = ""
    market_id: str | None = None
    status: str | None = None
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    # review state from the decisions received (core/agency/review.py); NO_REVIEW: none yet
    review: str | None = None


NO_REVIEW = "none"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # translatable: show it with _()
    sql: str


KIND_LABELS = {
    "check": N_("Labeling check"),
    "seizure": N_("Seizure"),
    "worklog": N_("Workstation log"),
}

STATUSES = {
    "check": {"draft": N_("Draft"), "final": N_("Final")},
    "seizure": {
        "draft": N_("Draft"), "issued": N_("Issued"), "extended": N_("Extended"),
        "released": N_("Released"), "confiscated": N_("Confiscated"),
        "destroyed": N_("Destroyed"), "transferred": N_("Transferred"),
    },
    "worklog": {"open": N_("Open"), "closed": N_("Closed")},
}
OUTCOMES = {"pending": N_("Pending"), "conforming": N_("Conforming"),
            "nonconforming": N_("Non-conforming")}
MEASURES = {"seal": N_("Sealing"), "detain": N_("Detention")}

_TABLE = {"check": "label_checks", "seizure": "seizures", "worklog": "work_logs"}
_STATUS_COL = {"check": "status", "seizure": "state", "worklog": "status"}
_DATE_COL = {"check": "checked_at", "seizure": "started_at", "worklog": "log_date"}
_JOINS = {
    "check": "LEFT JOIN markets m ON m.id = r.market_id "
             "LEFT JOIN parties p ON p.id = r.party_id LEFT JOIN stalls s ON s.id = r.stall_id",
    "seizure": "LEFT JOIN markets m ON m.id = r.market_id "
               "LEFT JOIN parties p ON p.id = r.party_id",
    "worklog": "LEFT JOIN markets m ON m.id = r.market_id",
}
COLUMNS: dict[str, list[Column]] = {
    "check": [
        Column("checked_at", N_("Checked at"), "r.checked_at"),
        Column("market", N_("Market"), "m.name"),
        Column("stall", N_("Stall"), "s.number"),
        Column("party", N_("Party"), "p.name"),
        Column("product", N_("Product"), "r.product_name"),
        Column("category", N_("Category"), "r.category"),
        Column("outcome", N_("Outcome"), "r.outcome"),
        Column("status", N_("Status"), "r.status"),
    ],
    "seizure": [
        Column("started_at", N_("Started at"), "r.started_at"),
        Column("number", N_("Document number"), "r.number"),
        Column("party", N_("Party"), "p.name"),
        Column("market", N_("Market"), "m.name"),
        Column("measure", N_("Measure"), "r.measure"),
        Column("items", N_("Items"),
               "(SELECT count(*) FROM seizure_items i WHERE i.seizure_id = r.id)"),
        Column("status", N_("Status"), "r.state"),
    ],
    "worklog": [
        Column("log_date", N_("Date"), "r.log_date"),
        Column("market", N_("Market"), "m.name"),
        Column("operator", N_("Operator"), "r.operator_name"),
        Column("tests", N_("Tests"),
               "(SELECT count(*) FROM rapid_tests t WHERE t.worklog_id = r.id)"),
        Column("positives", N_("Positive"),
               "(SELECT count(*) FROM rapid_tests t WHERE t.worklog_id = r.id "
               "AND t.conclusion = 'positive')"),
        Column("status", N_("Status"), "r.status"),
    ],
}


def review_column(kind: str) -> Column:
    """The review state of each record (from the decisions received about it)."""
    from inspector_app.core.agency.review import local_state_sql

    return Column("review", N_("Review"), local_state_sql(kind))


def list_columns(kind: str) -> list[Column]:
    """The columns of a record list on screen: COLUMNS[kind] and the review state."""
    return [*COLUMNS[kind], review_column(kind)]


def review_states() -> dict[str, str]:
    """The review filter's choices: key -> translatable label."""
    from inspector_app.core.agency.review import STATE_LABELS

    return {NO_REVIEW: N_("Not reviewed"),
            **{k: STATE_LABELS[k] for k in ("pending", "returned", "approved", "rejected")}}


def _utc_bound(day: date, end: bool) -> datetime:
    local = datetime.combine(day + timedelta(days=1) if end else day, time()).astimezone()
    return local.astimezone(UTC).replace(tzinfo=None)


def list_ids(session: Session, kind: str, flt: Filter | None = None) -> list[str]:
    """Ids of `kind` matching `flt`, newest first."""
    if kind not in RECORD_KINDS:
        raise ValueError(kind)
    flt = flt or Filter()
    table, date_col = _TABLE[kind], _DATE_COL[kind]
    where, params = [], {}
    if flt.text.strip():
        match = search.match_expression(flt.text)
        if match is None:
            return []
        where.append(f"r.id IN ({search.matching_ids_sql(kind)})")
        params["match"] = match
    if flt.market_id:
        where.append("r.market_id = :market")
        params["market"] = flt.market_id
    if flt.status:
        where.append(f"r.{_STATUS_COL[kind]} = :status")
        params["status"] = flt.status
    if flt.review:
        expr = review_column(kind).sql
        if flt.review == NO_REVIEW:
            where.append(f"{expr} IS NULL")
        elif flt.review == "returned":  # corrected here, not synced yet: still returned
            where.append(f"{expr} IN ('returned', 'returned_edited')")
        else:
            where.append(f"{expr} = :review")
            params["review"] = flt.review
    if kind == "worklog":
        if flt.date_from:
            where.append("r.log_date >= :dfrom")
            params["dfrom"] = flt.date_from.isoformat()
        if flt.date_to:
            where.append("r.log_date <= :dto")
            params["dto"] = flt.date_to.isoformat()
    else:
        if flt.date_from:
            where.append(f"r.{date_col} >= :dfrom")
            params["dfrom"] = _utc_bound(flt.date_from, end=False)
        if flt.date_to:
            where.append(f"r.{date_col} < :dto")
            params["dto"] = _utc_bound(flt.date_to, end=True)
    sql = f"SELECT r.id FROM {table} r"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY r.{date_col} DESC, r.id"
    return list(session.execute(text(sql), params).scalars())


def fetch_rows(session: Session, kind: str, ids: list[str],
               columns: list[Column] | None = None) -> dict[str, tuple[Any, ...]]:
    """Display values of the given records, in `columns` (default COLUMNS[kind]) order,
    keyed by id."""
    if not ids:
        return {}
    cols = ", ".join(c.sql for c in (columns or COLUMNS[kind]))
    out: dict[str, tuple[Any, ...]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        sql = f"SELECT r.id, {cols} FROM {_TABLE[kind]} r {_JOINS[kind]} WHERE r.id IN ({marks})"
        for row in session.execute(text(sql), {f"i{n}": v for n, v in enumerate(chunk)}):
            out[row[0]] = tuple(row[1:])
    return out


def display(kind: str, column: Column, value: Any) -> str:
    """A column value as the user reads it, in their language and local time."""
    if value is None:
        return ""
    if column.key in ("checked_at", "started_at"):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")
    if column.key == "status":
        return _(STATUSES[kind].get(value, value))
    if column.key == "outcome":
        return _(OUTCOMES.get(value, value))
    if column.key == "measure":
        return _(MEASURES.get(value, value))
    if column.key == "review":
        from inspector_app.core.agency.review import state_label

        return state_label(value)
    return str(value)


def counts(session: Session) -> dict[str, int]:
    """Records of each kind."""
    return {
        kind: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for kind, table in _TABLE.items()
    }


def status_counts(session: Session, kind: str) -> dict[str, int]:
    sql = f"SELECT {_STATUS_COL[kind]}, count(*) FROM {_TABLE[kind]} GROUP BY 1"
    return dict(session.execute(text(sql)).all())


def markets(session: Session) -> list[tuple[str, str]]:
    return list(session.execute(text("SELECT id, name FROM markets ORDER BY name")).all())


def pending_sync(session: Session) -> int:
    """What this device has still to send (the status bar's and dashboard's number, the
    same as the Sync page's: `sync.batches.pending_count`)."""
    from inspector_app.core.sync import batches

    return batches.pending_count(session)
