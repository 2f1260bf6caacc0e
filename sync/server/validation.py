"""Record content checked on the server against the record JSON Schema the client uses.

The schema is one file shared by both ends: `inspector_app/schemas/records.schema.json`,
made from the client's models by `python -m inspector_app.core.record_schema`. It is read
here as package data, which imports nothing of the desktop app (no Qt, no SQLAlchemy
models): `inspector_app/__init__.py` is one line and `inspector_app.schemas` is a folder of
data. Each record is checked against its own kind's schema (`$defs[kind]`), formats
included; a kind the schema does not name is refused.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from sync import protocol
from sync.protocol import ProtocolError

SCHEMA_PACKAGE = "inspector_app.schemas"
SCHEMA_FILE = "records.schema.json"
MAX_MESSAGE = 200  # characters of a schema error in the answer


@cache
def schema() -> dict[str, Any]:
    source = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_FILE)
    return json.loads(source.read_text(encoding="utf-8"))


def kinds() -> list[str]:
    return list(schema()["$defs"]["record"]["properties"]["kind"]["enum"])


@cache
def _validators() -> dict[str, Any]:
    import jsonschema_rs

    full = schema()
    # `mask` keeps the values sent (personal data, long text) out of the messages.
    return {kind: jsonschema_rs.validator_for(
        {"$schema": full["$schema"], "$defs": full["$defs"], "$ref": f"#/$defs/{kind}"},
        validate_formats=True, mask="(value)") for kind in kinds()}


def check_record(n: int, kind: str, content: dict[str, Any]) -> None:
    """Refuse (400) record `n` of a batch unless its content is a valid `kind`."""
    validator = _validators().get(kind)
    if validator is None:
        raise ProtocolError(f"record {n}: unknown kind {kind!r} (known: "
                            f"{', '.join(kinds())})")
    error = next(iter(validator.iter_errors(content)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.instance_path) or "(the record)"
        raise ProtocolError(f"record {n} ({kind}): malformed content at {where}: "
                            f"{error.message[:MAX_MESSAGE]}")


def check_batch(batch: protocol.Batch) -> None:
    for n, record in enumerate(batch.records):
        check_record(n, record.kind, record.content)


RULED_KINDS = ("check", "seizure", "worklog")  # the kinds whose rules the server applies


def rule_problems(kind: str, content: dict[str, Any], keys: dict[str, str]) -> list[str]:
    """The rules a record breaks (a check's, a seizure's or a workstation log's, in the
    app's language), else []."""
    from inspector_app.core.seizure import record_rules

    if kind == "check":
        from inspector_app.core.checks import record_rules as check_rules

        found = check_rules.check_issues(content)
    elif kind == "worklog":
        from inspector_app.core.worklog import record_rules as worklog_rules

        found = worklog_rules.worklog_issues(content)
    elif kind == "seizure":
        found = record_rules.seizure_issues(content)
        found += record_rules.signature_issues(content, keys, every_key_known=True)
    else:
        return []
    return [record_rules.describe(i) for i in found]
