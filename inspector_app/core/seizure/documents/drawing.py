"""Drawing the seizure documents (reportlab, A4, GB/T 9704-2012 layout).

The words come from `wording` as blocks; this module sets them on pages. Every run of text is
set in a font that has its glyphs (`fonts.font_runs`), and the fonts are embedded as subsets.
The QR code is drawn on every page.

Layout: A4; top margin 37 mm, left (binding) margin 28 mm, text block 156 × 225 mm of 22
lines; titles 22 pt, body 16 pt, page numbers 14 pt, 7 mm below the text block.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from inspector_app.core import fonts
from inspector_app.core.seizure import qr
from inspector_app.core.seizure.documents import wording
from inspector_app.core.seizure.documents.model import (
    SignatureInfo,
    Snapshot,
    cn_date,
)
from inspector_app.core.seizure.documents.wording import BLANK

# --- geometry (points) -------------------------------------------------------------------

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, TOP = 28 * MM, 37 * MM
TEXT_W, TEXT_H = 156 * MM, 225 * MM
BOTTOM = PAGE_H - TOP - TEXT_H  # 35 mm
LINE = TEXT_H / 22  # one line of the 22-line grid
TITLE_PT, BODY_PT, PAGENO_PT, TABLE_PT, SMALL_PT = 22, 16, 14, 12, 9
QR_SIZE = 24 * MM
SIG_H = 9 * MM  # height of a drawn signature


# --- text setting ------------------------------------------------------------------------

_NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]}%·")


text_width = fonts.text_width
draw_text = fonts.draw_text


def _units(text: str) -> Iterable[str]:
    """Characters, with runs of ASCII letters and digits kept together."""
    word = ""
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in "-_./@:"):
            word += ch
            continue
        if word:
            yield word
            word = ""
        yield ch
    if word:
        yield word


def wrap(text: str, size: float, width: float, first_width: float | None = None) -> list[str]:
    """Lines of `text` no wider than `width` (the first no wider than `first_width`)."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        limit = first_width if (first_width is not None and not lines) else width
        cur, w = "", 0.0
        for unit in _units(para):
            uw = text_width(unit, size)
            if w + uw > limit + 0.01 and cur:
                if len(unit) == 1 and unit in _NO_LINE_START:  # hang it in the margin
                    cur += unit
                    w = limit + 1.0  # full: the next unit, unless closing, starts a line
                    continue
                if uw > limit:  # a very long word: split it
                    for ch in unit:
                        cw = text_width(ch, size)
                        if w + cw > limit and cur:
                            lines.append(cur)
                            cur, w, limit = "", 0.0, width
                        cur += ch
                        w += cw
                    continue
                lines.append(cur)
                cur, w, limit = "", 0.0, width
            cur += unit
            w += uw
        lines.append(cur)
    return lines


# --- pages as lists of drawing operations ------------------------------------------------

Op = Callable[[Any], None]


class Flow:
    """Lays out a document top-down over pages of the GB/T 9704 text block."""

    def __init__(self, footer_height: float = 0.0, footer: Callable[[Any, float], None] | None
                 = None):
        self.pages: list[list[Op]] = []
        self.footer_height = footer_height
        self.footer = footer
        self.page_head: Callable[[Flow], None] | None = None  # starts every later page
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - TOP  # top of the next line box
        if self.footer is not None:
            footer = self.footer
            self.pages[-1].append(lambda c, f=footer: f(c, BOTTOM + self.footer_height))
        if self.page_head is not None:
            self.page_head(self)

    @property
    def floor(self) -> float:
        return BOTTOM + self.footer_height

    def room(self, height: float) -> None:
        if self.y - height < self.floor - 0.5:
            self.new_page()

    def op(self, fn: Op) -> None:
        self.pages[-1].append(fn)

    def line(self, text: str, size: float = BODY_PT, align: str = "left", height: float = LINE,
             indent: float = 0.0, color: tuple[float, float, float] | None = None) -> None:
        self.room(height)
        baseline = self.y - height / 2 - size * 0.35
        if align == "center":
            x = LEFT + (TEXT_W - text_width(text, size)) / 2
        elif align == "right":
            x = LEFT + TEXT_W - text_width(text, size) - indent
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

    def paragraph(self, text: str, size: float = BODY_PT, indent_chars: int = 2,
                  height: float = LINE) -> None:
        first = TEXT_W - indent_chars * size
        for n, line in enumerate(wrap(text, size, TEXT_W, first)):
            self.line(line, size, indent=indent_chars * size if n == 0 else 0, height=height)

    def field(self, label: str, value: str, size: float = BODY_PT) -> None:
        """`label` then `value`, continued lines under the value."""
        lw = text_width(label, size)
        for n, line in enumerate(wrap(value or BLANK, size, TEXT_W - lw)):
            self.line((label if n == 0 else "") + line, size, indent=0 if n == 0 else lw)

    def gap(self, height: float) -> None:
        self.y -= height
        if self.y < self.floor:
            self.new_page()


