"""Moving records in and out of a store: the JSON record format, and CSV/XLSX tables.

The record format (docs/record-format.md, schema in `inspector_app/schemas/`) carries each
entity as exactly its canonical content (`canonical.to_dict`), the same shape the audit
trail hashes and the sync protocol carries. An export writes the reference entities the
records need (inspectors, markets, parties, stalls, workstations) before the records,
streaming them in batches so 100,000 records never sit in memory as ORM objects at once.
CSV and XLSX exports write one row per record for spreadsheets.

An import is all or nothing. `import_document` first checks the whole file (JSON Schema,
then the rules the schema cannot say, then against the store) and raises `ImportRejected`
with one `Issue` per problem, each naming its JSON path; only a file without problems is
written, in one transaction. Per entity:

* unknown id: created with the file's id, version, times, device and author;
* same id, same version, same content: skipped (importing a file twice changes nothing);
* same id, higher version: applied as the next version (the history keeps the old ones);
* same id, a version the store holds with other content, or a lower version the store
  never had: a conflict, reported, and nothing is overwritten.
(The rule is `sync.versions.for_import`; it says why it differs from the server's.)

Every version written here goes through `records.save_version` with the audit action
"import", so it gets its history row, audit entry, outbox entry and search index entry
exactly like a version made in the app. A record pulled from the server takes the same
path (`import_records`) with the action "pull", which queues nothing to send back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Numeric, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import canonical, queries, records, settings, tables_out, validation
from inspector_app.core.checks import rules as check_rules
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import (
    AUDITED,
    RECORD_KINDS,
    Attachment,
    AuditedMixin,
    History,
    Inspector,
    UTCDateTime,
)
from inspector_app.core.seizure import incoming, record_rules
from inspector_app.core.store import Store, utcnow
from sync import versions

FORMAT = "inspector-records"
FORMAT_VERSION = 1
# An imported inspector cannot sign in here until a supervisor sets a password: this is
# not an Argon2 hash, so `auth.authenticate` fails for it (argon2 raises InvalidHashError).
UNUSABLE_PASSWORD = "!imported"

# References without a foreign key in the schema: (kind, child list or None, column) ->
# the kind referred to. Every entity also names its author (an inspector).
_UNENFORCED_REFERENCES = {
    ("seizure", "transitions", "inspector_id"): "inspector",
    ("seizure", "signatures", "officer_id"): "inspector",
    ("worklog", None, "workstation_id"): "workstation",
    ("workstation", "operators", "inspector_id"): "inspector",
}


@dataclass(frozen=True)
class Reference:
    """A column of an entity (or of one of its child lists) naming another entity."""

    list_key: str | None  # the child list, or None for the entity's own column
    column: str
    kind: str  # the kind referred to

    @property
    def name(self) -> str:
        return f"{self.list_key}.{self.column}" if self.list_key else self.column


def _references_of(kind: str) -> list[Reference]:
    """What `kind` refers to: its foreign keys to audited entities, its author, and the
    references listed in `_UNENFORCED_REFERENCES` (links between records are not)."""
    tables = {cls.__tablename__: k for k, cls in AUDITED.items()}
    cls = AUDITED[kind]
    mapper = sa_inspect(cls)
    owners: list[tuple[str | None, Any]] = [(None, cls)]
    owners += [(rel.key, rel.mapper.class_) for rel in mapper.relationships if rel.uselist]
    out = []
    for list_key, owner in owners:
        for column in owner.__table__.columns:
            target = next((tables[fk.column.table.name] for fk in column.foreign_keys
                           if fk.column.table.name in tables), None)
            if list_key is not None and target == kind:
                continue  # the child's key to its parent
            target = target or _UNENFORCED_REFERENCES.get((kind, list_key, column.key))
            if list_key is None and column.key == "author_id":
                target = "inspector"
            if target:
                out.append(Reference(list_key, column.key, target))
    return out


REFERENCES: dict[str, list[Reference]] = {kind: _references_of(kind) for kind in AUDITED}


def _kind_order() -> tuple[str, ...]:
    """Every kind after the kinds it refers to (records last), else in the models' order."""
    placed: list[str] = []
    waiting = [k for k in AUDITED if k not in RECORD_KINDS] + list(RECORD_KINDS)
    while waiting:
        for kind in waiting:
            needs = {r.kind for r in REFERENCES[kind]} - {kind}
            if needs <= set(placed):
                break
        else:  # a cycle: keep the models' order for the rest
            kind = waiting[0]
        placed.append(kind)
        waiting.remove(kind)
    return tuple(placed)


# Reference data first, so that whatever refers to an entity comes after it.
KIND_ORDER = _kind_order()
REFERENCE_KINDS = tuple(k for k in KIND_ORDER if k not in RECORD_KINDS)

ENTITY_LABELS = {
    "inspector": N_("inspector"),
    "market": N_("market"),
    "party": N_("party"),
    "stall": N_("stall"),
    "check": N_("labeling check"),
    "seizure": N_("seizure"),
    "worklog": N_("workstation log"),
    "workstation": N_("workstation"),
}

