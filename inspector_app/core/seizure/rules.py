"""The legal rules of a seizure (行政强制法 arts. 17-28): states, deadlines, validation.

Pure functions over the record's values: no session, no Qt. The service calls them before
it changes anything, so a refused change leaves the store as it was.

States: draft → issued → (extended, once) → released / confiscated / destroyed / transferred.
Term: ≤ 30 days from issue, declared testing periods not counted; one extension of ≤ 30 days
with written reasons; release is the only way out once the term has run out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from inspector_app.core import validation
from inspector_app.core.clock import CLOCK_SLACK
from inspector_app.core.i18n import N_, _

MAX_TERM_DAYS = 30  # art. 25
MAX_EXTENSION_DAYS = 30  # art. 25
WARN_DAYS = 5  # lists warn at ≤ 5 days left
EMERGENCY_REPORT_HOURS = 24  # art. 19
APPROVAL_MAX_AGE_DAYS = 30  # a prior approval older than this before the start is refused
MIN_OFFICERS = 2  # art. 18
# Signature roles: the on-site ones (现场笔录 and 清单), and the party's receipt of the
# decision (its 签收 line), taken for that document only (never the on-site one reused).
ONSITE_ROLES = ("party", "witness", "officer")
DECISION_RECEIPT = "decision_receipt"
SIGNATURE_ROLES = (*ONSITE_ROLES, DECISION_RECEIPT)
# The documents of a measure, as the screen and messages name them.
DOCUMENT_LABELS = {
    "decision": N_("Decision notice"), "list": N_("Item list"), "record": N_("On-site record"),
    "seals": N_("Seal strips"), "extension": N_("Extension notice"),
    "release": N_("Release notice"),
}
MAX_QUANTITY = Decimal("99999999999.999")  # Numeric(14, 3)

DRAFT, ISSUED, EXTENDED = "draft", "issued", "extended"
RELEASED, CONFISCATED, DESTROYED, TRANSFERRED = "released", "confiscated", "destroyed", \
    "transferred"
STATES = (DRAFT, ISSUED, EXTENDED, RELEASED, CONFISCATED, DESTROYED, TRANSFERRED)
ACTIVE = frozenset({ISSUED, EXTENDED})
CLOSING = (RELEASED, CONFISCATED, DESTROYED, TRANSFERRED)
TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({ISSUED}),
    ISSUED: frozenset({EXTENDED, *CLOSING}),
    EXTENDED: frozenset(CLOSING),
}
STATE_LABELS = {
    DRAFT: N_("Draft"), ISSUED: N_("Issued"), EXTENDED: N_("Extended"),
    RELEASED: N_("Released"), CONFISCATED: N_("Confiscated"),
    DESTROYED: N_("Destroyed"), TRANSFERRED: N_("Transferred"),
}
MEASURES = ("seal", "detain")  # 查封 / 扣押
PRESENCE = ("present", "absent", "refused")  # party present / absent (witness) / refused

# 行政强制法 art. 28: grounds for release.
RELEASE_GROUNDS = {
    "1": "当事人没有违法行为",
    "2": "查封、扣押的场所、设施或者财物与违法行为无关",
    "3": "行政机关对违法行为已经作出处理决定，不再需要查封、扣押",
    "4": "查封、扣押期限已经届满",
    "5": "其他不再需要采取查封、扣押措施的情形",
}
EXPIRED_GROUND = "4"


class RuleError(validation.ValidationError):
    """A change the rules refuse; `message` is translated and says what to do."""


# --- state machine ---------------------------------------------------------------------


def check_transition(current: str, target: str) -> None:
    """Raise unless `current` → `target` is a step of the state machine."""
    if target not in STATES:
        raise RuleError(_("Unknown state {state}.").format(state=target), "state")
    if target not in TRANSITIONS.get(current, frozenset()):
        allowed = sorted(TRANSITIONS.get(current, frozenset()), key=STATES.index)
        if allowed:
            hint = _("From {current} it can only become: {allowed}.").format(
                current=_(STATE_LABELS[current]),
                allowed=", ".join(_(STATE_LABELS[s]) for s in allowed))
        else:
            hint = _("A measure that is {current} is closed; it cannot change any more.").format(
                current=_(STATE_LABELS.get(current, current)))
        raise RuleError(
            _("A seizure that is {current} cannot become {target}.").format(
                current=_(STATE_LABELS.get(current, current)),
                target=_(STATE_LABELS[target])) + " " + hint,
            "state")


# --- field rules -----------------------------------------------------------------------


def check_term(days: Any) -> int:
    try:
        value = int(days)
    except (TypeError, ValueError):
        raise RuleError(_("The term must be a whole number of days."), "term_days") from None
    if value < 1:
        raise RuleError(_("The term must be at least 1 day."), "term_days")
    if value > MAX_TERM_DAYS:
        raise RuleError(
            _("The term may not exceed {max} days (行政强制法 art. 25); you entered {days}. "
              "If more time is needed, extend the measure once, with reasons, before it "
              "expires.").format(max=MAX_TERM_DAYS, days=value), "term_days")
    return value


def check_quantity(value: Any, position: int) -> Decimal:
    try:
        qty = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(_("Item {n}: the quantity {value} is not a number.").format(
            n=position, value=value), "quantity") from None
    if not qty.is_finite() or qty <= 0:
        raise RuleError(_("Item {n}: the quantity must be greater than zero.").format(
            n=position), "quantity")
    if qty > MAX_QUANTITY or qty != qty.quantize(Decimal("0.001")):
        raise RuleError(_("Item {n}: the quantity may have at most 11 digits before and 3 "
                          "after the decimal point.").format(n=position), "quantity")
    return qty


def check_items(items: Sequence[Any], *, required: bool = False) -> None:
    """Each item has a name and a quantity > 0; `required`: at least one item."""
    if required and not items:
        raise RuleError(_("List at least one item, place or facility under the measure."),
                        "items")
    for n, item in enumerate(items, start=1):
        if not (item.name or "").strip():
            raise RuleError(_("Item {n}: enter its name.").format(n=n), "name")
        check_quantity(item.quantity, n)
        if not (item.unit or "").strip():
            raise RuleError(_("Item {n}: enter its unit (e.g. 箱, 件, 台).").format(n=n), "unit")


def check_officers(officers: Sequence[Any]) -> None:
    """At least two different officers, each with an enforcement certificate number."""
    check_officer_certs(officers)
    if len(officers) < MIN_OFFICERS:
        raise RuleError(
            _("A coercive measure needs at least {n} officers with enforcement certificates "
              "(行政强制法 art. 18); {count} listed.").format(n=MIN_OFFICERS,
                                                              count=len(officers)),
            "officers")


def check_officer_certs(officers: Sequence[Any]) -> None:
    """Each listed officer has a certificate number, and none is listed twice."""
    for officer in officers:
        if not (officer.cert_no or "").strip():
            raise RuleError(
                _("Officer {name} has no enforcement certificate number (执法证号); only "
                  "officers with one may take a coercive measure.").format(name=officer.name),
                "officers")
    ids = [o.inspector_id for o in officers]
    if len(set(ids)) != len(ids):
        raise RuleError(_("The same officer is listed twice."), "officers")


def check_party(party: Any) -> None:
    """The party block: a name, and valid codes where given (one of them required)."""
    if party is None or not (party.name or "").strip():
        raise RuleError(_("Choose or enter the party (当事人)."), "party")
    if party.credit_code:
        validation.check_credit_code(party.credit_code)
    if party.id_number:
        validation.check_id_number(party.id_number)
    if party.phone:
        validation.check_phone(party.phone)
    if not party.credit_code and not party.id_number:
        raise RuleError(_("Enter the party's unified social credit code or, for a person, "
                          "the ID number."), "credit_code")


def check_presence(presence: str, witness_name: str | None) -> None:
    if presence not in PRESENCE:
        raise RuleError(_("Unknown party presence {value}.").format(value=presence),
                        "party_presence")
    if presence == "absent" and not (witness_name or "").strip():
        raise RuleError(_("The party is absent: a witness (见证人) must be present and sign "
                          "(行政强制法 art. 18). Enter the witness's name."), "witness_name")
    if presence == "refused" and not (witness_name or "").strip():
        raise RuleError(_("The party refuses to sign: a witness (见证人) must be present and "
                          "sign (行政强制法 art. 18). Enter the witness's name."),
                        "witness_name")


def check_started(started_at: datetime | None, now: datetime) -> None:
    """The measure cannot start in the future (the same clock slack as a check's time)."""
    if started_at is None:
        return
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=UTC)
    if started_at > now + CLOCK_SLACK:
        raise RuleError(_("The start of the measure is in the future."), "started_at")


