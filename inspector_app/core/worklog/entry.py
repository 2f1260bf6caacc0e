"""One rapid-test row, as typed, pasted or imported: checked cell by cell.

Every way a test comes in (the entry table, a paste from a spreadsheet, an instrument's
CSV file) gives its cells as text to `check_row`, which fills the defaults (unit, limit,
method, tester, instrument, reagent batch, time), reads the value, and returns either a
`TestInput` or, for each bad cell, the reason. The service checks a `TestInput` again with
`check_test` before it stores it, and computes the conclusion itself: a conclusion is never
taken from the caller.

An `EntryContext` is plain data (no session), so the UI checks cells as they are typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal

from inspector_app.core.i18n import N_, _
from inspector_app.core.worklog import items
from inspector_app.core.worklog.items import WorklogError

FUTURE_SLACK = timedelta(minutes=10)  # a test time further ahead than this is refused


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # translatable: show it with _()
    max_len: int = 0  # 0: not text (checked otherwise)
    printed: str = ""  # the Chinese column name on printed reports and in CSV templates


TEST_FIELDS: tuple[Field, ...] = (
    Field("sample_no", N_("Sample no."), 32, "样品编号"),
    Field("stall_no", N_("Stall"), 32, "摊位号"),
    Field("product_name", N_("Product"), 64, "样品名称"),
    Field("category", N_("Category"), 32, "类别"),
    Field("test_item", N_("Test item"), 32, "检测项目"),
    Field("value", N_("Value / reading"), 0, "检测值"),
    Field("unit", N_("Unit"), 16, "单位"),
    Field("limit_value", N_("Limit"), 32, "限值"),
    Field("tester", N_("Tester"), 64, "检测人"),
    Field("tested_at", N_("Time"), 0, "检测时间"),
    Field("instrument_no", N_("Instrument no."), 64, "仪器编号"),
    Field("reagent_batch", N_("Reagent batch"), 64, "试剂批号"),
    Field("method", N_("Method"), 64, "检测方法"),
    Field("retest_of", N_("Re-test of"), 32, "复检原样品编号"),
)
FIELD_KEYS = tuple(f.key for f in TEST_FIELDS)
FIELDS_BY_KEY = {f.key: f for f in TEST_FIELDS}
REQUIRED = ("product_name", "test_item", "value")


@dataclass(frozen=True)
class ReagentInfo:
    test_item: str
    batch_no: str
    expires_on: date | None


@dataclass(frozen=True)
class InstrumentInfo:
    number: str
    name: str
    valid_until: date | None
    test_items: tuple[str, ...] = ()
    active: bool = True


@dataclass
class EntryContext:
    """What checking a row needs to know about its log and workstation."""

    log_date: date
    tz: tzinfo
    now: datetime
    default_tester: str = ""
    samples: dict[str, str] = field(default_factory=dict)  # sample_no -> conclusion
    reagents: list[ReagentInfo] = field(default_factory=list)
    instruments: list[InstrumentInfo] = field(default_factory=list)
    last_limits: dict[str, str] = field(default_factory=dict)  # item -> limit last used
    categories: dict[str, str] = field(default_factory=dict)  # product -> category
    next_seq: int = 1

    @property
    def sample_prefix(self) -> str:
        return self.log_date.strftime("%Y%m%d") + "-"

    def new_sample_no(self, taken: Iterable[str] = ()) -> str:
        """The next free sample number of the log (e.g. 20261126-007)."""
        used = set(self.samples) | set(taken)
        n = self.next_seq
        while f"{self.sample_prefix}{n:03d}" in used:
            n += 1
        return f"{self.sample_prefix}{n:03d}"

    def is_today(self) -> bool:
        return self.now.astimezone(self.tz).date() == self.log_date

    def reagents_for(self, item: str) -> list[ReagentInfo]:
        name = items.canonical_item_name(item)
        return [r for r in self.reagents if items.canonical_item_name(r.test_item) == name]

    def default_reagent(self, item: str, on: date) -> str:
        """The batch to use for `item` on `on`: the usable one that expires first."""
        usable = [r for r in self.reagents_for(item)
                  if r.expires_on is None or r.expires_on >= on]
        usable.sort(key=lambda r: (r.expires_on or date.max, r.batch_no))
        return usable[0].batch_no if usable else ""

    def default_instrument(self, item: str) -> str:
        name = items.canonical_item_name(item)
        for inst in self.instruments:
            if inst.active and name in {items.canonical_item_name(t) for t in inst.test_items}:
                return inst.number
        return ""


@dataclass
class TestInput:
    """A checked test, ready for the service (which computes its conclusion)."""

    __test__ = False  # not a pytest test class

    product_name: str
    test_item: str
    value: Decimal | None = None
    reading: str | None = None  # negative / positive, for test cards read by eye
    sample_no: str = ""  # "" = the next free number
    stall_no: str = ""
    category: str = ""
    method: str = ""
    unit: str = ""
    limit_value: str = ""
    tester: str = ""
    tested_at: datetime | None = None
    instrument_no: str = ""
    reagent_batch: str = ""
    retest_of: str | None = None


@dataclass
class RowCheck:
    cells: dict[str, str]  # the row as checked, defaults filled in
    test: TestInput | None
    errors: dict[str, str]  # field -> reason
    warnings: dict[str, str]
    conclusion: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def reason(self) -> str:
        """Every error of the row in one line, each with its column's name."""
        return "; ".join(f"{_(FIELDS_BY_KEY[k].label) if k in FIELDS_BY_KEY else k}: {v}"
                         for k, v in self.errors.items())


