"""The workstation's set-up, and the reminders drawn from it.

A workstation (市场质量检验工作站) is one audited entity: its market, its operators, its
instruments (name, model, serial number, verification certificate number, verified on,
valid until) and its reagent batches (test item, batch number, expiry). Saving the set-up
makes one new version of it; nothing is deleted (an instrument or operator taken out of
use is marked inactive, and stays in the history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import records, validation
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import (
    Instrument,
    Market,
    ReagentBatch,
    WorkLog,
    Workstation,
    WorkstationOperator,
)
from inspector_app.core.store import utcnow
from inspector_app.core.worklog import items
from inspector_app.core.worklog.items import WorklogError

EXPIRY_WARNING_DAYS = 30  # instruments whose verification expires within this many days
REAGENT_WARNING_DAYS = 7


@dataclass
class OperatorInput:
    name: str
    cert_no: str = ""
    inspector_id: str | None = None
    active: bool = True


@dataclass
class InstrumentInput:
    number: str
    name: str
    model: str = ""
    serial_no: str = ""
    cert_no: str = ""
    verified_on: str = ""  # YYYY-MM-DD
    valid_until: str = ""
    test_items: Sequence[str] = ()
    active: bool = True


@dataclass
class ReagentInput:
    test_item: str
    batch_no: str
    expires_on: str  # YYYY-MM-DD, the last day it may be used
    name: str = ""
    manufacturer: str = ""
    received_on: str = ""


@dataclass
class WorkstationInput:
    name: str
    market_id: str | None = None
    address: str = ""
    phone: str = ""
    operators: list[OperatorInput] = field(default_factory=list)
    instruments: list[InstrumentInput] = field(default_factory=list)
    reagents: list[ReagentInput] = field(default_factory=list)


def parse_date(text: str | None, field_name: str, required: bool = False) -> date | None:
    raw = (text or "").strip().replace("/", "-").replace(".", "-")
    if not raw:
        if required:
            raise WorklogError(_("Enter the date."), field_name)
        return None
    try:
        parts = [int(p) for p in raw.split("-")]
        return date(*parts)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise WorklogError(_("“{text}” is not a date: write it as 2026-11-26.")
                           .format(text=text), field_name) from exc


def _date_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def load(session: Session, workstation_id: str) -> Workstation:
    ws = session.get(Workstation, workstation_id, options=[
        selectinload(Workstation.operators), selectinload(Workstation.instruments),
        selectinload(Workstation.reagents)])
    if ws is None:
        raise WorklogError(_("The workstation is not set up."), "workstation")
    return ws


def workstations(session: Session) -> list[Workstation]:
    return list(session.scalars(select(Workstation).order_by(Workstation.created_at)))


def the_workstation(session: Session) -> Workstation | None:
    """This device's workstation (the first one set up), if any."""
    first = session.scalars(select(Workstation.id).order_by(Workstation.created_at)
                            .limit(1)).first()
    return load(session, first) if first else None


