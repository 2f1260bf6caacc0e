"""The rules of a seizure applied to its record as a file, a pull or an upload carries it.

A seizure that arrives whole (`inspector records import`, the sync pull, the central
server's ingest) has not been through the forms and the service, so it is checked here
against the same rules the UI enforces (`rules`): the record is read as its exported dict
(the canonical content, see docs/record-format.md) and handed to the `check_*` functions
of `rules` as if it were the model. Its transitions are replayed one by one from the draft,
as the service would have made them. Pure functions: no store, no Qt, no SQLAlchemy
models, so the server imports this module as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from inspector_app.core import device_key, validation
from inspector_app.core.i18n import _
from inspector_app.core.seizure import qr, rules
from inspector_app.core.seizure.rules import RuleError

# Documents every issued seizure holds, and the kinds that carry a document number.
ISSUED_KINDS = ("decision", "list", "record", "seals")
NUMBERED_KINDS = ("decision", "list", "extension", "release")


_CHILD_LISTS = frozenset({"officers", "items", "seals", "signatures", "documents",
                          "transitions", "testing_periods", "attachments"})


class _View:
    """A record dict read like the model: `view.term_days`; missing fields are None,
    child lists are lists of views, times are aware datetimes."""

    def __init__(self, data: dict[str, Any]):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = self._data.get(name)
        if value is None and name in _CHILD_LISTS:  # an empty list is left out
            return []
        if isinstance(value, list):
            return [_View(v) if isinstance(v, dict) else v for v in value]
        if isinstance(value, str) and (name == "at" or name.endswith("_at")):
            return _time(value)
        return value


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Replay:
    """The seizure as it stood before one of its transitions."""

    def __init__(self, view: _View):
        self.state = rules.DRAFT
        self.extension_days = 0
        self.issued_at = view.issued_at
        self.term_days = view.term_days
        self.testing_periods = view.testing_periods or []


def _tz(record: dict[str, Any]) -> timezone:
    return timezone(timedelta(minutes=int(record.get("created_offset") or 0)))


def _error(field: str, message: str) -> RuleError:
    return RuleError(message, field)


def _as_rule(exc: validation.ValidationError, field: str | None = None) -> RuleError:
    return RuleError(exc.message, field or exc.field)


def _draft_issues(view: _View) -> list[RuleError]:
    """What saving a draft checks (two officers are asked for when issuing)."""
    issues: list[RuleError] = []
    for check in (lambda: rules.check_officer_certs(view.officers or []),
                  lambda: rules.check_term(view.term_days),
                  lambda: rules.check_items(view.items or [])):
        try:
            check()
        except validation.ValidationError as exc:
            issues.append(_as_rule(exc))
    return issues


def _issued_issues(record: dict[str, Any], view: _View, now: datetime) -> list[RuleError]:
    """What issuing checks, and the documents issuing made."""
    issues = [p for p in rules.issue_problems(view, None, now)
              # The party is a record of its own, checked where it is imported; here only
              # that the measure names one.
              if not (p.field == "party" and record.get("party_id"))]
    if view.issued_at is None:
        issues.append(_error("issued_at", _("An issued measure must have its issue time.")))
    kinds = {d.get("kind") for d in record.get("documents", ())}
    missing = [k for k in ISSUED_KINDS if k not in kinds]
    # A measure issued before the app kept its documents (schema 0004) has none; one that
    # has some must have them all.
    if missing and kinds:
        issues.append(_error("documents", _("The documents issued with the measure are "
                                            "missing: {kinds}.").format(
            kinds="、".join(_(rules.DOCUMENT_LABELS[k]) for k in missing))))
    decision = next((d for d in record.get("documents", ()) if d.get("kind") == "decision"),
                    None)
    if not (record.get("number") or "").strip():
        issues.append(_error("number", _("An issued measure must have its document "
                                         "number.")))
    elif decision is not None and decision.get("number") != record.get("number"):
        issues.append(_error("number", _("The document number {number} is not the number "
                                         "of its decision notice ({decision}).").format(
            number=record.get("number"), decision=decision.get("number"))))
    return issues


def _emergency_at(record: dict[str, Any], at: datetime) -> rules.EmergencyStatus | None:
    """An emergency measure's report as it stood at `at` (None for a normal measure)."""
    started = _time(record.get("started_at"))
    if not record.get("emergency") or started is None:
        return None
    reported = _time(record.get("emergency_reported_at"))
    return rules.emergency_deadline(started, reported if reported and reported <= at else None,
                                    record.get("emergency_report_reason"), at)