def _draw_qr(c, text: str, x: float, y: float, size: float) -> None:
    mods = qr.matrix(text)
    n = len(mods)
    cell = size / n
    path = c.beginPath()
    for r, row in enumerate(mods):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x + start * cell, y + size - (r + 1) * cell, (col - start) * cell,
                          cell)
            else:
                col += 1
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, fill=1, stroke=0)


def _draw_signature(c, sig: SignatureInfo | None, x: float, y: float, width: float) -> float:
    """A signature image (or the refusal) with its baseline at y; return the end x."""
    if sig is None:
        return x + width
    if sig.status == "refused":
        draw_text(c, x, y, "（拒绝签名）", BODY_PT)
        return x + width
    if sig.png:

        reader = _image_reader(sig.png)
        iw, ih = reader.getSize()
        h = SIG_H
        w = min(width, h * iw / max(ih, 1))
        c.drawImage(reader, x, y - 2 * MM, w, h, mask="auto", preserveAspectRatio=True,
                    anchor="sw")
    elif sig.signer:
        draw_text(c, x, y, sig.signer, BODY_PT)
    return x + width


@lru_cache(maxsize=64)
def _image_reader(png: bytes):
    from reportlab.lib.utils import ImageReader

    return ImageReader(io.BytesIO(png))




def _header(flow: Flow, snap: Snapshot, kind: str, number_label: str = "") -> None:
    flow.line(snap.agency or BLANK, TITLE_PT, "center", height=LINE * 1.25)
    flow.line(wording.title(kind), TITLE_PT, "center", height=LINE * 1.25)
    number = snap.number(kind)
    if kind == "list":
        pass  # the list's number and party head every page (`_list`)
    elif number or kind not in ("record", "seals"):
        flow.line(number_label + (number or "（草稿，未编号）"), BODY_PT, "right")
    flow.gap(LINE * 0.3)


def _closing(flow: Flow, snap: Snapshot, kind: str) -> None:
    flow.gap(LINE * 0.5)
    flow.room(LINE * 3)
    flow.line(snap.agency or BLANK, BODY_PT, "right", indent=2 * BODY_PT)
    flow.line("（印章）", BODY_PT, "right", indent=4 * BODY_PT, color=(0.75, 0.1, 0.1))
    flow.line(cn_date(snap.doc_date(kind)), BODY_PT, "right", indent=2 * BODY_PT)


def _rule(c, x0: float, x1: float, y: float) -> None:
    c.setLineWidth(0.5)
    c.line(x0, y - 1.5, x1, y - 1.5)


