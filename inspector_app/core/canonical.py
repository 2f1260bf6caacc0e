"""Canonical content of an audited entity: the bytes the audit trail hashes.

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8, times as UTC ISO 8601 with
a trailing Z, decimals as strings. Local integer keys of child rows are left out, so the
same record has the same content on every device.

Empty values (None, and empty lists of parts or attachments) are left out too. So a later
schema version may add nullable columns and new kinds of parts without changing the content,
and the audit hashes, of any record made before: that is the rule for every migration of an
audited table. Any other change to this form needs a new content version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect

from inspector_app.core.models import Attachment, AuditedMixin

# The one canonical JSON rule, shared with the sync protocol and the server.
from sync.canonical_json import content_hash, dumps, sha256_text

__all__ = ["compact", "content_hash", "dumps", "plain", "sha256_text", "to_dict"]

# Columns never part of canonical content.
_SKIP = {"pk", "password_hash"}
_SKIP_FK = {"check_id", "seizure_id", "worklog_id", "workstation_id"}


def plain(value: Any) -> Any:
    """A JSON-ready form of a column value."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _columns(obj: Any, skip: set[str]) -> dict[str, Any]:
    mapper = sa_inspect(obj).mapper
    return {
        attr.key: plain(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in skip
    }


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """`data` without None values and empty lists, at every level."""
    out = {}
    for key, value in data.items():
        if value is None or value == []:
            continue
        if isinstance(value, list):
            value = [compact(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def to_dict(obj: AuditedMixin, attachments: Iterable[Attachment] = ()) -> dict[str, Any]:
    """The entity with its parts and attachments, as plain data (see `compact`)."""
    data = _columns(obj, _SKIP)
    data["kind"] = obj.__kind__
    for rel in sa_inspect(obj).mapper.relationships:
        if rel.uselist and rel.direction.name == "ONETOMANY":
            data[rel.key] = [
                _columns(child, _SKIP | _SKIP_FK) for child in getattr(obj, rel.key)
            ]
    atts = sorted(attachments, key=lambda a: (a.role, a.sha256, a.id))
    data["attachments"] = [
        {"id": a.id, "sha256": a.sha256, "role": a.role, "filename": a.filename,
         "mime": a.mime, "size": a.size}
        for a in atts
    ]
    return compact(data)

