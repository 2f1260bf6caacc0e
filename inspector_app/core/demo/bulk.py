"""The bulk writer: demo rows written with the DB-API, with full evidence.

Every audited row gets exactly what `records.create` would have written: a history row
with its canonical JSON, a chained audit entry (`audit.Chain`) and an outbox entry, so
`audit.verify` passes on a demo store. The canonical content is made from the row dicts
with the keys and value forms `canonical.to_dict` gives the reloaded row (times are whole
seconds and decimals fit their column's scale, so they come back unchanged).

Nothing goes through the ORM: rows are plain dicts written with `executemany`
(positional parameters) inside the store's write transaction.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Integer, Numeric, String, Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection

from inspector_app.core import audit, canonical, search
from inspector_app.core.models import RECORD_KINDS, Attachment, Base, UTCDateTime

# --- value forms ------------------------------------------------------------------------


def canon_time(moment: datetime) -> str:
    """canonical.plain of an aware UTC datetime, made faster than strftime."""
    text = moment.isoformat()  # 2025-01-02T03:04:05[.123456]+00:00
    if text[-6:] != "+00:00":
        raise ValueError("demo times must be UTC")
    return text[:19] + ".000000Z" if len(text) == 25 else text[:26] + "Z"


def _num(value: Decimal) -> str:
    """A decimal as canonical text; SQLite's NUMERIC affinity stores it as the number."""
    return canonical.plain(value)


def scaled(n: int, places: int) -> str:
    """_num(Decimal(n).scaleb(-places)) for n >= 0, without making the Decimal."""
    whole, frac = divmod(n, 10 ** places)
    if not frac:
        return str(whole)
    return f"{whole}.{frac:0{places}d}".rstrip("0")


# SQL turning canonical time text (2025-01-02T03:04:05.000000Z) into SQLAlchemy's SQLite
# storage text (2025-01-02 03:04:05.000000); NULL stays NULL.
_DB_TIME = "substr({0}, 1, 10) || ' ' || substr({0}, 12, 15)"


# --- table metadata and the writer -------------------------------------------------------
#
# A row dict holds a row's canonical values: times as canonical text (converted to
# SQLAlchemy's storage form by the INSERT statement), decimals as canonical text (which
# SQLite's NUMERIC affinity stores as the number SQLAlchemy would have bound), booleans,
# integers and strings as they are. So a record's row dict is, with its "kind", parts and
# attachments added, the very dict `canonical.to_dict` makes of the reloaded row. Parts
# are written without their parent key, which the writer adds after the content is made.


@dataclass
class _Meta:
    table: Table
    kind: str | None
    canon: tuple[str, ...]  # keys of the canonical content
    copy: bool  # the row dict cannot double as the canonical dict
    parent_key: str | None  # for parts: the key naming the record, left out of the content
    relations: tuple[tuple[str, type], ...] = ()  # one-to-many relationships, in mapper order
    fill: dict[str, Any] | None = None  # values of the columns the demo rows leave out


def _meta(model: type) -> _Meta:
    table: Table = model.__table__
    kind = getattr(model, "__kind__", None)
    unknown = [c.key for c in table.columns
               if not isinstance(c.type, (UTCDateTime, Numeric, Boolean, Integer, String))]
    if unknown:  # a value form this module does not know how to write
        raise RuntimeError(f"demo data cannot write {table.name} columns {unknown}")
    # The same columns canonical.to_dict takes: all but pk and password_hash, and for
    # parts, their parent's key.
    skip = set(canonical._SKIP) | (set() if kind else set(canonical._SKIP_FK))
    mapper = sa_inspect(model)
    canon = tuple(a.key for a in mapper.column_attrs if a.key not in skip)
    columns = {c.key for c in table.columns}
    parent_keys = sorted(columns & set(canonical._SKIP_FK)) if not kind else []
    relations = tuple(
        (rel.key, rel.mapper.class_) for rel in mapper.relationships
        if rel.uselist and rel.direction.name == "ONETOMANY"
    )
    extra = {"kind", "attachments", *(r[0] for r in relations)}
    copy = bool(columns & (set(canonical._SKIP) | extra))
    return _Meta(table, kind, canon, copy, parent_keys[0] if parent_keys else None,
                 relations)


