"""Conditions of a definition: when a field is shown or a checklist item applies.

A condition is plain data, evaluated here; nothing in it is ever executed:

    {"field": "packaged", "equals": "prepackaged"}
    {"field": "input_type", "in": ["fertiliser", "pesticide"]}
    {"field": "ccc_required", "filled": true}
    {"all": [c, ...]}   {"any": [c, ...]}   {"not": c}

A field that is hidden counts as empty, so a condition on it is false (or true under
"not"); `visible_values` works that out in the definition's order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MAX_DEPTH = 6


def is_filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    return True


def _same(value: Any, expected: Any) -> bool:
    # bool is an int in Python: True must not equal 1 here.
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value is expected
    if isinstance(value, str):
        value = value.strip()
    return value == expected


def evaluate(condition: Mapping[str, Any] | None, values: Mapping[str, Any]) -> bool:
    """True when `condition` holds for `values` (key -> value; a missing key is empty)."""
    if condition is None:
        return True
    if "all" in condition:
        return all(evaluate(c, values) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, values) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], values)
    value = values.get(condition["field"])
    if "equals" in condition:
        return is_filled(value) and _same(value, condition["equals"])
    if "in" in condition:
        return is_filled(value) and any(_same(value, v) for v in condition["in"])
    if "filled" in condition:
        return is_filled(value) is bool(condition["filled"])
    raise ValueError(f"not a condition: {sorted(condition)}")


def references(condition: Mapping[str, Any] | None) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(field key, the leaf naming it) for every leaf of `condition`."""
    if condition is None:
        return
    for key in ("all", "any"):
        if key in condition:
            for c in condition[key]:
                yield from references(c)
            return
    if "not" in condition:
        yield from references(condition["not"])
        return
    yield condition["field"], condition


def depth(condition: Mapping[str, Any] | None) -> int:
    if condition is None:
        return 0
    for key in ("all", "any"):
        if key in condition:
            return 1 + max(depth(c) for c in condition[key])
    if "not" in condition:
        return 1 + depth(condition["not"])
    return 1