def fold(text: str | None) -> str:
    """NFKC (full-width digits and letters from an input method become ASCII), stripped."""
    return unicodedata.normalize("NFKC", text or "").strip()


def log_tz(offset_minutes: int | None) -> tzinfo:
    return timezone(timedelta(minutes=offset_minutes or 0))


# --- reading cells ---------------------------------------------------------------------------

_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
_DATETIME_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")


def parse_time(text: str, ctx: EntryContext) -> datetime:
    """An aware time from 08:15, 8:15:30, 2026-11-26 08:15 or 2026/11/26 8:15."""
    raw = fold(text)
    match = _TIME_RE.match(raw)
    day = ctx.log_date
    if match:
        hh, mm, ss = match.groups()
    else:
        match = _DATETIME_RE.match(raw)
        if not match:
            raise WorklogError(_("“{text}” is not a time: write it as 08:15 or "
                                 "2026-11-26 08:15.").format(text=raw), "tested_at")
        y, mo, d, hh, mm, ss = match.groups()
        try:
            day = date(int(y), int(mo), int(d))
        except ValueError as exc:
            raise WorklogError(_("“{text}” is not a valid date.").format(text=raw),
                               "tested_at") from exc
        if hh is None:
            raise WorklogError(_("Add the time of day to “{text}”.").format(text=raw),
                               "tested_at")
    try:
        clock = time(int(hh), int(mm), int(ss or 0))
    except ValueError as exc:
        raise WorklogError(_("“{text}” is not a valid time.").format(text=raw),
                           "tested_at") from exc
    if day != ctx.log_date:
        raise WorklogError(
            _("The test was made on {day}, not on the day of this log ({log_day}).")
            .format(day=day.isoformat(), log_day=ctx.log_date.isoformat()), "tested_at")
    return datetime.combine(day, clock, tzinfo=ctx.tz)


def format_time(moment: datetime | None, ctx_tz: tzinfo) -> str:
    return moment.astimezone(ctx_tz).strftime("%H:%M") if moment else ""


def format_reading(conclusion: str) -> str:
    return items.CONCLUSION_CN.get(conclusion, conclusion)


# --- rows ------------------------------------------------------------------------------------


def fill_defaults(cells: Mapping[str, str], ctx: EntryContext) -> dict[str, str]:
    """The row with the cells a workstation fills by itself: unit, limit and method of the
    item, the category last used for the product, the tester, instrument, reagent batch,
    and the time (now, for today's log). Cells already given are kept."""
    row = {key: fold(cells.get(key, "")) for key in FIELD_KEYS}
    if row["test_item"]:
        row["test_item"] = items.canonical_item_name(row["test_item"])
    item = items.find_item(row["test_item"]) if row["test_item"] else None
    if item is not None:
        row["unit"] = row["unit"] or item.unit
        row["method"] = row["method"] or item.method
        if not row["limit_value"]:
            row["limit_value"] = item.limit or ctx.last_limits.get(item.name, "")
    elif row["test_item"] and not row["limit_value"]:
        row["limit_value"] = ctx.last_limits.get(row["test_item"], "")
    if row["product_name"] and not row["category"]:
        row["category"] = ctx.categories.get(row["product_name"], "")
    row["tester"] = row["tester"] or ctx.default_tester
    if not row["tested_at"] and ctx.is_today():
        row["tested_at"] = ctx.now.astimezone(ctx.tz).strftime("%H:%M:%S")
    if row["test_item"]:
        row["instrument_no"] = row["instrument_no"] or ctx.default_instrument(row["test_item"])
        if not row["reagent_batch"]:
            row["reagent_batch"] = ctx.default_reagent(row["test_item"], ctx.log_date)
    return row