Progress = Callable[[int, int], None]


def entity_label(kind: str) -> str:
    """The translated name of an entity kind, e.g. 当事人 for "party"."""
    return _(ENTITY_LABELS[kind]) if kind in ENTITY_LABELS else kind


# --- the schema ------------------------------------------------------------------------


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the record format."""
    source = resources.files("inspector_app.schemas").joinpath("records.schema.json")
    return json.loads(source.read_text(encoding="utf-8"))


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None


@cache
def _format_checker():
    import jsonschema

    checker = jsonschema.FormatChecker(formats=("uuid", "date"))
    checker.checks("date-time")(_is_datetime)
    return checker


@cache
def validator():
    """A validator of whole documents against `schema()`, with its formats checked."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema(), format_checker=_format_checker())


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """`node` with every {"$ref": "#/$defs/x"} replaced by x itself (the schema has no cycles)."""
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            return _inline(defs[node["$ref"].rsplit("/", 1)[1]], defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, defs) for value in node]
    return node


@cache
def _validators() -> tuple[Any, Any, dict[str, Any]]:
    """(envelope, record head, one per kind): the same rules as `validator()`, faster.

    Each record is checked against its own kind's schema, with the references resolved
    beforehand; that is several times faster than the whole-document validator.
    """
    import jsonschema

    full = schema()
    defs = full["$defs"]
    envelope = {key: value for key, value in full.items() if key != "$defs"}
    envelope["properties"] = {**envelope["properties"],
                              "records": {"type": "array", "items": {}}}
    head = {key: value for key, value in defs["record"].items() if key != "allOf"}

    def make(node: dict[str, Any]):
        return jsonschema.Draft202012Validator(_inline(node, defs),
                                               format_checker=_format_checker())
    kinds = head["properties"]["kind"]["enum"]
    return make(envelope), make(head), {kind: make(defs[kind]) for kind in kinds}


def schema_errors(doc: Any, progress: Progress | None = None
                  ) -> Iterator[tuple[list[str | int], Any]]:
    """(path prefix, jsonschema error) for every way `doc` breaks the schema."""
    envelope, head, kinds = _validators()
    for error in envelope.iter_errors(doc):
        yield [], error
    entries = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return
    for index, rec in enumerate(entries):
        if progress and index % 1000 == 999:
            progress(index + 1, 2 * len(entries))
        prefix: list[str | int] = ["records", index]
        errors = list(head.iter_errors(rec))
        if not errors:
            errors = list(kinds[rec["kind"]].iter_errors(rec))
        for error in errors:
            yield prefix, error


# --- problems --------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem of an import file: where (a JSON path) and what, translated."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class TransferError(Exception):
    """An export or import problem with a message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportRejected(TransferError):
    """The file has problems; nothing was imported (grouped by record: transfer_report)."""

    def __init__(self, issues: list[Issue], entries: Any = None):
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues
        self.entries = entries  # the file's records, to name the refused ones


def json_path(parts: Iterable[str | int]) -> str:
    """`records[3].items[0].quantity` from ('records', 3, 'items', 0, 'quantity')."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "$"


_TYPE_NAMES = {
    "string": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "object": N_("an object"),
    "array": N_("a list"),
    "null": N_("null"),
}
_FORMAT_MESSAGES = {
    "uuid": N_("is not a valid UUID"),
    "date-time": N_("is not a valid time"),
    "date": N_("is not a valid date"),
}


@cache
def _pattern_messages() -> dict[str, str]:
    """Message (untranslated) for each pattern of the schema's $defs."""
    messages = {
        "uuid": N_("must be a lower-case UUID such as 123e4567-e89b-42d3-a456-426614174000"),
        "timestamp": N_("must be a UTC time written like 2026-11-20T02:00:00.000000Z"),
        "date": N_("must be a date written like 2026-11-20"),
        "date_or_empty": N_("must be empty or a date written like 2026-11-20"),
        "sha256": N_("must be a SHA-256 digest (64 lower-case hexadecimal digits)"),
    }
    out: dict[str, str] = {}
    for name, definition in schema()["$defs"].items():
        pattern = definition.get("pattern")
        base = name.removesuffix("_or_null")
        if pattern and base in messages:
            out[pattern] = messages[base]
        elif pattern and base.startswith("decimal_"):
            out[pattern] = base  # see _schema_issues
    return out