def _insert_sql(table: Table) -> tuple[str, Callable[[dict[str, Any]], tuple], int]:
    """The INSERT statement of `table`, what makes its parameters from a row dict, and
    where the "id" is among them (-1: nowhere)."""
    # Autoincrement keys are left to SQLite; the audit chain brings its own seq.
    columns = [c for c in table.columns
               if not (c.key == "pk" or (c.key == "seq" and table.name == "outbox"))]
    values = [_DB_TIME.format(f"?{n}") if isinstance(c.type, UTCDateTime) else f"?{n}"
              for n, c in enumerate(columns, start=1)]
    sql = (f"INSERT INTO {table.name} ({', '.join(c.key for c in columns)}) "
           f"VALUES ({', '.join(values)})")
    # Positional parameters bind about twice as fast as named ones.
    keys = [c.key for c in columns]
    getter = itemgetter(*keys)
    return (sql, getter if len(keys) > 1 else (lambda row: (getter(row),)),
            keys.index("id") if "id" in keys else -1)


_META: dict[type, _Meta] = {}

# What canonical.to_dict keeps of an attachment, and its order of them.
_ATTACHMENT_KEYS = ("id", "sha256", "role", "filename", "mime", "size")
_attachment_order = itemgetter("role", "sha256", "id")

# Tables whose rows the writer makes itself (not through `add`).
_UNAUDITED = frozenset({"history", "audit_log", "outbox", "seizure_doc_numbers"})


def _meta_of(model: type) -> _Meta:
    meta = _META.get(model)
    if meta is None:
        meta = _META[model] = _meta(model)
    return meta


def _fill_for(table: Table, row: dict[str, Any], later: str | None = None) -> dict[str, Any]:
    """Values for the columns `row` leaves out, as the ORM would have set them.

    Columns added to the models later get their default (or NULL), so the demo keeps
    working, with matching canonical content, when the schema grows. `later` is a column
    set after this check (a part's parent key).
    """
    expected = {c.key for c in table.columns} - {"pk", later}
    if table.name == "outbox":
        expected.discard("seq")
    unknown = set(row) - expected
    if unknown:
        raise RuntimeError(f"demo rows for {table.name} have unknown columns {sorted(unknown)}")
    fill: dict[str, Any] = {}
    for key in sorted(expected - set(row)):
        column = table.columns[key]
        default = column.default
        if default is not None and default.is_scalar and not isinstance(
                column.type, (UTCDateTime, Numeric)):
            fill[key] = default.arg
        elif column.nullable:
            fill[key] = None
        else:
            raise RuntimeError(f"demo rows for {table.name} need a value for {key}")
    return fill


def _fill(meta: _Meta, rows: list[dict[str, Any]]) -> None:
    fill = meta.fill
    if fill is None:
        fill = meta.fill = _fill_for(meta.table, rows[0], meta.parent_key)
    if fill:
        for row in rows:
            for key, value in fill.items():
                row.setdefault(key, value)


# A batch of rows ready for executemany: [(table name, [parameter tuples])], parents first.
_Batch = list[tuple[str, list[tuple]]]


class Writer:
    """Collects rows per table, with history, audit chain and outbox, and hands them over
    in batches of parameter tuples to `sink` (which writes them, or sends them on)."""

    def __init__(self, chain: audit.Chain, timer: Timer, sink: Callable[[_Batch], None]):
        self.chain = chain
        self.timer = timer
        self.sink = sink
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.fills: dict[str, dict[str, Any]] = {}  # of the tables filled here, not in add
        self.dumps: Callable[[Any], str] = canonical.dumps

    def add(self, model: type, row: dict[str, Any], at: datetime,
            children: dict[str, list[dict[str, Any]]] | None = None,
            attachments: list[dict[str, Any]] | None = None) -> None:
        """Queue an audited row (version 1, last changed `at`) with its parts and
        attachment rows (whose files must be in the store already)."""
        meta = _meta_of(model)
        rows = self.rows
        if meta.fill is None or meta.fill:
            _fill(meta, [row])
        rows[meta.table.name].append(row)
        data = {k: row[k] for k in meta.canon} if meta.copy else row
        data["kind"] = meta.kind  # as canonical.to_dict does
        if attachments:
            att_meta = _meta_of(Attachment)
            if att_meta.fill is None or att_meta.fill:
                _fill(att_meta, attachments)
            rows["attachments"].extend(attachments)
            data["attachments"] = [  # as canonical.to_dict lists them
                {k: a[k] for k in _ATTACHMENT_KEYS}
                for a in sorted(attachments, key=_attachment_order)]
        linked = []
        for key, child_model in meta.relations:
            parts = children.get(key) if children else None
            if parts:
                child_meta = _meta_of(child_model)
                if child_meta.fill is None or child_meta.fill:
                    _fill(child_meta, parts)
                rows[child_meta.table.name].extend(parts)
                linked.append((child_meta.parent_key, parts))
                data[key] = parts
            else:
                data[key] = []
        content = self.dumps(canonical.compact(data))
        digest = canonical.sha256_text(content)
        record_id, stored_at = row["id"], row["updated_at"]
        for parent_key, parts in linked:  # now that the content is made
            for part in parts:
                part[parent_key] = record_id
        rows["history"].append(
            {"kind": meta.kind, "record_id": record_id, "version": 1, "content": content})
        entry = self.chain.append(at, meta.kind, record_id, 1, "create", row["device_id"],
                                  row["author_id"], digest)
        entry["at"] = stored_at
        rows["audit_log"].append(entry)
        rows["outbox"].append({"kind": meta.kind, "record_id": record_id, "version": 1,
                               "created_at": stored_at, "acked_at": None})

    def flush(self) -> None:
        self.timer.lap("build")
        batch: _Batch = []
        for table in _ORDER:
            name = str(table.name)  # a plain str (marshal refuses SQLAlchemy's subclass)
            rows = self.rows.pop(name, None)
            if not rows:
                continue
            if name in _UNAUDITED:
                fill = self.fills.get(name)
                if fill is None:
                    fill = self.fills[name] = _fill_for(table, rows[0])
                for row in rows:
                    for key, value in fill.items():
                        row.setdefault(key, value)
            batch.append((name, list(map(_statement(name)[1], rows))))
            self.counts[name] += len(rows)
        if self.rows:
            raise RuntimeError(f"demo rows for unknown tables: {sorted(self.rows)}")
        self.timer.lap("convert")
        if batch:
            self.sink(batch)