def _emergency_issues(record: dict[str, Any]) -> list[RuleError]:
    """A recorded emergency report names its approver, and a late one its reason."""
    started = _time(record.get("started_at"))
    reported = _time(record.get("emergency_reported_at"))
    if not record.get("emergency") or started is None or reported is None:
        return []
    status = rules.emergency_deadline(started, None, None, reported)
    try:
        rules.check_emergency_report(status, record.get("emergency_approver") or "",
                                     record.get("emergency_report_reason") or "", reported)
    except RuleError as exc:
        field = {"approver": "emergency_approver", "reason": "emergency_report_reason"}
        return [_error(field.get(exc.field or "", "emergency"), exc.message)]
    return []


def _transition_issues(record: dict[str, Any], view: _View) -> list[RuleError]:
    """Replay the transitions from the draft, each checked as the service checks it."""
    issues: list[RuleError] = []
    tz = _tz(record)
    replay = _Replay(view)
    steps = sorted(enumerate(record.get("transitions", ())),
                   key=lambda pair: pair[1].get("position", 0))
    extensions = 0
    for n, step in steps:
        where = f"transitions[{n}]"
        source, target = step.get("from_state"), step.get("to_state")
        if source != replay.state:
            issues.append(_error(f"{where}.from_state", _(
                "This change starts from {source}, but the measure was {state} then.").format(
                source=_(rules.STATE_LABELS.get(source, source or "")),
                state=_(rules.STATE_LABELS.get(replay.state, replay.state)))))
        at = _time(step.get("at"))
        today = rules.local_date(at, tz) if at else None
        try:
            extensions += target == rules.EXTENDED
            if target in (rules.EXTENDED, *rules.CLOSING) and at is not None:
                rules.check_emergency_reported(_emergency_at(record, at), target, tz)
            if target == rules.EXTENDED:
                rules.check_extension(replay, record.get("extension_days"),
                                      step.get("reason", ""), today, tz,
                                      approver=step.get("approver"))
            elif target in rules.CLOSING and today is not None:
                rules.check_close(replay, target, step.get("reason", ""),
                                  step.get("ground"), today, tz)
            else:
                rules.check_transition(replay.state, target)
        except RuleError as exc:
            if exc.field == "extension_days":
                issues.append(_error("extension_days", exc.message))
            else:
                field = exc.field if exc.field in ("approver", "reason", "ground") else None
                issues.append(_error(f"{where}.{field}" if field else where, exc.message))
        replay.state = target or replay.state
        if target == rules.EXTENDED:
            replay.extension_days = record.get("extension_days") or 0
    state = record.get("state")
    if replay.state != state:
        issues.append(_error("state", _(
            "The measure is recorded as {state}, but its recorded changes lead to "
            "{replayed}.").format(state=_(rules.STATE_LABELS.get(state, state or "")),
                                  replayed=_(rules.STATE_LABELS.get(replay.state,
                                                                    replay.state)))))
    if (record.get("extension_days") or 0) > 0 and extensions == 0:
        issues.append(_error("extension_days", _(
            "The term is extended by {days} days, but no extension decision is recorded.")
            .format(days=record.get("extension_days"))))
    return issues


def seizure_issues(record: dict[str, Any], now: datetime | None = None) -> list[RuleError]:
    """Every rule the seizure `record` (its exported dict) breaks; empty when it holds.

    Each issue's `field` names the field of the record (``officers``,
    ``transitions[1].approver``...), its `message` says what is wrong in the user's language.
    """
    now = now or datetime.now(UTC)
    view = _View(record)
    if record.get("state", rules.DRAFT) == rules.DRAFT:
        issues = _draft_issues(view)
    else:
        issues = _issued_issues(record, view, now)
    return issues + _emergency_issues(record) + _transition_issues(record, view)


def describe(issue: RuleError) -> str:
    return _("{field}: {message}").format(field=issue.field or _("(the record)"),
                                          message=issue.message)


def seizure_problems(record: dict[str, Any], now: datetime | None = None) -> list[str]:
    """The rules `record` breaks, one message per problem naming the field."""
    return [describe(i) for i in seizure_issues(record, now)]


