"""The daily log: shifts, rapid tests, re-tests and follow-up, scale checks, complaints.

Every change goes through `records.create` / `records.update`, so each is a version with
its history, audit entry and outbox entry. Many rows added at once (a paste, an import)
are one version, not one per row.

A closed shift takes no new tests, scale checks or complaints, and its tests can no longer
be corrected; what happens afterwards (the follow-up of a positive, of a complaint) can
still be recorded, as new versions.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import records, settings, validation
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import (
    Complaint,
    Market,
    RapidTest,
    ScaleCheck,
    WorkLog,
)
from inspector_app.core.stalls import stall_place
from inspector_app.core.store import local_offset_minutes, utcnow
from inspector_app.core.worklog import entry, items, record_rules
from inspector_app.core.worklog import workstation as ws_mod
from inspector_app.core.worklog.entry import EntryContext, TestInput
from inspector_app.core.worklog.items import WorklogError

log = logging.getLogger(__name__)

OPEN, CLOSED = "open", "closed"
REWEIGH_TOLERANCE_G = settings.Option(
    "worklog_reweigh_tolerance_g", 0, int,
    N_("Fair-scale re-weigh: shortfall (grams) still accepted before it is flagged"))
SCALE_RESULTS = {"pass": N_("Pass"), "fail": N_("Failed"), "overdue": N_("Overdue")}
COMPLAINT_STATUSES = {OPEN: N_("Being handled"), CLOSED: N_("Settled")}
COMPLAINT_CATEGORIES = {"complaint": N_("Complaint"), "report": N_("Report")}


class NotFound(WorklogError):
    pass


# --- loading -------------------------------------------------------------------------------


def load(session: Session, log_id: str) -> WorkLog:
    wl = session.get(WorkLog, log_id, options=[
        selectinload(WorkLog.tests), selectinload(WorkLog.scale_checks),
        selectinload(WorkLog.complaints)])
    if wl is None:
        raise NotFound(_("There is no workstation log {id}.").format(id=log_id), "log")
    return wl


def current_log(session: Session, workstation_id: str | None = None) -> WorkLog | None:
    """The open shift (the latest one) of the workstation, if any. A log made before logs
    named their workstation belongs to the workstation of its market."""
    q = select(WorkLog.id).where(WorkLog.status == OPEN)
    if workstation_id:
        station = ws_mod.load(session, workstation_id)
        q = q.where((WorkLog.workstation_id == workstation_id)
                    | (WorkLog.workstation_id.is_(None)
                       & (WorkLog.market_id == station.market_id)))
    found = session.scalars(q.order_by(WorkLog.opened_at.desc()).limit(1)).first()
    return load(session, found) if found else None


def logs_on(session: Session, day: date) -> list[WorkLog]:
    ids = session.scalars(select(WorkLog.id).where(WorkLog.log_date == day.isoformat())
                          .order_by(WorkLog.opened_at)).all()
    return [load(session, i) for i in ids]


def _need_open(wl: WorkLog) -> None:
    if wl.status != OPEN:
        raise WorklogError(_("The shift of {day} is closed: it takes no new entries and its "
                             "tests can no longer be corrected.").format(day=wl.log_date),
                           "status")


def _check_version(wl: WorkLog, expected_version: int | None) -> int:
    if expected_version is not None and wl.version != expected_version:
        raise records.VersionConflict("worklog", wl.id, expected_version, wl.version)
    return wl.version


def log_tz(wl: WorkLog):
    return entry.log_tz(wl.created_offset)


# --- shifts --------------------------------------------------------------------------------


def open_shift(session: Session, actor: records.Actor, operator_name: str,
               workstation_id: str | None = None, market_id: str | None = None,
               now: datetime | None = None) -> WorkLog:
    """Open today's shift (开班). Refused while another shift is open."""
    now = now or utcnow()
    if not operator_name.strip():
        raise WorklogError(_("Enter the operator on duty."), "operator")
    station = ws_mod.load(session, workstation_id) if workstation_id else None
    market_id = market_id or (station.market_id if station else None)
    if market_id and session.get(Market, market_id) is None:
        raise WorklogError(_("The market no longer exists."), "market")
    already = current_log(session, workstation_id)
    if already is not None:
        raise WorklogError(_("The shift of {day} is still open: close it before opening a new "
                             "one.").format(day=already.log_date), "status")
    day = now.astimezone(entry.log_tz(local_offset_minutes(now))).date()
    wl = WorkLog(status=OPEN, market_id=market_id, log_date=day.isoformat(),
                 operator_name=operator_name.strip(), opened_at=now, closed_at=None,
                 summary="", workstation_id=workstation_id)
    return records.create(session, wl, actor, now=now)


