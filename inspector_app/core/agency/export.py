"""CSV and XLSX of any list of agency records (the supervisor's store).

A list is a `Selection`: every record with filters (kind, review state, market, inspector,
period), or the records behind one dashboard figure (`figure` = an oversight key). Rows
are read from SQLite in chunks and handed to `tables_out`, which streams them to the file
(memory stays flat whatever the length) and moves the finished file over its target (a
failed or interrupted export leaves no half file).

Columns are AgencyRecord's facts, with headers and codes (kind, state, result, review
state) in the user's language. In CSV, text a spreadsheet would run as a formula gets a
leading apostrophe; in XLSX it is a text cell, never a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from inspector_app.core import queries, tables_out
from inspector_app.core.agency import oversight
from inspector_app.core.i18n import N_, _

Progress = Callable[[int, int], None]

# (column, header)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", N_("Record kind")),
    ("record_id", N_("Record ID")),
    ("version", N_("Version")),
    ("title", N_("Title")),
    ("day", N_("Date")),
    ("inspector", N_("Officer")),
    ("market", N_("Market")),
    ("state", N_("Status")),
    ("result", N_("Result")),
    ("category", N_("Category")),
    ("deadline", N_("Deadline")),
    ("report_due", N_("Report due")),
    ("positives", N_("Positive")),
    ("review_state", N_("Review")),
    ("conflicts", N_("Conflicts")),
    ("content_sha256", N_("Content SHA-256")),
)
REVIEW_LABELS = {"pending": N_("Awaiting review"), "returned": N_("Returned"),
                 "approved": N_("Approved"), "rejected": N_("Rejected")}
FORMATS = tables_out.FORMATS


class ExportError(ValueError):
    """A list that cannot be exported, with a message for the user."""


@dataclass
class Selection:
    """Which agency records a list holds."""

    filters: oversight.Filters = field(default_factory=oversight.Filters)
    kind: str = ""
    review_state: str = ""
    figure: str = ""  # an oversight figure key: the records behind it


def header() -> list[str]:
    return [_(label) for _col, label in COLUMNS]


def _select(sel: Selection) -> tuple[str, dict[str, Any]]:
    cols = ", ".join(c for c, _label in COLUMNS)
    if sel.figure:
        try:
            cond, params, order = oversight.condition(sel.figure, sel.filters, None, None)
        except oversight.FigureKeyError as exc:
            raise ExportError(_("No dashboard figure is called {key}.")
                              .format(key=sel.figure)) from exc
        return f"SELECT {cols} FROM agency_records WHERE {cond} ORDER BY {order}", params
    parts, params = ["1 = 1"], {}
    if sel.kind:
        parts.append("kind = :kind")
        params["kind"] = sel.kind
    if sel.review_state:
        parts.append("review_state = :review_state")
        params["review_state"] = sel.review_state
    cond = " AND ".join(parts) + oversight.where(sel.filters, period=True, params=params)
    return f"SELECT {cols} FROM agency_records WHERE {cond}", params


def count(session: Session, sel: Selection) -> int:
    sql, params = _select(sel)
    return int(session.execute(text(f"SELECT count(*) FROM ({sql})"), params).scalar_one())


def rows(session: Session, sel: Selection, chunk: int = 5000) -> Iterator[list[Any]]:
    """The list's rows as shown (codes in the user's language), streamed."""
    kinds = {k: _(v) for k, v in queries.KIND_LABELS.items()}
    states = {(k, s): _(label) for k, st in queries.STATUSES.items() for s, label in st.items()}
    results = {k: _(v) for k, v in queries.OUTCOMES.items()}
    reviews = {k: _(v) for k, v in REVIEW_LABELS.items()}
    sql, params = _select(sel)
    # The driver's cursor, read in blocks: neither SQLAlchemy rows nor the whole list.
    cursor = session.connection().exec_driver_sql(sql, params).cursor
    while block := cursor.fetchmany(chunk):
        for (kind, rid, version, title, day, insp, market, state, result, category,
             deadline, report_due, positives, review, conflicts, sha) in block:
            yield [kinds.get(kind, kind), rid, version, title, day, insp, market,
                   states.get((kind, state), state), results.get(result, result), category,
                   deadline, report_due, positives, reviews.get(review, review), conflicts,
                   sha]


def export(session: Session, sel: Selection, fmt: str, out: Path,
           progress: Progress | None = None) -> int:
    """Write the list `sel` to `out` as CSV or XLSX; return the number of rows."""
    if fmt not in tables_out.FORMATS:
        raise ExportError(_("Unknown format {fmt}; use csv or xlsx.").format(fmt=fmt))
    out = Path(out)
    if out.is_dir():
        raise ExportError(_("{path} is a folder; give a file name.").format(path=out))
    if not out.parent.is_dir():
        raise ExportError(_("The folder {folder} does not exist.").format(folder=out.parent))
    total = count(session, sel) if progress else 0
    try:
        with tables_out.replacing(out) as tmp:
            n = tables_out.write(tmp, fmt, header(), rows(session, sel), total=total,
                                 progress=progress, sheet=_("Agency records"))
    except tables_out.TableError as exc:
        raise ExportError(exc.message) from exc
    if progress:
        progress(n, n)
    return n


def export_records(store, fmt: str, out: Path, sel: Selection | None = None,
                   progress: Progress | None = None) -> int:
    """`export` in a read session of `store`."""
    with store.read() as session:
        return export(session, sel or Selection(), fmt, out, progress)