def _receipt(flow: Flow, sig: SignatureInfo | None) -> None:
    """The party's 签收 line: the signature (or refusal) captured for this document, or a
    line left to sign by hand."""
    flow.gap(LINE * 0.3)
    flow.room(LINE * 1.5)
    y = flow.y - LINE + 3 * MM
    day = sig.signed_on if sig is not None else None

    def draw(c, y=y, sig=sig, day=day):
        x = draw_text(c, LEFT, y, "当事人签收：", BODY_PT)
        if sig is not None and sig.status == "refused":
            end = draw_text(c, x + 2 * MM, y, "（当事人拒绝签收）", BODY_PT)
        elif sig is not None:
            end = _draw_signature(c, sig, x + 2 * MM, y, 45 * MM)
        else:
            end = x + 45 * MM
            _rule(c, x + 1 * MM, end, y)
        draw_text(c, max(end, x + 45 * MM) + 4 * MM, y, cn_date(day), BODY_PT)

    flow.op(draw)
    flow.y -= LINE * 1.5


def _blocks(flow: Flow, snap: Snapshot, kind: str, blocks: list[tuple]) -> None:
    for block in blocks:
        what = block[0]
        if what == "field":
            flow.field(block[1], block[2])
        elif what == "para":
            flow.paragraph(block[1])
        elif what == "plain":
            flow.paragraph(block[1], indent_chars=0)
        elif what == "blank":
            for _n in range(block[1]):
                flow.room(LINE)
                y = flow.y - LINE / 2 - BODY_PT * 0.35
                flow.op(lambda c, y=y: _rule(c, LEFT, LEFT + TEXT_W, y))
                flow.y -= LINE
        elif what == "closing":
            _closing(flow, snap, kind)
        elif what == "receipt":
            _receipt(flow, block[1])
        else:
            raise ValueError(what)


def _notice(kind: str) -> Callable[[Snapshot], Flow]:
    def build(snap: Snapshot) -> Flow:
        blocks = wording.BODIES[kind](snap)  # may refuse (RuleError) before drawing
        flow = Flow()
        _header(flow, snap, kind)
        _blocks(flow, snap, kind, blocks)
        return flow
    return build


def _sign_lines(c, snap: Snapshot, top: float) -> None:
    """The signature block of list and record pages, below `top`."""
    rows: list[tuple[str, list[SignatureInfo | None], str]] = []
    party = snap.signature("party")
    if snap.party_presence == "absent":
        rows.append(("当事人：", [], "（当事人不在场）"))
    elif snap.party_presence == "refused" and party is None:
        rows.append(("当事人（签名）：", [SignatureInfo("party", "", "refused")], ""))
    else:
        rows.append(("当事人（签名）：", [party], ""))
    officer_sigs = [snap.signature("officer", oid) for oid in _officer_ids(snap)]
    rows.append(("执法人员（签名）：", officer_sigs or [None, None], ""))
    rows.append(("见证人（签名）：", [snap.signature("witness")], ""))
    y = top - LINE * 0.75
    for label, sigs, note in rows:
        x = draw_text(c, LEFT, y, label, BODY_PT)
        if note:
            x = draw_text(c, x, y, note, BODY_PT)
        width = (95 * MM - (x - LEFT)) / max(len(sigs), 1)
        days = []
        for sig in sigs:
            x = _draw_signature(c, sig, x + 1 * MM, y, width - 1 * MM)
            if sig is not None and sig.status == "signed" and sig.signed_on:
                days.append(sig.signed_on)
        draw_text(c, LEFT + 104 * MM, y, cn_date(max(days) if days else None), BODY_PT)
        y -= LINE


def _officer_ids(snap: Snapshot) -> list[str]:
    ids: list[str] = []
    for sig in snap.signatures:
        if sig.role == "officer" and sig.officer_id and sig.officer_id not in ids:
            ids.append(sig.officer_id)
    return ids


LIST_FOOTER = LINE * 4.2


