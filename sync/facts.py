"""The facts of a record's content that lists and counts group by, computed one way for
the server (`inspector-server stats`) and a supervisor's store (so their totals agree).

- state: a check's ``status`` (draft / final), a seizure's ``state``, a work log's
  ``status`` (open / closed); "" when the content lacks it;
- result: a check's ``outcome`` (pending / conforming / nonconforming); "" otherwise.
"""

from __future__ import annotations

from typing import Any

STATE_FIELD = {"check": "status", "seizure": "state", "worklog": "status"}
RESULT_FIELD = {"check": "outcome"}


def _text(content: Any, field: str | None) -> str:
    value = content.get(field) if field and isinstance(content, dict) else None
    return value[:16] if isinstance(value, str) else ""


def state_of(kind: str, content: Any) -> str:
    return _text(content, STATE_FIELD.get(kind))


def result_of(kind: str, content: Any) -> str:
    return _text(content, RESULT_FIELD.get(kind))