def close_shift(session: Session, actor: records.Actor, log_id: str, summary: str = "",
                expected_version: int | None = None, now: datetime | None = None) -> WorkLog:
    """Close the shift (交班): the summary is written from the day's figures when left empty."""
    wl = load(session, log_id)
    expected = _check_version(wl, expected_version)
    _need_open(wl)
    now = now or utcnow()
    wl.status = CLOSED
    wl.closed_at = now
    wl.summary = summary.strip() or summary_text(wl)
    return records.update(session, wl, actor, expected, now=now)


def summary_text(wl: WorkLog) -> str:
    """The day in one sentence, in Chinese (it is printed)."""
    tests = [t for t in wl.tests if not t.retest_of]
    retests = len(wl.tests) - len(tests)
    positives = [t for t in tests if t.conclusion == items.POSITIVE]
    reweighs = [s for s in wl.scale_checks if s.kind == "reweigh"]
    checks = [s for s in wl.scale_checks if s.kind != "reweigh"]
    flagged = [s for s in checks if s.result in ("fail", "overdue")]
    short = [s for s in reweighs if s.result == "fail"]
    closed = [c for c in wl.complaints if c.status == CLOSED]
    return (f"快速检测{len(tests)}批次，阳性{len(positives)}批次"
            + (f"（复检{retests}批次）" if retests else "") + "；"
            f"计量器具检查{len(checks)}台次，不合格或超期{len(flagged)}台次；"
            f"公平秤复秤{len(reweighs)}次，短缺{len(short)}次；"
            f"受理投诉举报{len(wl.complaints)}件，办结{len(closed)}件。")


# --- the entry context -----------------------------------------------------------------------


def entry_context(session: Session, wl: WorkLog, now: datetime | None = None) -> EntryContext:
    """What checking a test row of `wl` needs (plain data: usable off the session)."""
    now = now or utcnow()
    station = ws_mod.load(session, wl.workstation_id) if wl.workstation_id else \
        ws_mod.the_workstation(session)
    reagents, instruments = [], []
    if station is not None:
        reagents = [entry.ReagentInfo(r.test_item, r.batch_no,
                                      date.fromisoformat(r.expires_on))
                    for r in station.reagents]
        instruments = [entry.InstrumentInfo(
            i.number, i.name, date.fromisoformat(i.valid_until) if i.valid_until else None,
            tuple(t for t in (i.test_items or "").split("、") if t), i.active is not False)
            for i in station.instruments]
    last_limits: dict[str, str] = {}
    categories: dict[str, str] = {}
    for item, limit, product, category in reversed(_recent(
            session, "test_item, limit_value, product_name, category")):
        if limit:
            last_limits[item] = limit
        if category:
            categories[product] = category
    ctx = EntryContext(
        log_date=date.fromisoformat(wl.log_date), tz=log_tz(wl), now=now,
        default_tester=wl.operator_name,
        samples={t.sample_no: t.conclusion for t in wl.tests},
        reagents=reagents, instruments=instruments, last_limits=last_limits,
        categories=categories)
    ctx.next_seq = _next_seq(session, ctx)
    return ctx


RECENT = 5000  # how many of the latest tests the defaults and completions learn from


def _recent(session: Session, columns: str, limit: int = RECENT) -> list:
    """`columns` of the latest `limit` tests, newest first (cheap on any store size: it
    walks the primary key backwards)."""
    return list(session.execute(text(
        f"SELECT {columns} FROM rapid_tests ORDER BY pk DESC LIMIT :n"), {"n": limit}))