def _schema_issues(error, prefix: Sequence[str | int] = ()) -> list[Issue]:
    """Translated issues for one jsonschema error (required/additional fields each get one)."""
    path = [*prefix, *error.absolute_path]
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        return [Issue(json_path([*path, name]), _("this field is required"))
                for name in value if isinstance(error.instance, dict)
                and name not in error.instance]
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [Issue(json_path([*path, name]), _("unknown field"))
                for name in error.instance if name not in allowed]
    if kind == "type":
        names = [_(_TYPE_NAMES.get(t, t)) for t in ([value] if isinstance(value, str) else value)]
        expected = names[0] if len(names) == 1 else _("{first} or {second}").format(
            first=", ".join(names[:-1]), second=names[-1])
        message = _("must be {type}").format(type=expected)
    elif kind == "enum":
        message = _("must be one of: {values}").format(
            values=", ".join(json.dumps(v, ensure_ascii=False) for v in value))
    elif kind == "const":
        message = _("must be {value}").format(value=json.dumps(value, ensure_ascii=False))
    elif kind == "format":
        message = _(_FORMAT_MESSAGES.get(value, N_("is not in the expected format")))
    elif kind == "pattern":
        hint = _pattern_messages().get(value)
        decimal = re.match(r"decimal_(\d+)_(\d+)", hint or "")
        if decimal:
            precision, scale = int(decimal[1]), int(decimal[2])
            message = _("must be a decimal number written as text in its shortest form "
                        "(like \"12.5\"), with at most {digits} digits before the point "
                        "and {places} after it").format(digits=precision - scale, places=scale)
        elif hint:
            message = _(hint)
        else:
            message = _("must be a lower-case code (letters a-z, digits and _)")
    elif kind == "minimum":
        message = _("must be at least {n}").format(n=value)
    elif kind == "maximum":
        message = _("must be at most {n}").format(n=value)
    elif kind == "exclusiveMinimum":
        message = _("must be greater than {n}").format(n=value)
    elif kind == "maxLength":
        message = _("must have at most {n} characters").format(n=value)
    elif kind == "minLength":
        message = _("must not be empty")
    elif kind == "minItems":
        message = _("must have at least {n} entries").format(n=value)
    else:
        message = _("is not valid: {detail}").format(detail=error.message)
    return [Issue(json_path(path), message)]


# --- reading a file --------------------------------------------------------------------

