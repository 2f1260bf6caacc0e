"""Flowing a document over the pages of the grid: lines, paragraphs, fields, tables,
keep-together blocks, signature blocks; then drawing the pages with page numbers,
footers and the draft watermark.

A `Flow` lays out first and draws later: each page is a list of drawing operations, so the
total page count is known when "第x页 共y页" is drawn.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from inspector_app.core import fonts
from inspector_app.core.pdf import breaking, grid
from inspector_app.core.pdf.grid import (
    BODY_PT,
    BOTTOM,
    LEFT,
    LINE,
    MM,
    PAGE_H,
    PAGE_W,
    PAGENO_GAP,
    PAGENO_PT,
    TABLE_PT,
    TEXT_W,
    TITLE_PT,
    TOP,
)

Op = Callable[[Any], None]
BLANK = "＿＿＿＿"
SIG_H = 9 * MM  # height of a drawn signature image


@dataclass
class Page:
    """What a per-page callback is told: the page's number, the total, and the top of the
    reserved footer area (the bottom of the flowing text)."""

    number: int
    total: int
    floor: float


@dataclass
class Signature:
    """A signature block's content: an image, a typed name, a refusal, or nothing (a line)."""

    png: bytes | None = None
    name: str = ""
    refused: bool = False
    day: date | None = None


