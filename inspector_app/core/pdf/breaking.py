"""Line breaking of Chinese (and mixed Latin) text, and justified drawing of the lines.

Rules (GB/T 15834, W3C clreq):

* May not start a line (`no_start`): closing brackets and quotes (Unicode Pe, Pf), the
  sentence and number punctuation in `EXTRA_NO_START` (，。、；：？！…‥·％‰℃ and their
  half-width and small forms).
* May not end a line (`no_end`): opening brackets and quotes (Ps, Pi), currency signs
  (Sc) and the number signs in `EXTRA_NO_END`.
* A run of Latin letters and digits (with . - _ / @ : + inside it) is one unit, and so
  is a run of —— or ……: never broken unless it is wider than the line (—— may start a
  line, as GB/T 15834 allows).
* The excess rule: where a break would put a no-start character at the start of a line
  (or leave a no-end character at its end), the previous character is pushed down to
  the next line, as many as needed. Only if that would empty the line is a no-start
  character hung past the right edge (and a no-end one left at the end).
* A line may be squeezed by up to `grid.SQUEEZE` of its width (GB/T 9704 sets 28
  characters of 16 pt in 156 mm), and a full-width closing mark at its end (`HALF_BLANK`:
  ，。、；：and closing brackets, whose right half is blank) counts half its width
  (标点挤压) before the push-down rule applies.
* Every line but the last of a paragraph is justified: the extra (or missing) space is
  spread between its units; the last line is left-aligned.

Every text is checked with `fonts.require_printable` before it is laid out: a character
no bundled font has raises `fonts.UnprintableText` instead of printing as a blank.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from inspector_app.core import fonts
from inspector_app.core.pdf.grid import SQUEEZE

EXTRA_NO_START = frozenset(
    "，。、；：？！…‥·・‧％‰‱℃℉°′″〃々〆ー～〜"
    ",.;:?!%"
    "﹐﹑﹒﹔﹕﹖﹗﹪｡､･"
    "．：；，！？"
)
# Full-width marks drawn in the left half of their box: a line may end squeezed over the
# blank right half.
HALF_BLANK = frozenset("，。、；：）」』》】〕〉］｝〗〙")
EXTRA_NO_END = frozenset("#＃№$＄¥￥£￡€￠￦")

_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_INNER = frozenset(".-_/@:+'&")


@lru_cache(maxsize=4096)
def no_start(ch: str) -> bool:
    """True if `ch` may not start a line."""
    return ch in EXTRA_NO_START or unicodedata.category(ch) in ("Pe", "Pf")


@lru_cache(maxsize=4096)
def no_end(ch: str) -> bool:
    """True if `ch` may not end a line."""
    return ch in EXTRA_NO_END or unicodedata.category(ch) in ("Ps", "Pi", "Sc")


def no_start_chars() -> frozenset[str]:
    """The complete set of characters that may not start a line."""
    return frozenset(chr(c) for c in range(0x110000) if no_start(chr(c)))


def no_end_chars() -> frozenset[str]:
    """The complete set of characters that may not end a line."""
    return frozenset(chr(c) for c in range(0x110000) if no_end(chr(c)))


def units(text: str) -> list[str]:
    """`text` cut into unbreakable units: characters, Latin words, runs of —— or ……."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        j = i + 1
        if ch in _WORD:
            while j < n and (text[j] in _WORD or (text[j] in _INNER and j + 1 < n
                                                   and text[j + 1] in _WORD)):
                j += 1
        elif ch in "—…‥":
            while j < n and text[j] == ch:
                j += 1
        out.append(text[i:j])
        i = j
    return out


@dataclass
class Line:
    """One laid-out line: its units, natural width, and whether it ends its paragraph."""

    units: list[str]
    width: float
    last: bool
    hung: bool = False  # the final unit hangs past the right edge

    @property
    def text(self) -> str:
        return "".join(self.units)


def _w(unit: str, size: float, face: str) -> float:
    return fonts.text_width(unit, size, face=face)


def _split_long(unit: str, size: float, limit: float, face: str) -> list[str]:
    """A unit wider than `limit` cut into pieces that fit."""
    pieces, cur, w = [], "", 0.0
    for ch in unit:
        cw = fonts.char_width(ch, size, face=face)
        if cur and w + cw > limit * (1 + SQUEEZE):
            pieces.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur:
        pieces.append(cur)
    return pieces


def _head(unit: str, size: float, room: float, face: str) -> str:
    """The longest start of `unit` no wider than `room` (may be empty)."""
    head, w = "", 0.0
    for ch in unit:
        w += fonts.char_width(ch, size, face=face)
        if w > room + 0.01:
            break
        head += ch
    return head if len(head) < len(unit) else ""


def _breakable(before: str, after: str) -> bool:
    """May a line break between unit `before` and unit `after` (spaces between them)?"""
    return not no_end(before[-1]) and not no_start(after[0])


