"""The rules of a labeling check, from its definition: field values, answers, the outcome.

Pure functions on plain values (no database, no Qt), shared by the form (inline errors as
the inspector types), the service (nothing invalid is saved) and the tests.

A check's input is a `CheckInput`. Field values are kept as the form holds them: text for
text, number and date fields (dates as YYYY-MM-DD), True/False/None for yes/no fields, the
choice's value for choice fields. `check_input` turns them into typed, normalised values
and reports every problem under the key of the field it belongs to:

* a definition field: its key;
* the header: "market", "party", "checked_at";
* a checklist item: "item:<key>";
* the outcome: "override_reason", "measure";
* the officers: "second_officer" (`officer_problems`, which the service and the import
  apply to the officers a check names).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from inspector_app.core import validation
from inspector_app.core.clock import CLOCK_SLACK
from inspector_app.core.i18n import N_, _
from inspector_app.core.validation import ValidationError
from inspector_app.forms import formats
from inspector_app.forms.definitions import COLUMN_FIELDS, TEXT_TYPES, Definition, Field

if TYPE_CHECKING:  # the photos module needs the store; these rules run on the server too
    from inspector_app.core.checks.photos import Photo

RESULTS = ("pass", "fail", "na")
OUTCOMES = ("pending", "conforming", "nonconforming")
MEASURES = ("correct", "sample", "seizure")
RESULT_LABELS = {"pass": N_("Conforms"), "fail": N_("Does not conform"),
                 "na": N_("Not applicable")}
MEASURE_LABELS = {"": N_("No measure"), "correct": N_("Order to correct (责令改正)"),
                  "sample": N_("Sample for a lab test (抽样送检)"),
                  "seizure": N_("Seize or seal (查封扣押)")}
# As printed on the record (Chinese by law).
RESULT_ZH = {"pass": "符合", "fail": "不符合", "na": "不适用", "": "未检查"}
OUTCOME_ZH = {"pending": "待定", "conforming": "合格", "nonconforming": "不合格"}
MEASURE_ZH = {"": "无", "correct": "责令改正", "sample": "抽样送检", "seizure": "查封扣押"}
YES_ZH = {True: "是", False: "否"}
MAX_NOTE = 500
MAX_REMARKS = 2000
MIN_OFFICERS = 2  # 行政处罚法 art. 42: at least two officers with 执法证 in an inspection


@dataclass
class Answer:
    result: str = ""  # "" until answered, else pass / fail / na
    note: str = ""


@dataclass
class CheckInput:
    """Everything the inspector enters on the form; also what a local draft keeps."""

    form_id: str = ""
    form_version: int = 0
    market_id: str | None = None
    stall_id: str | None = None
    stall_number: str = ""  # a stall not in the list yet (made when saved)
    party_id: str | None = None
    party_name: str = ""  # a party not in the list yet (made when saved)
    checked_at: datetime | None = None
    values: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    photos: list[Photo] = field(default_factory=list)
    outcome_override: str = ""  # "" keeps the computed outcome
    override_reason: str = ""
    measure: str = ""
    remarks: str = ""
    second_officer_id: str | None = None  # the first is the officer who saves the check

    def to_json(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id, "form_version": self.form_version,
            "market_id": self.market_id, "stall_id": self.stall_id,
            "stall_number": self.stall_number, "party_id": self.party_id,
            "party_name": self.party_name,
            "checked_at": self.checked_at.astimezone(UTC).isoformat()
            if self.checked_at else None,
            "values": dict(self.values),
            "answers": {k: [a.result, a.note] for k, a in self.answers.items()},
            "photos": [p.to_json() for p in self.photos],
            "outcome_override": self.outcome_override,
            "override_reason": self.override_reason, "measure": self.measure,
            "remarks": self.remarks, "second_officer_id": self.second_officer_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckInput:
        from inspector_app.core.checks.photos import Photo

        at = data.get("checked_at")
        values = {str(k): v for k, v in (data.get("values") or {}).items()
                  if v is None or isinstance(v, (str, bool))}
        return cls(
            form_id=str(data.get("form_id", "")), form_version=int(data.get("form_version", 0)),
            market_id=data.get("market_id"), stall_id=data.get("stall_id"),
            stall_number=str(data.get("stall_number", "")), party_id=data.get("party_id"),
            party_name=str(data.get("party_name", "")),
            checked_at=datetime.fromisoformat(at) if at else None,
            values=values,
            answers={str(k): Answer(str(v[0]), str(v[1]))
                     for k, v in (data.get("answers") or {}).items()},
            photos=[Photo.from_json(p) for p in data.get("photos") or []],
            outcome_override=str(data.get("outcome_override", "")),
            override_reason=str(data.get("override_reason", "")),
            measure=str(data.get("measure", "")), remarks=str(data.get("remarks", "")),
            second_officer_id=data.get("second_officer_id") or None)


def new_input(defn: Definition) -> CheckInput:
    """An empty check of `defn`, with the definition's defaults."""
    values: dict[str, Any] = {}
    for f in defn.fields:
        if f.default is not None:
            values[f.key] = f.default if isinstance(f.default, bool) else str(f.default)
    return CheckInput(form_id=defn.id, form_version=defn.version, values=values)


