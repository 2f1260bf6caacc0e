"""The JSON Schema of the record format, derived from the models.

The shipped file `inspector_app/schemas/records.schema.json` is what other programs (the
sync server, a supervisor's tools) read; this module is how it is made, so that it always
matches the canonical content of the models. A test compares the two; after a model
change, rewrite the file with

    python -m inspector_app.core.record_schema

Each property's schema comes from its column (String(n) → text of at most n characters,
UTCDateTime → a UTC time, Numeric(p, s) → a decimal string, String(36) *_id → a UUID,
String(10) *_date/*_on/*_until → a local date; empty values are left out, as
canonical.compact does), refined by
`_OVERRIDES` where the column type says too little (codes and enums).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Integer, Numeric, String, Text
from sqlalchemy import inspect as sa_inspect

from inspector_app.core import canonical, queries
from inspector_app.core.models import AUDITED, UTCDateTime

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "records.schema.json"
SCHEMA_ID = "urn:inspector:schemas:records:1"

_UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_TIMESTAMP = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"
_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_CODE = "^[a-z0-9][a-z0-9_]*$"

# "pattern" before "format": the first error of a value is the one reported, and the
# pattern's message shows how the value is written.
_BASE_DEFS: dict[str, dict[str, Any]] = {
    "uuid": {"description": "A lower-case UUID, made by the client.",
             "type": "string", "pattern": _UUID, "format": "uuid"},
    "timestamp": {"description": "A UTC time with microseconds and a trailing Z "
                                 "(canonical.plain).",
                  "type": "string", "pattern": _TIMESTAMP, "format": "date-time"},
    "date": {"description": "A local calendar date.",
             "type": "string", "pattern": _DATE, "format": "date"},
    "date_or_empty": {"description": "A local calendar date, or empty when not known.",
                      "type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"},
    "sha256": {"description": "A SHA-256 digest in lower-case hexadecimal.",
               "type": "string", "pattern": "^[0-9a-f]{64}$"},
    "offset": {"description": "The device's UTC offset in minutes east of UTC.",
               "type": "integer", "minimum": -720, "maximum": 840},
    "position": {"description": "Place of the row in its list; strictly increasing.",
                 "type": "integer", "minimum": 0},
    "seizure_state": {"enum": list(queries.STATUSES["seizure"])},
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _enum(*values: str) -> dict[str, Any]:
    return {"enum": list(values)}


def _code(length: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": length, "pattern": _CODE}


# (owner, column) -> schema; owner is an entity kind, a child table, or "*" for any.
_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("*", "version"): {"type": "integer", "minimum": 1},
    ("*", "created_offset"): _ref("offset"),
    ("*", "updated_offset"): _ref("offset"),
    ("*", "position"): _ref("position"),
    ("inspector", "role"): _code(16),
    ("check", "status"): _enum(*queries.STATUSES["check"]),
    ("check", "outcome"): _enum(*queries.OUTCOMES),
    ("check", "measure"): _enum("", "correct", "sample", "seizure"),
    ("check_items", "result"): _enum("pass", "fail", "na"),
    ("seizure", "state"): _ref("seizure_state"),
    ("seizure", "measure"): _enum(*queries.MEASURES),
    ("seizure", "party_presence"): _enum("present", "absent", "refused"),
    ("seizure_documents", "kind"): _code(16),
    ("seizure_documents", "key_id"): {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    ("seizure_documents", "signature"): {"type": "string", "pattern": "^[A-Za-z0-9_-]{86}$"},
    ("seizure_transitions", "from_state"): _ref("seizure_state"),
    ("seizure_transitions", "to_state"): _ref("seizure_state"),
    ("seizure_transitions", "ground"): _code(16),
    ("seizure_signatures", "role"): _code(16),
    ("seizure_signatures", "status"): _enum("signed", "refused"),
    ("worklog", "status"): _enum(*queries.STATUSES["worklog"]),
    ("rapid_tests", "conclusion"): _enum("negative", "positive"),
    ("scale_checks", "kind"): _enum("verification", "reweigh"),
    ("scale_checks", "result"): _enum("", "pass", "fail", "overdue"),
    ("complaints", "status"): _enum("open", "closed"),
}

# String(10) columns named like these hold local dates (YYYY-MM-DD).
_DATE_NAMES = ("_date", "_on", "_until")

_TITLES = {
    "inspector": "Inspector 执法人员 (never with a password hash)",
    "market": "Market 批发市场",
    "party": "Party 当事人 (an enterprise or an individual trader)",
    "stall": "Stall 摊位",
    "check": "Labeling and certificate check 产品标识和质量合格证明检查",
    "seizure": "Seizure and sealing record 查封扣押",
    "worklog": "Market workstation log 市场质量检验工作站日志",
    "workstation": "Market quality-inspection workstation 市场质量检验工作站",
}


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = json.loads(json.dumps(_BASE_DEFS))

    def decimal(self, precision: int, scale: int) -> dict[str, Any]:
        name = f"decimal_{precision}_{scale}"
        if name not in self.defs:
            whole = precision - scale
            self.defs[name] = {
                "description": f"A decimal number as text in its shortest form (no exponent, "
                               f"no trailing zeros): at most {whole} digits before the point "
                               f"and {scale} after it.",
                "type": "string",
                "pattern": f"^-?(0|[1-9][0-9]{{0,{whole - 1}}})"
                           f"(\\.[0-9]{{0,{scale - 1}}}[1-9])?$",
            }
        return _ref(name)

    def column(self, owner: str, attr) -> dict[str, Any]:
        column = attr.columns[0]
        key, kind = attr.key, column.type
        schema = _OVERRIDES.get((owner, key)) or _OVERRIDES.get(("*", key))
        if schema is None:
            if (key == "id" or key.endswith("_id")) and getattr(kind, "length", 0) == 36:
                schema = _ref("uuid")
            elif key.endswith("sha256"):
                schema = _ref("sha256")
            elif isinstance(kind, String) and kind.length == 10 and key.endswith(_DATE_NAMES):
                # A local date kept as text; "" where the column's default is "".
                default = column.default.arg if column.default is not None else None
                schema = _ref("date_or_empty" if default == "" else "date")
            elif isinstance(kind, UTCDateTime):
                schema = _ref("timestamp")
            elif isinstance(kind, Numeric):
                schema = self.decimal(kind.precision, kind.scale)
            elif isinstance(kind, Boolean):
                schema = {"type": "boolean"}
            elif isinstance(kind, Integer):
                schema = {"type": "integer", "minimum": 0}
            elif isinstance(kind, String) and not isinstance(kind, Text) and kind.length:
                schema = {"type": "string", "maxLength": kind.length}
            elif isinstance(kind, (String, Text)):
                schema = {"type": "string"}
            else:  # pragma: no cover - a new column type needs a rule here
                raise TypeError(f"no schema rule for {owner}.{key} ({kind!r})")
        return dict(schema)  # an empty (None) value is left out, never written as null

    @staticmethod
    def required(model: type, keys: Any) -> list[str]:
        """The columns always present: the ones that cannot be empty (None)."""
        columns = sa_inspect(model).column_attrs
        return sorted(a.key for a in columns if a.key in keys and not a.columns[0].nullable)

    def entity(self, cls: type) -> dict[str, Any]:
        kind = cls.__kind__
        mapper = sa_inspect(cls)
        props: dict[str, Any] = {
            a.key: self.column(kind, a) for a in mapper.column_attrs
            if a.key not in canonical._SKIP
        }
        props["kind"] = {"const": kind}  # canonical.to_dict puts the entity kind here
        for rel in mapper.relationships:
            if rel.uselist and rel.direction.name == "ONETOMANY":
                child = rel.mapper.class_
                name = child.__tablename__
                if name not in self.defs:
                    self.defs[name] = self.child(child)
                # Listed only when there are some (canonical.compact).
                props[rel.key] = {"type": "array", "items": _ref(name), "minItems": 1}
        required = self.required(cls, [k for k in props if k != "kind"]) + ["kind"]
        props["attachments"] = {"type": "array", "items": _ref("attachment"), "minItems": 1}
        return {"title": _TITLES.get(kind, kind), "type": "object",
                "additionalProperties": False, "required": required,
                "properties": dict(sorted(props.items()))}

    def child(self, cls: type) -> dict[str, Any]:
        name = cls.__tablename__
        props = {a.key: self.column(name, a) for a in sa_inspect(cls).column_attrs
                 if a.key not in canonical._SKIP | canonical._SKIP_FK}
        return {"type": "object", "additionalProperties": False,
                "required": self.required(cls, props),
                "properties": dict(sorted(props.items()))}


def build() -> dict[str, Any]:
    """The schema as it follows from the models today."""
    b = _Builder()
    b.defs["attachment"] = {
        "description": "A photo or signature; its bytes are the file named by its sha256.",
        "type": "object", "additionalProperties": False,
        "required": ["filename", "id", "mime", "role", "sha256", "size"],
        "properties": {
            "filename": {"type": "string", "maxLength": 256},
            "id": _ref("uuid"),
            "mime": {"type": "string", "maxLength": 64},
            "role": {"type": "string", "maxLength": 32,
                     "pattern": "^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)?$"},
            "sha256": _ref("sha256"),
            "size": {"type": "integer", "minimum": 0},
        },
    }
    kinds = list(AUDITED)
    for kind in kinds:
        b.defs[kind] = b.entity(AUDITED[kind])
    b.defs["record"] = {
        "description": "One entity as its canonical content; its kind selects its shape.",
        "type": "object", "required": ["kind"],
        "properties": {"kind": {"enum": kinds}},
        "allOf": [{"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
                   "then": _ref(k)} for k in kinds],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Inspector records, format version 1",
        "description": "Records and the reference entities they need, each exactly as its "
                       "canonical content. See docs/record-format.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["device_id", "exported_at", "format", "records", "version"],
        "properties": {
            "device_id": _ref("uuid"),
            "exported_at": _ref("timestamp"),
            "format": {"const": "inspector-records"},
            "records": {"type": "array", "items": _ref("record")},
            "version": {"const": 1},
        },
        "$defs": dict(sorted(b.defs.items())),
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render(build())
    if args[:1] == ["check"]:
        same = SCHEMA_PATH.read_text(encoding="utf-8") == text
        print(f"{SCHEMA_PATH.name}: " + ("up to date" if same else "out of date"))
        return 0 if same else 1
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
