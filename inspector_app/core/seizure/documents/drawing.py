"""Drawing the seizure documents on the one layout engine (`inspector_app.core.pdf`).

The words come from `wording` as blocks; this module sets them on the GB/T 9704 grid with
the engine's flow: titles, justified paragraphs, fields, the list's table (its header
repeated on every page), signature lines, 第x页 共y页 and the 草稿 watermark. The signed QR
code is drawn on every page (on every strip of the seals).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from inspector_app.core import fonts
from inspector_app.core.pdf import Flow, Signature, breaking
from inspector_app.core.pdf.flow import draw_signature, new_canvas
from inspector_app.core.pdf.grid import (
    BODY_PT,
    LEFT,
    LINE,
    MM,
    PAGE_H,
    RED,
    SMALL_PT,
    TABLE_PT,
    TEXT_W,
    TITLE_PT,
    TOP,
)
from inspector_app.core.seizure import qr
from inspector_app.core.seizure.documents import wording
from inspector_app.core.seizure.documents.model import SignatureInfo, Snapshot, cn_date
from inspector_app.core.seizure.documents.wording import BLANK

QR_SIZE = 24 * MM
DRAFT_MARK = "草稿 不作为执法文书"
wrap = breaking.wrap


def _sig(info: SignatureInfo | None) -> Signature | None:
    if info is None:
        return None
    return Signature(png=info.png, name="" if info.png else info.signer,
                     refused=info.status == "refused",
                     day=info.signed_on if info.status == "signed" else None)


def draw_qr(c, text: str, x: float, y: float, size: float) -> None:
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



def _qr_overlay(qr_text: str | None) -> Callable[[Any, Any], None] | None:
    if not qr_text:
        return None

    def overlay(c, _page) -> None:
        draw_qr(c, qr_text, LEFT + TEXT_W - QR_SIZE, 6 * MM, QR_SIZE)
        cap = "扫码核验"
        fonts.draw_text(c, LEFT + TEXT_W - QR_SIZE - fonts.text_width(cap, SMALL_PT) - 2 * MM,
                        7 * MM, cap, SMALL_PT)
    return overlay


class _Flow(Flow):
    """The engine's flow, with a head (`page_head`) laid out at the top of later pages."""

    page_head: Callable[[Flow], None] | None = None

    def new_page(self) -> None:
        super().new_page()
        if self.page_head is not None:
            self.page_head(self)


def _flow(qr_text: str | None, **kw) -> _Flow:
    return _Flow(overlay=_qr_overlay(qr_text), watermark=None if qr_text else DRAFT_MARK,
                 **kw)


def _header(flow: Flow, snap: Snapshot, kind: str, number_label: str = "") -> None:
    flow.title(snap.agency or BLANK)
    flow.title(wording.title(kind))
    number = snap.number(kind)
    if kind != "list" and (number or kind not in ("record", "seals")):
        flow.line(number_label + (number or "（草稿，未编号）"), BODY_PT, "right")
    flow.gap(LINE * 0.3)


def _closing(flow: Flow, snap: Snapshot, kind: str) -> None:
    flow.gap(LINE * 0.3)
    flow.line(snap.agency or BLANK, BODY_PT, "right", indent=2 * BODY_PT)
    flow.line("（印章）", BODY_PT, "right", indent=4 * BODY_PT, color=RED)
    flow.line(cn_date(snap.doc_date(kind)), BODY_PT, "right", indent=2 * BODY_PT)


def _rule(c, x0: float, x1: float, y: float) -> None:
    c.setLineWidth(0.5)
    c.line(x0, y - 1.5, x1, y - 1.5)


def _field(flow: Flow, label: str, value: str) -> None:
    """`label` and `value`; a code (ASCII, no spaces) that does not fit after its label goes
    whole onto the next line rather than being split."""
    word = value and value.isascii() and " " not in value
    if word and fonts.text_width(label + value, BODY_PT) > TEXT_W:
        flow.line(label)
        flow.line(value, indent=2 * BODY_PT)
    else:
        flow.field(label, value)


