"""The checks an import makes without the store: the schema, then the rules the schema
cannot say, one entry at a time, keeping of each good entry only its canonical text."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from inspector_app.core import canonical, validation
from inspector_app.core.checks import record_rules as check_record_rules
from inspector_app.core.i18n import _
from inspector_app.core.models import AUDITED
from inspector_app.core.seizure import record_rules
from inspector_app.core.store import Store
from inspector_app.core.transfer.fileformat import (
    REFERENCES,
    Issue,
    Progress,
    TransferError,
    _children,
    _schema_issues,
    _validators,
    entity_label,
    json_path,
    record_errors,
)
from inspector_app.core.worklog import record_rules as worklog_record_rules


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
    # The rules saving one applies (the server applies them too): a final check's two
    # officers, outcome and measure; a log's scale checks and complaints.
    found = {"check": check_record_rules.check_issues,
             "worklog": worklog_record_rules.worklog_issues}.get(kind)
    if found is not None:
        told = {i.path for i in issues}
        issues += [i for i in _rule_issues(base, found(rec)) if i.path not in told]
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


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class AttachmentFiles:
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




# An alias under the old private name.
_AttachmentFiles = AttachmentFiles


@dataclass
class Entry:
    """A good entry of the file: what planning needs, and its content as canonical JSON."""

    index: int
    kind: str
    id: str
    version: int
    data: bytes  # canonical JSON, UTF-8: smaller than the text
    refs: list[tuple[list[str | int], str, str]]
    username: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    def rec(self) -> dict[str, Any]:
        return json.loads(self.data)


class Checker:
    """Checks the entries of a file as they come (`add`), all or nothing in the end.

    Keeps every issue, the good entries (`Entry`), the (kind, id) of every entry, and
    each entry's kind, id and number (`heads`) to name the refused ones.
    """

    def __init__(self, files: Any = None):
        self.files = files  # where attachment files are (`AttachmentFiles`), or None
        self.issues: list[Issue] = []
        self.entries: list[Entry] = []
        self.heads: list[dict[str, Any]] = []
        self.in_file: set[tuple[Any, Any]] = set()
        self._seen_paths: set[str] = set()
        self._first_seen: dict[tuple[str, str], int] = {}
        self._usernames: dict[str, int] = {}

    def _schema(self, error: Any, prefix: list[str | int]) -> None:
        for issue in _schema_issues(error, prefix):
            if issue.path not in self._seen_paths:
                self._seen_paths.add(issue.path)
                self.issues.append(issue)

    def envelope(self, doc: Any) -> None:
        """Check the document around its records (`records` may be given empty)."""
        for error in _validators()[0].iter_errors(doc):
            self._schema(error, [])

    def add(self, rec: Any) -> None:
        index = len(self.heads)
        if isinstance(rec, dict):
            self.heads.append({k: rec[k] for k in ("kind", "id", "number") if k in rec})
            self.in_file.add((rec.get("kind"), rec.get("id")))
        else:
            self.heads.append({})
        errors = record_errors(rec)
        if errors:
            for error in errors:
                self._schema(error, ["records", index])
            return
        key = (rec["kind"], rec["id"])
        if key in self._first_seen:
            self.issues.append(Issue(json_path(["records", index, "id"]), _(
                "the same {kind} appears already at records[{first}]").format(
                kind=entity_label(rec["kind"]), first=self._first_seen[key])))
            return
        self._first_seen[key] = index
        username = None
        if rec["kind"] == "inspector":
            username = rec["username"]
            if username in self._usernames:
                self.issues.append(Issue(json_path(["records", index, "username"]), _(
                    "the user name {name} is already used by records[{first}]").format(
                    name=username, first=self._usernames[username])))
            self._usernames.setdefault(username, index)
        found = _semantic_issues(index, rec)
        self.issues += found
        if found:
            return
        if self.files is not None:
            for n, att in enumerate(rec.get("attachments", [])):
                problem = self.files.problem(att["sha256"], att["size"])
                if problem:
                    self.issues.append(Issue(
                        json_path(["records", index, "attachments", n, "sha256"]), problem))
        self.entries.append(Entry(index, rec["kind"], rec["id"], rec["version"],
                                  canonical.dumps(rec).encode("utf-8"), list(_references(rec)),
                                  username))


def check_entries(checker: Checker, entries: Iterable[Any], progress: Progress | None = None,
                  total: int = 0) -> Checker:
    """`checker` fed with `entries` (`total`: how many there are, when known)."""
    for n, rec in enumerate(entries, start=1):
        checker.add(rec)
        if progress and n % 1000 == 0:
            progress(n, 2 * max(total, n))
    return checker


def check_document(doc: Any, progress: Progress | None = None
                   ) -> tuple[list[Issue], list[tuple[int, dict[str, Any]]]]:
    """Problems found without the store, and the (index, entity) pairs that passed."""
    entries = doc.get("records") if isinstance(doc, dict) else None
    checker = Checker()
    checker.envelope(doc)
    if isinstance(entries, list):
        check_entries(checker, entries, progress, len(entries))
    return checker.issues, [(e.index, e.rec()) for e in checker.entries]
