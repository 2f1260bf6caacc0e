"""Document numbers: the agency's pattern, with a device segment so devices never collide.

A number is made from the agency's pattern, e.g. ``{abbr}市监强制〔{year}〕{seq}号``, where
``{seq}`` is this device's segment and its own counter (``07-12``). Each device of an
agency gets its own segment (set by a supervisor, or by the central server when the device
registers), so two devices working offline can never make the same number. Every number
given out is written to a ledger (`seizure_doc_numbers`) that is never deleted from, with
unique constraints, so a number is never reused, even if the seizure it was made for is
abandoned or the pattern changes.

Placeholders: ``{abbr}`` agency abbreviation, ``{year}`` the issue year, ``{seq}`` =
``{device}-{n}``, ``{device}`` the segment, ``{n}`` the counter, without leading zeros
(the templates' 不编虚位: 〔2026〕07-7号, not 〔2026〕07-0007号).
"""

from __future__ import annotations

import re
import string
from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core import settings
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import SeizureDocNumber
from inspector_app.core.seizure.rules import RuleError

DEVICE_SEGMENT = settings.Option(
    "doc_device_segment", "", str,
    N_("This device's segment of document numbers (unique within the agency)"))
EXTENSION_PATTERN = settings.Option(
    "doc_number_pattern_extension", "{abbr}市监延强〔{year}〕{seq}号", str,
    N_("Document number pattern of extension decisions"))
RELEASE_PATTERN = settings.Option(
    "doc_number_pattern_release", "{abbr}市监解强〔{year}〕{seq}号", str,
    N_("Document number pattern of release decisions"))

NUMBERED_KINDS = ("decision", "list", "extension", "release")
_SEGMENT_RE = re.compile(r"[0-9A-Z]{1,8}")
_FIELDS = {"abbr", "year", "seq", "device", "n"}


def pattern_option(kind: str) -> settings.Option:
    if kind == "extension":
        return EXTENSION_PATTERN
    if kind == "release":
        return RELEASE_PATTERN
    return settings.DOC_NUMBER_PATTERN


def check_segment(segment: str) -> str:
    value = (segment or "").strip().upper()
    if not _SEGMENT_RE.fullmatch(value):
        raise RuleError(_("The device segment must be 1 to 8 digits or capital letters "
                          "(e.g. 07)."), "segment")
    return value


def check_pattern(pattern: str) -> str:
    """Refuse a pattern that could give two devices the same number, or is malformed."""
    try:
        fields = {f for _t, f, _s, _c in string.Formatter().parse(pattern) if f is not None}
    except ValueError:
        raise RuleError(_("The number pattern {pattern} has an unmatched brace.").format(
            pattern=pattern), "pattern") from None
    unknown = fields - _FIELDS
    if unknown:
        raise RuleError(_("The number pattern uses unknown fields: {fields}. Use {{abbr}}, "
                          "{{year}}, {{seq}} (or {{device}} and {{n}}).").format(
            fields=", ".join(sorted(unknown))), "pattern")
    if "seq" not in fields and not {"device", "n"} <= fields:
        raise RuleError(_("The number pattern must contain {{seq}} (or both {{device}} and "
                          "{{n}}), so that devices never make the same number."), "pattern")
    if "|" in pattern:
        raise RuleError(_("The number pattern may not contain the character |."), "pattern")
    return pattern


def set_segment(session: Session, segment: str) -> str:
    value = check_segment(segment)
    DEVICE_SEGMENT.set(session, value)
    session.flush()
    return value


def number_fields(abbr: str, year: int, segment: str, n: int) -> dict[str, object]:
    """The placeholders of a number pattern; the counter is not padded (不编虚位)."""
    return {"abbr": abbr, "year": year, "seq": f"{segment}-{n}", "device": segment, "n": n}


def format_number(pattern: str, abbr: str, year: int, segment: str, n: int) -> str:
    return pattern.format(**number_fields(abbr, year, segment, n))


def allocate(session: Session, kind: str, seizure_id: str, now: datetime,
             tz: tzinfo | None = None) -> str:
    """The next number of `kind` from this device's counter; recorded so it is never reused."""
    segment = DEVICE_SEGMENT.get(session)
    if not segment:
        raise RuleError(_("This device has no document number segment yet. A supervisor sets "
                          "it in the settings (each device of the agency gets its own, e.g. "
                          "01, 02...), so that numbers never collide."), "segment")
    segment = check_segment(segment)
    pattern = check_pattern(pattern_option(kind).get(session))
    abbr = settings.AGENCY_ABBR.get(session)
    year = now.astimezone(tz).year
    last = session.scalar(
        select(func.max(SeizureDocNumber.seq)).where(
            SeizureDocNumber.segment == segment, SeizureDocNumber.year == year)) or 0
    n = last + 1
    number = format_number(pattern, abbr, year, segment, n)
    while session.get(SeizureDocNumber, number) is not None:  # pattern changed back and forth
        n += 1
        number = format_number(pattern, abbr, year, segment, n)
    if len(number) > 64:
        raise RuleError(_("The document number {number} is too long (64 characters at "
                          "most); shorten the pattern.").format(number=number), "pattern")
    session.add(SeizureDocNumber(number=number, segment=segment, year=year, seq=n, kind=kind,
                                 seizure_id=seizure_id, allocated_at=now))
    session.flush()
    return number