def _next_seq(session: Session, ctx: EntryContext) -> int:
    """One more than the highest sequence of the day's sample numbers (every shift)."""
    prefix = ctx.sample_prefix
    highest = 0
    for (number,) in session.execute(text(
            "SELECT t.sample_no FROM rapid_tests t JOIN work_logs w ON w.id = t.worklog_id "
            "WHERE w.log_date = :d"), {"d": ctx.log_date.isoformat()}):
        if number.startswith(prefix) and number[len(prefix):].isdigit():
            highest = max(highest, int(number[len(prefix):]))
    return highest + 1


# --- tests ---------------------------------------------------------------------------------


def _row(test: TestInput, conclusion: str, position: int) -> RapidTest:
    return RapidTest(
        position=position, sample_no=test.sample_no, category=test.category.strip(),
        product_name=test.product_name.strip(), stall_no=test.stall_no.strip(),
        test_item=items.canonical_item_name(test.test_item), method=test.method.strip(),
        value=test.value, unit=test.unit.strip(), limit_value=test.limit_value.strip(),
        conclusion=conclusion, tester=test.tester.strip(), tested_at=test.tested_at,
        instrument_no=test.instrument_no.strip(), reagent_batch=test.reagent_batch.strip(),
        retest_of=test.retest_of or None)


class RowsRefused(WorklogError):
    """Tests the rules refuse: `problems` is [(index in the input, {field: reason})]."""

    def __init__(self, problems: list[tuple[int, dict[str, str]]]):
        first = problems[0]
        super().__init__(_("{n} of the tests cannot be saved; the first (row {row}): {reason}")
                         .format(n=len(problems), row=first[0] + 1,
                                 reason="; ".join(first[1].values())), "tests")
        self.problems = problems


def add_tests(session: Session, actor: records.Actor, log_id: str,
              tests: Sequence[TestInput], expected_version: int | None = None,
              now: datetime | None = None) -> list[RapidTest]:
    """Add tests to an open log, all in one new version. Each is checked again and its
    conclusion computed here; if any is refused, none is added (RowsRefused)."""
    if not tests:
        return []
    now = now or utcnow()
    wl = load(session, log_id)
    expected = _check_version(wl, expected_version)
    _need_open(wl)
    ctx = entry_context(session, wl, now)
    numbered = entry.with_sample_numbers(list(tests), ctx)
    problems: list[tuple[int, dict[str, str]]] = []
    taken: list[str] = []
    added: list[RapidTest] = []
    position = max((t.position for t in wl.tests), default=0)
    for n, test in enumerate(numbered):
        conclusion, errors, _warnings = entry.check_test(test, ctx, taken)
        taken.append(test.sample_no)
        if errors or conclusion is None:
            problems.append((n, errors or {"value": _("No conclusion could be computed.")}))
            continue
        position += 1
        added.append(_row(test, conclusion, position))
    if problems:
        raise RowsRefused(problems)
    wl.tests.extend(added)
    records.update(session, wl, actor, expected, now=now)
    return added


def find_test(wl: WorkLog, sample_no: str) -> RapidTest:
    for t in wl.tests:
        if t.sample_no == sample_no:
            return t
    raise NotFound(_("There is no sample {no} in this log.").format(no=sample_no), "sample_no")


def update_test(session: Session, actor: records.Actor, log_id: str, sample_no: str,
                test: TestInput, expected_version: int | None = None,
                now: datetime | None = None) -> RapidTest:
    """Correct a test of an open log (the old values stay in the history)."""
    now = now or utcnow()
    wl = load(session, log_id)
    expected = _check_version(wl, expected_version)
    _need_open(wl)
    row = find_test(wl, sample_no)
    ctx = entry_context(session, wl, now)
    test = replace(test, sample_no=test.sample_no or sample_no)
    conclusion, errors, _warnings = entry.check_test(test, ctx, own_sample=sample_no)
    if errors or conclusion is None:
        raise RowsRefused([(0, errors or {"value": _("No conclusion could be computed.")})])
    new = _row(test, conclusion, row.position)
    for key in ("sample_no", "category", "product_name", "stall_no", "test_item", "method",
                "value", "unit", "limit_value", "conclusion", "tester", "tested_at",
                "instrument_no", "reagent_batch", "retest_of"):
        setattr(row, key, getattr(new, key))
    records.update(session, wl, actor, expected, now=now)
    return row


