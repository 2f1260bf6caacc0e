"""What the supervisor's review pages show, from the agency tables (no Qt; read-only).

The filter choices, the devices a record can be handed to, and the contents of a record
in conflict flattened field by field so they can be set side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import settings
from inspector_app.core.agency import review
from inspector_app.core.models import AgencyConflict, AgencyRecord, AgencyVersion, KnownKey


def inspectors(session: Session) -> list[str]:
    """The inspectors named by the agency's records, sorted."""
    return [n for n in session.scalars(
        select(AgencyRecord.inspector).distinct().order_by(AgencyRecord.inspector)) if n]


def markets(session: Session) -> list[tuple[str, str]]:
    """(market id, name) of the markets the agency's records name, by name."""
    ids = session.scalars(select(AgencyRecord.market_id).distinct()).all()  # its index
    out = []
    for market_id in ids:
        if market_id:
            name = session.scalar(select(AgencyRecord.market).where(
                AgencyRecord.market_id == market_id).limit(1))
            out.append((market_id, name or market_id))
    return sorted(out, key=lambda m: m[1])


def device_names(session: Session) -> dict[str, str]:
    """device id -> the name of its inspector (from the known keys)."""
    return {d: n or "" for d, n in session.execute(
        select(KnownKey.device_id, KnownKey.inspector))}


@dataclass(frozen=True)
class Target:
    device_id: str
    inspector: str


def handover_targets(session: Session, kind: str, record_id: str) -> list[Target]:
    """The devices the record may be handed to: known, not revoked, with an inspector's
    name, not this device and not the record's owner."""
    record = session.get(AgencyRecord, (kind, record_id))
    owner = record.owner_device_id if record is not None else ""
    own = settings.DEVICE_ID.get(session)
    seen: dict[str, Target] = {}
    for key in session.scalars(select(KnownKey).where(KnownKey.revoked_at.is_(None))
                               .order_by(KnownKey.inspector, KnownKey.device_id)):
        if key.inspector and key.device_id not in (owner, own) and key.source != "own":
            seen.setdefault(key.device_id, Target(key.device_id, key.inspector))
    return list(seen.values())


@dataclass
class Side:
    """One content held under the record: the current one or a conflicting one."""

    version: int
    sha256: str
    device_id: str
    inspector: str
    received_at: Any  # datetime
    current: bool
    fields: dict[str, Any]  # dotted path -> value
    offset: int | None = None  # the content's created_offset: minutes east of UTC
    content: dict[str, Any] | None = None  # the whole content, as decompressed


def flatten(content: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of a canonical JSON value: {"items.1.result": "pass", ...}; list
    elements are numbered from 1 (by their "position" when they have one)."""
    out: dict[str, Any] = {}
    if isinstance(content, dict):
        for key in sorted(content):
            out.update(flatten(content[key], f"{prefix}{key}."))
    elif isinstance(content, list):
        for n, child in enumerate(content, 1):
            label = child.get("position", n) if isinstance(child, dict) else n
            out.update(flatten(child, f"{prefix}{label}."))
    else:
        out[prefix[:-1]] = content
    return out


def conflict_sides(session: Session, kind: str, record_id: str) -> list[Side]:
    """The current content first, then each unresolved conflicting content."""
    record = session.get(AgencyRecord, (kind, record_id))
    if record is None:
        return []
    names = device_names(session)

    def side(version: int, sha: str, current: bool) -> Side:
        row = session.scalars(select(AgencyVersion).where(
            AgencyVersion.kind == kind, AgencyVersion.record_id == record_id,
            AgencyVersion.version == version, AgencyVersion.content_sha256 == sha)).first()
        device = row.device_id if row is not None else ""
        content = review.content(session, kind, record_id, version, sha)
        offset = content.get("created_offset")
        return Side(version, sha, device, names.get(device, ""),
                    row.received_at if row is not None else None, current,
                    flatten(content), offset if isinstance(offset, int) else None, content)

    sides = [side(record.version, record.content_sha256, True)]
    for c in session.scalars(select(AgencyConflict).where(
            AgencyConflict.kind == kind, AgencyConflict.record_id == record_id,
            AgencyConflict.resolved_by.is_(None)).order_by(AgencyConflict.pk)):
        sides.append(side(c.version, c.content_sha256, False))
    return sides


def differing(sides: list[Side]) -> list[tuple[str, list[Any], bool]]:
    """(path, value of each side, whether they differ) for every path of any side; the
    paths that differ first."""
    paths = sorted({p for s in sides for p in s.fields})
    rows = []
    for path in paths:
        values = [s.fields.get(path) for s in sides]
        rows.append((path, values, any(v != values[0] for v in values)))
    return sorted(rows, key=lambda r: not r[2])


# The fields holding the id of another record, and the kind of agency record naming it.
REFERENCES = {"market_id": "market", "author_id": "inspector", "inspector_id": "inspector",
              "officer_id": "inspector", "party_id": "party", "stall_id": "stall", "workstation_id": "workstation",
              "device_id": "device"}


def _references(value: Any, found: dict[str, set[str]], pairs: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if key in REFERENCES and isinstance(child, str) and child:
                found.setdefault(REFERENCES[key], set()).add(child)
            else:
                _references(child, found, pairs)
        officer = value.get("inspector_id")
        if isinstance(officer, str) and officer and isinstance(value.get("name"), str):
            pairs.setdefault(officer, value["name"])  # an officer signs with its name
    elif isinstance(value, list):
        for child in value:
            _references(child, found, pairs)


def reference_names(session: Session, contents: list[dict[str, Any]]) -> dict[str, str]:
    """id -> name of the markets, inspectors, parties, stalls, workstations and devices
    the contents name, from the agency's records of those kinds (the importer's
    load_names), else from the facts of the records (market, inspector), the officers'
    names written beside their ids, and the known keys (devices). Ids no table names are
    left out."""
    from inspector_app.core.agency.importer import load_names

    found: dict[str, set[str]] = {}
    officers: dict[str, str] = {}
    for content in contents:
        _references(content, found, officers)
    devices = found.pop("device", set())
    names = {rid: title for (_kind, rid), title in load_names(
        session, {(k, i) for k, ids in found.items() for i in ids}).items() if title}
    for market_id in found.get("market", set()) - set(names):
        name = session.scalar(select(AgencyRecord.market).where(
            AgencyRecord.market_id == market_id, AgencyRecord.market != "").limit(1))
        if name:
            names[market_id] = name
    for inspector_id in found.get("inspector", set()) - set(names):
        name = officers.get(inspector_id) or session.scalar(
            select(AgencyRecord.inspector).where(AgencyRecord.author_id == inspector_id,
                                                 AgencyRecord.inspector != "").limit(1))
        if name:
            names[inspector_id] = name
    if devices:
        known = device_names(session)
        names.update({d: known[d] for d in devices if known.get(d)})
    return names
