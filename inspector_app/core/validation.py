"""Validators for the identifiers an inspector types in the field.

Pure Python (no Qt), so the forms, the CLI and the importers share one set of rules:

* unified social credit code (统一社会信用代码), GB 32100-2015;
* resident ID number (公民身份号码), GB 11643-1999;
* product barcode GTIN-13 / EAN-13 (商品条码);
* Chinese mobile and landline phone numbers.

Every ``check_*`` function returns the normalized value or raises `ValidationError`,
whose message is already translated with `_()` and tells the user what to fix.
Messages never repeat an ID number (or its birth date): those are personal data.

The check characters and the ID number's birth date come from python-stdnum
(`stdnum.cn.uscc`, `stdnum.cn.ric`, `stdnum.ean`); its exceptions (InvalidLength,
InvalidFormat, InvalidChecksum, InvalidComponent) become the messages below. Where the
standards accept more than stdnum does, the standard wins:

* credit code: characters 1 and 2 (registration authority, entity type) may be letters,
  as GB 32100-2015 assigns A (military), N (rural collectives) and Y (others);
  `stdnum.cn.uscc.validate` wants all of characters 1-8 to be digits;
* ID number: the address code is not looked up in stdnum's county table, which compares
  it with the birth year, while GB 11643-1999 §6.1 makes it the county of residence when
  the number was issued: a person born in 1980 with a Chongqing (5001xx, 1997) or Pudong
  (310115, 1993) number is real. The birth date may not be in the future either.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from stdnum import ean
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from inspector_app.core.i18n import _

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "ValidationError",
    "check_credit_code",
    "check_gtin13",
    "check_id_number",
    "check_phone",
    "credit_code_check_char",
    "gtin13_check_digit",
    "id_number_check_char",
    "is_valid_credit_code",
    "is_valid_gtin13",
    "is_valid_id_number",
    "is_valid_phone",
]


class ValidationError(ValueError):
    """A value the user entered is not valid.

    `field` names the offending field (or is None); `message` is the translated,
    user-facing explanation.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def _clean(value: str | None) -> str:
    """NFKC-fold (full-width digits/letters from a Chinese IME become ASCII) and strip."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _compact(value: str | None) -> str:
    """`_clean` and also drop inner whitespace (codes are often written in groups)."""
    return re.sub(r"\s+", "", _clean(value))


# --------------------------------------------------------------------------
# Unified social credit code, GB 32100-2015
# --------------------------------------------------------------------------

#: The 31 characters of GB 32100-2015 (no I, O, Z, S, V); a character's value is its index.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a credit code."""
    body = _compact(first17).upper()
    if len(body) != 17 or any(ch not in CREDIT_CODE_ALPHABET for ch in body):
        raise ValidationError(
            _(
                "The first 17 characters of the unified social credit code are needed "
                "to compute its check character."
            ),
            "credit_code",
        )
    return uscc.calc_check_digit(body)


def check_credit_code(code: str, *, field: str | None = "credit_code") -> str:
    """Validate a unified social credit code; return it upper-case without spaces."""
    value = _compact(code).upper()
    if not value:
        raise ValidationError(_("Please enter the unified social credit code."), field)
    if len(value) != 18:
        raise ValidationError(
            _(
                "The unified social credit code must be 18 characters long (you entered {count})."
            ).format(count=len(value)),
            field,
        )
    for position, ch in enumerate(value, start=1):
        if ch not in CREDIT_CODE_ALPHABET:  # stdnum says only "InvalidFormat"
            raise ValidationError(
                _(
                    "The unified social credit code may not contain the character {char} "
                    "(position {position}). Only digits and capital letters are allowed, "
                    "and never the letters I, O, Z, S or V."
                ).format(char=ch, position=position),
                field,
            )
    wrong_check = ValidationError(
        _(
            "The check character of the unified social credit code is wrong. "
            "Please check every character again."
        ),
        field,
    )
    try:
        return uscc.validate(value)
    except InvalidChecksum:
        raise wrong_check from None
    except (InvalidFormat, InvalidLength):  # a letter among characters 1-8 (length: never)
        if not value[2:8].isdigit():
            raise ValidationError(
                _(
                    "Characters 3 to 8 of the unified social credit code are the "
                    "administrative division code and must be digits."
                ),
                field,
            ) from None
    # A letter as character 1 or 2 (A1..., N2..., Y1...): GB 32100 allows it, stdnum not.
    if uscc.calc_check_digit(value[:17]) != value[17]:
        raise wrong_check
    return value


