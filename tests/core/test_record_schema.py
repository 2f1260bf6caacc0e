"""The shipped JSON Schema of the record format matches the models."""

from __future__ import annotations

import json

import jsonschema
from sqlalchemy import inspect as sa_inspect

from inspector_app.core import canonical, record_schema, transfer
from inspector_app.core.models import AUDITED


def test_shipped_schema_is_up_to_date():
    # After a model change: python -m inspector_app.core.record_schema
    shipped = record_schema.SCHEMA_PATH.read_text(encoding="utf-8")
    assert shipped == record_schema.render(record_schema.build())
    assert transfer.schema() == json.loads(shipped)


def test_schema_is_draft_2020_12_and_strict():
    schema = transfer.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object" and "properties" in definition:
            if name != "record":  # the dispatcher; each kind's own schema is closed
                assert definition["additionalProperties"] is False, name
            assert set(definition["required"]) <= set(definition["properties"]), name


def test_every_canonical_column_is_described():
    defs = transfer.schema()["$defs"]
    for kind, cls in AUDITED.items():
        mapper = sa_inspect(cls)
        columns = {a.key for a in mapper.column_attrs} - canonical._SKIP
        props = set(defs[kind]["properties"])
        lists = {r.key for r in mapper.relationships if r.uselist}
        assert props == columns | lists | {"kind", "attachments"}, kind
        # Empty values are left out of canonical content (canonical.compact): only the
        # columns that cannot be empty are always there; lists only when not empty.
        required = set(defs[kind]["required"])
        never_empty = {a.key for a in mapper.column_attrs if not a.columns[0].nullable}
        assert required == (never_empty - canonical._SKIP) | {"kind"}, kind
        for key in lists | {"attachments"}:
            assert defs[kind]["properties"][key]["minItems"] == 1
        assert "password_hash" not in props


def test_field_rules():
    defs = transfer.schema()["$defs"]
    check = defs["check"]["properties"]
    assert check["status"] == {"enum": ["draft", "final"]}
    assert check["outcome"] == {"enum": ["pending", "conforming", "nonconforming"]}
    assert check["product_name"] == {"type": "string", "maxLength": 128}
    assert check["market_id"] == {"$ref": "#/$defs/uuid"}  # left out when empty
    assert check["form_id"] == {"type": "string", "maxLength": 64}
    assert check["price"] == {"$ref": "#/$defs/decimal_14_2"}
    assert "price" not in defs["check"]["required"]
    assert defs["check_items"]["properties"]["result"] == {"enum": ["pass", "fail", "na"]}
    assert defs["rapid_tests"]["properties"]["conclusion"] == {
        "enum": ["negative", "positive"]}
    assert defs["seizure"]["properties"]["state"] == {"$ref": "#/$defs/seizure_state"}
    assert defs["uuid"]["format"] == "uuid" and defs["timestamp"]["format"] == "date-time"
    quantity = defs["seizure_items"]["properties"]["quantity"]
    assert quantity == {"$ref": "#/$defs/decimal_14_3"}


def test_decimal_pattern_is_the_canonical_form():
    validator = jsonschema.Draft202012Validator(
        {"$defs": transfer.schema()["$defs"], "$ref": "#/$defs/decimal_14_3"})
    good = ["0", "12", "12.5", "0.001", "-3", "99999999999.999"]
    bad = ["12.50", "012", "1e3", "1.", ".5", "1.0001", "100000000000", " 1", 12]
    assert [v for v in good if not validator.is_valid(v)] == []
    assert [v for v in bad if validator.is_valid(v)] == []


def test_the_example_in_the_docs_is_valid():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "record-format.md"
    text = doc.read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    data = json.loads(example)
    assert list(transfer.schema_errors(data)) == []
    issues, good = transfer.check_document(data)
    assert issues == [] and len(good) == len(data["records"]) == 6