@dataclass(frozen=True)
class Sig:
    """One signature row as the rules see it (an ORM row or an imported record's dict)."""

    role: str  # party / witness / officer
    status: str  # signed / refused
    officer_id: str | None = None


def _sig(row: Any) -> Sig:
    if isinstance(row, dict):
        return Sig(row.get("role", ""), row.get("status", ""), row.get("officer_id"))
    return Sig(row.role, row.status, row.officer_id)


def signature_problems(presence: str, witness_name: str | None,
                       officers: Sequence[tuple[str, str]], signatures: Iterable[Any]
                       ) -> list[RuleError]:
    """What is missing of the on-site signatures 行政强制法 art. 18 asks for.

    `officers` are (inspector id, name); `signatures` are in the order they were taken,
    and the latest of each person counts. Both officers sign; the party signs, or its
    refusal to sign is recorded and a witness signs; an absent party needs a witness who
    signs.
    """
    problems: list[RuleError] = []
    try:
        check_presence(presence, witness_name)
    except RuleError as exc:
        problems.append(exc)
    latest: dict[tuple[str, str | None], str] = {}
    for row in signatures:
        sig = _sig(row)
        latest[(sig.role, sig.officer_id if sig.role == "officer" else None)] = sig.status
    for officer_id, name in officers:
        if latest.get(("officer", officer_id)) != "signed":
            problems.append(RuleError(_("Officer {name} has not signed.").format(name=name),
                                      "signatures"))
    party = latest.get(("party", None))
    witness_signed = latest.get(("witness", None)) == "signed"
    if presence == "present" and party != "signed":
        problems.append(RuleError(_("The party has not signed. If the party refuses to sign, "
                                    "record the refusal; a witness then signs."),
                                  "signatures"))
    elif presence == "refused":
        if party != "refused":
            problems.append(RuleError(_("The party's refusal to sign is not recorded: record "
                                        "it on the signatures tab."), "signatures"))
        if not witness_signed and (witness_name or "").strip():
            problems.append(RuleError(_("The party refused to sign: the witness (见证人) has "
                                        "not signed (行政强制法 art. 18)."), "signatures"))
    elif presence == "absent" and not witness_signed and (witness_name or "").strip():
        problems.append(RuleError(_("The party is absent: the witness (见证人) has not signed "
                                    "(行政强制法 art. 18)."), "signatures"))
    return problems