def test_input(t: RapidTest) -> TestInput:
    """A stored test as input (to edit it, or to make its re-test)."""
    mode = entry.mode_of(t.test_item, t.value, t.conclusion if t.value is None else None)
    return TestInput(
        product_name=t.product_name, test_item=t.test_item, value=t.value,
        reading=t.conclusion if mode == items.QUALITATIVE else None, sample_no=t.sample_no,
        stall_no=t.stall_no, category=t.category, method=t.method, unit=t.unit,
        limit_value=t.limit_value, tester=t.tester, tested_at=t.tested_at,
        instrument_no=t.instrument_no, reagent_batch=t.reagent_batch, retest_of=t.retest_of)


def retest_cells(wl: WorkLog, sample_no: str, ctx: EntryContext) -> dict[str, str]:
    """A new row for re-testing `sample_no`: same stall, product and item, no value yet."""
    t = find_test(wl, sample_no)
    return {"sample_no": ctx.new_sample_no(), "stall_no": t.stall_no,
            "product_name": t.product_name, "category": t.category,
            "test_item": t.test_item, "unit": t.unit, "limit_value": t.limit_value,
            "method": t.method, "instrument_no": t.instrument_no, "retest_of": t.sample_no}


def retests_of(wl: WorkLog, sample_no: str) -> list[RapidTest]:
    return [t for t in wl.tests if t.retest_of == sample_no]


def awaiting_retest(wl: WorkLog) -> list[RapidTest]:
    """Positive first tests that have no re-test yet (a positive asks for one)."""
    retested = {t.retest_of for t in wl.tests if t.retest_of}
    return [t for t in wl.tests if t.conclusion == items.POSITIVE and not t.retest_of
            and t.sample_no not in retested]


def awaiting_follow_up(wl: WorkLog) -> list[RapidTest]:
    """Positives whose handling is not recorded: no follow-up, check or seizure, and (for a
    first test) a re-test that did not clear it."""
    out = []
    for t in wl.tests:
        if t.conclusion != items.POSITIVE or t.follow_up or t.linked_check_id or \
                t.linked_seizure_id:
            continue
        if not t.retest_of and retests_of(wl, t.sample_no):
            continue  # its re-test carries the follow-up
        out.append(t)
    return out


def set_follow_up(session: Session, actor: records.Actor, log_id: str, sample_no: str,
                  follow_up: str, expected_version: int | None = None,
                  now: datetime | None = None) -> RapidTest:
    """Record what was done about a test (removal of goods, lab confirmation...). Allowed on
    a closed shift too: follow-up comes later."""
    wl = load(session, log_id)
    expected = _check_version(wl, expected_version)
    t = find_test(wl, sample_no)
    t.follow_up = follow_up.strip() or None
    records.update(session, wl, actor, expected, now=now)
    return t


def link_record(session: Session, actor: records.Actor, log_id: str, sample_no: str, *,
                check_id: str | None = None, seizure_id: str | None = None,
                now: datetime | None = None) -> RapidTest:
    """Note on a test the labeling check or seizure started from it."""
    wl = load(session, log_id)
    t = find_test(wl, sample_no)
    if check_id:
        t.linked_check_id = check_id
    if seizure_id:
        t.linked_seizure_id = seizure_id
    records.update(session, wl, actor, wl.version, now=now)
    return t


@dataclass
class Prefill:
    """What a labeling check or seizure started from a positive test is prefilled with."""

    market_id: str | None
    stall_no: str
    product_name: str
    category: str
    place: str
    finding: str  # one sentence, Chinese (it goes into the record)


def prefill_from_test(session: Session, log_id: str, sample_no: str) -> Prefill:
    wl = load(session, log_id)
    t = find_test(wl, sample_no)
    market = session.get(Market, wl.market_id) if wl.market_id else None
    place = stall_place(market.name if market else "", t.stall_no)
    value = items.format_value(t.value)
    shown = f"{value}{t.unit}" if value else entry.format_reading(t.conclusion)
    finding = (f"{wl.log_date}快速检测：样品编号{t.sample_no}，{t.product_name}，"
               f"检测项目{t.test_item}，检测结果{shown}，结论阳性。")
    return Prefill(wl.market_id, t.stall_no, t.product_name, t.category, place, finding)


