"""Named value formats a definition may ask for (`"format": "food_licence"`).

The rules are code, not data: a definition only names one, so a definition that arrives by
sync can never bring a slow or wrong pattern of its own for these common numbers. Each
check returns the normalised value or raises `ValidationError` with a translated message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from inspector_app.core import validation
from inspector_app.core.i18n import _
from inspector_app.core.validation import ValidationError


def _clean(value: str) -> str:
    """Full-width letters, digits and brackets (from a Chinese IME) become ASCII."""
    return unicodedata.normalize("NFKC", value).strip()


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", _clean(value))


def _gtin13(value: str) -> str:
    return validation.check_gtin13(value, field=None)


_SC = re.compile(r"SC\d{14}")


def _food_licence(value: str) -> str:
    code = _compact(value).upper()
    if not _SC.fullmatch(code):
        raise ValidationError(_("A food production licence number is SC followed by 14 "
                                "digits, e.g. SC10632058300125."))
    return code


_XK = re.compile(r"(\([\u4e00-\u9fff]{1,2}\))?XK\d{2}-\d{3}-\d{5}")


def _industrial_licence(value: str) -> str:
    code = _compact(value).upper()
    if not _XK.fullmatch(code):
        raise ValidationError(_("An industrial product production licence number looks like "
                                "XK06-014-00123 (or (皖)XK06-014-00123)."))
    return code


def _ccc_certificate(value: str) -> str:
    code = _compact(value)
    if not re.fullmatch(r"\d{16}", code):
        raise ValidationError(_("A CCC certificate number has 16 digits, "
                                "e.g. 2021010701234567."))
    return code


_STANDARD = re.compile(
    r"(GB(/[TZ])?|[A-Z]{2,4}(/[TZ])?|Q/[0-9A-Za-z\u4e00-\u9fff]{1,20})"
    r" ?[0-9][0-9A-Za-z.]{0,15}(-(19|20)\d{2})?")


def _standard_code(value: str) -> str:
    code = re.sub(r"\s+", " ", _clean(value)).upper().replace("—", "-").replace("–", "-")
    if not _STANDARD.fullmatch(code):
        raise ValidationError(_("Write the standard code as it is printed, e.g. GB 7718-2011, "
                                "GB/T 1234-2008 or Q/ABC 0001S-2020."))
    return code


def _pesticide_registration(value: str) -> str:
    code = _compact(value).upper()
    if not re.fullmatch(r"(PD|WP|LS|WL)\d{5,8}", code):
        raise ValidationError(_("A pesticide registration number is PD, WP, LS or WL followed "
                                "by digits, e.g. PD20080123."))
    return code


_FERTILISER = re.compile(r"[\u4e00-\u9fff]{0,6}肥\(\d{4}\)[临准]字\(?\d{1,6}\)?号")


def _fertiliser_registration(value: str) -> str:
    code = _compact(value)
    if not _FERTILISER.fullmatch(code):
        raise ValidationError(_("A fertiliser registration number looks like "
                                "农肥(2019)准字12345号."))
    return code


_VARIETY = re.compile(r"[\u4e00-\u9fff]{1,3}审[\u4e00-\u9fff]{1,3}\d{6,10}"
                      r"|GPD[\u4e00-\u9fff]{1,6}\(\d{4}\)\d{6}")


def _seed_variety(value: str) -> str:
    code = _compact(value).upper()
    if not _VARIETY.fullmatch(code):
        raise ValidationError(_("A variety approval number looks like 国审稻20200001 "
                                "(or a registration number like GPD玉米(2018)340001)."))
    return code


_SEED_LICENCE = re.compile(r"[A-E]\([\u4e00-\u9fff]{1,4}\)农种许字\(\d{4}\)第?\d{1,6}号?")


def _seed_licence(value: str) -> str:
    code = _compact(value).upper()
    if not _SEED_LICENCE.fullmatch(code):
        raise ValidationError(_("A seed production and trade licence number looks like "
                                "D(皖合)农种许字(2017)第0012号."))
    return code


def _credit_code(value: str) -> str:
    return validation.check_credit_code(value, field=None)


FORMATS: dict[str, Callable[[str], str]] = {
    "gtin13": _gtin13,
    "food_licence": _food_licence,
    "industrial_licence": _industrial_licence,
    "ccc_certificate": _ccc_certificate,
    "standard_code": _standard_code,
    "pesticide_registration": _pesticide_registration,
    "fertiliser_registration": _fertiliser_registration,
    "seed_variety": _seed_variety,
    "seed_licence": _seed_licence,
    "credit_code": _credit_code,
}


def check(name: str, value: str) -> str:
    """`value` in format `name`, normalised; raises ValidationError."""
    return FORMATS[name](value)