def check_row(cells: Mapping[str, str], ctx: EntryContext, taken: Iterable[str] = (),
              own_sample: str | None = None, defaults: bool = True) -> RowCheck:
    """Check one row of text cells; `taken` are sample numbers of the rows before it in the
    same paste or import, `own_sample` the row's own number when an existing test is edited."""
    row = fill_defaults(cells, ctx) if defaults else {k: fold(cells.get(k, ""))
                                                      for k in FIELD_KEYS}
    errors: dict[str, str] = {}
    for key in REQUIRED:
        if not row[key]:
            errors[key] = _("This cell is required.")
    for f in TEST_FIELDS:
        if f.max_len and len(row[f.key]) > f.max_len:
            errors[f.key] = _("At most {n} characters.").format(n=f.max_len)

    item = items.find_item(row["test_item"]) if row["test_item"] else None
    value: Decimal | None = None
    reading: str | None = None
    if row["value"] and "value" not in errors:
        word = items.read_word(row["value"])
        mode = item.mode if item else (items.QUALITATIVE if word else items.QUANTITATIVE)
        if mode == items.QUALITATIVE:
            if word is None:
                errors["value"] = _("Enter the reading of the test card: 阴性 or 阳性 "
                                    "(- or +).")
            reading = word
        elif word is not None and mode == items.INHIBITION:
            errors["value"] = _("Enter the inhibition rate (0–100 %); the conclusion is "
                                "computed from it.")
        elif word is not None:
            errors["value"] = _("Enter the measured value; the conclusion is computed "
                                "from it and the limit.")
        else:
            try:
                value = items.parse_number(row["value"], "value")
            except WorklogError as exc:
                errors["value"] = exc.message

    tested_at: datetime | None = None
    if row["tested_at"]:
        try:
            tested_at = parse_time(row["tested_at"], ctx)
        except WorklogError as exc:
            errors["tested_at"] = exc.message
    elif "tested_at" not in errors:
        errors["tested_at"] = _("Enter the time of the test.")

    test = TestInput(
        product_name=row["product_name"], test_item=row["test_item"], value=value,
        reading=reading, sample_no=row["sample_no"], stall_no=row["stall_no"],
        category=row["category"], method=row["method"], unit=row["unit"],
        limit_value=row["limit_value"], tester=row["tester"], tested_at=tested_at,
        instrument_no=row["instrument_no"], reagent_batch=row["reagent_batch"],
        retest_of=row["retest_of"] or None)
    conclusion, rule_errors, warnings = check_test(test, ctx, taken, own_sample,
                                                   skip=set(errors))
    for key, message in rule_errors.items():
        errors.setdefault(key, message)
    if errors:
        return RowCheck(row, None, errors, warnings)
    return RowCheck(row, test, {}, warnings, conclusion)


def mode_of(test_item: str, value: Decimal | None, reading: str | None) -> str:
    item = items.find_item(test_item)
    if item is not None:
        return item.mode
    return items.QUALITATIVE if reading is not None and value is None else items.QUANTITATIVE


