"""The bundled CJK fonts, and setting Chinese text with them in reportlab PDFs.

No Qt here (see `inspector_app.ui.fonts` for the Qt side). Two fonts are bundled
in `resources/fonts/` (see its README.md), so Chinese renders on machines with no
Chinese fonts installed:

* WenQuanYi Micro Hei (`wqy-microhei.ttc`, face 0): the main font, BMP Chinese
  (GB 18030 / CJK Unified + Ext-A), Latin, punctuation.
* HanaMinB (`HanaMinB-subset.ttf`): CJK Extension B-D (plane 2, U+20000-U+2B81F),
  for rare characters in names such as 𠮷 (U+20BB7) or 𪚥 (U+2A6A5), which the
  main font lacks.

reportlab has no font fallback, so text is split with `font_runs` into runs that
each go in a font that has their characters.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from inspector_app.core.resources import fonts_dir

MAIN_FONT_FILE = "wqy-microhei.ttc"
EXTB_FONT_FILE = "HanaMinB-subset.ttf"

# Family names as Qt reports them (name table ID 1).
MAIN_FAMILY = "WenQuanYi Micro Hei"
EXTB_FAMILY = "HanaMinB"

# reportlab font names.
PDF_MAIN_FONT = "WenQuanYiMicroHei"
PDF_EXTB_FONT = "HanaMinB"


def main_font_path() -> Path:
    return fonts_dir() / MAIN_FONT_FILE


def extb_font_path() -> Path:
    return fonts_dir() / EXTB_FONT_FILE


def bundled_font_paths() -> list[Path]:
    """Main font first, then the plane-2 fallback."""
    return [main_font_path(), extb_font_path()]


_lock = threading.Lock()
_cmaps: tuple[frozenset[int], frozenset[int]] | None = None


def register_pdf_fonts() -> tuple[str, str]:
    """Register the bundled fonts with reportlab (once); return (main, plane-2) names."""
    global _cmaps
    with _lock:
        if _cmaps is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            _fix_tounicode_for_astral_chars()
            main = TTFont(PDF_MAIN_FONT, str(main_font_path()), subfontIndex=0)
            extb = TTFont(PDF_EXTB_FONT, str(extb_font_path()))
            pdfmetrics.registerFont(main)
            pdfmetrics.registerFont(extb)
            _cmaps = (frozenset(main.face.charToGlyph), frozenset(extb.face.charToGlyph))
    return PDF_MAIN_FONT, PDF_EXTB_FONT


def font_runs(text: str) -> list[tuple[str, str]]:
    """Split `text` into (reportlab font name, substring) runs.

    A character goes in the main font if it has it, else in the plane-2 font if
    that has it. A character neither font has (a control or combining character,
    a variation selector) stays in the current run, so it does not split it.
    """
    main_name, extb_name = register_pdf_fonts()
    assert _cmaps is not None
    main_cmap, extb_cmap = _cmaps
    runs: list[tuple[str, str]] = []
    current = main_name
    start = 0
    for i, ch in enumerate(text):
        code = ord(ch)
        if code in main_cmap:
            font = main_name
        elif code in extb_cmap:
            font = extb_name
        else:
            continue
        if font != current:
            if i > start:
                runs.append((current, text[start:i]))
            current, start = font, i
    if len(text) > start:
        runs.append((current, text[start:]))
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


# Typefaces a document asks for: "body" for the text, "title" for document titles.
FACES = ("body", "title")


class UnprintableText(ValueError):
    """Text holds characters no bundled font can show; `chars` lists them once each."""

    def __init__(self, chars: list[str]):
        self.chars = chars
        shown = "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in chars)
        super().__init__(shown)


def unprintable(text: str) -> list[str]:
    """The characters of `text` that no bundled font has, in order, each once.

    Spaces, line breaks and combining marks are not counted: they print as themselves.
    """
    register_pdf_fonts()
    assert _cmaps is not None
    main_cmap, extb_cmap = _cmaps
    missing: list[str] = []
    for ch in text:
        code = ord(ch)
        if code in main_cmap or code in extb_cmap or ch.isspace() or _is_mark(ch):
            continue
        if ch not in missing:
            missing.append(ch)
    return missing


def require_printable(text: str) -> None:
    """Raise UnprintableText if `text` holds a character no bundled font has."""
    missing = unprintable(text)
    if missing:
        raise UnprintableText(missing)


def _is_mark(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) in ("Mn", "Me", "Cf")


@lru_cache(maxsize=65536)
def char_width(ch: str, size: float, face: str = "body") -> float:
    """Width of one character at `size`, in the font that has it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(t, f, size) for f, t in font_runs(ch))


def text_width(text: str, size: float, face: str = "body") -> float:
    return sum(char_width(ch, size, face) for ch in text)


def draw_text(c, x: float, y: float, text: str, size: float, face: str = "body") -> float:
    """Draw `text` on canvas `c` with each run in a font that has it; return the end x."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for font, run in font_runs(text):
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += stringWidth(run, font, size)
    return x