def is_valid_credit_code(code: str) -> bool:
    try:
        check_credit_code(code)
    except ValidationError:
        return False
    return True


# --------------------------------------------------------------------------
# Resident ID number, GB 11643-1999
# --------------------------------------------------------------------------

_EARLIEST_BIRTH_YEAR = 1800


def id_number_check_char(first17: str) -> str:
    """The 18th (check) character, a digit or 'X', for the first 17 digits of an ID number."""
    body = _compact(first17)
    if len(body) != 17 or not (body.isascii() and body.isdigit()):
        raise ValidationError(
            _("The first 17 digits of the ID number are needed to compute its check character."),
            "id_number",
        )
    return ric.calc_check_digit(body + "0")  # stdnum wants a number with a check character


def check_id_number(
    number: str, *, field: str | None = "id_number", today: date | None = None
) -> str:
    """Validate an 18-character resident ID number; return it with an upper-case 'X'.

    The birth date (characters 7-14) must be a real calendar date, not in the future
    (relative to `today`, default: the current date).
    """
    value = _compact(number).upper()
    if not value:
        raise ValidationError(_("Please enter the ID number."), field)
    if len(value) != 18:
        raise ValidationError(
            _("The ID number must be 18 characters long (you entered {count}).").format(
                count=len(value)
            ),
            field,
        )
    if not (value[:17].isascii() and value[:17].isdigit()):
        raise ValidationError(
            _(
                "The first 17 characters of the ID number must be digits; only the last "
                "character may be the letter X."
            ),
            field,
        )
    if value[17] not in "0123456789X":
        raise ValidationError(
            _("The last character of the ID number must be a digit or the letter X."), field
        )
    try:
        birth = ric.get_birth_date(value)
    except InvalidComponent:
        birth = None
    if birth is None or birth.year < _EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("The birth date in the ID number (characters 7 to 14) is not a valid date."),
            field,
        )
    if birth > (today or date.today()):
        raise ValidationError(
            _("The birth date in the ID number (characters 7 to 14) is in the future."), field
        )
    if ric.calc_check_digit(value) != value[17]:
        raise ValidationError(
            _("The check character of the ID number is wrong. Please check every digit again."),
            field,
        )
    return value


def is_valid_id_number(number: str) -> bool:
    try:
        check_id_number(number)
    except ValidationError:
        return False
    return True


# --------------------------------------------------------------------------
# GTIN-13 / EAN-13 product barcode
# --------------------------------------------------------------------------


def gtin13_check_digit(first12: str) -> str:
    """The 13th (check) digit for the first 12 digits of a GTIN-13."""
    body = re.sub(r"[\s-]", "", _clean(first12))
    if len(body) != 12 or not (body.isascii() and body.isdigit()):
        raise ValidationError(
            _("The first 12 digits of the product barcode are needed to compute its check digit."),
            "gtin13",
        )
    return ean.calc_check_digit(body)


def check_gtin13(code: str, *, field: str | None = "gtin13") -> str:
    """Validate a GTIN-13 (EAN-13) barcode number; return the 13 digits."""
    value = re.sub(r"[\s-]", "", _clean(code))
    if not value:
        raise ValidationError(_("Please enter the product barcode."), field)
    wrong_length = ValidationError(
        _("The product barcode (GTIN-13) must be 13 digits long (you entered {count}).").format(
            count=len(value)
        ),
        field,
    )
    if value.isascii() and value.isdigit() and len(value) != 13:
        # before stdnum, which would check 8, 12 and 14 digits as EAN-8, UPC-A, GTIN-14:
        # in this field they are a GTIN-13 with digits missing or one too many
        raise wrong_length
    try:
        return ean.validate(value)
    except InvalidFormat:
        raise ValidationError(
            _("The product barcode (GTIN-13) may contain only digits."), field
        ) from None
    except InvalidLength:
        raise wrong_length from None
    except InvalidChecksum:
        raise ValidationError(
            _(
                "The check digit of the product barcode (GTIN-13) is wrong. "
                "Please check every digit again."
            ),
            field,
        ) from None


