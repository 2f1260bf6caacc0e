"""The rules of a labeling check applied to its record as an upload carries it.

A check that arrives whole (the central server's ingest) has not been through the form and
the service, so it is checked here with the functions saving one applies (`rules`), on the
record's exported dict (docs/record-format.md). Only what the record itself shows: its
checklist definition is not part of it. Pure functions: no store, no Qt, no SQLAlchemy
models, so the server imports this module as it is.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from inspector_app.core.checks import rules
from inspector_app.core.validation import ValidationError


def _number(text: Any) -> Decimal | None:
    try:
        number = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def officers(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The record's officers as `rules.officer_problems` takes them."""
    return [(o.get("inspector_id", ""), o.get("name", ""), o.get("cert_no", ""))
            for o in record.get("officers") or ()]


def check_issues(record: dict[str, Any]) -> list[ValidationError]:
    """Every rule the check `record` (its exported dict) breaks; empty when it holds.

    A final check names two officers with 执法证号; its outcome is its checklist's, or
    another with the reason; its measure fits the outcome (as saving a check asks)."""
    final = record.get("status") == "final"
    issues = []
    if final:
        issues += [ValidationError(m, "officers") for m in rules.officer_problems(
            officers(record))]
    outcome = record.get("outcome") or ""
    # A final check records every applicable item; a draft only those answered so far.
    if final and outcome != rules.outcome_of([i.get("result", "")
                                              for i in record.get("items") or ()]):
        problem = rules.override_problem(record.get("outcome_override_reason") or "")
        if problem:
            issues.append(ValidationError(problem, "outcome_override_reason"))
    quantity = record.get("quantity")
    problem = rules.measure_problem(
        outcome, record.get("measure") or "", final=final,
        quantity=_number(quantity) if quantity is not None else None,
        unit=record.get("unit") or "")
    if problem:
        issues.append(ValidationError(problem, "measure"))
    return issues