def cn_date(day: date | None) -> str:
    """2026年3月5日; blanks to fill by hand when there is no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def text_width(text: str, size: float, face: str = "body") -> float:
    return fonts.text_width(text, size, face=face)


class Flow:
    """Lays out a document top-down over pages of the text block.

    footer_height: space reserved at the bottom of the text block on every page, drawn by
    `footer(c, page)` (e.g. signature lines on every page of a list).
    overlay(c, page): drawn on every page after its content (e.g. a QR code).
    watermark: drawn across every page (drafts only: pass it only for a draft).
    page_numbers: "第x页 共y页" under the text block of every page.
    """

    def __init__(self, *, footer_height: float = 0.0,
                 footer: Callable[[Any, Page], None] | None = None,
                 overlay: Callable[[Any, Page], None] | None = None,
                 watermark: str | None = None, page_numbers: bool = True,
                 top: float = TOP):
        self.pages: list[list[Op]] = []
        self.footer_height = footer_height
        self.footer = footer
        self.overlay = overlay
        self.watermark = watermark
        self.page_numbers = page_numbers
        self.top = PAGE_H - top
        self.new_page()

    # --- position ------------------------------------------------------------------------

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    @property
    def floor(self) -> float:
        return BOTTOM + self.footer_height

    @property
    def at_top(self) -> bool:
        return self.y >= self.top - 0.5

    def room(self, height: float) -> bool:
        """Start a new page unless `height` fits; True if a page was started."""
        if self.y - height < self.floor - 0.5 and not self.at_top:
            self.new_page()
            return True
        return False

    def op(self, fn: Op) -> None:
        self.pages[-1].append(fn)

    def gap(self, height: float) -> None:
        self.y -= height
        if self.y < self.floor:
            self.new_page()

    def keep_together(self, build: Callable[[Flow], None]) -> None:
        """Run `build(self)`; if what it lays out breaks over a page, lay it out again from
        the top of a new page (unless it started at a page top already)."""
        pages, ops, y, top = len(self.pages), len(self.pages[-1]), self.y, self.at_top
        build(self)
        if len(self.pages) == pages or top:
            return
        del self.pages[pages:]
        del self.pages[-1][ops:]
        self.y = y
        self.new_page()
        build(self)

    # --- text ----------------------------------------------------------------------------

    def _put(self, line: breaking.Line, x: float, size: float, height: float, width: float,
             face: str, justify: bool, color: tuple[float, float, float] | None) -> None:
        self.room(height)
        baseline = self.y - height / 2 - size * 0.35

        def draw(c, x=x, y=baseline):
            if color:
                c.setFillColorRGB(*color)
            breaking.draw_line(c, x, y, line, size, width, face, justify)
            if color:
                c.setFillColorRGB(0, 0, 0)

        self.op(draw)
        self.y -= height

    def line(self, text: str, size: float = BODY_PT, align: str = "left",
             height: float | None = None, indent: float = 0.0, face: str = "body",
             color: tuple[float, float, float] | None = None) -> None:
        """Text on its own line(s), aligned left (after `indent`), center or right (`indent`
        from the right edge); wrapped if too long, never justified."""
        height = height or LINE
        width = TEXT_W - indent
        for ln in breaking.break_lines(text, size, width, face=face):
            w = min(ln.width, width)
            if align == "center":
                x = LEFT + (TEXT_W - w) / 2
            elif align == "right":
                x = LEFT + TEXT_W - indent - w
            else:
                x = LEFT + indent
            self._put(ln, x, size, height, width, face, False, color)

    def title(self, text: str, size: float = TITLE_PT, height: float | None = None) -> None:
        """A centred title in the title face."""
        self.line(text, size, "center", height or LINE * 1.25, face="title")

    def paragraph(self, text: str, size: float = BODY_PT, indent_chars: int = 2,
                  height: float | None = None, face: str = "body",
                  color: tuple[float, float, float] | None = None) -> None:
        """A justified paragraph, its first line indented by `indent_chars` characters;
        a newline in `text` starts a new paragraph."""
        height = height or LINE
        indent = indent_chars * size
        for para in (text or "").split("\n"):
            lines = breaking.break_lines(para, size, TEXT_W, TEXT_W - indent, face)
            for n, ln in enumerate(lines):
                x = LEFT + (indent if n == 0 else 0)
                self._put(ln, x, size, height, TEXT_W - (indent if n == 0 else 0), face,
                          True, color)

    def field(self, label: str, value: str, size: float = BODY_PT,
              height: float | None = None, blank: str = BLANK) -> None:
        """`label` then `value` (or `blank`), justified; continued lines under the value."""
        height = height or LINE
        fonts.require_printable(label)
        lw = text_width(label, size)
        lines = breaking.break_lines(value or blank, size, TEXT_W - lw)
        for n, ln in enumerate(lines):
            if n == 0:
                self.room(height)
                lab_y = self.y - height / 2 - size * 0.35
                self.op(lambda c, y=lab_y: fonts.draw_text(c, LEFT, y, label, size))
            self._put(ln, LEFT + lw, size, height, TEXT_W - lw, "body", True, None)

    # --- tables --------------------------------------------------------------------------

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]],
              widths: Sequence[float], *, size: float = TABLE_PT,
              align: Sequence[str] | None = None,
              fill: Callable[[int], tuple[float, float, float] | None] | None = None,
              ink: Callable[[int], tuple[float, float, float] | None] | None = None,
              leading: float | None = None, pad: float = 1.5 * MM) -> None:
        """A ruled table over the text width (`widths` are relative). Cells wrap (full
        lines justified in left-aligned cells, see `table.MAX_CELL_GAP`); a row that does not fit goes to the next
        page, a row taller than a page is split by lines; the header row repeats on every
        page. `fill(n)` shades row n, `ink(n)` colours its text."""
        from inspector_app.core.pdf import table as table_mod

        table_mod.lay_out(self, header, rows, widths, size=size, align=align, fill=fill,
                          ink=ink, leading=leading, pad=pad)

    # --- images and signatures ---------------------------------------------------------

    def drawing(self, drawing, height: float) -> None:
        """A reportlab.graphics Drawing, left-aligned."""
        from reportlab.graphics import renderPDF

        self.room(height)
        top = self.y
        self.op(lambda c, y=top - height: renderPDF.draw(drawing, c, LEFT, y))
        self.y -= height

    def signature(self, label: str, sig: Signature | None, *, size: float = BODY_PT,
                  width: float = 50 * MM, date_text: str | None = None,
                  height: float | None = None, indent: float = 0.0) -> None:
        """One signature line: label, then the signature (image, name, 拒绝签名 or a line
        to sign on), then the date (`date_text`, else the signature's day or blanks)."""
        height = height or LINE * 1.5
        fonts.require_printable(label + (sig.name if sig else "") + (date_text or ""))
        self.room(height)
        y = self.y - height + (height - size) / 2 + size * 0.1
        day = date_text if date_text is not None else cn_date(sig.day if sig else None)
        # The signature box ends at the right edge at the latest, the date after it.
        used = indent + text_width(label, size) + 1 * MM
        if day:
            used += 3 * MM + text_width(day, size)
        width = max(min(width, TEXT_W - used), 10 * MM)

        def draw(c, y=y):
            x = fonts.draw_text(c, LEFT + indent, y, label, size)
            x = draw_signature(c, sig, x + 1 * MM, y, width, size)
            if day:
                fonts.draw_text(c, x + 3 * MM, y, day, size)

        self.op(draw)
        self.y -= height

    # --- drawing -------------------------------------------------------------------------

    def emit(self, c) -> int:
        """Draw every page on canvas `c` (one showPage each); return the page count."""
        total = len(self.pages)
        for n, ops in enumerate(self.pages, start=1):
            page = Page(n, total, self.floor)
            if self.watermark:  # under the content, so the text stays readable
                draw_watermark(c, self.watermark)
            c.setFillColorRGB(0, 0, 0)
            if self.footer is not None:
                self.footer(c, page)
            for fn in ops:
                fn(c)
            if self.page_numbers:
                draw_page_number(c, n, total)
            if self.overlay is not None:
                self.overlay(c, page)
            c.showPage()
        return total

    def render(self, title: str = "") -> bytes:
        """The PDF of this flow."""
        buf = io.BytesIO()
        c = new_canvas(buf, title)
        self.emit(c)
        c.save()
        return buf.getvalue()


def new_canvas(out, title: str = ""):
    """An A4 canvas that starts in the embedded main font (never an unembedded Helvetica)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    main, _extb = fonts.register_pdf_fonts()
    c = Canvas(out, pagesize=A4, initialFontName=main, initialFontSize=BODY_PT,
               pageCompression=1)
    c.setFont(main, BODY_PT)
    c.setCreator("Inspector")
    if title:
        c.setTitle(title)
    return c


def draw_page_number(c, n: int, total: int) -> None:
    label = f"第{n}页 共{total}页"
    fonts.draw_text(c, LEFT + (TEXT_W - text_width(label, PAGENO_PT)) / 2,
                    BOTTOM - PAGENO_GAP - PAGENO_PT, label, PAGENO_PT)


def draw_watermark(c, text: str, size: float = 40) -> None:
    """`text` diagonally across the middle of the page, in light grey."""
    fonts.require_printable(text)
    c.saveState()
    c.setFillColorRGB(*grid.WATERMARK_GREY)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(40)
    fonts.draw_text(c, -text_width(text, size) / 2, 0, text, size)
    c.restoreState()


def draw_signature(c, sig: Signature | None, x: float, y: float, width: float,
                   size: float = BODY_PT) -> float:
    """A signature at baseline y in a box `width` wide: its image, its typed name,
    （拒绝签名）, or a line to sign on; return the end x of the box."""
    if sig is not None and sig.refused:
        fonts.draw_text(c, x, y, "（拒绝签名）", size)
    elif sig is not None and sig.png:
        reader = image_reader(sig.png)
        iw, ih = reader.getSize()
        w = min(width, SIG_H * iw / max(ih, 1))
        c.drawImage(reader, x, y - 2 * MM, w, SIG_H, mask="auto", preserveAspectRatio=True,
                    anchor="sw")
    elif sig is not None and sig.name:
        fonts.draw_text(c, x, y, sig.name, size)
    else:
        c.setLineWidth(0.5)
        c.line(x, y - 1.5, x + width - 2 * MM, y - 1.5)
    return x + width


@lru_cache(maxsize=64)
def image_reader(data: bytes):
    from reportlab.lib.utils import ImageReader

    return ImageReader(io.BytesIO(data))