def _list(snap: Snapshot) -> Flow:
    columns = wording.list_columns()
    widths = [w * MM for _n, w in columns]
    pad = 1.5 * MM
    leading = TABLE_PT * 1.25

    def footer(c, top, snap=snap):
        draw_text(c, LEFT, top - LINE * 0.6, "上述物品品种、数量经核对无误。", BODY_PT)
        _sign_lines(c, snap, top - LINE * 0.9)

    def header_row(flow: Flow) -> None:
        h = leading * 2 + pad * 2
        flow.room(h)
        top = flow.y
        cells = [wrap(name, TABLE_PT, w - 2 * pad) for (name, _w), w in zip(columns, widths,
                                                                                strict=True)]
        flow.op(lambda c, top=top, cells=cells, h=h: _row(c, top, cells, widths, h, pad,
                                                          leading, bold=True))
        flow.y -= h

    def page_head(flow: Flow) -> None:  # on every page: number and party, then the header
        flow.paragraph(wording.list_page_head(snap), TABLE_PT, indent_chars=0,
                       height=LINE * 0.8)
        decision_no = snap.numbers.get("decision", "")
        if decision_no:
            flow.line(f"《实施行政强制措施决定书》文书编号：{decision_no}", TABLE_PT,
                      height=LINE * 0.8)
        header_row(flow)

    flow = Flow(footer_height=LIST_FOOTER, footer=footer)
    _header(flow, snap, "list")
    page_head(flow)
    flow.page_head = page_head
    for n, item in enumerate(snap.items, start=1):
        values = [str(n), item.name, item.spec, item.unit, item.quantity, item.remark]
        cells = [wrap(v, TABLE_PT, w - 2 * pad) for v, w in zip(values, widths, strict=True)]
        h = max(len(cell) for cell in cells) * leading + pad * 2
        flow.room(h)
        top = flow.y
        flow.op(lambda c, top=top, cells=cells, h=h: _row(c, top, cells, widths, h, pad,
                                                          leading))
        flow.y -= h
    flow.page_head = None  # the closing line needs no table header
    flow.room(LINE)
    flow.line(wording.list_end(snap), TABLE_PT, height=LINE * 0.8)
    return flow


def _row(c, top: float, cells: list[list[str]], widths: list[float], h: float, pad: float,
         leading: float, bold: bool = False) -> None:
    x = LEFT
    c.setLineWidth(0.6)
    for lines, w in zip(cells, widths, strict=True):
        c.rect(x, top - h, w, h, stroke=1, fill=0)
        y = top - pad - TABLE_PT
        for line in lines:
            centre = bold or w in (widths[0], widths[3], widths[4])
            lx = x + (w - text_width(line, TABLE_PT)) / 2 if centre else x + pad
            draw_text(c, lx, y, line, TABLE_PT)
            y -= leading
        x += w


RECORD_FOOTER = LINE * 3.4


def _record(snap: Snapshot) -> Flow:
    def footer(c, top, snap=snap):
        _sign_lines(c, snap, top - LINE * 0.3)

    blocks = wording.record(snap)
    flow = Flow(footer_height=RECORD_FOOTER, footer=footer)
    _header(flow, snap, "record", "决定书文书编号：")
    _blocks(flow, snap, "record", blocks)
    return flow


STRIP_H = 72 * MM
STRIPS_PER_PAGE = 3


def _seals(snap: Snapshot) -> Flow:
    flow = Flow()
    seals = snap.seals or [("", "")]
    for n, (number, where) in enumerate(seals):
        if n and n % STRIPS_PER_PAGE == 0:
            flow.new_page()
        top = PAGE_H - TOP - (n % STRIPS_PER_PAGE) * (STRIP_H + 3 * MM)
        texts = wording.seal_lines(snap, number, where)

        def draw(c, top=top, t=texts):
            c.setDash(4, 3)
            c.setLineWidth(0.5)
            c.rect(LEFT, top - STRIP_H, TEXT_W, STRIP_H, stroke=1, fill=0)
            c.setDash()
            draw_text(c, LEFT + (TEXT_W - text_width(t["agency"], BODY_PT)) / 2,
                      top - 12 * MM, t["agency"], BODY_PT)
            c.setFillColorRGB(0.75, 0.1, 0.1)
            draw_text(c, LEFT + (TEXT_W - text_width(t["title"], 36)) / 2, top - 30 * MM,
                      t["title"], 36)
            c.setFillColorRGB(0, 0, 0)
            draw_text(c, LEFT + 6 * MM, top - 42 * MM, t["number"], BODY_PT)
            lines = [t["date"], t["decision"]]
            lines += wrap(t["where"], TABLE_PT, TEXT_W - 40 * MM)[:2]
            for i, line in enumerate(lines):
                draw_text(c, LEFT + 6 * MM, top - 49 * MM - i * TABLE_PT * 1.25, line, TABLE_PT)
            draw_text(c, LEFT + 6 * MM, top - STRIP_H + 3 * MM, t["warning"], SMALL_PT)

        flow.op(draw)
    return flow