def _blocks(flow: Flow, snap: Snapshot, kind: str, blocks: list[tuple],
            grouped: bool = False) -> None:
    closing = next((n for n, b in enumerate(blocks) if b[0] == "closing"), None)
    if closing is not None and closing > 0 and not grouped:
        # The agency, seal and date never stand on a page without body text (GB/T 9704
        # 7.3.5): the last paragraph, the closing, the copies line and the receipt stay
        # together.
        _blocks(flow, snap, kind, blocks[:closing - 1])
        tail = blocks[closing - 1:]
        flow.keep_together(lambda f: _blocks(f, snap, kind, tail, grouped=True))
        return
    for block in blocks:
        what = block[0]
        if what == "closing":
            _closing(flow, snap, kind)
        elif what == "field":
            _field(flow, block[1], block[2])
        elif what == "para":
            flow.paragraph(block[1])
        elif what == "plain":
            flow.paragraph(block[1], indent_chars=0)
        elif what == "blank":  # ruled lines, to be written in by hand
            for _n in range(block[1]):
                flow.room(LINE)
                y = flow.y - LINE / 2 - BODY_PT * 0.35
                flow.op(lambda c, y=y: _rule(c, LEFT, LEFT + TEXT_W, y))
                flow.y -= LINE
        elif what == "receipt":
            # the signature captured for this document, or a line to sign on by hand
            flow.signature("当事人签收：", _sig(block[1]), width=50 * MM, height=LINE * 1.3)
        else:
            raise ValueError(what)


def _notice(kind: str) -> Callable[[Snapshot, str | None], Flow]:
    def build(snap: Snapshot, qr_text: str | None) -> Flow:
        blocks = wording.BODIES[kind](snap)  # may refuse (RuleError) before drawing
        flow = _flow(qr_text)
        _header(flow, snap, kind)
        _blocks(flow, snap, kind, blocks)
        return flow
    return build


def _officer_ids(snap: Snapshot) -> list[str]:
    ids: list[str] = []
    for sig in snap.signatures:
        if sig.role == "officer" and sig.officer_id and sig.officer_id not in ids:
            ids.append(sig.officer_id)
    return ids


def _sign_lines(c, snap: Snapshot, top: float) -> None:
    """The on-site signature block of list and record pages, below `top`."""
    rows: list[tuple[str, list[Signature | None], str]] = []
    party = snap.signature("party")
    if snap.party_presence == "absent":
        rows.append(("当事人：", [], "（当事人不在场）"))
    elif snap.party_presence == "refused" and party is None:
        rows.append(("当事人（签名）：", [Signature(refused=True)], ""))
    else:
        rows.append(("当事人（签名）：", [_sig(party)], ""))
    officers = [_sig(snap.signature("officer", oid)) for oid in _officer_ids(snap)]
    rows.append(("执法人员（签名）：", officers or [None, None], ""))
    rows.append(("见证人（签名）：", [_sig(snap.signature("witness"))], ""))
    y = top - LINE * 0.75
    for label, sigs, note in rows:
        x = fonts.draw_text(c, LEFT, y, label, BODY_PT)
        if note:
            x = fonts.draw_text(c, x, y, note, BODY_PT)
        width = (95 * MM - (x - LEFT)) / max(len(sigs), 1)
        days = []
        for sig in sigs:
            x = draw_signature(c, sig, x + 1 * MM, y, width - 1 * MM)
            if sig is not None and sig.day:
                days.append(sig.day)
        fonts.draw_text(c, LEFT + 104 * MM, y, cn_date(max(days) if days else None), BODY_PT)
        y -= LINE


LIST_FOOTER = LINE * 4.2


def _list(snap: Snapshot, qr_text: str | None) -> Flow:
    columns = wording.list_columns()

    def footer(c, page, snap=snap):
        top = page.floor
        fonts.draw_text(c, LEFT, top - LINE * 0.6, "上述物品品种、数量经核对无误。", BODY_PT)
        _sign_lines(c, snap, top - LINE * 0.9)

    def page_head(flow: Flow) -> None:  # on every page: the list's number and the party
        flow.paragraph(wording.list_page_head(snap), TABLE_PT, indent_chars=0,
                       height=LINE * 0.8)
        decision_no = snap.numbers.get("decision", "")
        if decision_no:
            flow.line(f"《实施行政强制措施决定书》文书编号：{decision_no}", TABLE_PT,
                      height=LINE * 0.8)

    flow = _flow(qr_text, footer_height=LIST_FOOTER, footer=footer)
    _header(flow, snap, "list")
    page_head(flow)
    flow.page_head = page_head
    rows = [[str(n), i.name, i.spec, i.unit, i.quantity, i.remark]
            for n, i in enumerate(snap.items, start=1)]
    flow.table([name for name, _w in columns], rows, [w for _n, w in columns],
               align=["center", "left", "left", "center", "center", "left"])
    flow.page_head = None  # the closing line needs no head of its own
    flow.line(wording.list_end(snap), TABLE_PT, height=LINE * 0.8)
    return flow