def issue_problems(seizure: Any, party: Any, now: datetime | None = None
                   ) -> list[RuleError]:
    """Everything that stops `seizure` from being issued (empty when it can be)."""
    problems: list[RuleError] = []
    now = now or datetime.now(UTC)
    checks = [
        lambda: check_started(seizure.started_at, now),
        lambda: check_officers(seizure.officers),
        lambda: check_party(party),
        lambda: check_items(seizure.items, required=True),
        lambda: check_term(seizure.term_days),
        lambda: check_approval(seizure.emergency, getattr(seizure, "approver", None),
                               getattr(seizure, "approved_at", None), seizure.started_at,
                               getattr(seizure, "issued_at", None) or now,
                               record_tz(getattr(seizure, "created_offset", None))),
    ]
    for check in checks:
        try:
            check()
        except validation.ValidationError as exc:
            problems.append(exc if isinstance(exc, RuleError) else RuleError(exc.message,
                                                                              exc.field))
    if seizure.measure not in MEASURES:
        problems.append(RuleError(_("Choose sealing (查封) or detention (扣押)."), "measure"))
    if not (seizure.suspected_violation or "").strip():
        problems.append(RuleError(_("Enter the suspected violation."), "suspected_violation"))
    if not (seizure.legal_basis or "").strip():
        problems.append(RuleError(_("Choose the legal basis."), "legal_basis"))
    if not (seizure.place or "").strip():
        problems.append(RuleError(_("Enter the place of the measure."), "place"))
    if not (seizure.custody_place or "").strip() or not (seizure.custodian or "").strip():
        problems.append(RuleError(_("Enter the custody place and the custodian."),
                                  "custody_place"))
    problems += signature_problems(
        seizure.party_presence, seizure.witness_name,
        [(o.inspector_id, o.name) for o in seizure.officers], seizure.signatures)
    return problems


# --- the term --------------------------------------------------------------------------


def record_tz(created_offset: int | None) -> timezone:
    """The time zone a record was made in (its UTC offset in minutes when created)."""
    return timezone(timedelta(minutes=created_offset or 0))


def local_date(moment: datetime, tz: tzinfo | None = None) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


def _parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Term:
    """Where a measure's term stands on a given day."""

    start: date  # the issue date; the term runs from the next day
    end: date  # the last day of the term, testing periods and the extension included
    testing_days: int  # days not counted because of declared testing periods
    days_left: int  # end - today (negative once overdue)
    active: bool

    @property
    def overdue(self) -> bool:
        return self.active and self.days_left < 0

    @property
    def warn(self) -> bool:
        return self.active and 0 <= self.days_left <= WARN_DAYS


