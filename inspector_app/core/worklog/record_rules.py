"""The rules of a workstation log's rows that its record shows, shared by the service (as
a row is entered) and the central server (a synced log's record, docs/record-format.md).

Pure functions: no store, no Qt, no SQLAlchemy models, so the server imports this module
as it is. What needs this device's settings or lists (the re-weigh tolerance, the test
items and reagents) is checked where the row is entered only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from inspector_app.core.i18n import _
from inspector_app.core.validation import ValidationError
from inspector_app.core.worklog import items
from inspector_app.core.worklog.items import WorklogError

MAX_WEIGHT = Decimal("999999999.999")


def weight(value: Decimal | str | None, field_name: str) -> Decimal:
    """A re-weighed weight in kg, greater than 0; raises WorklogError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise WorklogError(_("Enter the weight in kg."), field_name)
    number = value if isinstance(value, Decimal) else items.parse_number(str(value), field_name)
    if number <= 0 or number > MAX_WEIGHT:
        raise WorklogError(_("A weight must be greater than 0 kg."), field_name)
    return number


def check_scale_named(stall_no: str, serial_no: str) -> None:
    """A verified scale is named by its stall or its serial number."""
    if not stall_no.strip() and not serial_no.strip():
        raise WorklogError(_("Enter the stall or the scale's serial number."), "stall_no")


def check_complaint_content(content: str) -> None:
    if not content.strip():
        raise WorklogError(_("Enter what the complaint is about."), "content")


def check_closing(follow_up: str) -> None:
    """A complaint is closed with its follow-up."""
    if not follow_up.strip():
        raise WorklogError(_("Record the follow-up before closing the complaint."),
                           "follow_up")


def worklog_issues(record: dict[str, Any]) -> list[ValidationError]:
    """Every rule the log `record` (its exported dict) breaks in its scale checks and
    complaints; each issue's field names the row (``scale_checks[0].actual_weight``)."""
    issues: list[ValidationError] = []

    def collect(where: str, check, *args) -> None:
        try:
            check(*args)
        except ValidationError as exc:
            issues.append(ValidationError(exc.message, f"{where}.{exc.field}"))

    for n, row in enumerate(record.get("scale_checks") or ()):
        where = f"scale_checks[{n}]"
        if row.get("kind") == "reweigh":
            for key in ("claimed_weight", "actual_weight"):
                collect(where, weight, row.get(key), key)
        elif row.get("kind") == "verification":
            collect(where, check_scale_named, row.get("stall_no") or "",
                    row.get("serial_no") or "")
    for n, row in enumerate(record.get("complaints") or ()):
        where = f"complaints[{n}]"
        collect(where, check_complaint_content, row.get("content") or "")
        if row.get("status") == "closed":
            collect(where, check_closing, row.get("follow_up") or "")
    return issues
