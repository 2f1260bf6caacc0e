"""Rapid-test items, how a result is read, and the computed conclusion.

Three kinds of item:

* ``inhibition``: pesticide residue by enzyme inhibition (GB/T 5009.199): the value is the
  inhibition rate, a number from 0 to 100 (%), and the conclusion is computed: a rate of
  50 % or more is positive. A typed conclusion is refused: only the rate is entered.
* ``quantitative``: a measured value with a limit (mg/kg ...): above the limit is positive;
  a limit of 不得检出 (must not be detected) makes any value above 0 positive.
* ``qualitative``: a test card read by eye (colloidal gold strips for clenbuterol,
  malachite green ...): the reading 阴性 / 阳性 (or - / +) is the result.

Values are exact decimals (at most 3 decimal places, as stored), never floats, so 49.99 is
negative and 50 positive on every machine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from inspector_app.core.i18n import N_, _
from inspector_app.core.validation import ValidationError

INHIBITION, QUANTITATIVE, QUALITATIVE = "inhibition", "quantitative", "qualitative"
NEGATIVE, POSITIVE = "negative", "positive"
CONCLUSIONS = (NEGATIVE, POSITIVE)
CONCLUSION_LABELS = {NEGATIVE: N_("Negative"), POSITIVE: N_("Positive")}
CONCLUSION_CN = {NEGATIVE: "阴性", POSITIVE: "阳性"}

INHIBITION_POSITIVE = Decimal(50)  # GB/T 5009.199: an inhibition rate ≥ 50 % is positive
INHIBITION_MIN, INHIBITION_MAX = Decimal(0), Decimal(100)
MAX_VALUE = Decimal("9999999.999")  # Numeric(10, 3)
DECIMALS = 3
NOT_DETECTED_LIMITS = ("不得检出", "不得检出。", "nd", "ND", "未检出")


class WorklogError(ValidationError):
    """A value or change the workstation-log rules refuse (`message` is translated)."""


@dataclass(frozen=True)
class TestItem:
    __test__ = False  # not a pytest test class
    name: str  # as written in the log and printed
    mode: str
    method: str = ""
    unit: str = ""
    limit: str = ""  # default limit (text, as printed)
    aliases: tuple[str, ...] = ()


# The items DOMAIN.md names; others may be typed and are read by their values.
CATALOGUE: tuple[TestItem, ...] = (
    TestItem("农药残留", INHIBITION, "GB/T 5009.199 酶抑制率法", "%", "50",
             ("农残", "农药残留（酶抑制率法）", "有机磷和氨基甲酸酯类农药", "pesticide",
              "pesticide residue")),
    TestItem("瘦肉精", QUALITATIVE, "胶体金免疫层析法", "", "",
             ("克伦特罗", "盐酸克伦特罗", "clenbuterol")),
    TestItem("孔雀石绿", QUALITATIVE, "胶体金免疫层析法", "", "", ("malachite green",)),
    TestItem("甲醛", QUALITATIVE, "比色法", "", "", ("formaldehyde",)),
    TestItem("二氧化硫", QUANTITATIVE, "比色法", "mg/kg", "", ("sulphur dioxide",
                                                              "sulfur dioxide")),
    TestItem("硼砂", QUALITATIVE, "姜黄试纸法", "", "", ("borax",)),
    TestItem("亚硝酸盐", QUANTITATIVE, "盐酸萘乙二胺比色法", "mg/kg", "", ("nitrite",)),
)

_NEGATIVE_WORDS = {"阴性", "阴", "-", "neg", "negative", "n", "合格", "未检出", "nd"}
_POSITIVE_WORDS = {"阳性", "阳", "+", "pos", "positive", "p", "不合格", "检出"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _key(text: str) -> str:
    return re.sub(r"\s+", "", _fold(text)).lower()


_BY_KEY: dict[str, TestItem] = {}
for _item in CATALOGUE:
    for _name in (_item.name, *_item.aliases):
        _BY_KEY[_key(_name)] = _item


def find_item(name: str) -> TestItem | None:
    """The catalogued item named `name` (or one of its aliases), if any."""
    return _BY_KEY.get(_key(name))


def canonical_item_name(name: str) -> str:
    item = find_item(name)
    return item.name if item else _fold(name)


def item_names() -> list[str]:
    return [item.name for item in CATALOGUE]


def read_word(text: str) -> str | None:
    """negative / positive for a reading such as 阴性, +, NEG; None if it is not one."""
    key = _key(text)
    if key in _NEGATIVE_WORDS:
        return NEGATIVE
    if key in _POSITIVE_WORDS:
        return POSITIVE
    return None


def parse_number(text: str, field: str = "value") -> Decimal:
    """A decimal from what was typed (full-width digits and a trailing % allowed)."""
    raw = _fold(text).replace(" ", "")
    raw = raw.removesuffix("%")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", raw):
        raise WorklogError(_("“{text}” is not a number.").format(text=_fold(text)), field)
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern lets only numbers by
        raise WorklogError(_("“{text}” is not a number.").format(text=text), field) from exc
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMALS:
        raise WorklogError(
            _("Enter at most {n} decimal places.").format(n=DECIMALS), field)
    return value


def check_value(mode: str, value: Decimal) -> Decimal:
    """Refuse a value out of the range of its item."""
    if mode == INHIBITION:
        if value < INHIBITION_MIN or value > INHIBITION_MAX:
            raise WorklogError(
                _("The inhibition rate must be between 0 and 100 % (you entered {value}).")
                .format(value=_plain(value)), "value")
    elif value < 0:
        raise WorklogError(
            _("A measured value cannot be negative (you entered {value}).")
            .format(value=_plain(value)), "value")
    if abs(value) > MAX_VALUE:
        raise WorklogError(_("The value is too large."), "value")
    return value


def parse_limit(text: str) -> Decimal | None:
    """The number of a limit such as “≤30”, “30 mg/kg”; 0 for 不得检出; None if none."""
    raw = _fold(text)
    if not raw:
        return None
    if raw in NOT_DETECTED_LIMITS:
        return Decimal(0)
    match = re.match(r"^(?:≤|<=|<|不超过|不大于)?\s*(\d+(?:\.\d+)?)", raw)
    if not match:
        raise WorklogError(
            _("The limit “{text}” is not understood: enter a number such as 30, or 不得检出.")
            .format(text=raw), "limit_value")
    return Decimal(match.group(1))


def conclusion(mode: str, value: Decimal | None, reading: str | None,
               limit: str = "") -> str:
    """The conclusion of a test: computed from the value, or the reading of a test card."""
    if mode == INHIBITION:
        if value is None:
            raise WorklogError(_("Enter the inhibition rate (0–100 %)."), "value")
        check_value(mode, value)
        return POSITIVE if value >= INHIBITION_POSITIVE else NEGATIVE
    if mode == QUANTITATIVE:
        if value is None:
            raise WorklogError(_("Enter the measured value."), "value")
        check_value(mode, value)
        bound = parse_limit(limit)
        if bound is None:
            raise WorklogError(_("Enter the limit, so the conclusion can be computed."),
                               "limit_value")
        return POSITIVE if value > bound else NEGATIVE
    if reading not in CONCLUSIONS:
        raise WorklogError(_("Enter the reading of the test card: 阴性 or 阳性 (- or +)."),
                           "value")
    return reading


def format_value(value: Decimal | None) -> str:
    """A stored value as printed: no exponent, no trailing zeros."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


_plain = format_value
