"""The bundled CJK fonts, and setting Chinese text with them in reportlab PDFs.

No Qt here (see `inspector_app.ui.fonts` for the Qt side). The fonts are bundled in
`resources/fonts/` (its README.md records sources, licences, coverage and how they were
made), so documents look the same on every machine:

* body: Noto Serif CJK SC Regular, a 宋体 (`NotoSerifSC-Regular-subset.ttf`): Latin,
  punctuation, CJK Unified Ideographs, Extension A and the Ext B+ characters it has.
* title: Noto Serif CJK SC Bold, a heavy 宋 like 小标宋 (`NotoSerifSC-Bold-subset.ttf`),
  subset to Latin, punctuation and the 8,105 characters of 通用规范汉字表.
* HanaMinB (`HanaMinB-subset.ttf`): Extensions B-F.
* BabelStone Han (`BabelStoneHan-subset.ttf`): the ideographs none of the above has
  (most of Extensions G and H, the newest URO and Ext A characters).

reportlab has no font fallback, so `font_runs` splits text into runs, each in the first
font of the face's chain that has a real glyph (outlines, not just a cmap entry) for its
characters: body -> HanaMinB -> BabelStone Han; title -> body chain. A character no font
has is refused (`UnprintableText`), never printed as a blank or a box.
WenQuanYi Micro Hei (`wqy-microhei-subset.ttf`) is only for the screen (a sans face for the UI).
"""

from __future__ import annotations

import struct
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from inspector_app.core.i18n import _
from inspector_app.core.resources import fonts_dir


@dataclass(frozen=True)
class BundledFont:
    file: str
    family: str  # as Qt reports it (name table ID 1)
    pdf_name: str  # the reportlab font name ("" for a screen-only font)


BODY = BundledFont("NotoSerifSC-Regular-subset.ttf", "Noto Serif CJK SC", "NotoSerifSC")
TITLE = BundledFont("NotoSerifSC-Bold-subset.ttf", "Noto Serif CJK SC", "NotoSerifSC-Bold")
EXTB = BundledFont("HanaMinB-subset.ttf", "HanaMinB", "HanaMinB")
REST = BundledFont("BabelStoneHan-subset.ttf", "BabelStone Han", "BabelStoneHan")
SCREEN = BundledFont("wqy-microhei-subset.ttf", "WenQuanYi Micro Hei", "")

# Typefaces a document asks for: "body" for the text, "title" for document titles.
FACES = ("body", "title")
CHAINS: dict[str, tuple[BundledFont, ...]] = {
    "body": (BODY, EXTB, REST),
    "title": (TITLE, BODY, EXTB, REST),
}
PDF_FONTS = (BODY, TITLE, EXTB, REST)
# The screen's fallback chain (Qt): the sans UI font, then the body chain.
SCREEN_CHAIN = (SCREEN, BODY, EXTB, REST)

# Older names, kept for callers.
MAIN_FONT_FILE = BODY.file
EXTB_FONT_FILE = EXTB.file
MAIN_FAMILY = SCREEN.family
EXTB_FAMILY = EXTB.family
PDF_MAIN_FONT = BODY.pdf_name
PDF_EXTB_FONT = EXTB.pdf_name


def font_path(font: BundledFont) -> Path:
    return fonts_dir() / font.file


def main_font_path() -> Path:
    return font_path(BODY)


def extb_font_path() -> Path:
    return font_path(EXTB)


def bundled_font_paths() -> list[Path]:
    """Every bundled font file: the PDF fonts (body first), then the screen font."""
    return [font_path(f) for f in (*PDF_FONTS, SCREEN)]


@dataclass(frozen=True)
class _Loaded:
    name: str
    real: frozenset[int]  # code points whose glyph has outlines
    cmap: frozenset[int]  # every code point the cmap maps (empty glyphs included)


_lock = threading.Lock()
_loaded: dict[str, _Loaded] | None = None


def _real_codes(face) -> frozenset[int]:
    """Code points of a reportlab TrueType face whose glyph has contours (or components)."""
    pos = face.glyphPos
    glyf = face.get_table_pos("glyf")[0]
    real = set()
    for code, glyph in face.charToGlyph.items():
        if glyph + 1 < len(pos) and pos[glyph + 1] > pos[glyph]:
            contours = struct.unpack(">h", face.get_chunk(glyf + pos[glyph], 2))[0]
            if contours != 0:
                real.add(code)
    return frozenset(real)


def _fonts() -> dict[str, _Loaded]:
    global _loaded
    with _lock:
        if _loaded is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            _fix_tounicode_for_astral_chars()
            loaded = {}
            for font in PDF_FONTS:
                tt = TTFont(font.pdf_name, str(font_path(font)))
                pdfmetrics.registerFont(tt)
                loaded[font.pdf_name] = _Loaded(font.pdf_name, _real_codes(tt.face),
                                                frozenset(tt.face.charToGlyph))
            _loaded = loaded
    return _loaded


def register_pdf_fonts() -> tuple[str, str]:
    """Register the bundled fonts with reportlab (once); return (body, plane-2) names."""
    _fonts()
    return PDF_MAIN_FONT, PDF_EXTB_FONT