# json's own messages, marked here so that they are translated too.
_JSON_MESSAGES = [
    N_("Expecting value"),
    N_("Expecting ',' delimiter"),
    N_("Expecting ':' delimiter"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
    N_("Invalid \\escape"),
    N_("Extra data"),
]


def load_document(path: Path) -> Any:
    """The parsed file. Raises TransferError (bad JSON, with line and column) or OSError."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig") as fh:
            return json.load(fh)
    except UnicodeDecodeError as exc:
        raise TransferError(
            _("{file} is not UTF-8 text (byte {offset}); it cannot be a records file.")
            .format(file=path, offset=exc.start)) from exc
    except json.JSONDecodeError as exc:
        raise TransferError(
            _("{file} is not valid JSON: {error} at line {line}, column {column}.")
            .format(file=path, error=_(exc.msg), line=exc.lineno, column=exc.colno)) from exc
    except RecursionError as exc:
        raise TransferError(_("{file} is nested too deeply to be a records file.")
                            .format(file=path)) from exc


# --- export ----------------------------------------------------------------------------


def _children(cls: type) -> list[str]:
    return [rel.key for rel in sa_inspect(cls).relationships if rel.uselist]


def iter_entities(session: Session, cls: type[AuditedMixin], ids: Iterable[str] | None = None,
                  batch: int = 500) -> Iterator[tuple[AuditedMixin, list[Attachment]]]:
    """Entities of `cls` (all, or those of `ids`) in id order, with their attachments.

    Loads `batch` at a time with their child rows and forgets them before the next batch.
    """
    loaders = [selectinload(getattr(cls, key)) for key in _children(cls)]
    wanted = sorted(ids) if ids is not None else None
    last, start = "", 0
    while True:
        if wanted is None:
            stmt = select(cls).where(cls.id > last).order_by(cls.id).limit(batch)
        else:
            chunk = wanted[start : start + batch]
            start += batch
            if not chunk:
                return
            stmt = select(cls).where(cls.id.in_(chunk)).order_by(cls.id)
        rows = session.scalars(stmt.options(*loaders)).all()
        if not rows:
            if wanted is None:
                return
            continue
        atts: dict[str, list[Attachment]] = defaultdict(list)
        for att in session.scalars(select(Attachment).where(
                Attachment.record_kind == cls.__kind__,
                Attachment.record_id.in_([r.id for r in rows]))):
            atts[att.record_id].append(att)
        for row in rows:
            yield row, atts.get(row.id, [])
        last = rows[-1].id
        session.expunge_all()


def _column_ids(session: Session, sql: str) -> set[str]:
    return {row[0] for row in session.execute(text(sql)) if row[0]}


def _in_chunks(session: Session, sql: str, ids: set[str]) -> set[str]:
    """Non-empty values of `sql` (one column, `:ids` expanded) for the given ids."""
    out: set[str] = set()
    ordered = sorted(ids)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        params = {f"i{n}": v for n, v in enumerate(chunk)}
        out |= {r[0] for r in session.execute(text(sql.format(ids=marks)), params) if r[0]}
    return out


def _reference_sql(kind: str, restricted: bool = False) -> Iterator[tuple[str, str]]:
    """(kind referred to, SQL selecting the ids) for every reference of `kind`.

    With `restricted`, only for the entities whose ids are bound as `{ids}`.
    """
    cls = AUDITED[kind]
    relationships = sa_inspect(cls).relationships
    for ref in REFERENCES[kind]:
        if ref.list_key is None:
            table, key = cls.__tablename__, "id"
        else:
            child = relationships[ref.list_key].mapper.class_
            table = child.__tablename__
            key = next(c.name for c in child.__table__.columns
                       if any(fk.column.table is cls.__table__ for fk in c.foreign_keys))
        sql = f"SELECT DISTINCT {ref.column} FROM {table}"
        yield ref.kind, sql + (f" WHERE {key} IN ({{ids}})" if restricted else "")


def referenced(session: Session, kinds: Iterable[str]) -> dict[str, set[str]]:
    """Ids of the reference entities that the records of `kinds` need, transitively."""
    need: dict[str, set[str]] = {k: set() for k in REFERENCE_KINDS}
    for kind in kinds:
        for ref_kind, sql in _reference_sql(kind):
            need[ref_kind] |= _column_ids(session, sql)
    # What those entities refer to in turn (a stall's market, an inspector's author...).
    todo = {kind: set(ids) for kind, ids in need.items()}
    while any(todo.values()):
        found: dict[str, set[str]] = defaultdict(set)
        for kind, ids in todo.items():
            if ids:
                for ref_kind, sql in _reference_sql(kind, restricted=True):
                    found[ref_kind] |= _in_chunks(session, sql, ids)
        todo = {kind: ids - need[kind] for kind, ids in found.items()}
        for kind, ids in todo.items():
            need[kind] |= ids
    # Only ids the store really holds (a dangling id is the import's problem to report).
    for kind, ids in need.items():
        table = AUDITED[kind].__tablename__
        need[kind] = _in_chunks(session, f"SELECT id FROM {table} WHERE id IN ({{ids}})", ids)
    return need


def export_json(store: Store, kinds: Iterable[str], out: Path,
                attachments_dir: Path | None = None, progress: Progress | None = None,
                batch: int = 500) -> dict[str, int]:
    """Write the records of `kinds` with the reference entities they need to `out`.

    With `attachments_dir`, also copy every attachment's file there, named by its SHA-256.
    Returns the number of entities written per kind (and "attachments" copied).
    """
    kinds = [k for k in KIND_ORDER if k in set(kinds)]
    out = Path(out)
    with store.read() as session:
        device = settings.DEVICE_ID.get(session)
    if not device:
        with store.write() as session:
            device = settings.device_id(session)
    counts: Counter[str] = Counter()
    shas: set[str] = set()
    with tables_out.replacing(out) as tmp:
        with store.read() as session, tmp.open("w", encoding="utf-8", newline="\n") as fh:
            need = referenced(session, kinds)
            total = sum(len(v) for v in need.values()) + sum(
                queries.counts(session)[k] for k in kinds)
            head = {"format": FORMAT, "version": FORMAT_VERSION,
                    "exported_at": canonical.plain(utcnow()), "device_id": device}
            fh.write("{\n")
            for key, value in head.items():
                fh.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
            fh.write('  "records": [')
            first = True
            for kind in KIND_ORDER:
                if kind in need:
                    entities = iter_entities(session, AUDITED[kind], need[kind], batch)
                elif kind in kinds:
                    entities = iter_entities(session, AUDITED[kind], None, batch)
                else:
                    continue
                for obj, atts in entities:
                    fh.write("\n" if first else ",\n")
                    first = False
                    fh.write(canonical.dumps(canonical.to_dict(obj, atts)))
                    shas.update(a.sha256 for a in atts)
                    counts[kind] += 1
                    if progress and sum(counts.values()) % batch == 0:
                        progress(sum(counts.values()), total)
            fh.write("\n  ]\n}\n")
        if attachments_dir is not None:
            counts["attachments"] = _copy_attachments(store, shas, Path(attachments_dir))
    if progress:
        progress(total, total)
    return dict(counts)


def _copy_attachments(store: Store, shas: set[str], target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    missing = []
    copied = 0
    for sha in sorted(shas):
        src = store.attachment_path(sha)
        if not src.exists():
            missing.append(sha)
            continue
        dst = target / sha
        if not dst.exists():
            shutil.copyfile(src, dst)
        copied += 1
    if missing:
        raise TransferError(
            _("The files of {n} attachments are missing from the store ({first}...); "
              "run `inspector audit verify`.").format(n=len(missing), first=missing[0][:12]))
    return copied


# --- CSV and XLSX tables ---------------------------------------------------------------


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


# --- import ----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    files: int = 0  # attachment files copied into the store

    def total(self, which: str) -> int:
        return sum(getattr(self, which).values())


_POSITIVE = {("seizure", "items", "quantity")}
_NOT_NEGATIVE = {("check", None, "quantity"), ("check", None, "price"),
                 ("worklog", "scale_checks", "claimed_weight"),
                 ("worklog", "scale_checks", "actual_weight")}
_DATE_NAMES = ("_date", "_on", "_until")  # local dates kept as text (record_schema)


def _semantic_issues(index: int, rec: dict[str, Any]) -> list[Issue]:
    """What the schema cannot say about one (schema-valid) entity."""
    kind = rec["kind"]
    base = ["records", index]
    issues: list[Issue] = []
    if kind == "party":
        checks = (("credit_code", validation.check_credit_code),
                  ("id_number", validation.check_id_number),
                  ("phone", validation.check_phone))
        for key, check in checks:
            if rec.get(key):
                try:
                    check(rec[key])
                except validation.ValidationError as exc:
                    issues.append(Issue(json_path([*base, key]), exc.message))
    if kind == "check" and rec.get("status") == "final":
        # A final check names two officers with 执法证号, as saving one asks (check rules).
        for message in check_rules.officer_problems(
                [(o.get("inspector_id", ""), o.get("name", ""), o.get("cert_no", ""))
                 for o in rec.get("officers", ())]):
            issues.append(Issue(json_path([*base, "officers"]), message))
    rows: list[tuple[str | None, int | None, dict[str, Any]]] = [(None, None, rec)]
    for key in _children(AUDITED[kind]):
        previous = None
        for n, child in enumerate(rec.get(key, ())):
            rows.append((key, n, child))
            if previous is not None and child["position"] <= previous:
                issues.append(Issue(json_path([*base, key, n, "position"]),
                                    _("must be greater than the position of the row before")))
            previous = child["position"]
    for list_key, n, row in rows:
        where = [*base] if list_key is None else [*base, list_key, n]
        for key, value in row.items():
            if (kind, list_key, key) in _POSITIVE and value is not None and \
                    Decimal(value) <= 0:
                issues.append(Issue(json_path([*where, key]), _("must be greater than 0")))
            elif (kind, list_key, key) in _NOT_NEGATIVE and value is not None and \
                    Decimal(value) < 0:
                issues.append(Issue(json_path([*where, key]), _("must not be negative")))
            elif key.endswith(_DATE_NAMES) and isinstance(value, str) and value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    issues.append(Issue(json_path([*where, key]), _("is not a valid date")))
    if kind == "seizure":  # the rules the UI enforces (行政强制法), see record_rules
        items_told = any(i.path.startswith(json_path([*base, "items"])) for i in issues)
        issues += _rule_issues(base, [e for e in record_rules.seizure_issues(rec) if not (
            items_told and e.field in ("quantity", "name", "unit"))])
    atts = rec.get("attachments", [])
    order = [(a["role"], a["sha256"], a["id"]) for a in atts]
    if order != sorted(order):
        issues.append(Issue(json_path([*base, "attachments"]),
                            _("must be sorted by role, then sha256, then id")))
    return issues


def _rule_issues(base: list[str | int], found: Iterable[validation.ValidationError]
                 ) -> list[Issue]:
    return [Issue(f"{json_path(base)}.{e.field}" if e.field else json_path(base), e.message)
            for e in found]


def _references(rec: dict[str, Any]) -> Iterator[tuple[list[str | int], str, str]]:
    """(path inside the record, kind, id) of each entity `rec` refers to."""
    for ref in REFERENCES[rec["kind"]]:
        if ref.list_key is None:
            if rec.get(ref.column):
                yield [ref.column], ref.kind, rec[ref.column]
            continue
        for n, child in enumerate(rec.get(ref.list_key, ())):
            if child.get(ref.column):
                yield [ref.list_key, n, ref.column], ref.kind, child[ref.column]


def _existing_ids(session: Session, kind: str, ids: Iterable[str]) -> dict[str, int]:
    """id -> version of those `ids` the store holds."""
    cls = AUDITED[kind]
    out: dict[str, int] = {}
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        out.update(session.execute(select(cls.id, cls.version).where(cls.id.in_(chunk))).all())
    return out


def _history(session: Session, kind: str, wanted: list[tuple[str, int]]
             ) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for i in range(0, len(wanted), 300):
        chunk = set(wanted[i : i + 300])
        ids = sorted({record_id for record_id, _v in chunk})
        for record_id, version, content in session.execute(
                select(History.record_id, History.version, History.content).where(
                    History.kind == kind, History.record_id.in_(ids))):
            if (record_id, version) in chunk:
                out[(record_id, version)] = content
    return out


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _AttachmentFiles:
    """Where the file of each attachment is: already in the store, or in the given folder."""

    def __init__(self, store: Store, folder: Path | None):
        self.store = store
        self.folder = Path(folder) if folder is not None else None
        self.sources: dict[str, Path | None] = {}  # sha -> folder file to copy (None: in store)
        self._checked: dict[str, str | None] = {}  # sha -> problem or None

    def _candidates(self, sha: str) -> list[Path]:
        if self.folder is None:
            return []
        return [self.folder / sha, self.folder / sha[:2] / sha]

    def problem(self, sha: str, size: int) -> str | None:
        if sha in self._checked:
            return self._checked[sha]
        result: str | None = None
        if self.store.attachment_path(sha).exists():
            self.sources[sha] = None
        else:
            found = next((p for p in self._candidates(sha) if p.is_file()), None)
            if found is None and self.folder is None:
                result = _("the file {sha} is not in the store; give the folder holding it "
                           "with --attachments").format(sha=sha)
            elif found is None:
                result = _("the file {sha} is neither in the store nor in {folder}").format(
                    sha=sha, folder=self.folder)
            elif _file_sha256(found) != sha:
                result = _("the file {file} does not match its SHA-256 (it is damaged or "
                           "another file)").format(file=found)
            elif found.stat().st_size != size:
                result = _("the file {file} has {actual} bytes, but the record says {size}"
                           ).format(file=found, actual=found.stat().st_size, size=size)
            else:
                self.sources[sha] = found
        self._checked[sha] = result
        return result

    def copy_in(self) -> int:
        """Copy the folder files into the store (each verified once more while copying)."""
        copied = 0
        for sha, source in self.sources.items():
            if source is None or self.store.attachment_path(sha).exists():
                continue
            target = self.store.attachment_path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                digest = hashlib.sha256()
                with os.fdopen(fd, "wb") as dst, source.open("rb") as src:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        digest.update(block)
                        dst.write(block)
                    dst.flush()
                    os.fsync(dst.fileno())
                if digest.hexdigest() != sha:
                    raise TransferError(_("the file {file} changed while it was imported")
                                        .format(file=source))
                os.replace(tmp, target)
            finally:
                Path(tmp).unlink(missing_ok=True)
            copied += 1
        return copied


@dataclass
class _Plan:
    index: int
    rec: dict[str, Any]
    action: str  # create / update / skip


def check_document(doc: Any, progress: Progress | None = None
                   ) -> tuple[list[Issue], list[tuple[int, dict[str, Any]]]]:
    """Problems found without the store, and the (index, entity) pairs that passed."""
    issues: list[Issue] = []
    bad: set[int] = set()
    seen_paths: set[str] = set()
    for prefix, error in schema_errors(doc, progress):
        for issue in _schema_issues(error, prefix):
            if issue.path not in seen_paths:
                seen_paths.add(issue.path)
                issues.append(issue)
        if prefix:
            bad.add(prefix[1])
    entries = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return issues, []
    good: list[tuple[int, dict[str, Any]]] = []
    first_seen: dict[tuple[str, str], int] = {}
    usernames: dict[str, int] = {}
    for index, rec in enumerate(entries):
        if index in bad or not isinstance(rec, dict):
            continue
        key = (rec["kind"], rec["id"])
        if key in first_seen:
            issues.append(Issue(json_path(["records", index, "id"]), _(
                "the same {kind} appears already at records[{first}]").format(
                kind=entity_label(rec["kind"]), first=first_seen[key])))
            continue
        first_seen[key] = index
        if rec["kind"] == "inspector":
            if rec["username"] in usernames:
                issues.append(Issue(json_path(["records", index, "username"]), _(
                    "the user name {name} is already used by records[{first}]").format(
                    name=rec["username"], first=usernames[rec["username"]])))
            usernames.setdefault(rec["username"], index)
        found = _semantic_issues(index, rec)
        issues += found
        if not found:
            good.append((index, rec))
    return issues, good


def import_document(store: Store, doc: Any, attachments_dir: Path | None = None,
                    progress: Progress | None = None) -> ImportSummary:
    """Import a parsed records file, all or nothing. Raises ImportRejected with every issue.

    `progress(done, total)` is called now and then: checking is the first half of the
    work, writing the second.
    """
    files = _AttachmentFiles(store, attachments_dir)
    checked = _check(doc, files, progress)  # before the write transaction: it can be long
    # One write transaction: nothing can change between the checks and the writes.
    with store.write() as session:
        return import_records(session, checked.entries, files, progress=progress,
                              checked=checked)


@dataclass
class _Checked:
    issues: list[Issue]
    good: list[tuple[int, dict[str, Any]]]
    in_file: set[tuple[str, str]]
    entries: Any


def _check(doc: Any, files: _AttachmentFiles, progress: Progress | None) -> _Checked:
    """What a document's checks without the store find, its attachment files checked."""
    issues, good = check_document(doc, progress)
    entries = doc.get("records") if isinstance(doc, dict) else None
    in_file: set[tuple[str, str]] = set()
    if isinstance(entries, list):
        in_file = {(r.get("kind"), r.get("id")) for r in entries if isinstance(r, dict)}
    for index, rec in good:
        for n, att in enumerate(rec.get("attachments", [])):
            problem = files.problem(att["sha256"], att["size"])
            if problem:
                issues.append(Issue(json_path(["records", index, "attachments", n, "sha256"]),
                                    problem))
    return _Checked(issues, good, in_file, entries)


AttachmentFiles = _AttachmentFiles  # what `import_records` callers pass as `files`


def import_records(session: Session, entries: list[Any], files: _AttachmentFiles, *,
                   action: str = "import", progress: Progress | None = None,
                   checked: _Checked | None = None) -> ImportSummary:
    """Import entities in the record format in the caller's transaction, all or nothing:
    the checks and writes of `import_document`, each version saved with audit `action`
    (`audit.PULLED`: not queued to be sent). Raises ImportRejected (the caller rolls back:
    the last check can fail after writes). `checked`: the document's checks, done already.
    """
    if checked is None:
        doc = {"format": FORMAT, "version": FORMAT_VERSION,
               "device_id": settings.device_id(session),
               "exported_at": canonical.plain(utcnow()), "records": entries}
        checked = _check(doc, files, progress)
    issues = list(checked.issues)
    plans = _plan(session, checked.good, checked.in_file, issues)
    if issues:
        raise ImportRejected(_sorted(issues), checked.entries)
    summary = ImportSummary()
    summary.files = files.copy_in()
    _apply(session, plans, summary, progress, action)
    return summary


def _sorted(issues: list[Issue]) -> list[Issue]:
    def key(issue: Issue) -> tuple:
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", issue.path)]
        return (issue.path.startswith("records"), numbers)
    return sorted(issues, key=key)


def _plan(session: Session, good: list[tuple[int, dict[str, Any]]],
          in_file: set[tuple[str, str]], issues: list[Issue]) -> list[_Plan]:
    by_kind: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for index, rec in good:
        by_kind[rec["kind"]].append((index, rec))

    # References that are neither in the file nor in the store.
    wanted: dict[str, set[str]] = defaultdict(set)
    for _index, rec in good:
        for _where, ref_kind, ref_id in _references(rec):
            if (ref_kind, ref_id) not in in_file:
                wanted[ref_kind].add(ref_id)
    known = {kind: set(_existing_ids(session, kind, ids)) for kind, ids in wanted.items()}
    for index, rec in good:
        for where, ref_kind, ref_id in _references(rec):
            if (ref_kind, ref_id) not in in_file and ref_id not in known[ref_kind]:
                issues.append(Issue(json_path(["records", index, *where]), _(
                    "refers to the {kind} {id}, which is neither in the file nor in the store"
                ).format(kind=entity_label(ref_kind), id=ref_id)))

    plans: list[_Plan] = []
    for kind in KIND_ORDER:
        entries = by_kind.get(kind, [])
        if not entries:
            continue
        existing = _existing_ids(session, kind, (rec["id"] for _i, rec in entries))
        stored = _history(session, kind, [(rec["id"], rec["version"]) for _i, rec in entries
                                          if rec["id"] in existing])
        for index, rec in entries:
            current = existing.get(rec["id"])
            label = entity_label(kind)
            content = stored.get((rec["id"], rec["version"]))
            verdict = versions.for_import(rec["version"], current, None if content is None
                                          else content == canonical.dumps(rec))
            if verdict == versions.Verdict.CREATE:
                plans.append(_Plan(index, rec, "create"))
            elif verdict == versions.Verdict.DUPLICATE:
                plans.append(_Plan(index, rec, "skip"))
            elif verdict == versions.Verdict.DIFFERENT_CONTENT:
                issues.append(Issue(json_path(["records", index]), _(
                    "conflict: the store holds another version {version} of this {kind} "
                    "({id}); nothing was overwritten").format(
                    version=rec["version"], kind=label, id=rec["id"])))
            elif verdict == versions.Verdict.APPLY:
                plans.append(_Plan(index, rec, "update"))
            else:
                issues.append(Issue(json_path(["records", index]), _(
                    "conflict: the store holds version {current} of this {kind} ({id}) but "
                    "not the version {version} of the file; nothing was overwritten").format(
                    current=current, version=rec["version"], kind=label, id=rec["id"])))
    _check_usernames(session, plans, issues)
    _check_attachment_ids(session, plans, issues)
    for plan in plans:
        if plan.rec["kind"] == "seizure":
            issues += _rule_issues(["records", plan.index],
                                   incoming.store_issues(session, plan.rec))
    return plans


def _check_usernames(session: Session, plans: list[_Plan], issues: list[Issue]) -> None:
    names = {p.rec["username"]: p for p in plans
             if p.rec["kind"] == "inspector" and p.action != "skip"}
    if not names:
        return
    taken = dict(session.execute(select(Inspector.username, Inspector.id).where(
        Inspector.username.in_(sorted(names)))).all())
    for name, plan in names.items():
        if name in taken and taken[name] != plan.rec["id"]:
            issues.append(Issue(json_path(["records", plan.index, "username"]), _(
                "the user name {name} belongs to another inspector of this store").format(
                name=name)))


def _check_attachment_ids(session: Session, plans: list[_Plan], issues: list[Issue]) -> None:
    listed: dict[str, tuple[_Plan, int]] = {}
    for plan in plans:
        if plan.action == "skip":
            continue
        for n, att in enumerate(plan.rec.get("attachments", [])):
            listed[att["id"]] = (plan, n)
    stored: dict[str, Attachment] = {}
    ordered = sorted(listed)
    for i in range(0, len(ordered), 500):
        for att in session.scalars(select(Attachment).where(
                Attachment.id.in_(ordered[i : i + 500]))):
            stored[att.id] = att
    for att_id, (plan, n) in listed.items():
        old = stored.get(att_id)
        if old is None:
            continue
        new = plan.rec["attachments"][n]
        same = (old.record_kind, old.record_id, old.sha256, old.role, old.filename, old.mime,
                old.size) == (plan.rec["kind"], plan.rec["id"], new["sha256"], new["role"],
                              new["filename"], new["mime"], new["size"])
        if not same:
            issues.append(Issue(json_path(["records", plan.index, "attachments", n, "id"]), _(
                "this attachment id already belongs to another attachment in the store")))
    # A newer version must still list every attachment the store holds for the record.
    for plan in plans:
        if plan.action != "update":
            continue
        have = session.scalars(select(Attachment).where(
            Attachment.record_kind == plan.rec["kind"],
            Attachment.record_id == plan.rec["id"])).all()
        ids = {a["id"] for a in plan.rec.get("attachments", [])}
        lacking = [a.filename or a.sha256[:12] for a in have if a.id not in ids]
        if lacking:
            issues.append(Issue(json_path(["records", plan.index, "attachments"]), _(
                "conflict: this version lacks attachments the store holds ({names}); "
                "nothing was overwritten").format(names=", ".join(lacking))))


def _value(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value).astimezone(UTC)
    if isinstance(column_type, Numeric):
        return Decimal(value)
    if isinstance(column_type, Boolean):
        return bool(value)
    return value


def _assign(obj: Any, data: dict[str, Any], skip: set[str]) -> None:
    """Set the columns from canonical content, where a missing nullable column is None."""
    for attr in sa_inspect(type(obj)).column_attrs:
        if attr.key in skip:
            continue
        if attr.key in data:
            setattr(obj, attr.key, _value(attr.columns[0].type, data[attr.key]))
        elif attr.columns[0].nullable and not attr.columns[0].primary_key:
            setattr(obj, attr.key, None)


def _build(cls: type, data: dict[str, Any]) -> Any:
    obj = cls()
    _assign(obj, data, {"kind"} if hasattr(cls, "__kind__") else set())
    return obj


def _apply(session: Session, plans: list[_Plan], summary: ImportSummary,
           progress: Progress | None = None, action: str = "import") -> None:
    now = utcnow()
    for n, plan in enumerate(plans, start=1):
        if progress and n % 500 == 0:
            progress(len(plans) + n, 2 * len(plans))
        rec, kind = plan.rec, plan.rec["kind"]
        if plan.action == "skip":
            summary.skipped[kind] += 1
            continue
        cls = AUDITED[kind]
        mapper = sa_inspect(cls)
        if plan.action == "create":
            obj = _build(cls, rec)
            if isinstance(obj, Inspector):
                obj.password_hash = UNUSABLE_PASSWORD
        else:
            obj = session.get(cls, rec["id"])
            _assign(obj, rec, {"kind", "id"})
        for key in _children(cls):
            child_cls = mapper.relationships[key].mapper.class_
            children = getattr(obj, key)
            children.clear()
            children.extend(_build(child_cls, row) for row in rec.get(key, ()))
        known = {a.id: a for a in session.scalars(select(Attachment).where(
            Attachment.record_kind == kind, Attachment.record_id == rec["id"]))}
        atts = []
        for att in rec.get("attachments", []):
            row = known.get(att["id"])
            if row is None:
                row = Attachment(id=att["id"], record_kind=kind, record_id=rec["id"],
                                 sha256=att["sha256"], role=att["role"],
                                 filename=att["filename"], mime=att["mime"], size=att["size"],
                                 created_at=now)
                session.add(row)
            atts.append(row)
        records.save_version(session, obj, action)
        stored = canonical.to_dict(obj, atts)
        if canonical.dumps(stored) != canonical.dumps(rec):
            fields = sorted(k for k in set(stored) | set(rec) if stored.get(k) != rec.get(k))
            raise ImportRejected([Issue(json_path(["records", plan.index]), _(
                "it would not be stored exactly as written (field {fields}); "
                "nothing was imported").format(fields=", ".join(fields)))])
        (summary.created if plan.action == "create" else summary.updated)[kind] += 1
        if n % 500 == 0:
            session.expunge_all()