def _before(seq: list[str], cut: int) -> str:
    """The last unit before position `cut` that is not a space (spaces are trimmed off)."""
    for unit in reversed(seq[:cut]):
        if unit != " ":
            return unit
    return " "


def _after(seq: list[str], cut: int) -> str:
    """The first unit from position `cut` on that is not a space (the last is not)."""
    for unit in seq[cut:]:
        if unit != " ":
            return unit
    return " "


def _trim(us: list[str]) -> list[str]:
    while us and us[-1] == " ":
        us.pop()
    while us and us[0] == " ":
        us.pop(0)
    return us


def break_lines(text: str, size: float, width: float, first_width: float | None = None,
                face: str = "body") -> list[Line]:
    """Lines of `text` (paragraphs split at newlines) that fit `width` (the first line
    `first_width`). Raises `fonts.UnprintableText` for a character no font has."""
    fonts.require_printable(text or "")
    lines: list[Line] = []
    for para in (text or "").replace("\r\n", "\n").split("\n"):
        para = para.replace("\t", " ")
        start = len(lines)
        cur: list[str] = []
        cur_w = 0.0

        def limit() -> float:
            return first_width if (first_width is not None and not lines) else width

        def emit(us: list[str], hung: bool = False) -> None:
            us = _trim(list(us))
            lines.append(Line(us, sum(_w(u, size, face) for u in us), False, hung))

        queue = units(para)
        k = 0
        while k < len(queue):
            unit = queue[k]
            k += 1
            if unit == " " and not cur:
                continue
            uw = _w(unit, size, face)
            room = limit() * (1 + SQUEEZE)
            if uw > room and len(unit) > 1:  # wider than a line: cut it
                pieces = _split_long(unit, size, limit() - cur_w if cur else limit(), face)
                if cur and _w(pieces[0], size, face) > room - cur_w:
                    pieces = _split_long(unit, size, limit(), face)
                queue[k:k] = pieces
                continue
            squeezed = uw / 2 if unit in HALF_BLANK else uw
            if (not cur or unit == " " or cur_w + uw <= room + 0.01
                    or cur_w + squeezed <= room + 0.01):  # a space at the end is trimmed
                cur.append(unit)
                cur_w += uw
                continue
            # `unit` does not fit: find the last legal break at or before it.
            seq = cur + [unit]
            cut = len(cur)
            while cut > 0 and not _breakable(_before(seq, cut), _after(seq, cut)):
                cut -= 1
            carried = sum(_w(u, size, face) for u in _trim(seq[cut:])) if cut else 0.0
            if (cut == 0 or carried > width * (1 + SQUEEZE)) and len(unit) > 1:
                # What a legal break carries down would not fit a line either: the word
                # itself is cut, its head filling this line.
                head = _head(unit, size, room - cur_w, face)
                if head:
                    queue[k - 1:k] = [head, unit[len(head):]]
                    k -= 1
                    continue
            if cut == 0:  # no legal break on this line
                if no_start(unit[0]):
                    emit(seq, hung=True)  # hang the punctuation past the edge
                    cur, cur_w = [], 0.0
                    continue
                cut = len(cur)  # forced break before `unit`
            emit(seq[:cut])
            cur = _trim(seq[cut:])
            cur_w = sum(_w(u, size, face) for u in cur)
        emit(cur)
        lines[-1].last = True
        if len(lines) == start:  # pragma: no cover - emit always adds one
            lines.append(Line([], 0.0, True))
    return lines


def wrap(text: str, size: float, width: float, first_width: float | None = None,
         face: str = "body") -> list[str]:
    """The texts of `break_lines`."""
    return [line.text for line in break_lines(text, size, width, first_width, face)]


def draw_line(c, x: float, y: float, line: Line, size: float, width: float,
              face: str = "body", justify: bool = True, max_gap: float | None = None
              ) -> float:
    """Draw `line` at (x, baseline y); a full line is justified to `width`, unless that
    would open gaps wider than `max_gap` (narrow table cells). Return the end x."""
    us = line.units
    body = us[:-1] if line.hung else us
    if not justify or line.last or len(body) < 2:
        return fonts.draw_text(c, x, y, line.text, size, face=face)
    natural = sum(_w(u, size, face) for u in body)
    # A closing mark at the end hangs its blank right half past the edge first (标点挤压):
    # its ink stays inside; only the rest of an excess squeezes the gaps.
    tuck = 0.0
    if natural > width and body[-1] in HALF_BLANK:
        tuck = min(natural - width, _w(body[-1], size, face) / 2)
    gap = (width - natural + tuck) / (len(body) - 1)
    if max_gap is not None and gap > max_gap:
        return fonts.draw_text(c, x, y, line.text, size, face=face)
    for i, unit in enumerate(body):
        end = fonts.draw_text(c, x, y, unit, size, face=face)
        x = end + (gap if i < len(body) - 1 else 0.0)
    if line.hung:
        x = fonts.draw_text(c, x, y, us[-1], size, face=face)
    return x