def is_valid_gtin13(code: str) -> bool:
    try:
        check_gtin13(code)
    except ValidationError:
        return False
    return True


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_EXTENSION_RE = re.compile(r"(?:转|分机|ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)
_PHONE_CHARS_RE = re.compile(r"\+?[\d\-]+")
_LOCAL_NUMBER_RE = re.compile(r"[1-9]\d{6,7}")


def _split_area_code(digits: str) -> tuple[str, str] | None:
    """Split '0...' into (area code, local number): 010 and 02x have 3 digits, others 4."""
    if len(digits) < 3 or digits[0] != "0":
        return None
    if digits[1] in "12":
        area = digits[:3]
        if digits[1] == "1" and area != "010":
            return None
    elif digits[1] in "3456789":
        area = digits[:4]
    else:
        return None
    return area, digits[len(area) :]


def check_phone(phone: str, *, field: str | None = "phone") -> str:
    """Validate a Chinese mobile or landline number.

    Accepted: mobile ``1[3-9]`` + 9 digits with an optional +86 / 0086 / 86 prefix;
    landline = area code (010, 02x, or 0xxx) + 7 or 8 digit local number, optionally
    followed by an extension (``-123``, ``转123``). Spaces, hyphens and brackets
    around the area code are ignored.

    Returns ``13812345678`` for mobiles and ``0755-86013388`` or ``010-12345678-123``
    for landlines.
    """
    value = _clean(phone)
    if not value:
        raise ValidationError(_("Please enter a phone number."), field)

    extension = None
    match = _EXTENSION_RE.search(value)
    if match:
        extension = match.group(1)
        value = value[: match.start()]
    value = re.sub(r"[\s()]", "", value).strip("-")
    if not _PHONE_CHARS_RE.fullmatch(value):
        raise ValidationError(
            _(
                "The phone number may contain only digits, spaces, hyphens, brackets around "
                "the area code, a leading +86 and an extension such as 转123."
            ),
            field,
        )
    # Country code: +86 / 0086 (then a landline drops its leading 0), or a bare 86
    # in front of an 11-digit mobile number.
    if value.startswith(("+", "00")):
        country = re.match(r"(?:\+|00)86-*", value)
        if not country:
            raise ValidationError(_("Only Chinese phone numbers (+86) are accepted."), field)
        value = value[country.end() :]
        if value[:1] not in ("0", "1") or value.startswith("10"):
            value = "0" + value  # +86 10 12345678 is the landline 010-12345678
    elif re.fullmatch(r"861[3-9]\d{9}", value.replace("-", "")):
        value = value.replace("-", "")[2:]
    digits = value.replace("-", "")

    if digits.startswith("1"):
        if extension is not None:
            raise ValidationError(_("A mobile phone number cannot have an extension."), field)
        if len(digits) != 11:
            raise ValidationError(
                _("A mobile phone number must have 11 digits (you entered {count}).").format(
                    count=len(digits)
                ),
                field,
            )
        if not _MOBILE_RE.fullmatch(digits):
            raise ValidationError(_("A mobile phone number must start with 13 to 19."), field)
        return digits
    if not digits.startswith("0"):
        raise ValidationError(
            _(
                "A landline number must start with the area code, for example "
                "010-12345678; a mobile phone number must start with 1."
            ),
            field,
        )

    # Landline. Without an explicit 转/ext, a last hyphen group after a complete
    # number is the extension (010-12345678-123).
    groups = value.split("-")
    if extension is None and len(groups) >= 3:
        main = _split_area_code("".join(groups[:-1]))
        if main and _LOCAL_NUMBER_RE.fullmatch(main[1]) and 1 <= len(groups[-1]) <= 6:
            extension = groups[-1]
            digits = "".join(groups[:-1])
    parts = _split_area_code(digits)
    if parts is None:
        raise ValidationError(_("The area code of the landline number is not valid."), field)
    area, local = parts
    if not _LOCAL_NUMBER_RE.fullmatch(local):
        raise ValidationError(
            _(
                "The landline number after the area code must have 7 or 8 digits "
                "and may not start with 0."
            ),
            field,
        )
    normalized = f"{area}-{local}"
    if extension:
        normalized += f"-{extension}"
    return normalized


def is_valid_phone(phone: str) -> bool:
    try:
        check_phone(phone)
    except ValidationError:
        return False
    return True