def start_seizure(session: Session, actor: records.Actor, log_id: str, sample_no: str,
                  officer_ids: Sequence[str] = (), now: datetime | None = None) -> str:
    """Start a seizure draft prefilled with the market, stall and product of a positive
    test, and link it from the test. Returns the seizure's id."""
    from inspector_app.core.seizure import service as seizure_service

    wl = load(session, log_id)
    t = find_test(wl, sample_no)
    if t.conclusion != items.POSITIVE:
        raise WorklogError(_("Only a positive test can start a seizure."), "conclusion")
    pre = prefill_from_test(session, log_id, sample_no)
    bases = [b for b in seizure_service.legal_bases(session) if "食品安全法" in b] or \
        seizure_service.legal_bases(session)
    data = seizure_service.DraftInput(
        officer_ids=list(officer_ids), market_id=pre.market_id, place=pre.place,
        custody_place=pre.place, legal_basis=bases[0] if bases else "",
        items=[seizure_service.ItemInput(
            name=pre.product_name, quantity=Decimal(1), unit="批",
            remark=f"快检样品{t.sample_no}，数量待现场核实")],
        onsite_record=pre.finding)
    seizure = seizure_service.create_draft(session, actor, data, now=now)
    link_record(session, actor, log_id, sample_no, seizure_id=seizure.id, now=now)
    return seizure.id


CHECK_FORM = "packaged_food"  # the checklist a positive rapid test starts (bulk food)


def start_check(session: Session, actor: records.Actor, log_id: str, sample_no: str,
                form_id: str = CHECK_FORM, now: datetime | None = None) -> str:
    """Start a labeling check (a draft record) prefilled with the market, stall and product
    of a positive test, and link it from the test. Returns the check's id."""
    from inspector_app.core.checks import rules as check_rules
    from inspector_app.core.checks import service as check_service
    from inspector_app.forms import definitions

    now = now or utcnow()
    wl = load(session, log_id)
    t = find_test(wl, sample_no)
    if t.conclusion != items.POSITIVE:
        raise WorklogError(_("Only a positive test can start a labeling check."), "conclusion")
    pre = prefill_from_test(session, log_id, sample_no)
    registry = definitions.registry_for(session)
    defn = registry.latest(form_id) or next(iter(registry.current()), None)
    if defn is None:
        raise WorklogError(_("No checklist is installed on this device."), "form")
    data = check_rules.new_input(defn)
    data.market_id = pre.market_id
    data.stall_number = pre.stall_no
    data.checked_at = now
    data.values["product_name"] = pre.product_name
    packaging = defn.field("packaging")
    if packaging is not None and any(c.value == "bulk" for c in packaging.choices or ()):
        data.values["packaging"] = "bulk"  # a market's produce is sold unpackaged
    data.remarks = pre.finding
    try:
        saved = check_service.save(session, actor, data, final=False, registry=registry,
                                   now=now)
    except check_service.CheckError as exc:
        raise WorklogError(exc.message, "check") from exc
    link_record(session, actor, log_id, sample_no, check_id=saved.check_id, now=now)
    return saved.check_id


# --- scale checks and fair-scale re-weighs -------------------------------------------------


@dataclass
class ScaleInput:
    """A verification check of a stall's scale (kind "verification") or a fair-scale
    re-weigh (kind "reweigh": claimed and actual weight, in kg)."""

    kind: str = "verification"
    stall_no: str = ""
    instrument_name: str = ""
    model: str = ""
    serial_no: str = ""
    cert_no: str = ""
    verified_on: str = ""
    valid_until: str = ""
    result: str = ""  # the operator's finding for a verification check: pass / fail
    product_name: str = ""
    claimed_weight: Decimal | str | None = None
    actual_weight: Decimal | str | None = None
    note: str = ""
    checked_at: datetime | None = None