def check_test(test: TestInput, ctx: EntryContext, taken: Iterable[str] = (),
               own_sample: str | None = None, skip: set[str] | None = None
               ) -> tuple[str | None, dict[str, str], dict[str, str]]:
    """(conclusion, errors, warnings) of a test by the rules: value range and computed
    conclusion, unique sample number, re-test link, reagent batch usable on the test's day,
    time not in the future. Fields in `skip` already have an error and are not checked."""
    skip = skip or set()
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    taken = set(taken)
    for f in TEST_FIELDS:
        text = getattr(test, f.key, None)
        if f.max_len and isinstance(text, str) and len(text) > f.max_len and f.key not in skip:
            errors[f.key] = _("At most {n} characters.").format(n=f.max_len)
    if not test.product_name.strip() and "product_name" not in skip:
        errors["product_name"] = _("This cell is required.")
    if not test.test_item.strip() and "test_item" not in skip:
        errors["test_item"] = _("This cell is required.")

    conclusion = None
    if not ({"value", "test_item", "limit_value"} & skip) and test.test_item.strip():
        mode = mode_of(test.test_item, test.value, test.reading)
        if mode != items.QUALITATIVE and test.reading is not None:
            errors["value"] = _("Enter the measured value; the conclusion is computed "
                                "from it.")
        else:
            try:
                conclusion = items.conclusion(mode, test.value, test.reading,
                                              test.limit_value)
            except WorklogError as exc:
                errors[exc.field or "value"] = exc.message

    sample = test.sample_no.strip()
    if sample and "sample_no" not in skip and sample != own_sample and (
            sample in ctx.samples or sample in taken):
        errors["sample_no"] = _("Sample no. {no} is already in this log.").format(no=sample)
    if test.retest_of and "retest_of" not in skip:
        if test.retest_of == sample:
            errors["retest_of"] = _("A test cannot be a re-test of itself.")
        elif test.retest_of not in ctx.samples and test.retest_of not in taken:
            errors["retest_of"] = _("There is no sample {no} in this log to re-test.").format(
                no=test.retest_of)

    day = test.tested_at.astimezone(ctx.tz).date() if test.tested_at else ctx.log_date
    if test.tested_at is not None and "tested_at" not in skip:
        if day != ctx.log_date:
            errors["tested_at"] = _(
                "The test was made on {day}, not on the day of this log ({log_day}).").format(
                day=day.isoformat(), log_day=ctx.log_date.isoformat())
        elif test.tested_at > ctx.now + FUTURE_SLACK:
            errors["tested_at"] = _("The time of the test is in the future.")
    elif test.tested_at is None and "tested_at" not in skip:
        errors["tested_at"] = _("Enter the time of the test.")

    if "reagent_batch" not in skip and test.test_item.strip():
        message = reagent_problem(test.test_item, test.reagent_batch, day, ctx)
        if message:
            errors["reagent_batch"] = message
    if test.instrument_no and "instrument_no" not in skip:
        for inst in ctx.instruments:
            if inst.number == test.instrument_no and inst.valid_until and \
                    inst.valid_until < day:
                warnings["instrument_no"] = _(
                    "The verification of instrument {no} expired on {day}.").format(
                    no=inst.number, day=inst.valid_until.isoformat())
    return conclusion, errors, warnings


def reagent_problem(test_item: str, batch_no: str, day: date, ctx: EntryContext) -> str | None:
    """Why `batch_no` cannot be used for a test of `test_item` on `day`, or None."""
    name = items.canonical_item_name(test_item)
    for_item = ctx.reagents_for(name)
    if not batch_no:
        if for_item:
            return _("Enter the reagent batch used (the workstation keeps batches for {item}).") \
                .format(item=name)
        return None
    same = [r for r in ctx.reagents if r.batch_no == batch_no]
    if not same:
        if for_item:
            return _("Reagent batch {batch} is not one of this workstation's batches for "
                     "{item}; add it in the set-up first.").format(batch=batch_no, item=name)
        return None
    matching = [r for r in same if items.canonical_item_name(r.test_item) == name]
    if not matching:
        return _("Reagent batch {batch} is for {other}, not for {item}.").format(
            batch=batch_no, other=same[0].test_item, item=name)
    batch = matching[0]
    if batch.expires_on is not None and day > batch.expires_on:
        return _("Reagent batch {batch} expired on {day}: it cannot be used for a new test.") \
            .format(batch=batch_no, day=batch.expires_on.isoformat())
    return None


def with_sample_numbers(tests: list[TestInput], ctx: EntryContext) -> list[TestInput]:
    """The tests with a sample number each: blank ones get the next free numbers."""
    taken = [t.sample_no for t in tests if t.sample_no]
    out = []
    for test in tests:
        if not test.sample_no:
            number = ctx.new_sample_no(taken)
            taken.append(number)
            test = replace(test, sample_no=number)
        out.append(test)
    return out