RECORD_FOOTER = LINE * 3.4


def _record(snap: Snapshot, qr_text: str | None) -> Flow:
    def footer(c, page, snap=snap):
        _sign_lines(c, snap, page.floor - LINE * 0.3)

    blocks = wording.record(snap)
    flow = _flow(qr_text, footer_height=RECORD_FOOTER, footer=footer)
    _header(flow, snap, "record", "决定书文书编号：")
    _blocks(flow, snap, "record", blocks)
    return flow


STRIP_H = 72 * MM
STRIPS_PER_PAGE = 3


def _seals(snap: Snapshot, qr_text: str | None) -> Flow:
    flow = _Flow(watermark=None if qr_text else DRAFT_MARK)
    seals = snap.seals or [("", "")]
    for n, (number, where) in enumerate(seals):
        if n and n % STRIPS_PER_PAGE == 0:
            flow.new_page()
        top = PAGE_H - TOP - (n % STRIPS_PER_PAGE) * (STRIP_H + 3 * MM)
        texts = wording.seal_lines(snap, number, where)
        for text in texts.values():
            fonts.require_printable(text)

        def draw(c, top=top, t=texts):
            c.setDash(4, 3)
            c.setLineWidth(0.5)
            c.rect(LEFT, top - STRIP_H, TEXT_W, STRIP_H, stroke=1, fill=0)
            c.setDash()
            fonts.draw_text(c, LEFT + (TEXT_W - fonts.text_width(t["agency"], BODY_PT)) / 2,
                            top - 12 * MM, t["agency"], BODY_PT)
            c.setFillColorRGB(*RED)
            fonts.draw_text(c, LEFT + (TEXT_W - fonts.text_width(t["title"], 36,
                                                                 face="title")) / 2,
                            top - 30 * MM, t["title"], 36, face="title")
            c.setFillColorRGB(0, 0, 0)
            fonts.draw_text(c, LEFT + 6 * MM, top - 42 * MM, t["number"], BODY_PT)
            lines = [t["date"], t["decision"]]
            lines += wrap(t["where"], TABLE_PT, TEXT_W - 40 * MM)[:2]
            for i, line in enumerate(lines):
                fonts.draw_text(c, LEFT + 6 * MM, top - 49 * MM - i * TABLE_PT * 1.25, line,
                                TABLE_PT)
            fonts.draw_text(c, LEFT + 6 * MM, top - STRIP_H + 3 * MM, t["warning"], SMALL_PT)
            if qr_text:  # one code on each strip
                draw_qr(c, qr_text, LEFT + TEXT_W - 28 * MM, top - STRIP_H + 8 * MM, 24 * MM)

        flow.op(draw)
    return flow


BUILDERS: dict[str, Callable[[Snapshot, str | None], Flow]] = {
    "decision": _notice("decision"), "list": _list, "record": _record, "seals": _seals,
    "extension": _notice("extension"), "release": _notice("release")}


def render(jobs: Sequence[tuple[Snapshot, str, str | None]], *, title: str = "",
           progress: Callable[[int, int], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> bytes | None:
    """One PDF of the documents in `jobs`: (snapshot, kind, QR text or None for a draft).

    Returns None if `cancelled()` turned true on the way. Raises `RuleError` (nothing
    drawn) for a document that would state what its record contradicts, and
    `fonts.UnprintableText` for a character no bundled font has.
    """
    for snap, kind, _qr in jobs:  # refuse before anything is drawn
        if kind == "release":
            wording.check_release(snap)
    buf = io.BytesIO()
    c = new_canvas(buf, title or (wording.title(jobs[0][1]) if jobs else ""))
    total = len(jobs)
    for n, (snap, kind, qr_text) in enumerate(jobs, start=1):
        if cancelled is not None and cancelled():
            return None
        BUILDERS[kind](snap, qr_text).emit(c)
        if progress is not None:
            progress(n, total)
    c.save()
    return buf.getvalue()


def page_count(snap: Snapshot, kind: str) -> int:
    return len(BUILDERS[kind](snap, None).pages)


__all__ = ["BUILDERS", "TITLE_PT", "draw_qr", "page_count", "render", "wrap"]
