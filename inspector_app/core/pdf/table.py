"""Ruled tables for `Flow.table`: rows wrap, split over pages, the header repeats."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from inspector_app.core.pdf import breaking
from inspector_app.core.pdf.grid import GREY, LEFT, TEXT_W

Rgb = tuple[float, float, float]
# A cell's full line is justified unless that spreads its characters more than this (in
# ems): a line cut short before a long number stays left-aligned rather than gapped.
MAX_CELL_GAP = 0.25


def lay_out(flow, header: Sequence[str] | None, rows: Sequence[Sequence[str]],
            widths: Sequence[float], *, size: float, align: Sequence[str] | None,
            fill: Callable[[int], Rgb | None] | None, ink: Callable[[int], Rgb | None] | None,
            leading: float | None, pad: float) -> None:
    ncol = len(widths)
    widths = [w * TEXT_W / sum(widths) for w in widths]
    align = list(align or ["left"] * ncol)
    lead = leading or size * 1.35

    def cells(row: Sequence[str]) -> list[list[breaking.Line]]:
        return [breaking.break_lines(str(t if t is not None else ""), size, w - 2 * pad)
                for t, w in zip(row, widths, strict=True)]

    def height(n_lines: int) -> float:
        return n_lines * lead + 2 * pad

    def put(lines: list[list[breaking.Line]], n_lines: int, head: bool, shade: Rgb | None,
            color: Rgb | None) -> None:
        h = height(n_lines)
        top = flow.y

        def draw(c, top=top):
            x = LEFT
            c.setLineWidth(0.5)
            if shade:
                c.setFillColorRGB(*shade)
                c.rect(LEFT, top - h, TEXT_W, h, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            if color:
                c.setFillColorRGB(*color)
            for cell, w, how in zip(lines, widths, align, strict=True):
                y = top - pad - (lead + size * 0.7) / 2
                if head:  # header cells centred vertically too
                    y -= (n_lines - len(cell)) * lead / 2
                for ln in cell:
                    tw = min(ln.width, w - 2 * pad)
                    if head or how == "center":
                        lx = x + (w - tw) / 2
                    elif how == "right":
                        lx = x + w - pad - tw
                    else:
                        lx = x + pad
                    breaking.draw_line(c, lx, y, ln, size, w - 2 * pad,
                                       justify=how == "left" and not head,
                                       max_gap=size * MAX_CELL_GAP)
                    y -= lead
                c.rect(x, top - h, w, h, stroke=1, fill=0)
                x += w
            if color:
                c.setFillColorRGB(0, 0, 0)

        flow.op(draw)
        flow.y -= h

    head = cells(header) if header else None
    head_n = max(len(x) for x in head) if head else 0
    head_h = height(head_n) if head else 0.0

    def head_row() -> None:
        if head:
            put(head, head_n, True, GREY, None)

    # The header never stands alone at the foot of a page.
    first = cells(rows[0]) if rows else None
    flow.room(head_h + (height(max(len(x) for x in first)) if first else 0))
    head_row()
    for n, row in enumerate(rows):
        lines = first if n == 0 and first is not None else cells(row)
        shade = fill(n) if fill else None
        color = ink(n) if ink else None
        n_lines = max(len(x) for x in lines)
        if flow.y - height(n_lines) < flow.floor - 0.5:
            page_room = flow.top - flow.floor - head_h
            if height(n_lines) <= page_room or flow.y - flow.floor < height(2) + 0.5:
                flow.new_page()
                head_row()
        # Split a row taller than the room left (only one taller than a page gets here).
        while flow.y - height(n_lines) < flow.floor - 0.5:
            fit = max(1, int((flow.y - flow.floor - 2 * pad) // lead))
            put([c[:fit] for c in lines], fit, False, shade, color)
            lines = [c[fit:] for c in lines]
            n_lines = max(1, max(len(x) for x in lines))
            flow.new_page()
            head_row()
        put(lines, n_lines, False, shade, color)

