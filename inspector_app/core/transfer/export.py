"""The JSON export: the records of some kinds with the reference entities they need.

An export writes the reference entities the records need (inspectors, markets, parties,
stalls, workstations) before the records, streaming them in batches so 100,000 records
never sit in memory as ORM objects at once.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import canonical, queries, settings, tables_out
from inspector_app.core.i18n import _
from inspector_app.core.models import AUDITED, Attachment, AuditedMixin
from inspector_app.core.store import Store, utcnow
from inspector_app.core.transfer.fileformat import (
    FORMAT,
    FORMAT_VERSION,
    KIND_ORDER,
    REFERENCE_KINDS,
    REFERENCES,
    Progress,
    TransferError,
    _children,
)


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


