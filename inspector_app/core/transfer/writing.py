"""Writing planned entities in bulk: rows of many entities per statement, with their
history, audit entries, outbox entries and search index entries (`audit.record_versions`,
`records.reindex`), exactly what `records.save_version` writes for one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Numeric, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from inspector_app.core import audit, canonical, records
from inspector_app.core.i18n import _
from inspector_app.core.models import AUDITED, Attachment, Inspector, UTCDateTime
from inspector_app.core.transfer.fileformat import (
    UNUSABLE_PASSWORD,
    ImportRejected,
    Issue,
    _children,
    json_path,
)


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


@cache
def _columns(cls: type) -> list[tuple[str, Any, bool, Any]]:
    """(attribute, column type, nullable and not the key, scalar default or None)."""
    out = []
    for attr in sa_inspect(cls).column_attrs:
        column = attr.columns[0]
        default = column.default.arg if column.default is not None \
            and column.default.is_scalar else None
        out.append((attr.key, column.type, bool(column.nullable and not column.primary_key),
                    default))
    return out


def _assign(obj: Any, data: dict[str, Any], skip: set[str]) -> None:
    """Set the columns from canonical content, where a missing nullable column is None."""
    for key, column_type, nullable, _default in _columns(type(obj)):
        if key in skip:
            continue
        if key in data:
            setattr(obj, key, _value(column_type, data[key]))
        elif nullable:
            setattr(obj, key, None)


def _build(cls: type, data: dict[str, Any]) -> Any:
    """A new object from canonical content, with the column defaults an insert gives.

    Its values go straight into its state (no attribute events): it is either written by
    `write` with a plain insert, or added to a session, whose insert reads the same state.
    """
    obj = sa_inspect(cls).class_manager.new_instance()
    state = obj.__dict__
    skip = "kind" if hasattr(cls, "__kind__") else None
    for key, column_type, nullable, default in _columns(cls):
        if key == skip:
            continue
        if key in data:
            state[key] = _value(column_type, data[key])
        elif nullable:
            state[key] = None
        elif default is not None:
            state[key] = default
    return obj


@cache
def _layout(cls: type) -> tuple[list[tuple[str, str]], list[tuple[str, type, str, list]]]:
    """(attribute, column) of `cls`'s table; per child list: (key, class, parent column,
    (attribute, column) of the child's table without its own integer key)."""
    mapper = sa_inspect(cls)
    own = [(a.key, a.columns[0].name) for a in mapper.column_attrs]
    children = []
    for key in _children(cls):
        child = mapper.relationships[key].mapper.class_
        parent = next(c.name for c in child.__table__.columns
                      if any(fk.column.table is cls.__table__ for fk in c.foreign_keys))
        cols = [(a.key, a.columns[0].name) for a in sa_inspect(child).column_attrs
                if not a.columns[0].primary_key and a.columns[0].name != parent]
        children.append((key, child, parent, cols))
    return own, children


def _row(obj: Any, cols: list[tuple[str, str]]) -> dict[str, Any]:
    state = obj.__dict__
    return {column: state.get(key) for key, column in cols}


def _groups(plans: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """Runs of plans of one kind, in order (the plans come in `KIND_ORDER`)."""
    run: list[Any] = []
    for plan in plans:
        if run and run[0].kind != plan.kind:
            yield run[0].kind, run
            run = []
        run.append(plan)
    if run:
        yield run[0].kind, run


def write(session: Session, plans: list[Any], now: datetime, action: str) -> None:
    """Write the planned creates and updates (`plan.entry`, `plan.action`), in order."""
    found: list[audit.Version] = []
    for kind, group in _groups(plans):
        cls = AUDITED[kind]
        own, children = _layout(cls)
        ids = [p.entry.id for p in group]
        known: dict[str, Attachment] = {}
        for att in session.scalars(select(Attachment).where(
                Attachment.record_kind == kind, Attachment.record_id.in_(ids))):
            known[att.id] = att
        updating = {p.entry.id for p in group if p.action == "update"}
        loaded = {}
        if updating:
            loaded = {o.id: o for o in session.scalars(
                select(cls).where(cls.id.in_(sorted(updating))).options(
                    *(selectinload(getattr(cls, key)) for key, *_rest in children)))}
        rows: list[dict[str, Any]] = []
        parts: dict[str, list[dict[str, Any]]] = {key: [] for key, *_rest in children}
        new_atts: list[dict[str, Any]] = []
        made: list[tuple[Any, Any, list[Attachment]]] = []
        for plan in group:
            rec = plan.entry.rec()
            if plan.action == "create":
                obj = _build(cls, rec)
                if isinstance(obj, Inspector):
                    obj.password_hash = UNUSABLE_PASSWORD
            else:
                obj = loaded[rec["id"]]
                _assign(obj, rec, {"kind", "id"})
            for key, child_cls, _parent, _cols in children:
                built = [_build(child_cls, row) for row in rec.get(key, ())]
                if plan.action == "create":  # never flushed: no need of collection events
                    set_committed_value(obj, key, built)
                else:
                    listed = getattr(obj, key)
                    listed.clear()
                    listed.extend(built)
            atts = []
            for att in rec.get("attachments", []):
                row = known.get(att["id"])
                if row is None:
                    row = Attachment(id=att["id"], record_kind=kind, record_id=rec["id"],
                                     sha256=att["sha256"], role=att["role"],
                                     filename=att["filename"], mime=att["mime"],
                                     size=att["size"], created_at=now)
                    new_atts.append({"id": row.id, "record_kind": kind,
                                     "record_id": row.record_id, "sha256": row.sha256,
                                     "role": row.role, "filename": row.filename,
                                     "mime": row.mime, "size": row.size, "created_at": now})
                atts.append(row)
            made.append((plan, obj, atts))
            if plan.action == "create":
                rows.append(_row(obj, own))
                for key, _child_cls, parent, cols in children:
                    for child in getattr(obj, key):
                        part = _row(child, cols)
                        part[parent] = obj.id
                        parts[key].append(part)
        if rows:
            session.execute(insert(cls.__table__), rows)
        for key, child_cls, _parent, _cols in children:
            if parts[key]:
                session.execute(insert(child_cls.__table__), parts[key])
        if new_atts:
            session.execute(insert(Attachment.__table__), new_atts)
        if updating:
            session.flush()
        for plan, obj, atts in made:
            text = canonical.dumps(canonical.to_dict(obj, atts))
            if text != plan.entry.text:
                stored, rec = canonical.to_dict(obj, atts), plan.entry.rec()
                fields = sorted(k for k in set(stored) | set(rec)
                                if stored.get(k) != rec.get(k))
                raise ImportRejected([Issue(json_path(["records", plan.index]), _(
                    "it would not be stored exactly as written (field {fields}); "
                    "nothing was imported").format(fields=", ".join(fields)))])
            found.append(audit.Version(kind, obj.id, obj.version, obj.updated_at,
                                       obj.device_id, obj.author_id, text))
        # Forget what was loaded here (not the caller's objects): memory stays flat.
        for loaded_obj in [*loaded.values(), *known.values()]:
            session.expunge(loaded_obj)
    audit.record_versions(session, found, action)
    for kind, group in _groups(plans):
        records.reindex(session, kind, [p.entry.id for p in group])