def _chain(face: str) -> list[_Loaded]:
    if face not in CHAINS:
        raise ValueError(f"unknown face {face!r}; use one of {FACES}")
    loaded = _fonts()
    return [loaded[f.pdf_name] for f in CHAINS[face]]


@cache
def _first_font_chars(face: str) -> frozenset[str]:
    """The characters `font_runs` puts in the first font of `face`'s chain."""
    chain = _chain(face)
    first = chain[0]
    drawn = set().union(*(f.real for f in chain))
    return frozenset(chr(c) for c in first.cmap if c in first.real or c not in drawn)


@cache
def _printable_chars() -> frozenset[str]:
    """Characters `unprintable` never counts: a real glyph in the chain, or whitespace."""
    chain = _chain("body")
    chars = {chr(c) for f in chain for c in f.real}
    return frozenset(chars | {ch for ch in map(chr, range(0x3001)) if ch.isspace()})


def font_runs(text: str, face: str = "body") -> list[tuple[str, str]]:
    """Split `text` into (reportlab font name, substring) runs.

    A character goes in the first font of the face's chain with a real glyph for it. One
    no font draws (a space, a zero-width mark) stays in the current font if its cmap has
    it, else goes to the first font that maps it, else stays in the current run;
    `unprintable` refuses those that would print wrong.
    """
    chain = _chain(face)
    if _first_font_chars(face).issuperset(text):  # the common case: all in the first font
        return [(chain[0].name, text)] if text else []
    runs: list[tuple[str, str]] = []
    current = chain[0]
    start = 0
    for i, ch in enumerate(text):
        code = ord(ch)
        font = next((f for f in chain if code in f.real), None)
        if font is None:
            if code in current.cmap:
                continue
            font = next((f for f in chain if code in f.cmap), None)
            if font is None:
                continue
        if font is not current:
            if i > start:
                runs.append((current.name, text[start:i]))
            current, start = font, i
    if len(text) > start:
        runs.append((current.name, text[start:]))
    return runs


def _fix_tounicode_for_astral_chars() -> None:
    """Make reportlab's ToUnicode CMaps right for characters above U+FFFF.

    reportlab writes each mapping as `<code> <%04X>`, which for 𠮷 gives `<20BB7>`:
    not UTF-16BE, so text copied or extracted from the PDF shows the wrong
    character. Rewrite those entries as UTF-16 surrogate pairs (`<D842DFB7>`);
    BMP entries are left exactly as reportlab makes them.
    """
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_inspector_fixed", False):
        return

    def make_tounicode_cmap(fontname, subset):
        cmap = original(fontname, subset)
        if all(code <= 0xFFFF for code in subset):
            return cmap
        lines = cmap.split("\n")
        for i, code in enumerate(subset):
            if code > 0xFFFF:
                wrong = f"<{i:02X}> <{code:04X}>"
                if wrong in lines:
                    utf16 = chr(code).encode("utf-16-be").hex().upper()
                    lines[lines.index(wrong)] = f"<{i:02X}> <{utf16}>"
        return "\n".join(lines)

    make_tounicode_cmap._inspector_fixed = True
    ttfonts.makeToUnicodeCMap = make_tounicode_cmap


class UnprintableText(ValueError):
    """Text holds characters no bundled font can show; `chars` lists them once each."""

    def __init__(self, chars: list[str]):
        self.chars = chars
        super().__init__(describe_chars(chars))

    @property
    def message(self) -> str:
        """What to tell the user (in the current language)."""
        return _("Cannot print: the fonts have no glyph for these characters: {chars}. "
                 "Check these characters in the record (a typing error?); if they are "
                 "right, ask the administrator.").format(chars=describe_chars(self.chars))


def describe_chars(chars: list[str]) -> str:
    """Each character with its code point: 𠮷（U+20BB7）、…"""
    return "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in chars)


def unprintable(text: str) -> list[str]:
    """The characters of `text` that no bundled font has a real glyph for, in order, each
    once. Whitespace is not counted, nor a zero-width mark or format character a font maps
    (it prints as itself); one no font maps would print as a box, so it is counted.
    """
    if _printable_chars().issuperset(text):
        return []
    chain = _chain("body")  # the title chain ends with the body chain: same coverage
    missing: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch.isspace() or any(code in f.real for f in chain):
            continue
        if unicodedata.category(ch) in ("Mn", "Me", "Cf") and any(code in f.cmap
                                                                 for f in chain):
            continue
        if ch not in missing:
            missing.append(ch)
    return missing


def require_printable(text: str) -> None:
    """Raise UnprintableText if `text` holds a character no bundled font has."""
    missing = unprintable(text)
    if missing:
        raise UnprintableText(missing)


@lru_cache(maxsize=65536)
def char_width(ch: str, size: float, face: str = "body") -> float:
    """Width of one character at `size`, in the font of `face`'s chain that has it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(t, f, size) for f, t in font_runs(ch, face))


def text_width(text: str, size: float, face: str = "body") -> float:
    return sum(char_width(ch, size, face) for ch in text)


def draw_text(c, x: float, y: float, text: str, size: float, face: str = "body") -> float:
    """Draw `text` on canvas `c` with each run in a font that has it; return the end x.

    Raises UnprintableText (drawing nothing) if a character would print blank or as a box.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    require_printable(text)
    for font, run in font_runs(text, face):
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += stringWidth(run, font, size)
    return x
