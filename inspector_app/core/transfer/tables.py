"""CSV and XLSX exports: one row per record, for spreadsheets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from inspector_app.core import queries, tables_out
from inspector_app.core.i18n import N_, _
from inspector_app.core.store import Store
from inspector_app.core.transfer.fileformat import Progress, TransferError


@dataclass(frozen=True)
class TableColumn:
    key: str
    label: str  # translatable
    sql: str


_CHECK_MEASURES = {"correct": N_("Order to correct"), "sample": N_("Sample for lab test"),
                   "seizure": N_("Seizure")}

# Key fields beyond the list columns, per kind (one query per batch of ids).
EXTRA_COLUMNS: dict[str, list[TableColumn]] = {
    "check": [
        TableColumn("version", N_("Version"), "r.version"),
        TableColumn("credit_code", N_("Credit code"), "p.credit_code"),
        TableColumn("brand", N_("Brand"), "r.brand"),
        TableColumn("spec_model", N_("Specification"), "r.spec_model"),
        TableColumn("batch_no", N_("Batch / production date"), "r.batch_no"),
        TableColumn("manufacturer", N_("Manufacturer"), "r.manufacturer"),
        TableColumn("barcode", N_("Barcode"), "r.barcode"),
        TableColumn("quantity", N_("Quantity"), "r.quantity"),
        TableColumn("unit", N_("Unit"), "r.unit"),
        TableColumn("price", N_("Price"), "r.price"),
        TableColumn("check_measure", N_("Measure"), "r.measure"),
        TableColumn("failed", N_("Failed items"),
                    "(SELECT group_concat(i.label, '; ') FROM check_items i "
                    "WHERE i.check_id = r.id AND i.result = 'fail')"),
        TableColumn("remarks", N_("Remarks"), "r.remarks"),
    ],
    "seizure": [
        TableColumn("version", N_("Version"), "r.version"),
        TableColumn("credit_code", N_("Credit code"), "p.credit_code"),
        TableColumn("place", N_("Place"), "r.place"),
        TableColumn("suspected_violation", N_("Suspected violation"), "r.suspected_violation"),
        TableColumn("legal_basis", N_("Legal basis"), "r.legal_basis"),
        TableColumn("issued_at", N_("Issued at"), "r.issued_at"),
        TableColumn("term_days", N_("Term (days)"), "r.term_days"),
        TableColumn("extension_days", N_("Extension (days)"), "r.extension_days"),
        TableColumn("custody_place", N_("Custody place"), "r.custody_place"),
        TableColumn("officers", N_("Officers"),
                    "(SELECT group_concat(o.name || ' ' || o.cert_no, '; ') "
                    "FROM seizure_officers o WHERE o.seizure_id = r.id)"),
        TableColumn("seal_numbers", N_("Seals"),
                    "(SELECT group_concat(s.number, '; ') FROM seals s "
                    "WHERE s.seizure_id = r.id)"),
    ],
    "worklog": [
        TableColumn("version", N_("Version"), "r.version"),
        TableColumn("opened_at", N_("Opened at"), "r.opened_at"),
        TableColumn("closed_at", N_("Closed at"), "r.closed_at"),
        TableColumn("scale_checks", N_("Scale checks"),
                    "(SELECT count(*) FROM scale_checks c WHERE c.worklog_id = r.id)"),
        TableColumn("complaints", N_("Complaints"),
                    "(SELECT count(*) FROM complaints c WHERE c.worklog_id = r.id)"),
        TableColumn("summary", N_("Summary"), "r.summary"),
    ],
}
_EXTRA_FROM = {
    "check": "label_checks r LEFT JOIN parties p ON p.id = r.party_id",
    "seizure": "seizures r LEFT JOIN parties p ON p.id = r.party_id",
    "worklog": "work_logs r",
}
_TIME_KEYS = {"issued_at", "opened_at", "closed_at"}


def _local_time(value: Any) -> str:
    if value in (None, ""):
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _extra_rows(session: Session, kind: str, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    cols = ", ".join(c.sql for c in EXTRA_COLUMNS[kind])
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    sql = f"SELECT r.id, {cols} FROM {_EXTRA_FROM[kind]} WHERE r.id IN ({marks})"
    rows = session.execute(text(sql), {f"i{n}": v for n, v in enumerate(ids)})
    return {row[0]: tuple(row[1:]) for row in rows}


def table_header(kind: str) -> list[str]:
    return ["ID"] + [_(c.label) for c in queries.COLUMNS[kind]] + [
        _(c.label) for c in EXTRA_COLUMNS[kind]]


def table_rows(session: Session, kind: str, ids: list[str], batch: int = 500
               ) -> Iterator[list[Any]]:
    """One row per record of `ids` (in that order): id, list columns, key fields."""
    columns = queries.COLUMNS[kind]
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        shown = queries.fetch_rows(session, kind, chunk)
        extra = _extra_rows(session, kind, chunk)
        for record_id in chunk:
            if record_id not in shown:
                continue  # deleted meanwhile
            row: list[Any] = [record_id]
            row += [v if isinstance(v, int) and not isinstance(v, bool)
                    else queries.display(kind, c, v)
                    for c, v in zip(columns, shown[record_id], strict=True)]
            for column, value in zip(EXTRA_COLUMNS[kind], extra[record_id], strict=True):
                if column.key in _TIME_KEYS:
                    value = _local_time(value)
                elif column.key == "check_measure":
                    value = _(_CHECK_MEASURES[value]) if value in _CHECK_MEASURES else value
                elif value is None:
                    value = ""
                row.append(value)
            yield row


def export_table(store: Store, kind: str, fmt: str, out: Path,
                 flt: queries.Filter | None = None, progress: Progress | None = None) -> int:
    """Write one row per record of `kind` as CSV (UTF-8 with BOM) or XLSX; return the count.

    The writing, the formula defusing and the all-or-nothing output are `tables_out`'s.
    """
    if fmt not in tables_out.FORMATS:
        raise ValueError(fmt)
    try:
        with tables_out.replacing(Path(out)) as tmp, store.read() as session:
            ids = queries.list_ids(session, kind, flt)
            count = tables_out.write(
                tmp, fmt, table_header(kind), table_rows(session, kind, ids),
                sheet=_(queries.KIND_LABELS[kind]), total=len(ids), progress=progress,
                every=1000, freeze_columns=1)
    except tables_out.TableError as exc:
        raise TransferError(exc.message) from exc
    if progress:
        progress(count, count)
    return count