# --- field values -------------------------------------------------------------------------


def _text(raw: Any) -> str:
    if raw is None or isinstance(raw, bool):
        return ""
    return unicodedata.normalize("NFC", str(raw)).strip()


def _number_text(raw: Any) -> str:
    # Full-width digits and signs from a Chinese input method become ASCII.
    return re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", _text(raw)))


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})")


def parse_date(text: str) -> date | None:
    """A date written as 2025-03-01, 2025/3/1, 2025.03.01, 20250301 or 2025年3月1日."""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    parts = [int(g) for g in match.groups() if g is not None]
    try:
        return date(*parts)
    except ValueError:
        return None


def is_empty(f: Field, raw: Any) -> bool:
    if f.type == "yesno":
        return not isinstance(raw, bool)
    return _text(raw) == ""


def clean_value(f: Field, raw: Any, earlier: dict[str, Any], today: date) -> Any:
    """The typed, normalised value of a filled field; raises ValidationError."""
    kind = f.type
    if kind == "yesno":
        return bool(raw)
    text = _text(raw)
    if kind in TEXT_TYPES:
        limit = f.max_length or (COLUMN_FIELDS[f.key].max_length if f.column else 0)
        if limit and len(text) > limit:
            raise ValidationError(_("At most {n} characters (this has {count}).").format(
                n=limit, count=len(text)))
        if f.min_length and len(text) < f.min_length:
            raise ValidationError(_("At least {n} characters.").format(n=f.min_length))
        if f.format:
            text = formats.check(f.format, text)
        if f.pattern is not None and not f.pattern.fullmatch(text):
            raise ValidationError(f.pattern_message() if f.pattern_message
                                  else _("This is not written the expected way."))
        return text
    if kind == "gtin13":
        return validation.check_gtin13(text, field=None)
    if kind == "choice":
        if text not in {c.value for c in f.choices}:
            raise ValidationError(_("Choose one of the offered values."))
        return text
    if kind == "date":
        day = parse_date(text)
        if day is None:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
        if f.not_future and day > today:
            raise ValidationError(_("This date is in the future."))
        before = earlier.get(f.not_before) if f.not_before else None
        if isinstance(before, date) and day < before:
            raise ValidationError(_("This date is before {other}.").format(
                other=before.isoformat()))
        return day
    if kind == "integer":
        try:
            number: Decimal = Decimal(int(_number_text(raw)))
        except ValueError:
            raise ValidationError(_("Enter a whole number.")) from None
    else:  # decimal
        try:
            number = Decimal(_number_text(raw))
        except InvalidOperation:
            raise ValidationError(_("Enter a number, e.g. 12.5.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number, e.g. 12.5."))
        if abs(number) >= Decimal(10) ** 11:
            raise ValidationError(_("This number is too large."))
        places = f.decimals if f.decimals is not None else (
            COLUMN_FIELDS[f.key].decimals if f.column else 6)
        if -number.as_tuple().exponent > places and number != round(number, places):
            raise ValidationError(_("At most {n} digits after the decimal point.").format(
                n=places) if places else _("Enter a whole number."))
    if abs(number) >= Decimal(10) ** 11:
        raise ValidationError(_("This number is too large."))
    if f.min is not None and number < f.min:
        raise ValidationError(_("At least {n}.").format(n=_plain(f.min)))
    if f.max is not None and number > f.max:
        raise ValidationError(_("At most {n}.").format(n=_plain(f.max)))
    return int(number) if kind == "integer" else number


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number % 1 else str(int(number))


def as_text(f: Field, value: Any) -> str:
    """A clean value as the form and the record's `value` hold it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _plain(value)
    return str(value)


def shown_zh(f: Field, value: Any) -> str:
    """A clean value as the printed record shows it."""
    if isinstance(value, bool):
        return YES_ZH[value]
    if f.type == "choice":
        return f.choice_label(value, "zh")
    return as_text(f, value)


def check_values(defn: Definition, values: dict[str, Any], *, final: bool,
                 today: date | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean values of the shown, filled fields; problems by field key).

    Hidden fields are left out whatever they hold. `final` also asks for required fields.
    """
    today = today or date.today()
    shown = defn.visible_keys(values)
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key in shown:
        f = defn.field(key)
        assert f is not None
        raw = values.get(key)
        if is_empty(f, raw):
            if final and f.required:
                problems[key] = (_("Answer yes or no.") if f.type == "yesno"
                                 else _("Choose one.") if f.type == "choice"
                                 else _("Fill this in."))
            continue
        try:
            clean[key] = clean_value(f, raw, clean, today)
        except ValidationError as exc:
            problems[key] = exc.message
    return clean, problems


# --- officers -----------------------------------------------------------------------------