def _check(session: Session, data: WorkstationInput) -> tuple[list, list, list]:
    if not data.name.strip():
        raise WorklogError(_("Enter the workstation's name."), "name")
    if data.market_id and session.get(Market, data.market_id) is None:
        raise WorklogError(_("The market no longer exists."), "market")
    if data.phone.strip():
        validation.check_phone(data.phone)
    operators = []
    for n, op in enumerate(data.operators, start=1):
        if not op.name.strip():
            raise WorklogError(_("Operator {n}: enter the name.").format(n=n), "operators")
        operators.append(WorkstationOperator(
            position=n, name=op.name.strip(), cert_no=op.cert_no.strip() or None,
            inspector_id=op.inspector_id, active=bool(op.active)))
    instruments = []
    for n, inst in enumerate(data.instruments, start=1):
        if not inst.number.strip() or not inst.name.strip():
            raise WorklogError(_("Instrument {n}: enter its number and name.").format(n=n),
                               "instruments")
        verified = parse_date(inst.verified_on, "instruments")
        until = parse_date(inst.valid_until, "instruments")
        if verified and until and until < verified:
            raise WorklogError(_("Instrument {n}: the verification is valid until a day "
                                 "before it was made.").format(n=n), "instruments")
        instruments.append(Instrument(
            position=n, number=inst.number.strip(), name=inst.name.strip(),
            model=inst.model.strip() or None, serial_no=inst.serial_no.strip() or None,
            cert_no=inst.cert_no.strip() or None, verified_on=_date_text(verified),
            valid_until=_date_text(until),
            test_items="、".join(items.canonical_item_name(t) for t in inst.test_items
                                if t.strip()) or None,
            active=bool(inst.active)))
    numbers = [i.number for i in instruments]
    if len(set(numbers)) != len(numbers):
        raise WorklogError(_("Two instruments have the same number."), "instruments")
    reagents = []
    for n, r in enumerate(data.reagents, start=1):
        if not r.test_item.strip() or not r.batch_no.strip():
            raise WorklogError(_("Reagent batch {n}: enter its test item and batch number.")
                               .format(n=n), "reagents")
        expires = parse_date(r.expires_on, "reagents", required=True)
        reagents.append(ReagentBatch(
            position=n, test_item=items.canonical_item_name(r.test_item),
            batch_no=r.batch_no.strip(), expires_on=expires.isoformat(),  # type: ignore
            name=r.name.strip() or None, manufacturer=r.manufacturer.strip() or None,
            received_on=_date_text(parse_date(r.received_on, "reagents"))))
    keys = [(r.test_item, r.batch_no) for r in reagents]
    if len(set(keys)) != len(keys):
        raise WorklogError(_("A reagent batch is listed twice."), "reagents")
    return operators, instruments, reagents


def save(session: Session, actor: records.Actor, data: WorkstationInput,
         workstation_id: str | None = None, expected_version: int | None = None,
         now: datetime | None = None) -> Workstation:
    """Create the workstation, or save its set-up as its next version."""
    operators, instruments, reagents = _check(session, data)
    if workstation_id is None:
        ws = Workstation(name=data.name.strip(), market_id=data.market_id,
                         address=data.address.strip() or None,
                         phone=data.phone.strip() or None)
        ws.operators, ws.instruments, ws.reagents = operators, instruments, reagents
        return records.create(session, ws, actor, now=now)
    ws = load(session, workstation_id)
    expected = ws.version if expected_version is None else expected_version
    ws.name = data.name.strip()
    ws.market_id = data.market_id
    ws.address = data.address.strip() or None
    ws.phone = data.phone.strip() or None
    ws.operators, ws.instruments, ws.reagents = operators, instruments, reagents
    return records.update(session, ws, actor, expected, now=now)


def add_reagent(session: Session, actor: records.Actor, workstation_id: str,
                reagent: ReagentInput, now: datetime | None = None) -> Workstation:
    """Add one reagent batch to the set-up (one new version)."""
    data = as_input(load(session, workstation_id))
    data.reagents.append(reagent)
    return save(session, actor, data, workstation_id, now=now)


def as_input(ws: Workstation) -> WorkstationInput:
    """The set-up as editable input (e.g. to fill the dialog)."""
    return WorkstationInput(
        name=ws.name, market_id=ws.market_id, address=ws.address or "", phone=ws.phone or "",
        operators=[OperatorInput(o.name, o.cert_no or "", o.inspector_id, o.active is not False)
                   for o in ws.operators],
        instruments=[InstrumentInput(
            i.number, i.name, i.model or "", i.serial_no or "", i.cert_no or "",
            i.verified_on or "", i.valid_until or "",
            [t for t in (i.test_items or "").split("、") if t], i.active is not False)
            for i in ws.instruments],
        reagents=[ReagentInput(r.test_item, r.batch_no, r.expires_on, r.name or "",
                               r.manufacturer or "", r.received_on or "")
                  for r in ws.reagents])


# --- reminders -------------------------------------------------------------------------------

REMINDER_KINDS = {
    "instrument_expired": N_("Instrument verification expired"),
    "instrument_expiring": N_("Instrument verification expiring"),
    "instrument_undated": N_("Instrument without verification date"),
    "reagent_expired": N_("Reagent batch expired"),
    "reagent_expiring": N_("Reagent batch expiring"),
    "retest": N_("Positive awaiting re-test"),
    "follow_up": N_("Positive without follow-up"),
    "complaint": N_("Complaint not closed"),
}