# --- document numbers and their device's segment ------------------------------------------


def number_has_segment(number: str, segment: str) -> bool:
    """Whether `number` was made from `segment` (numbering.format_number puts it in as
    ``{segment}-{n}``, or as ``{device}`` where the pattern says so): the segment stands
    in it as a word of its own, not touching another digit or letter."""
    if not segment:
        return False
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(segment)}(?![0-9A-Za-z])",
                     number or "") is not None


def numbered_documents(record: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(n, d) for n, d in enumerate(record.get("documents", ()))
            if d.get("kind") in NUMBERED_KINDS]


def segment_issues(record: dict[str, Any], own_key_ids: set[str], own_segment: str,
                   own_device: str) -> list[RuleError]:
    """A document number comes from the segment of the device that issued it.

    Which device issued a document: the key that signed it (`key_id`); for a document
    without one, the device that wrote the record. Only this device's segment is known
    here: this device's documents must carry it, another device's may not.
    """
    issues: list[RuleError] = []
    for n, doc in numbered_documents(record):
        key_id = doc.get("key_id")
        ours = key_id in own_key_ids if key_id else record.get("device_id") == own_device
        number = doc.get("number", "")
        if ours and own_segment and not number_has_segment(number, own_segment):
            issues.append(_error(f"documents[{n}].number", _(
                "The document number {number} is not from this device's segment {segment}, "
                "yet this device issued it.").format(number=number, segment=own_segment)))
        elif not ours and own_segment and number_has_segment(number, own_segment):
            issues.append(_error(f"documents[{n}].number", _(
                "The document number {number} is from this device's segment {segment}, but "
                "another device issued it: two devices may never make the same number.")
                .format(number=number, segment=own_segment)))
    return issues


# --- the issuing device's signature of each document --------------------------------------


def document_payload(record: dict[str, Any], doc: dict[str, Any]) -> qr.Payload:
    """The QR payload of one of the record's documents, with the signature it carries (as
    `service.payload_for` prints it). Raises ValueError when the record cannot hold one."""
    frozen = json.loads(record.get("frozen_block") or "{}")
    issued = _time(doc.get("issued_at"))
    if not isinstance(frozen, dict) or issued is None:
        raise ValueError("no frozen block or issue time")
    party = frozen.get("party") or {}
    return qr.Payload(kind=doc["kind"], number=doc.get("number", ""),
                      agency=frozen.get("agency") or "",
                      issued=rules.local_date(issued, _tz(record)),
                      party_hash=qr.party_hash(party.get("name") or ""),
                      item_count=len(record.get("items", ())),
                      content_sha256=doc.get("content_sha256", ""), key_id=doc["key_id"],
                      signature=qr.unb64(doc.get("signature", "")))


def signature_issues(record: dict[str, Any], public_keys: Mapping[str, str],
                     every_key_known: bool = False) -> list[RuleError]:
    """Each signed document's signature is its issuer's, over what the record holds.

    `public_keys`: key id -> public key (base64) of the devices known here. A key not
    among them cannot be checked, and is refused only when `every_key_known` (the server,
    which enrolled every device).
    """
    issues: list[RuleError] = []
    for n, doc in enumerate(record.get("documents", ())):
        key_id, signature = doc.get("key_id"), doc.get("signature")
        where = f"documents[{n}]"
        if bool(key_id) != bool(signature):
            issues.append(_error(f"{where}.signature", _(
                "The document {number} has half a signature (key id or signature "
                "missing).").format(number=doc.get("number", ""))))
            continue
        if not key_id or doc.get("kind") not in qr.KIND_CODES:
            continue
        public = public_keys.get(key_id)
        if public is None:
            if every_key_known:
                issues.append(_error(f"{where}.key_id", _(
                    "The document {number} is signed by the key {key}, which no enrolled "
                    "device holds.").format(number=doc.get("number", ""), key=key_id)))
            continue
        try:
            ok = qr.signature_ok(document_payload(record, doc),
                                 device_key.public_from_b64(public))
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            issues.append(_error(f"{where}.signature", _(
                "The signature of the document {number} does not match what the record "
                "holds: the record was changed after the document was issued, or another "
                "device signed it.").format(number=doc.get("number", ""))))
    return issues