_STATEMENTS: dict[str, tuple[str, Callable[[dict[str, Any]], tuple], int]] = {}


def _statement(table_name: str) -> tuple[str, Callable[[dict[str, Any]], tuple], int]:
    found = _STATEMENTS.get(table_name)
    if found is None:
        found = _STATEMENTS[table_name] = _insert_sql(Base.metadata.tables[table_name])
    return found


_RECORD_TABLES = {model.__tablename__: kind for kind, model in RECORD_KINDS.items()}


class DbSink:
    """Writes batches with the DB-API cursor of the write transaction's connection, and
    indexes the records of each batch for search (`search.reindex` with their ids)."""

    def __init__(self, conn: Connection, timer: Timer):
        self.conn = conn
        self.cursor = conn.connection.driver_connection.cursor()
        self.timer = timer
        self.search = False  # index for search as the records come

    def __call__(self, batch: _Batch) -> None:
        for name, params in batch:
            self.cursor.executemany(_statement(name)[0], params)
        self.timer.lap("insert")
        if self.search:
            for name, params in batch:
                kind = _RECORD_TABLES.get(name)
                if kind:
                    at = _statement(name)[2]
                    search.reindex(self.conn, kind, [p[at] for p in params])
            self.timer.lap("search")

    def close(self) -> None:
        self.cursor.close()


_ORDER = list(Base.metadata.sorted_tables)  # parents before children
# Tables the demo writes to, whose secondary indexes are rebuilt after a bulk load.
_BULK_TABLES = ("history", "audit_log", "outbox", "label_checks", "check_items",
                "check_officers", "seizures",
                "seizure_officers", "seizure_items", "seals", "seizure_transitions",
                "seizure_signatures", "attachments", "work_logs", "rapid_tests", "scale_checks", "complaints")
# Indexes that search.reindex needs (it reads the parts of each record), kept in place.
_KEEP_INDEXES = ("ix_seizure_items_seizure_id", "ix_rapid_tests_worklog_id")
DEFER_INDEXES = True


def drop_indexes(conn: Connection) -> list[str]:
    """Drop the plain (CREATE INDEX) indexes of the bulk tables; return their SQL.

    Building an index once over sorted keys is much faster than growing it by a few
    million random inserts. Constraint indexes (primary keys, UNIQUE) stay. It all happens
    in the write transaction, so a failure rolls the indexes back with the rows.
    """
    marks = ", ".join("?" * len(_BULK_TABLES))
    rows = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name", _BULK_TABLES).all()
    rows = [(name, sql) for name, sql in rows if name not in _KEEP_INDEXES]
    for name, _sql in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]



class Timer:
    """Wall and CPU seconds per phase: `lap(name)` books the time since the last lap."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[name] += wall - self._wall
        self.cpu[name] += cpu - self._cpu
        self._wall, self._cpu = wall, cpu

    def report(self) -> dict[str, float]:
        out = dict(self.wall)
        out["total"] = sum(self.wall.values())
        out.update({f"cpu:{k}": v for k, v in self.cpu.items()})
        out["cpu:total"] = sum(self.cpu.values())
        return out