def officer_problems(officers: list[tuple[str, str, str]]) -> list[str]:
    """What keeps `officers` ((inspector id, name, 执法证号) in the record's order) from
    making a final check: two different officers, each with a certificate number."""
    problems = []
    for _id, name, cert in officers:
        if not (cert or "").strip():
            problems.append(_("Officer {name} has no enforcement certificate number "
                              "(执法证号); a check is made by officers who have one.")
                            .format(name=name or "?"))
    seen: set[str] = set()
    for inspector_id, name, _cert in officers:
        if inspector_id in seen:
            problems.append(_("Officer {name} is named twice: the second officer must be "
                              "someone else.").format(name=name or "?"))
        seen.add(inspector_id)
    if len(seen) < MIN_OFFICERS:
        problems.append(_("A check is made by at least {n} enforcement officers (行政处罚法 "
                          "art. 42); choose the second officer (第二执法人员).")
                        .format(n=MIN_OFFICERS))
    return problems


# --- answers and outcome ------------------------------------------------------------------


def computed_outcome(defn: Definition, values: dict[str, Any],
                     answers: dict[str, Answer]) -> str:
    """Non-conforming when an applicable item failed; conforming when every applicable
    item is answered and none failed; pending otherwise."""
    return outcome_of([answers.get(i.key, Answer()).result for i in defn.applicable_items(values)])


def open_and_failed(defn: Definition, values: dict[str, Any], answers: dict[str, Answer]
                    ) -> tuple[int, int]:
    """(applicable items not answered yet, applicable items that fail)."""
    results = [answers.get(i.key, Answer()).result for i in defn.applicable_items(values)]
    return results.count(""), results.count("fail")


def outcome_of(results: list[str]) -> str:
    """The outcome the results of the applicable items give (`computed_outcome`)."""
    if "fail" in results:
        return "nonconforming"
    if all(r in ("pass", "na") for r in results):
        return "conforming"
    return "pending"


def outcome(defn: Definition, data: CheckInput) -> tuple[str, bool]:
    """(the outcome, whether the inspector overrode the computed one)."""
    computed = computed_outcome(defn, data.values, data.answers)
    chosen = data.outcome_override
    if chosen in ("conforming", "nonconforming") and chosen != computed:
        return chosen, True
    return computed, False


def check_input(defn: Definition, data: CheckInput, *, final: bool,
                now: datetime | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean field values, every problem by key). A draft may be incomplete; a final
    check must be complete and consistent."""
    now = now or datetime.now(UTC)
    today = now.astimezone().date()
    clean, problems = check_values(defn, data.values, final=final, today=today)
    if data.checked_at is not None and data.checked_at > now + CLOCK_SLACK:
        problems["checked_at"] = _("The time of the check is in the future.")
    if final:
        if not data.market_id:
            problems["market"] = _("Choose the market.")
        if not data.party_id and not data.party_name.strip():
            problems["party"] = _("Enter the operator (party) of the stall.")
        if data.checked_at is None:
            problems["checked_at"] = _("Enter the time of the check.")
    for item in defn.applicable_items(data.values):
        answer = data.answers.get(item.key, Answer())
        key = f"item:{item.key}"
        if answer.result and answer.result not in RESULTS:
            problems[key] = _("Unknown result.")
        elif answer.result == "na" and not item.allow_na:
            problems[key] = _("This item applies to this product: mark it conforming or not.")
        elif final and not answer.result:
            problems[key] = _("Check this item.")
        elif len(answer.note) > MAX_NOTE:
            problems[key] = _("The note is longer than {n} characters.").format(n=MAX_NOTE)
    result, overridden = outcome(defn, data)
    if overridden and (problem := override_problem(data.override_reason)):
        problems["override_reason"] = problem
    if problem := measure_problem(result, data.measure, final=final,
                                  quantity=clean.get("quantity"), unit=clean.get("unit")):
        problems["measure"] = problem
    if len(data.remarks) > MAX_REMARKS:
        problems["remarks"] = _("The remarks are longer than {n} characters.").format(
            n=MAX_REMARKS)
    return clean, problems


def override_problem(reason: str) -> str | None:
    """What is wrong with the reason given for an outcome other than the checklist's."""
    if len(reason.strip()) < 2:
        return _("You changed the outcome from the checklist's: give the reason.")
    return None


def measure_problem(result: str, measure: str, *, final: bool, quantity: Any,
                    unit: str) -> str | None:
    """What is wrong with the measure taken for the outcome `result`, else None."""
    if measure and measure not in MEASURES:
        return _("Unknown measure.")
    if measure in ("correct", "seizure") and result == "conforming":
        return _("A conforming product needs no order to correct or seizure.")
    if final and result == "nonconforming" and not measure:
        return _("The product does not conform: choose a measure.")
    if final and measure == "seizure" and (
            not isinstance(quantity, (int, Decimal)) or quantity <= 0 or not unit):
        return _("To seize the goods, enter the quantity on hand and its unit: the seizure "
                 "lists them.")
    return None