def scale_flags(check: ScaleCheck | ScaleInput, on: date) -> list[str]:
    """Why a scale is prohibited: unverified (no certificate or date), failed, overdue."""
    if check.kind == "reweigh":
        return ["short"] if check.result == "fail" else []
    flags = []
    if not (check.cert_no or "").strip() or not (check.valid_until or "").strip():
        flags.append("unverified")
    else:
        until = ws_mod.parse_date(check.valid_until, "valid_until")
        if until is not None and until < on:
            flags.append("overdue")
    if check.result == "fail" and "unverified" not in flags:
        flags.append("failed")
    return flags


FLAG_LABELS = {"unverified": N_("Unverified or unmarked"), "overdue": N_("Verification overdue"),
               "failed": N_("Failed"), "short": N_("Short weight")}
FLAG_CN = {"unverified": "未检定/无标志", "overdue": "超期未检", "failed": "检定不合格",
           "short": "短斤缺两"}


def difference(check: ScaleCheck) -> Decimal | None:
    """Actual minus claimed weight (kg): negative when the buyer got less."""
    if check.claimed_weight is None or check.actual_weight is None:
        return None
    return check.actual_weight - check.claimed_weight


def add_scale_check(session: Session, actor: records.Actor, log_id: str, data: ScaleInput,
                    expected_version: int | None = None, now: datetime | None = None
                    ) -> ScaleCheck:
    now = now or utcnow()
    wl = load(session, log_id)
    expected = _check_version(wl, expected_version)
    _need_open(wl)
    at = data.checked_at or now
    day = at.astimezone(log_tz(wl)).date()
    row = ScaleCheck(position=max((s.position for s in wl.scale_checks), default=0) + 1,
                     kind=data.kind, stall_no=data.stall_no.strip(), checked_at=at,
                     note=data.note.strip() or None)
    if data.kind == "reweigh":
        claimed = record_rules.weight(data.claimed_weight, "claimed_weight")
        actual = record_rules.weight(data.actual_weight, "actual_weight")
        tolerance = Decimal(REWEIGH_TOLERANCE_G.get(session)) / 1000
        row.product_name = data.product_name.strip() or None
        row.instrument_name = data.instrument_name.strip() or "公平秤"
        row.claimed_weight, row.actual_weight = claimed, actual
        row.result = "fail" if actual - claimed < -tolerance else "pass"
    elif data.kind == "verification":
        record_rules.check_scale_named(data.stall_no, data.serial_no)
        if data.result not in ("", "pass", "fail"):
            raise WorklogError(_("The result is pass or fail."), "result")
        verified = ws_mod.parse_date(data.verified_on, "verified_on")
        until = ws_mod.parse_date(data.valid_until, "valid_until")
        if verified and verified > day:
            raise WorklogError(_("The verification date is after the day of the check."),
                               "verified_on")
        row.instrument_name = data.instrument_name.strip() or "电子计价秤"
        row.model, row.serial_no = data.model.strip(), data.serial_no.strip()
        row.cert_no = data.cert_no.strip()
        row.verified_on = verified.isoformat() if verified else ""
        row.valid_until = until.isoformat() if until else ""
        flags = scale_flags(ScaleInput(cert_no=row.cert_no, valid_until=row.valid_until,
                                       result=data.result), day)
        # result: the stored summary; "overdue" when only the date is the problem.
        if "failed" in flags or "unverified" in flags:
            row.result = "fail"
        elif "overdue" in flags:
            row.result = "overdue"
        else:
            row.result = data.result or "pass"
        if "unverified" in flags and not row.note:
            row.note = "未经检定或无检定标志"
    else:
        raise WorklogError(_("Unknown kind of scale check."), "kind")
    wl.scale_checks.append(row)
    records.update(session, wl, actor, expected, now=now)
    return row


# --- complaints ------------------------------------------------------------------------------


@dataclass
class ComplaintInput:
    content: str
    category: str = "complaint"  # complaint 投诉 / report 举报
    complainant: str = ""
    phone: str = ""
    stall_no: str = ""
    handler: str = ""
    received_at: datetime | None = None


