"""An import refused: its problems grouped by the record they belong to, each record named
by kind, id and (for a seizure) document number, for the CLI and the UI to list."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from inspector_app.core import transfer
from inspector_app.core.i18n import _


@dataclass(frozen=True)
class RefusedRecord:
    index: int
    kind: str
    id: str
    number: str  # a seizure's document number, else ""
    issues: list[transfer.Issue]

    def title(self) -> str:
        label = transfer.entity_label(self.kind) if self.kind in transfer.KIND_ORDER \
            else self.kind
        if self.number:
            return _("records[{index}]: {kind} {id}, document number {number}").format(
                index=self.index, kind=label, id=self.id, number=self.number)
        return _("records[{index}]: {kind} {id}").format(index=self.index, kind=label,
                                                          id=self.id)


def refused_records(rejected: transfer.ImportRejected) -> list[RefusedRecord]:
    """The refused records in file order, each with its issues."""
    grouped: dict[int, list[transfer.Issue]] = defaultdict(list)
    for issue in rejected.issues:
        found = re.match(r"records\[(\d+)\]", issue.path)
        if found:
            grouped[int(found[1])].append(issue)
    entries = rejected.entries if isinstance(rejected.entries, list) else []
    out = []
    for index in sorted(grouped):
        rec: Any = entries[index] if index < len(entries) else None
        rec = rec if isinstance(rec, dict) else {}
        out.append(RefusedRecord(index, str(rec.get("kind", "")), str(rec.get("id", "")),
                                 str(rec.get("number") or ""), grouped[index]))
    return out


def file_issues(rejected: transfer.ImportRejected) -> list[transfer.Issue]:
    """The problems of the file as a whole (not of one record)."""
    return [i for i in rejected.issues if not re.match(r"records\[\d+\]", i.path)]
