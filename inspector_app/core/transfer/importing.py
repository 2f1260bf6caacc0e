"""Importing records: check, plan against the store, then write in bulk, all or nothing.

An import is all or nothing. The file is first checked whole (JSON Schema, then the rules
the schema cannot say: `checking`, then against the store: `_plan`); `ImportRejected`
carries one `Issue` per problem, each naming its JSON path. Only a file without problems
is written, in one transaction. Per entity:

* unknown id: created with the file's id, version, times, device and author;
* same id, same version, same content: skipped (importing a file twice changes nothing);
* same id, higher version: applied as the next version (the history keeps the old ones);
* same id, a version the store holds with other content, or a lower version the store
  never had: a conflict, reported, and nothing is overwritten.
(The rule is `sync.versions.for_import`; it says why it differs from the server's.)

Every version written gets what `records.save_version` gives one made in the app: its
history row, audit entry (action "import", or the caller's), outbox entry and search
index entries, written many rows per statement (`audit.record_versions`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.i18n import _
from inspector_app.core.models import AUDITED, Attachment, History, Inspector
from inspector_app.core.seizure import incoming
from inspector_app.core.store import Store, utcnow
from inspector_app.core.transfer import writing
from inspector_app.core.transfer.checking import (
    AttachmentFiles,
    Checker,
    Entry,
    ImportSummary,
    _rule_issues,
    check_entries,
)
from inspector_app.core.transfer.fileformat import (
    KIND_ORDER,
    ImportRejected,
    Issue,
    Progress,
    entity_label,
    json_path,
)
from sync import versions

# Entities written per round of statements.
BATCH = 200


@dataclass
class _Plan:
    entry: Entry
    action: str  # create / update / skip

    @property
    def index(self) -> int:
        return self.entry.index

    @property
    def kind(self) -> str:
        return self.entry.kind


def import_document(store: Store, doc: Any, attachments_dir: Path | None = None,
                    progress: Progress | None = None) -> ImportSummary:
    """Import a parsed records file, all or nothing. Raises ImportRejected with every issue.

    `progress(done, total)` is called now and then: checking is the first half of the
    work, writing the second.
    """
    entries = doc.get("records") if isinstance(doc, dict) else None
    checker = Checker(AttachmentFiles(store, attachments_dir))
    checker.envelope(doc)
    if isinstance(entries, list):
        check_entries(checker, entries, progress, len(entries))
    # One write transaction: nothing can change between the checks and the writes.
    with store.write() as session:
        return import_checked(session, checker, progress, entries=entries)


def import_records(session: Session, entries: Iterable[Any], files: Any, *,
                   action: str = "import", progress: Progress | None = None
                   ) -> ImportSummary:
    """Import record dicts inside the open write `session`, all or nothing, as
    `import_document` does; `files` tells where attachment files are (`problem(sha,
    size)`, `copy_in()`: see `AttachmentFiles`). The versions are audited as `action`.
    Raises ImportRejected with every issue; the caller's transaction then writes nothing.
    """
    if not isinstance(entries, list):
        entries = list(entries)
    checker = check_entries(Checker(files), entries, progress, len(entries))
    return import_checked(session, checker, progress, action=action, entries=entries)


def import_checked(session: Session, checker: Checker, progress: Progress | None = None,
                   action: str = "import", entries: Any = None) -> ImportSummary:
    """Plan the checked entries against the store and write them, or raise ImportRejected
    with every issue (`entries` or else the checker's heads name the refused records)."""
    issues = checker.issues
    plans = _plan(session, checker.entries, checker.in_file, issues)
    if issues:
        raise ImportRejected(_sorted(issues), entries if entries is not None
                             else checker.heads)
    summary = ImportSummary()
    if checker.files is not None:
        summary.files = checker.files.copy_in()
    _apply(session, plans, summary, action, progress)
    return summary


def _sorted(issues: list[Issue]) -> list[Issue]:
    def key(issue: Issue) -> tuple:
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", issue.path)]
        return (issue.path.startswith("records"), numbers)
    return sorted(issues, key=key)


# --- planning against the store --------------------------------------------------------


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


def _plan(session: Session, good: list[Entry], in_file: set[tuple[Any, Any]],
          issues: list[Issue]) -> list[_Plan]:
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    for entry in good:
        by_kind[entry.kind].append(entry)

    # References that are neither in the file nor in the store.
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in good:
        for _where, ref_kind, ref_id in entry.refs:
            if (ref_kind, ref_id) not in in_file:
                wanted[ref_kind].add(ref_id)
    known = {kind: set(_existing_ids(session, kind, ids)) for kind, ids in wanted.items()}
    for entry in good:
        for where, ref_kind, ref_id in entry.refs:
            if (ref_kind, ref_id) not in in_file and ref_id not in known[ref_kind]:
                issues.append(Issue(json_path(["records", entry.index, *where]), _(
                    "refers to the {kind} {id}, which is neither in the file nor in the store"
                ).format(kind=entity_label(ref_kind), id=ref_id)))

    plans: list[_Plan] = []
    for kind in KIND_ORDER:
        entries = by_kind.get(kind, [])
        if not entries:
            continue
        existing = _existing_ids(session, kind, (e.id for e in entries))
        stored = _history(session, kind, [(e.id, e.version) for e in entries
                                          if e.id in existing])
        for entry in entries:
            current = existing.get(entry.id)
            label = entity_label(kind)
            content = stored.get((entry.id, entry.version))
            verdict = versions.for_import(entry.version, current, None if content is None
                                          else content == entry.text)
            if verdict == versions.Verdict.CREATE:
                plans.append(_Plan(entry, "create"))
            elif verdict == versions.Verdict.DUPLICATE:
                plans.append(_Plan(entry, "skip"))
            elif verdict == versions.Verdict.DIFFERENT_CONTENT:
                issues.append(Issue(json_path(["records", entry.index]), _(
                    "conflict: the store holds another version {version} of this {kind} "
                    "({id}); nothing was overwritten").format(
                    version=entry.version, kind=label, id=entry.id)))
            elif verdict == versions.Verdict.APPLY:
                plans.append(_Plan(entry, "update"))
            else:
                issues.append(Issue(json_path(["records", entry.index]), _(
                    "conflict: the store holds version {current} of this {kind} ({id}) but "
                    "not the version {version} of the file; nothing was overwritten").format(
                    current=current, version=entry.version, kind=label, id=entry.id)))
    _check_usernames(session, plans, issues)
    _check_attachment_ids(session, plans, issues)
    for plan in plans:
        if plan.kind == "seizure":
            issues += _rule_issues(["records", plan.index],
                                   incoming.store_issues(session, plan.entry.rec()))
    return plans


def _check_usernames(session: Session, plans: list[_Plan], issues: list[Issue]) -> None:
    names = {p.entry.username: p for p in plans
             if p.kind == "inspector" and p.action != "skip"}
    if not names:
        return
    taken = dict(session.execute(select(Inspector.username, Inspector.id).where(
        Inspector.username.in_(sorted(names)))).all())
    for name, plan in names.items():
        if name in taken and taken[name] != plan.entry.id:
            issues.append(Issue(json_path(["records", plan.index, "username"]), _(
                "the user name {name} belongs to another inspector of this store").format(
                name=name)))


def _attachments(entry: Entry) -> list[dict[str, Any]]:
    if b'"attachments":' not in entry.data:
        return []
    return entry.rec().get("attachments", [])


def _check_attachment_ids(session: Session, plans: list[_Plan], issues: list[Issue]) -> None:
    listed: dict[str, tuple[_Plan, int, dict[str, Any]]] = {}
    for plan in plans:
        if plan.action == "skip":
            continue
        for n, att in enumerate(_attachments(plan.entry)):
            listed[att["id"]] = (plan, n, att)
    stored: dict[str, Attachment] = {}
    ordered = sorted(listed)
    for i in range(0, len(ordered), 500):
        for att in session.scalars(select(Attachment).where(
                Attachment.id.in_(ordered[i : i + 500]))):
            stored[att.id] = att
    for att_id, (plan, n, new) in listed.items():
        old = stored.get(att_id)
        if old is None:
            continue
        same = (old.record_kind, old.record_id, old.sha256, old.role, old.filename, old.mime,
                old.size) == (plan.kind, plan.entry.id, new["sha256"], new["role"],
                              new["filename"], new["mime"], new["size"])
        if not same:
            issues.append(Issue(json_path(["records", plan.index, "attachments", n, "id"]), _(
                "this attachment id already belongs to another attachment in the store")))
    # A newer version must still list every attachment the store holds for the record.
    for plan in plans:
        if plan.action != "update":
            continue
        have = session.scalars(select(Attachment).where(
            Attachment.record_kind == plan.kind,
            Attachment.record_id == plan.entry.id)).all()
        ids = {a["id"] for a in _attachments(plan.entry)}
        lacking = [a.filename or a.sha256[:12] for a in have if a.id not in ids]
        if lacking:
            issues.append(Issue(json_path(["records", plan.index, "attachments"]), _(
                "conflict: this version lacks attachments the store holds ({names}); "
                "nothing was overwritten").format(names=", ".join(lacking))))


# --- writing ---------------------------------------------------------------------------


def _apply(session: Session, plans: list[_Plan], summary: ImportSummary, action: str,
           progress: Progress | None = None) -> None:
    now = utcnow()
    todo = []
    for plan in plans:
        if plan.action == "skip":
            summary.skipped[plan.kind] += 1
        else:
            todo.append(plan)
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        writing.write(session, chunk, now, action)
        for plan in chunk:
            (summary.created if plan.action == "create" else summary.updated)[plan.kind] += 1
        if progress:
            progress(len(plans) + start + len(chunk), 2 * len(plans))