def add_complaint(session: Session, actor: records.Actor, log_id: str, data: ComplaintInput,
                  expected_version: int | None = None, now: datetime | None = None
                  ) -> Complaint:
    now = now or utcnow()
    wl = load(session, log_id)
    expected = _check_version(wl, expected_version)
    _need_open(wl)
    record_rules.check_complaint_content(data.content)
    if data.category not in COMPLAINT_CATEGORIES:
        raise WorklogError(_("Choose complaint or report."), "category")
    phone = validation.check_phone(data.phone) if data.phone.strip() else ""
    row = Complaint(position=max((c.position for c in wl.complaints), default=0) + 1,
                    received_at=data.received_at or now, complainant=data.complainant.strip(),
                    phone=phone, stall_no=data.stall_no.strip(), content=data.content.strip(),
                    status=OPEN, follow_up="", category=data.category,
                    handler=data.handler.strip() or None, closed_at=None)
    wl.complaints.append(row)
    records.update(session, wl, actor, expected, now=now)
    return row


def update_complaint(session: Session, actor: records.Actor, log_id: str, position: int,
                     follow_up: str, close: bool = False, expected_version: int | None = None,
                     now: datetime | None = None) -> Complaint:
    """Record the follow-up of a complaint, and close it (closing needs a follow-up)."""
    now = now or utcnow()
    wl = load(session, log_id)
    expected = _check_version(wl, expected_version)
    row = next((c for c in wl.complaints if c.position == position), None)
    if row is None:
        raise NotFound(_("There is no complaint {n} in this log.").format(n=position),
                       "complaint")
    if close:
        record_rules.check_closing(follow_up)
    row.follow_up = follow_up.strip()
    if close and row.status != CLOSED:
        row.status, row.closed_at = CLOSED, now
    records.update(session, wl, actor, expected, now=now)
    return row


# --- completion from history -----------------------------------------------------------------


def completions(session: Session, limit: int = 300, market_id: str | None = None
                ) -> dict[str, list[str]]:
    """Values typed before, most used among the latest tests first, for completing stalls,
    products, items and categories; then the market's stalls and the catalogue's items."""
    keys = ("stall_no", "product_name", "test_item", "category", "tester")
    counts: dict[str, Counter[str]] = {key: Counter() for key in keys}
    for row in _recent(session, ", ".join(keys)):
        for key, value in zip(keys, row, strict=True):
            if value:
                counts[key][value] += 1
    out = {key: [v for v, _n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]
           for key, c in counts.items()}
    if market_id:
        stalls = session.execute(text(
            "SELECT DISTINCT number FROM stalls WHERE market_id = :m ORDER BY number "
            "LIMIT 2000"), {"m": market_id}).scalars().all()
        known = set(out["stall_no"])
        out["stall_no"] += [s for s in stalls if s not in known]
    known = set(out["test_item"])
    out["test_item"] += [n for n in items.item_names() if n not in known]
    return out


# --- figures for reports ---------------------------------------------------------------------


def tests_by_item(tests: Sequence[RapidTest]) -> list[tuple[str, int, int, int]]:
    """(item, tests, negative, positive), most tested first."""
    total: Counter[str] = Counter()
    pos: Counter[str] = Counter()
    for t in tests:
        total[t.test_item] += 1
        if t.conclusion == items.POSITIVE:
            pos[t.test_item] += 1
    return [(item, n, n - pos[item], pos[item])
            for item, n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))]


def month_logs(session: Session, year: int, month: int,
               workstation_id: str | None = None) -> list[WorkLog]:
    """The logs of a month (of one workstation), with their rows, in date order."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    q = select(WorkLog).where(
        WorkLog.log_date >= start.isoformat(), WorkLog.log_date < end.isoformat()).options(
        selectinload(WorkLog.tests), selectinload(WorkLog.scale_checks),
        selectinload(WorkLog.complaints)).order_by(WorkLog.log_date, WorkLog.opened_at)
    if workstation_id:
        q = q.where(WorkLog.workstation_id == workstation_id)
    return list(session.scalars(q))


def count_logs(session: Session) -> int:
    return session.execute(select(func.count()).select_from(WorkLog)).scalar_one()
