"""The one PDF layout engine of every printed document (no Qt; reportlab).

Modules:

* `grid`: GB/T 9704-2012 page geometry in points -- `MM`, `PAGE_W`, `PAGE_H`, `LEFT`,
  `TOP`, `TEXT_W` (156 mm), `TEXT_H` (225 mm), `RIGHT`, `BOTTOM`, `LINE` (one of 22
  lines), `CHARS` (28), `TITLE_PT` 22, `BODY_PT` 16, `PAGENO_PT` 14, `TABLE_PT` 12,
  `SMALL_PT` 9, `SQUEEZE`, colours `GREY`, `RED`.
* `breaking`: line breaking and justification -- `no_start(ch)`, `no_end(ch)`,
  `no_start_chars()`, `no_end_chars()` (the complete sets), `units(text)`,
  `break_lines(text, size, width, first_width=None, face="body") -> list[Line]`
  (`Line.units`, `.text`, `.width`, `.last`, `.hung`), `wrap(...) -> list[str]`,
  `draw_line(c, x, y, line, size, width, face, justify=True, max_gap=None)`,
  `HALF_BLANK` (closing marks whose blank half may hang at a line's end).
* `table`: the layout behind `Flow.table` (`MAX_CELL_GAP`).
* `raster`: the one PDF rasteriser (pypdfium2, behind a lock) -- `Pages(data)` with
  `len()`, `.size(i)` in points, `.render(i, width) -> Pixels` (BGRx), and
  `page_images(data, dpi)` (greyscale PIL images); the preview and the QR check use it.
* `flow`: `Flow(footer_height=0, footer=None, overlay=None, watermark=None,
  page_numbers=True, top=grid.TOP)` with `.line(text, size, align, height, indent, face,
  color)`, `.title(text)`, `.paragraph(text, size, indent_chars=2)`, `.field(label,
  value)`, `.gap(h)`, `.room(h)`, `.new_page()`, `.keep_together(build)`, `.table(header,
  rows, widths, size=, align=, fill=, ink=)`, `.signature(label, Signature|None,
  width=, date_text=)`, `.drawing(d, h)`, `.op(fn)` (a raw drawing op on the current
  page; `.y` is the top of the next line box; text a raw op draws must be checked with
  `fonts.require_printable` by its caller), `.emit(canvas) -> pages`, `.render(title)
  -> bytes`. Callbacks get `Page(number, total, floor)`. Also `Signature(png, name,
  refused, day)`, `new_canvas(out, title)`, `draw_signature`, `draw_page_number`,
  `draw_watermark`, `image_reader`, `cn_date`, `BLANK`.

Callbacks: `footer(c, page)` draws the reserved `footer_height` at the foot of every page
(signature lines on every page of a list), `overlay(c, page)` draws after the content (a
QR code, an id line); the watermark is drawn first, under the content.

Every string is checked with `fonts.require_printable` before it is laid out (a character
no bundled font has raises `fonts.UnprintableText`: the document refuses to render rather
than print a blank), and drawn with `fonts.draw_text` (titles with face="title").
Pages are laid out first and drawn after, so "第x页 共y页" is right on every page.
"""

from inspector_app.core.pdf import breaking, grid
from inspector_app.core.pdf.breaking import Line, break_lines, wrap
from inspector_app.core.pdf.flow import (
                                         BLANK,
                                         Flow,
                                         Page,
                                         Signature,
                                         cn_date,
                                         draw_signature,
                                         new_canvas,
)

__all__ = ["BLANK", "Flow", "Line", "Page", "Signature", "break_lines", "breaking", "cn_date",
           "draw_signature", "grid", "new_canvas", "wrap"]