def testing_intervals(periods: Iterable[Any], today: date) -> list[tuple[date, date]]:
    """Declared periods as merged (start, end) dates; a running period lasts until today."""
    spans = []
    for p in periods:
        start = _parse_day(p.start_date)
        if start is None:
            continue
        end = _parse_day(p.end_date) or max(today, start)
        if end >= start:
            spans.append((start, end))
    spans.sort()
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def term(seizure: Any, today: date, tz: tzinfo | None = None) -> Term | None:
    """The term of an issued measure (None for a draft)."""
    if seizure.issued_at is None:
        return None
    start = local_date(seizure.issued_at, tz)
    total = int(seizure.term_days or 0) + int(seizure.extension_days or 0)
    end = start + timedelta(days=total)
    excluded = 0
    for span_start, span_end in testing_intervals(seizure.testing_periods, today):
        span_start = max(span_start, start + timedelta(days=1))
        if span_end < span_start or span_start > end:
            continue
        excluded += (span_end - span_start).days + 1
        end = start + timedelta(days=total + excluded)
    return Term(start, end, excluded, (end - today).days, seizure.state in ACTIVE)


def check_extension(seizure: Any, days: Any, reason: str, today: date,
                    tz: tzinfo | None = None, *, approver: str | None) -> int:
    """The days of a valid extension: once, 1-30 days, with written reasons and the agency
    head's approval (art. 25), before the term ends."""
    if seizure.state == EXTENDED or (seizure.extension_days or 0) > 0:
        raise RuleError(_("The term has already been extended once; it may be extended only "
                          "once (行政强制法 art. 25)."), "extension_days")
    check_transition(seizure.state, EXTENDED)
    try:
        value = int(days)
    except (TypeError, ValueError):
        raise RuleError(_("The extension must be a whole number of days."),
                        "extension_days") from None
    if value < 1 or value > MAX_EXTENSION_DAYS:
        raise RuleError(_("The extension must be between 1 and {max} days; you entered "
                          "{days}.").format(max=MAX_EXTENSION_DAYS, days=value),
                        "extension_days")
    if not (reason or "").strip():
        raise RuleError(_("Give the written reasons for the extension."), "reason")
    if not (approver or "").strip():
        raise RuleError(_("Enter who approved the extension: it needs the agency head's "
                          "approval (行政强制法 art. 25)."), "approver")
    current = term(seizure, today, tz)
    if current is not None and current.overdue:
        raise RuleError(_("The term ended on {date}: it can no longer be extended, and the "
                          "measure must be released.").format(date=current.end.isoformat()),
                        "extension_days")
    return value


def check_close(seizure: Any, target: str, reason: str, ground: str | None, today: date,
                tz: tzinfo | None = None) -> None:
    check_transition(seizure.state, target)
    if not (reason or "").strip() and not (target == RELEASED and ground):
        raise RuleError(_("Give the reason for this decision."), "reason")
    if target == RELEASED and ground is not None and ground not in RELEASE_GROUNDS:
        raise RuleError(_("Unknown ground for release {ground}.").format(ground=ground),
                        "ground")
    current = term(seizure, today, tz)
    if current is not None and current.overdue and target in (CONFISCATED, DESTROYED):
        raise RuleError(_("The term ended on {date}: the measure must now be released "
                          "(行政强制法 art. 28).").format(date=current.end.isoformat()), "state")
    if target == RELEASED:
        check_release_ground(ground, current, today)


def check_release_ground(ground: str | None, current: Term | None, today: date) -> None:
    """The ground of a release agrees with the dates: "term expired" (ground 4) only from
    the term's last day on, and after the term has ended only that ground."""
    if current is None:
        return
    if ground == EXPIRED_GROUND and today < current.end:
        raise RuleError(_("The term runs until {date}: it has not expired, so the release "
                          "cannot state that the term has expired. Choose the ground that "
                          "applies.").format(date=current.end.isoformat()), "ground")
    if today > current.end and ground != EXPIRED_GROUND:
        raise RuleError(_("The term ended on {date}: the release must state that the term "
                          "has expired (行政强制法 art. 28, ground 4).").format(
                              date=current.end.isoformat()), "ground")


