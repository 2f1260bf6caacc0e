"""The facts of an agency record that lists, the review queue and the dashboard filter on.

They are read from the record's canonical content (the shapes `core/canonical.to_dict`
makes, as batches carry them) when a version becomes the record's current one, and kept
in `agency_records` beside it, so that no list ever opens the compressed contents:

- ``inspector``: the author's name: the agency's ``inspector`` record named by
  ``author_id``, else the inspector the signing device's key was enrolled for;
- ``market``: the name of the agency's ``market`` record named by ``market_id``;
- ``day``: the record's local date (a check's ``checked_at``, a seizure's ``started_at``,
  a worklog's ``log_date``, else ``created_at``; times in the zone the record was made in);
- ``state``: a check's or worklog's ``status``, a seizure's ``state``;
- ``result``: a check's ``outcome`` when conforming or nonconforming;
- ``category``: a check's product category;
- ``title``: what a list shows: product, seizure number, log day and workstation, or the
  name or number of a reference record (a market's name is its title, and how names are
  looked up);
- ``deadline``: an issued seizure's last day of term (extension and declared testing
  periods included; a testing period still running counts until the import day);
- ``report_due``: an emergency measure not yet reported: its start + 24 hours (UTC);
- ``positives``: a worklog's rapid tests concluded positive.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from inspector_app.core.seizure import rules

MAIN_KINDS = ("check", "seizure", "worklog")
# Kinds whose title is the name other records are shown with (market_id, author_id...).
NAMED = {"market": "market", "inspector": "inspector", "workstation": "workstation"}
FACT_FIELDS = ("author_id", "inspector", "market_id", "market", "day", "state", "result",
               "category", "title", "deadline", "report_due", "positives")


def parse_time(text: Any) -> datetime | None:
    """An ISO-8601 time of a record or a decision (UTC when it names no zone), else None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local_day(content: dict[str, Any], field: str) -> str:
    moment = parse_time(content.get(field))
    if moment is None:
        return ""
    offset = content.get("created_offset")
    tz = rules.record_tz(offset if isinstance(offset, int) else 0)
    return moment.astimezone(tz).date().isoformat()


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def title_of(kind: str, content: dict[str, Any], names: dict[tuple[str, str], str]) -> str:
    if kind == "check":
        return _text(content.get("product_name"), 256)
    if kind == "seizure":
        number = content.get("number")
        if isinstance(number, str) and number:
            return number[:256]
        items = content.get("items") or []
        first = items[0] if items and isinstance(items[0], dict) else {}
        return _text(first.get("name"), 256)
    if kind == "worklog":
        where = names.get(("workstation", str(content.get("workstation_id") or "")), "")
        return f"{_text(content.get('log_date'), 10)} {where}".strip()[:256]
    if kind == "stall":
        return _text(content.get("number"), 256)
    return _text(content.get("name"), 256)


def deadline_of(content: dict[str, Any], today: date) -> str:
    """The last day of an issued seizure's term ('' for a draft or a malformed one)."""
    issued = parse_time(content.get("issued_at"))
    if issued is None:
        return ""
    periods = [SimpleNamespace(start_date=p.get("start_date"), end_date=p.get("end_date"))
               for p in content.get("testing_periods") or () if isinstance(p, dict)]
    offset = content.get("created_offset")
    tz = rules.record_tz(offset if isinstance(offset, int) else 0)
    view = SimpleNamespace(issued_at=issued, term_days=_int(content.get("term_days")),
                           extension_days=_int(content.get("extension_days")),
                           testing_periods=periods, state=content.get("state"))
    try:
        term = rules.term(view, today, tz)
    except (TypeError, ValueError):  # a malformed date of a testing period
        return ""
    return term.end.isoformat() if term else ""


def report_due_of(content: dict[str, Any]) -> str:
    if not content.get("emergency") or content.get("emergency_reported_at"):
        return ""
    started = parse_time(content.get("started_at"))
    if started is None:
        return ""
    due = started.astimezone(UTC) + timedelta(hours=rules.EMERGENCY_REPORT_HOURS)
    return due.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def extract(kind: str, content: dict[str, Any], names: dict[tuple[str, str], str],
            key_inspector: str = "", today: date | None = None) -> dict[str, Any]:
    """The facts of one record version. `names` maps (kind, id) of the agency's named
    records (markets, inspectors, workstations) to their names; `key_inspector` is the
    inspector the signing device was enrolled for."""
    today = today or datetime.now(UTC).date()
    author = content.get("author_id")
    author = author if isinstance(author, str) else ""
    market_id = content.get("market_id")
    market_id = market_id if isinstance(market_id, str) else ""
    facts: dict[str, Any] = {
        "author_id": author[:36],
        "inspector": (names.get(("inspector", author)) or key_inspector or "")[:64],
        "market_id": market_id[:36],
        "market": names.get(("market", market_id), "")[:128],
        "day": "", "state": "", "result": "", "category": "", "deadline": "",
        "report_due": "", "positives": 0,
        "title": title_of(kind, content, names),
    }
    if kind == "check":
        facts["day"] = _local_day(content, "checked_at") or _local_day(content, "created_at")
        facts["state"] = _text(content.get("status"), 16)
        outcome = content.get("outcome")
        facts["result"] = outcome if outcome in ("conforming", "nonconforming") else ""
        facts["category"] = _text(content.get("category"), 32)
    elif kind == "seizure":
        facts["day"] = _local_day(content, "started_at") or _local_day(content, "created_at")
        facts["state"] = _text(content.get("state"), 16)
        facts["deadline"] = deadline_of(content, today)
        facts["report_due"] = report_due_of(content)
    elif kind == "worklog":
        log_date = content.get("log_date")
        facts["day"] = log_date[:10] if isinstance(log_date, str) and log_date else \
            _local_day(content, "created_at")
        facts["state"] = _text(content.get("status"), 16)
        facts["positives"] = sum(1 for t in content.get("tests") or ()
                                 if isinstance(t, dict) and t.get("conclusion") == "positive")
    else:
        facts["day"] = _local_day(content, "created_at")
    if kind == "market":
        facts["market_id"], facts["market"] = "", ""
    return facts