BUILDERS: dict[str, Callable[[Snapshot], Flow]] = {
    "decision": _notice("decision"), "list": _list, "record": _record, "seals": _seals,
    "extension": _notice("extension"), "release": _notice("release")}


def _emit(c, snap: Snapshot, kind: str, flow: Flow, qr_text: str | None, draft: bool) -> int:
    total = len(flow.pages)
    for n, ops in enumerate(flow.pages, start=1):
        c.setFillColorRGB(0, 0, 0)
        for op in ops:
            op(c)
        label = f"第{n}页 共{total}页"
        draw_text(c, LEFT + (TEXT_W - text_width(label, PAGENO_PT)) / 2,
                  BOTTOM - 7 * MM - PAGENO_PT, label, PAGENO_PT)
        if qr_text:
            if kind == "seals":  # one code on each strip
                strips = min(STRIPS_PER_PAGE, max(len(snap.seals), 1) - (n - 1) * STRIPS_PER_PAGE)
                for i in range(strips):
                    top = PAGE_H - TOP - i * (STRIP_H + 3 * MM)
                    _draw_qr(c, qr_text, LEFT + TEXT_W - 28 * MM, top - STRIP_H + 8 * MM,
                             24 * MM)
            else:
                _draw_qr(c, qr_text, LEFT + TEXT_W - QR_SIZE, 6 * MM, QR_SIZE)
                cap = "扫码核验"
                draw_text(c, LEFT + TEXT_W - QR_SIZE - text_width(cap, SMALL_PT) - 2 * MM,
                          7 * MM, cap, SMALL_PT)
        if draft:
            c.saveState()
            c.setFillColorRGB(0.85, 0.85, 0.85)
            c.translate(PAGE_W / 2, PAGE_H / 2)
            c.rotate(40)
            text = "草稿 不作为执法文书"
            draw_text(c, -text_width(text, 40) / 2, 0, text, 40)
            c.restoreState()
        c.showPage()
    return total


def new_canvas(out):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    main, _extb = fonts.register_pdf_fonts()
    c = Canvas(out, pagesize=A4, initialFontName=main, initialFontSize=BODY_PT,
               pageCompression=1)
    c.setFont(main, BODY_PT)
    return c


def render(jobs: Sequence[tuple[Snapshot, str, str | None]], *, title: str = "",
           progress: Callable[[int, int], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> bytes | None:
    """One PDF of the documents in `jobs`: (snapshot, kind, QR text or None for a draft).

    Returns None if `cancelled()` turned true on the way. Raises `RuleError` (nothing
    drawn) for a document that would state what its record contradicts.
    """
    for snap, kind, _qr in jobs:  # refuse before anything is drawn
        if kind == "release":
            wording.check_release(snap)
    buf = io.BytesIO()
    c = new_canvas(buf)
    c.setTitle(title or (wording.title(jobs[0][1]) if jobs else ""))
    c.setCreator("Inspector")
    total = len(jobs)
    for n, (snap, kind, qr_text) in enumerate(jobs, start=1):
        if cancelled is not None and cancelled():
            return None
        flow = BUILDERS[kind](snap)
        _emit(c, snap, kind, flow, qr_text, draft=qr_text is None)
        if progress is not None:
            progress(n, total)
    c.save()
    return buf.getvalue()


def page_count(snap: Snapshot, kind: str) -> int:
    return len(BUILDERS[kind](snap).pages)