# --- prior approval (art. 18(一)) and emergency measures (art. 19) -----------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clock_text(moment: datetime, tz: tzinfo | None) -> str:
    return _aware(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def check_approval_time(approved_at: datetime, started_at: datetime | None, latest: datetime,
                        tz: tzinfo | None = None, *, issued: bool = False) -> None:
    """The moment of a prior approval: not after `latest` (now, or the issue), and not more
    than APPROVAL_MAX_AGE_DAYS before the start of the measure."""
    approved_at = _aware(approved_at)
    if approved_at > _aware(latest):
        if issued:
            raise RuleError(_("The approval is recorded as given at {time}, after the measure "
                              "was issued ({issued}): an approval must come before the "
                              "issue.").format(time=_clock_text(approved_at, tz),
                                               issued=_clock_text(latest, tz)), "approved_at")
        raise RuleError(_("The time of the approval ({time}) is in the future.").format(
            time=_clock_text(approved_at, tz)), "approved_at")
    if started_at is not None and \
            approved_at < _aware(started_at) - timedelta(days=APPROVAL_MAX_AGE_DAYS):
        raise RuleError(_("The approval ({time}) is more than {days} days older than the start "
                          "of the measure ({start}): check the date.").format(
                              time=_clock_text(approved_at, tz), days=APPROVAL_MAX_AGE_DAYS,
                              start=_clock_text(started_at, tz)), "approved_at")


def check_approval(emergency: bool | None, approver: str | None, approved_at: datetime | None,
                   started_at: datetime | None, issued_at: datetime,
                   tz: tzinfo | None = None) -> None:
    """A measure issued at `issued_at` has the agency head's prior approval (who and when),
    unless it was taken on the spot as an emergency measure (reported afterwards)."""
    if emergency:
        return
    if not (approver or "").strip() or approved_at is None:
        raise RuleError(_("The agency head's prior approval is not recorded (行政强制法 art. 18 "
                          "(一)): record who approved the measure and when before issuing it. A "
                          "measure taken on the spot before approval is an emergency measure "
                          "and is reported within 24 hours."), "approval")
    check_approval_time(approved_at, started_at, issued_at, tz, issued=True)


@dataclass(frozen=True)
class EmergencyStatus:
    due: datetime  # report and get approval before this moment
    reported_at: datetime | None
    hours_left: float  # at `now`; negative once overdue
    reason: str = ""  # given with the report (required when it was late)

    @property
    def overdue(self) -> bool:
        """Not reported, and more than 24 hours have passed since the start."""
        return self.reported_at is None and self.hours_left < 0

    @property
    def late(self) -> bool:
        """Reported, but after its 24 hours."""
        return self.reported_at is not None and _aware(self.reported_at) > self.due


def emergency_status(seizure: Any, now: datetime) -> EmergencyStatus | None:
    """The 24-hour reporting deadline of a measure taken before approval, else None."""
    if not seizure.emergency:
        return None
    return emergency_deadline(seizure.started_at, seizure.emergency_reported_at,
                              getattr(seizure, "emergency_report_reason", None), now)


def emergency_deadline(started_at: datetime, reported_at: datetime | None,
                       reason: str | None, now: datetime) -> EmergencyStatus:
    due = _aware(started_at) + timedelta(hours=EMERGENCY_REPORT_HOURS)
    left = (due - _aware(now)).total_seconds() / 3600
    return EmergencyStatus(due, reported_at, left, reason or "")


def check_emergency_report(status: EmergencyStatus, approver: str, reason: str,
                           now: datetime, tz: tzinfo | None = None) -> None:
    """A report made at `now`: once, naming the approver; a late one gives its reason."""
    if status.reported_at is not None:
        raise RuleError(_("The emergency measure has already been reported."), "emergency")
    if not (approver or "").strip():
        raise RuleError(_("Enter who approved the emergency measure."), "approver")
    if _aware(now) > status.due and not (reason or "").strip():
        raise RuleError(_("The report is late: it was due by {time} (24 hours after the "
                          "measure started, 行政强制法 art. 19). Give the reason for the "
                          "delay.").format(time=_clock_text(status.due, tz)), "reason")


def check_emergency_reported(status: EmergencyStatus | None, target: str,
                             tz: tzinfo | None = None) -> None:
    """An emergency measure is extended or confirmed (confiscated, destroyed, transferred)
    only after it was reported and approved; release is never held back."""
    if status is None or status.reported_at is not None or target == RELEASED:
        return
    label = _(STATE_LABELS[target]) if target in STATE_LABELS else target
    if status.overdue:
        raise RuleError(_("The emergency measure was not reported within 24 hours (due "
                          "{time}, 行政强制法 art. 19): record the late report, with the "
                          "reason for the delay, before it can become {target}. It can be "
                          "released at any time.").format(time=_clock_text(status.due, tz),
                                                          target=label), "emergency")
    raise RuleError(_("The emergency measure has not been reported to the agency head yet "
                      "(due {time}, 行政强制法 art. 19): record the report and approval "
                      "before it can become {target}.").format(
                          time=_clock_text(status.due, tz), target=label), "emergency")
