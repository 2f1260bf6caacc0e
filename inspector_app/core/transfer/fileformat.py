"""The record format: its kinds and references, the JSON Schema, and the problems it names.

The format (docs/record-format.md, schema in `inspector_app/schemas/`) carries each entity
as exactly its canonical content (`canonical.to_dict`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import inspect as sa_inspect

from inspector_app.core.i18n import N_, _
from inspector_app.core.models import AUDITED, RECORD_KINDS

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




def _children(cls: type) -> list[str]:
    """The child lists (parts) of an audited entity class."""
    return [rel.key for rel in sa_inspect(cls).relationships if rel.uselist]


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
def _schemas() -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
    """(envelope, record head, one per kind), with the references resolved beforehand."""
    full = schema()
    defs = full["$defs"]
    envelope = {key: value for key, value in full.items() if key != "$defs"}
    envelope["properties"] = {**envelope["properties"],
                              "records": {"type": "array", "items": {}}}
    head = {key: value for key, value in defs["record"].items() if key != "allOf"}
    kinds = head["properties"]["kind"]["enum"]
    return (_inline(envelope, defs), _inline(head, defs),
            {kind: _inline(defs[kind], defs) for kind in kinds})


@cache
def _validators() -> tuple[Any, Any, dict[str, Any]]:
    """(envelope, record head, one per kind): the same rules as `validator()`, faster.

    Each record is checked against its own kind's schema; that is several times faster
    than the whole-document validator.
    """
    import jsonschema

    def make(node: dict[str, Any]):
        return jsonschema.Draft202012Validator(node, format_checker=_format_checker())
    envelope, head, kinds = _schemas()
    return make(envelope), make(head), {kind: make(node) for kind, node in kinds.items()}


@cache
def _quick() -> tuple[Any, dict[str, Any]] | None:
    """(record head, one per kind) made by jsonschema-rs from the same schemas, the formats
    checked by the same functions, or None without it (a server dependency, which the
    desktop wheel does not require: the import is then slower, never different). It only
    passes entries quickly: an entry it refuses is checked again by `_validators`, whose
    errors name the problems."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    checker = _format_checker()
    formats = {name: (lambda value, name=name: checker.conforms(value, name))
               for name in ("uuid", "date", "date-time")}

    def make(node: dict[str, Any]):
        return jsonschema_rs.Draft202012Validator(node, formats=formats,
                                                  validate_formats=True)
    _envelope, head, kinds = _schemas()
    return make(head), {kind: make(node) for kind, node in kinds.items()}


def schema_errors(doc: Any, progress: Progress | None = None
                  ) -> Iterator[tuple[list[str | int], Any]]:
    """(path prefix, jsonschema error) for every way `doc` breaks the schema."""
    envelope = _validators()[0]
    for error in envelope.iter_errors(doc):
        yield [], error
    entries = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return
    for index, rec in enumerate(entries):
        if progress and index % 1000 == 999:
            progress(index + 1, 2 * len(entries))
        for error in record_errors(rec):
            yield ["records", index], error


def record_errors(rec: Any) -> list[Any]:
    """The jsonschema errors of one entry of `records`."""
    quick = _quick()
    if quick is not None and quick[0].is_valid(rec) and quick[1][rec["kind"]].is_valid(rec):
        return []
    _envelope, head, kinds = _validators()
    errors = list(head.iter_errors(rec))
    if not errors:
        errors = list(kinds[rec["kind"]].iter_errors(rec))
    return errors


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