@dataclass(frozen=True)
class Reminder:
    kind: str
    level: str  # error / warning / info
    message: str  # translated
    due: date | None = None
    ref: str = ""  # instrument number, batch number or sample number


def reminders(session: Session, today: date | None = None, workstation_id: str | None = None,
              warn_days: int = EXPIRY_WARNING_DAYS) -> list[Reminder]:
    """What the operator should see when the page opens: instruments whose verification
    has expired or expires within `warn_days`, reagent batches expired or expiring, positives
    of open logs awaiting a re-test or follow-up, complaints not closed. Most urgent first."""
    today = today or utcnow().astimezone().date()
    out: list[Reminder] = []
    stations = [load(session, workstation_id)] if workstation_id else workstations(session)
    for ws in stations:
        for inst in ws.instruments:
            if inst.active is False:
                continue
            until = parse_date(inst.valid_until, "instruments") if inst.valid_until else None
            label = f"{inst.name} {inst.number}"
            if until is None:
                out.append(Reminder("instrument_undated", "warning", _(
                    "{instrument}: no verification valid-until date is recorded.").format(
                    instrument=label), None, inst.number))
            elif until < today:
                out.append(Reminder("instrument_expired", "error", _(
                    "{instrument}: verification (certificate {cert}) expired on {day}; "
                    "do not use it until it is verified again.").format(
                    instrument=label, cert=inst.cert_no or "-", day=until.isoformat()),
                    until, inst.number))
            elif until <= today + timedelta(days=warn_days):
                out.append(Reminder("instrument_expiring", "warning", _(
                    "{instrument}: verification (certificate {cert}) expires on {day}, in "
                    "{days} days.").format(instrument=label, cert=inst.cert_no or "-",
                                           day=until.isoformat(),
                                           days=(until - today).days), until, inst.number))
        latest: dict[str, date] = {}
        for r in ws.reagents:
            exp = date.fromisoformat(r.expires_on)
            latest[r.test_item] = max(latest.get(r.test_item, exp), exp)
        for r in ws.reagents:
            exp = date.fromisoformat(r.expires_on)
            if exp < today:
                if latest[r.test_item] < today:  # no usable batch left for the item
                    out.append(Reminder("reagent_expired", "error", _(
                        "Reagent batch {batch} ({item}) expired on {day}; it cannot be used "
                        "for new tests. Add a new batch.").format(
                        batch=r.batch_no, item=r.test_item, day=exp.isoformat()),
                        exp, r.batch_no))
            elif exp <= today + timedelta(days=REAGENT_WARNING_DAYS):
                out.append(Reminder("reagent_expiring", "warning", _(
                    "Reagent batch {batch} ({item}) expires on {day}.").format(
                    batch=r.batch_no, item=r.test_item, day=exp.isoformat()), exp, r.batch_no))

    logs = session.scalars(select(WorkLog).where(WorkLog.status == "open").options(
        selectinload(WorkLog.tests), selectinload(WorkLog.complaints))).all()
    from inspector_app.core.worklog.service import awaiting_follow_up, awaiting_retest

    for log in logs:
        if workstation_id and log.workstation_id not in (None, workstation_id):
            continue
        for t in awaiting_retest(log):
            out.append(Reminder("retest", "warning", _(
                "Sample {no} ({product}, {item}) is positive: re-test it or send it for "
                "laboratory confirmation.").format(no=t.sample_no, product=t.product_name,
                                                   item=t.test_item), None, t.sample_no))
        for t in awaiting_follow_up(log):
            out.append(Reminder("follow_up", "info", _(
                "Sample {no} ({product}) is positive: record what was done (goods removed, "
                "check or seizure started).").format(no=t.sample_no, product=t.product_name),
                None, t.sample_no))
        for c in log.complaints:
            if c.status != "closed":
                out.append(Reminder("complaint", "info", _(
                    "Complaint {n} ({stall}) is not closed yet.").format(
                    n=c.position, stall=c.stall_no or "-"), None, str(c.position)))
    rank = {"error": 0, "warning": 1, "info": 2}
    out.sort(key=lambda r: (rank[r.level], r.due or date.max, r.kind, r.ref))
    return out
