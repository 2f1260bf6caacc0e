"""A small page layout for the workstation reports: lines, wrapped paragraphs and tables
whose header row repeats on every page, drawn with reportlab's canvas.

Pages are laid out first as lists of drawing operations, so that each page can say
“第x页 共y页”. Every run of text is set in a font that has its glyphs (`fonts.font_runs`):
the bundled main font, or the plane-2 font for characters such as 𠮷; the canvas starts in
the main font, so no unembedded standard font is ever used.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from inspector_app.core import fonts

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT = RIGHT = 18 * MM
TOP, BOTTOM = 20 * MM, 20 * MM
TEXT_W = PAGE_W - LEFT - RIGHT
TITLE_PT, HEAD_PT, BODY_PT, TABLE_PT, SMALL_PT = 18, 12, 10.5, 8, 8

Op = Callable[[Any], None]
GREY = (0.93, 0.93, 0.93)
RED = (0.75, 0.05, 0.05)


char_width = fonts.char_width
text_width = fonts.text_width
draw_text = fonts.draw_text


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width` (ASCII words kept whole where they fit)."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        cur, w = "", 0.0
        word, ww = "", 0.0
        for ch in para + "\0":
            if ch != "\0" and ch.isascii() and not ch.isspace():
                word += ch
                ww += char_width(ch, size)
                continue
            if word:  # place the word before this character
                if w + ww > width and cur:
                    lines.append(cur)
                    cur, w = "", 0.0
                while ww > width and len(word) > 1:  # longer than a line: break it
                    cut, cw = "", 0.0
                    for wc in word:
                        if cw + char_width(wc, size) > width - w and (cut or cur):
                            break
                        cut += wc
                        cw += char_width(wc, size)
                    lines.append(cur + cut)
                    cur, w = "", 0.0
                    word = word[len(cut):]
                    ww = text_width(word, size)
                cur += word
                w += ww
                word, ww = "", 0.0
            if ch == "\0":
                break
            cw = char_width(ch, size)
            if w + cw > width and cur and ch not in "，。、；：）》!,.;:)":
                lines.append(cur)
                cur, w = "", 0.0
                if ch.isspace():
                    continue
            cur += ch
            w += cw
        lines.append(cur)
    return lines


class Layout:
    """Lays out a report top-down over A4 pages."""

    def __init__(self, footer: str = ""):
        self.pages: list[list[Op]] = []
        self.footer = footer
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - TOP

    @property
    def floor(self) -> float:
        return BOTTOM + 8 * MM

    def room(self, height: float) -> bool:
        """Start a new page unless `height` fits; True if a page was started."""
        if self.y - height < self.floor:
            self.new_page()
            return True
        return False

    def op(self, fn: Op) -> None:
        self.pages[-1].append(fn)

    def line(self, text: str, size: float = BODY_PT, align: str = "left",
             height: float | None = None, indent: float = 0.0,
             color: tuple[float, float, float] | None = None) -> None:
        height = height or size * 1.7
        self.room(height)
        baseline = self.y - height / 2 - size * 0.35
        if align == "center":
            x = LEFT + (TEXT_W - text_width(text, size)) / 2
        elif align == "right":
            x = LEFT + TEXT_W - text_width(text, size)
        else:
            x = LEFT + indent

        def draw(c, x=x, y=baseline, text=text, size=size, color=color):
            if color:
                c.setFillColorRGB(*color)
            draw_text(c, x, y, text, size)
            if color:
                c.setFillColorRGB(0, 0, 0)

        self.op(draw)
        self.y -= height

    def paragraph(self, text: str, size: float = BODY_PT, indent_chars: int = 2) -> None:
        indent = indent_chars * size
        lines = wrap(text, size, TEXT_W - indent)
        for n, line in enumerate(lines):
            self.line(line, size, indent=indent if n == 0 else 0)

    def heading(self, text: str) -> None:
        self.room(HEAD_PT * 2 + TABLE_PT * 6)  # not alone at the foot of a page
        self.gap(2 * MM)
        self.line(text, HEAD_PT, height=HEAD_PT * 1.9)

    def gap(self, height: float) -> None:
        self.y -= height
        if self.y < self.floor:
            self.new_page()

    def drawing(self, drawing, height: float) -> None:
        """A reportlab.graphics Drawing, left-aligned."""
        from reportlab.graphics import renderPDF

        self.room(height)
        top = self.y

        def draw(c, d=drawing, y=top - height):
            renderPDF.draw(d, c, LEFT, y)

        self.op(draw)
        self.y -= height

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float], size: float = TABLE_PT,
              align: Sequence[str] | None = None,
              highlight: Callable[[int], bool] | None = None) -> None:
        """A ruled table; the header repeats on each page it runs over; cells wrap."""
        pad = 1.2 * MM
        lead = size * 1.3
        align = align or ["left"] * len(header)
        widths = [w * TEXT_W / sum(widths) for w in widths]

        def measure(cells: Sequence[str]) -> tuple[list[list[str]], float]:
            wrapped = [wrap(str(cell), size, w - 2 * pad) for cell, w in zip(cells, widths)]
            return wrapped, max(len(w) for w in wrapped) * lead + 2 * pad - size * 0.1

        head_cells, head_h = measure(header)

        def put_row(wrapped, h, shade, color) -> None:
            top = self.y

            def draw(c, wrapped=wrapped, h=h, top=top, shade=shade, color=color):
                x = LEFT
                if shade:
                    c.setFillColorRGB(*shade)
                    c.rect(LEFT, top - h, sum(widths), h, stroke=0, fill=1)
                    c.setFillColorRGB(0, 0, 0)
                c.setLineWidth(0.4)
                if color:
                    c.setFillColorRGB(*color)
                for lines, w, how in zip(wrapped, widths, align):
                    for n, text in enumerate(lines):
                        y = top - pad - size * 0.85 - n * lead
                        if how == "right":
                            draw_text(c, x + w - pad - text_width(text, size), y, text, size)
                        elif how == "center":
                            draw_text(c, x + (w - text_width(text, size)) / 2, y, text, size)
                        else:
                            draw_text(c, x + pad, y, text, size)
                    c.rect(x, top - h, w, h, stroke=1, fill=0)
                    x += w
                if color:
                    c.setFillColorRGB(0, 0, 0)

            self.op(draw)
            self.y -= h

        self.room(head_h + lead * 2)
        put_row(head_cells, head_h, GREY, None)
        for n, row in enumerate(rows):
            wrapped, h = measure(row)
            if self.room(h):
                put_row(head_cells, head_h, GREY, None)
            put_row(wrapped, h, None, RED if highlight and highlight(n) else None)

    def render(self, title: str) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen.canvas import Canvas

        main, _extb = fonts.register_pdf_fonts()
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=A4, initialFontName=main, initialFontSize=BODY_PT,
                   pageCompression=1)
        c.setTitle(title)
        c.setCreator("Inspector")
        c.setFont(main, BODY_PT)
        total = len(self.pages)
        for n, ops in enumerate(self.pages, start=1):
            c.setFillColorRGB(0, 0, 0)
            for op in ops:
                op(c)
            label = f"第{n}页 共{total}页"
            draw_text(c, LEFT + (TEXT_W - text_width(label, SMALL_PT)) / 2, BOTTOM - 2 * MM,
                      label, SMALL_PT)
            if self.footer:
                draw_text(c, LEFT, BOTTOM - 2 * MM, self.footer, SMALL_PT)
            c.showPage()
        c.save()
        return buf.getvalue()
