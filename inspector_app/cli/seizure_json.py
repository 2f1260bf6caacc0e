"""The JSON description of `inspector seizure new` (docs/cli-seizure.md), as a
service.DraftInput: parties, officers and markets found by what the user types."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector_app.cli.common import CliError
from inspector_app.core.i18n import _

# --- finding things by what the user types ------------------------------------------------


def _inspector(session, text: str, what: str):
    """An active inspector by id, user name or (unique) name."""
    from sqlalchemy import select

    from inspector_app.core.models import Inspector

    text = str(text).strip()
    found = session.get(Inspector, text)
    if found is None:
        found = session.scalar(select(Inspector).where(Inspector.username == text))
    if found is None:
        named = session.scalars(select(Inspector).where(Inspector.name == text)).all()
        if len(named) > 1:
            raise CliError(_("{what}: several users are named {name}; give the user name.")
                           .format(what=what, name=text))
        found = named[0] if named else None
    if found is None or not found.active:
        raise CliError(_("{what}: there is no active user {name}.").format(what=what,
                                                                         name=text))
    return found


def _party_id(session, actor, value: Any) -> str:
    """The id of the party `value` names (an id or the exact name), or of a new party made
    from `value`'s details (an object)."""
    from sqlalchemy import select

    from inspector_app.core.models import Party
    from inspector_app.core.seizure import service

    if isinstance(value, str):
        if session.get(Party, value) is not None:
            return value
        named = session.scalars(select(Party.id).where(Party.name == value)).all()
        if len(named) == 1:
            return named[0]
        if named:
            raise CliError(_("Several parties are named {name}; give the party's id.")
                           .format(name=value))
        raise CliError(_("There is no party {name}. Give its id or exact name, or its "
                         "details as an object to add it.").format(name=value))
    if isinstance(value, dict):
        fields = set(service.PartyInput.__dataclass_fields__)
        _no_other_keys(value, fields, "party")
        _all_text(value, "party")
        return service.save_party(session, actor, service.PartyInput(**value)).id
    raise CliError(_("\"party\" must be a party's id or name, or an object with its details."))


def _market_id(session, value: Any) -> str | None:
    from inspector_app.cli.records import _resolve_market

    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise CliError(_("\"market\" must be a market's id or name."))
    return _resolve_market(session, value)


# --- the JSON of `new` ---------------------------------------------------------------------

TEXT_KEYS = ("measure", "place", "suspected_violation", "legal_basis", "custody_place",
             "custodian", "onsite_record", "party_statement", "party_presence",
             "witness_name", "contact_phone")
BOOL_KEYS = ("party_notified", "emergency")
TIME_KEYS = ("started_at", "record_ended_at")
DRAFT_KEYS = {"party", "officers", "market", "items", "seals", "term_days", *TEXT_KEYS,
              *BOOL_KEYS, *TIME_KEYS}


def _no_other_keys(obj: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise CliError(_("{where}: unknown keys {keys}; the keys are: {allowed}.").format(
            where=where, keys=", ".join(unknown), allowed=", ".join(sorted(allowed))))


def _all_text(obj: dict, where: str, keys: Sequence[str] | None = None) -> None:
    for key in (obj if keys is None else keys):
        if key in obj and not isinstance(obj[key], str):
            raise CliError(_("{where}: \"{key}\" must be text.").format(where=where, key=key))


def _moment(text: Any, key: str) -> datetime:
    """An ISO 8601 time; without an offset it is this computer's local time."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise CliError(_("\"{key}\" is not a time (ISO 8601, e.g. 2026-03-05T09:30+08:00)."
                         ).format(key=key)) from None
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


def read_json(path: str) -> Any:
    import sys

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CliError(_("{path} is not UTF-8 text.").format(path=path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(_("{path} is not valid JSON (line {line}, column {column}: {error})."
                         ).format(path=path, line=exc.lineno, column=exc.colno,
                                  error=exc.msg)) from None


def draft_input(session, actor, doc: Any):
    """A service.DraftInput from the JSON description (a new party is added to `session`)."""
    from inspector_app.core.seizure import service

    if not isinstance(doc, dict):
        raise CliError(_("The description must be a JSON object."))
    _no_other_keys(doc, DRAFT_KEYS, _("the seizure"))
    _all_text(doc, _("the seizure"), TEXT_KEYS)
    data = service.DraftInput()
    for key in TEXT_KEYS:
        if key in doc:
            setattr(data, key, doc[key])
    for key in BOOL_KEYS:
        if key in doc:
            if not isinstance(doc[key], bool):
                raise CliError(_("\"{key}\" must be true or false.").format(key=key))
            setattr(data, key, doc[key])
    for key in TIME_KEYS:
        if doc.get(key) is not None:
            setattr(data, key, _moment(doc[key], key))
    if "term_days" in doc:
        if not isinstance(doc["term_days"], int) or isinstance(doc["term_days"], bool):
            raise CliError(_("\"term_days\" must be a whole number of days."))
        data.term_days = doc["term_days"]
    officers = doc.get("officers", [])
    if not isinstance(officers, list):
        raise CliError(_("\"officers\" must be a list of user names or ids."))
    data.officer_ids = [_inspector(session, o, _("Officer {n}").format(n=n)).id
                        for n, o in enumerate(officers, start=1)]
    if doc.get("party") is not None:
        data.party_id = _party_id(session, actor, doc["party"])
    data.market_id = _market_id(session, doc.get("market"))
    data.items = [_item(row, n) for n, row in enumerate(_rows(doc, "items"), start=1)]
    data.seals = [_seal(row, n) for n, row in enumerate(_rows(doc, "seals"), start=1)]
    return data


def _rows(doc: dict, key: str) -> list[dict]:
    rows = doc.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise CliError(_("\"{key}\" must be a list of objects.").format(key=key))
    return rows


def _item(row: dict, n: int):
    from inspector_app.core.seizure import service

    where = _("Item {n}").format(n=n)
    _no_other_keys(row, {"name", "quantity", "unit", "spec", "remark"}, where)
    _all_text(row, where, ("name", "unit", "spec", "remark"))
    quantity = row.get("quantity", "")
    if isinstance(quantity, bool) or not isinstance(quantity, (str, int, float)):
        raise CliError(_("{where}: \"quantity\" must be a number.").format(where=where))
    return service.ItemInput(name=row.get("name", ""), quantity=str(quantity),
                             unit=row.get("unit", ""), spec=row.get("spec", ""),
                             remark=row.get("remark", ""))


def _seal(row: dict, n: int):
    from inspector_app.core.seizure import service

    where = _("Seal {n}").format(n=n)
    _no_other_keys(row, {"number", "location"}, where)
    _all_text(row, where)
    return service.SealInput(number=row.get("number", ""), location=row.get("location", ""))
