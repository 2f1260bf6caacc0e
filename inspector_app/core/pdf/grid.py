"""Page geometry of GB/T 9704-2012 (the 2021 templates' layout), in points.

A4; top margin 37 mm; binding (left) margin 28 mm; text block 156 × 225 mm of 22 lines
× 28 characters; title 2号 (22 pt), body 3号 (16 pt), page numbers 4号 (14 pt) 7 mm below
the text block. 28 characters of 16 pt are 158 mm, 2 mm more than the block: GB/T 9704
sets them 156/28 mm apart, so a line may be squeezed by up to `SQUEEZE` of its width
(see `breaking`).
"""

from __future__ import annotations

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, TOP = 28 * MM, 37 * MM
TEXT_W, TEXT_H = 156 * MM, 225 * MM
RIGHT = LEFT + TEXT_W  # right edge of the text block
BOTTOM = PAGE_H - TOP - TEXT_H  # 35 mm: bottom edge of the text block
LINES, CHARS = 22, 28
LINE = TEXT_H / LINES  # one line of the grid (about 10.2 mm)
TITLE_PT, BODY_PT, PAGENO_PT = 22, 16, 14
TABLE_PT, SMALL_PT = 12, 9
PAGENO_GAP = 7 * MM  # from the text block to the page number

# How much a line may be squeezed to hold its characters: 28 × 16 pt in 156 mm.
SQUEEZE = 0.015

GREY = (0.92, 0.92, 0.92)
RED = (0.75, 0.1, 0.1)
WATERMARK_GREY = (0.85, 0.85, 0.85)
