"""The printed documents of a seizure (reportlab, A4, GB/T 9704-2012 layout).

Kinds (numbers of the 2021 national template set):

* ``decision``  实施行政强制措施决定书 (21)
* ``list``      场所/设施/财物清单 (24): a table over as many pages as it needs, with the
  confirmation sentence, signature lines and 第x页 共y页 on every page
* ``record``    现场笔录 (9), signatures on every page
* ``seals``     封条 (25): strips to cut out, one per seal
* ``extension`` 延长行政强制措施期限决定书 (22)
* ``release``   解除行政强制措施决定书 (23)

A document is drawn from a `Snapshot` (plain values, no session: it can be drawn on a worker
thread). Its canonical content (`content`) is what the QR code's hash covers; the QR code is
drawn on every page. The document texts are Chinese by law: they are constants here, not UI
strings. Every run of text is set in a font that has its glyphs (`fonts.font_runs`), and the
fonts are embedded as subsets.

Layout: A4; top margin 37 mm, left (binding) margin 28 mm, text block 156 × 225 mm of 22
lines; titles 22 pt, body 16 pt, page numbers 14 pt, 7 mm below the text block.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from inspector_app.core import canonical, fonts
from inspector_app.core.seizure import qr
from inspector_app.core.seizure.rules import RELEASE_GROUNDS

KINDS = ("decision", "list", "record", "seals", "extension", "release")
TITLES = {
    "decision": "实施行政强制措施决定书",
    "list": "场所/设施/财物清单",
    "record": "现场笔录",
    "seals": "封条",
    "extension": "延长行政强制措施期限决定书",
    "release": "解除行政强制措施决定书",
}
MEASURE_TEXT = {"seal": "查封", "detain": "扣押"}
GROUND_NUMERALS = {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五"}
BLANK = "＿＿＿＿"

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


# --- the data a document is drawn from ---------------------------------------------------


@dataclass
class PartyInfo:
    name: str = ""
    kind: str = "enterprise"
    credit_code: str = ""
    licence_name: str = ""
    address: str = ""
    legal_rep: str = ""
    id_number: str = ""
    phone: str = ""


@dataclass
class ItemInfo:
    name: str
    spec: str
    unit: str
    quantity: str  # as printed, e.g. "12" or "2.5"
    remark: str = ""


@dataclass
class SignatureInfo:
    role: str  # party / witness / officer
    signer: str
    status: str  # signed / refused
    png: bytes | None = None
    signed_on: date | None = None
    officer_id: str | None = None


@dataclass
class Snapshot:
    """One seizure as its documents print it."""

    seizure_id: str
    state: str
    measure: str
    agency: str
    party: PartyInfo
    officers: list[tuple[str, str]]  # (name, 证号)
    items: list[ItemInfo]
    seals: list[tuple[str, str]]  # (number, where placed)
    suspected_violation: str = ""
    legal_basis: str = ""
    place: str = ""
    term_days: int = 30
    custody_place: str = ""
    custodian: str = ""
    onsite_record: str = ""
    party_statement: str = ""
    party_presence: str = "present"
    party_notified: bool | None = True
    witness_name: str = ""
    started_at: datetime | None = None  # local time
    record_ended_at: datetime | None = None  # local time
    contact_name: str = ""
    contact_phone: str = ""
    reconsideration_organ: str = ""
    court: str = ""
    numbers: dict[str, str] = field(default_factory=dict)  # kind -> document number
    dates: dict[str, date] = field(default_factory=dict)  # kind -> issue date
    issued_on: date | None = None
    extension: dict[str, Any] | None = None  # days, reason, approver
    release: dict[str, Any] | None = None  # ground, reason
    signatures: list[SignatureInfo] = field(default_factory=list)
    copies: int = 2

    def number(self, kind: str) -> str:
        """The number printed on a `kind` document (record and seals carry the decision's)."""
        if kind in ("record", "seals"):
            kind = "decision"
        return self.numbers.get(kind, "")

    def doc_date(self, kind: str) -> date | None:
        return self.dates.get(kind) or self.issued_on

    def signature(self, role: str, officer_id: str | None = None) -> SignatureInfo | None:
        """The latest signature (or refusal) of `role`."""
        found = None
        for sig in self.signatures:
            if sig.role == role and (officer_id is None or sig.officer_id == officer_id):
                found = sig
        return found


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def cn_time(moment: datetime | None) -> str:
    if moment is None:
        return "    年  月  日  时  分"
    return f"{moment.year}年{moment.month}月{moment.day}日{moment.hour}时{moment.minute:02d}分"


# --- canonical content (what the QR code's hash covers) ---------------------------------


def _party(p: PartyInfo) -> dict[str, str]:
    return {"name": p.name, "kind": p.kind, "credit_code": p.credit_code,
            "licence_name": p.licence_name, "address": p.address, "legal_rep": p.legal_rep,
            "id_number": p.id_number, "phone": p.phone}


def _items(snap: Snapshot) -> list[dict[str, str]]:
    return [{"name": i.name, "spec": i.spec, "unit": i.unit, "quantity": i.quantity,
             "remark": i.remark} for i in snap.items]


def content(snap: Snapshot, kind: str) -> dict[str, Any]:
    """The document's canonical content: every fact it prints, none that may change later."""
    day = snap.doc_date(kind)
    base: dict[str, Any] = {
        "kind": kind, "number": snap.number(kind), "agency": snap.agency,
        "date": day.isoformat() if day else "", "measure": snap.measure,
        "party": _party(snap.party), "decision_number": snap.numbers.get("decision", ""),
    }
    if kind == "decision":
        base.update(list_number=snap.numbers.get("list", ""),
                    suspected_violation=snap.suspected_violation,
                    legal_basis=snap.legal_basis, place=snap.place, term_days=snap.term_days,
                    custody_place=snap.custody_place, custodian=snap.custodian,
                    contact_name=snap.contact_name, contact_phone=snap.contact_phone,
                    reconsideration_organ=snap.reconsideration_organ, court=snap.court,
                    items=_items(snap))
    elif kind == "list":
        base.update(items=_items(snap))
    elif kind == "record":
        base.update(officers=[list(o) for o in snap.officers], place=snap.place,
                    started_at=snap.started_at.isoformat() if snap.started_at else "",
                    ended_at=snap.record_ended_at.isoformat() if snap.record_ended_at else "",
                    presence=snap.party_presence, notified=snap.party_notified,
                    witness=snap.witness_name, text=snap.onsite_record,
                    statement=snap.party_statement, item_count=len(snap.items))
    elif kind == "seals":
        base.update(seals=[list(s) for s in snap.seals])
    elif kind == "extension":
        base.update(extension=dict(snap.extension or {}))
    elif kind == "release":
        base.update(release=dict(snap.release or {}), items=_items(snap))
    else:
        raise ValueError(kind)
    return base


def content_sha256(snap: Snapshot, kind: str) -> str:
    return canonical.content_hash(content(snap, kind))


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
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - TOP  # top of the next line box
        if self.footer is not None:
            footer = self.footer
            self.pages[-1].append(lambda c, f=footer: f(c, BOTTOM + self.footer_height))

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


# --- the documents -----------------------------------------------------------------------


def _header(flow: Flow, snap: Snapshot, kind: str, number_label: str = "") -> None:
    flow.line(snap.agency or BLANK, TITLE_PT, "center", height=LINE * 1.25)
    flow.line(TITLES[kind], TITLE_PT, "center", height=LINE * 1.25)
    number = snap.number(kind)
    if number or kind not in ("record", "seals"):
        flow.line(number_label + (number or "（草稿，未编号）"), BODY_PT, "right")
    flow.gap(LINE * 0.3)


def _party_block(flow: Flow, p: PartyInfo) -> None:
    flow.field("当事人：", p.name)
    flow.field("主体资格证照名称：", p.licence_name or ("居民身份证" if p.kind == "individual"
                                                       else "营业执照"))
    flow.field("统一社会信用代码：", p.credit_code or "/")
    flow.field("住所（住址）：", p.address)
    flow.field("法定代表人（负责人、经营者）：", p.legal_rep or "/")
    flow.field("身份证件号码：", p.id_number or "/")
    flow.field("联系电话：", p.phone or "/")


def _remedy(snap: Snapshot, what: str) -> str:
    organ = snap.reconsideration_organ or BLANK
    court = snap.court or BLANK
    return (f"如不服本{what}，可以在收到本决定书之日起六十日内向{organ}申请行政复议；"
            f"也可以在六个月内依法向{court}人民法院提起行政诉讼。")


def _closing(flow: Flow, snap: Snapshot, kind: str) -> None:
    flow.gap(LINE * 0.5)
    flow.room(LINE * 3)
    flow.line(snap.agency or BLANK, BODY_PT, "right", indent=2 * BODY_PT)
    flow.line("（印章）", BODY_PT, "right", indent=4 * BODY_PT, color=(0.75, 0.1, 0.1))
    flow.line(cn_date(snap.doc_date(kind)), BODY_PT, "right", indent=2 * BODY_PT)


def _receipt(flow: Flow, snap: Snapshot, kind: str) -> None:
    flow.gap(LINE * 0.3)
    flow.room(LINE * 1.5)
    sig = snap.signature("party")
    y = flow.y - LINE + 3 * MM
    label = "当事人签收："
    day = sig.signed_on if sig and sig.status == "signed" else None
    if snap.party_presence == "absent":
        label = "当事人不在场，见证人签名："
        sig = snap.signature("witness")
        day = sig.signed_on if sig and sig.status == "signed" else None

    def draw(c, y=y, sig=sig, label=label, day=day):
        x = draw_text(c, LEFT, y, label, BODY_PT)
        x = _draw_signature(c, sig, x + 2 * MM, y, 45 * MM)
        draw_text(c, x + 4 * MM, y, cn_date(day), BODY_PT)

    flow.op(draw)
    flow.y -= LINE * 1.5


def _decision(snap: Snapshot) -> Flow:
    flow = Flow()
    _header(flow, snap, "decision")
    _party_block(flow, snap.party)
    measure = MEASURE_TEXT.get(snap.measure, snap.measure)
    list_no = snap.numbers.get("list", "") or BLANK
    flow.paragraph(
        f"经查，你（单位）涉嫌{snap.suspected_violation or BLANK}。本局依据"
        f"{snap.legal_basis or BLANK}的规定，决定对有关场所/设施/财物"
        f"[详见《场所/设施/财物清单》（文书编号：{list_no}）]实施{measure}的行政强制措施。")
    flow.paragraph(f"实施行政强制措施的场所/设施/财物地点：{snap.place or BLANK}。")
    start = snap.doc_date("decision")
    flow.paragraph(
        f"{measure}的期限为{snap.term_days}日"
        + (f"，自{cn_date(start)}起计算" if start else "")
        + "。需要进行检测、检验、检疫或者技术鉴定的，查封、扣押的期间不包括检测、检验、检疫或者"
        "技术鉴定的期间，检测、检验、检疫或者技术鉴定的期间本局将另行书面告知。")
    if snap.measure == "seal":
        flow.paragraph("对查封的场所、设施或者财物，你（单位）应当妥善保管，不得使用或者损毁。"
                       f"保管地点：{snap.custody_place or BLANK}；保管人：{snap.custodian or BLANK}。")
    else:
        flow.paragraph("对扣押的财物，本局将妥善保管，不得使用或者损毁。"
                       f"保管地点：{snap.custody_place or BLANK}；保管人：{snap.custodian or BLANK}。")
    flow.paragraph(_remedy(snap, "行政强制措施决定"))
    flow.paragraph(f"联系人：{snap.contact_name or BLANK}    联系电话：{snap.contact_phone or BLANK}")
    flow.paragraph(f"附件：《场所/设施/财物清单》（文书编号：{list_no}）", indent_chars=0)
    _closing(flow, snap, "decision")
    flow.line(f"本文书一式{_cn_count(snap.copies)}份，一份送达，一份归档。", BODY_PT)
    _receipt(flow, snap, "decision")
    return flow


def _cn_count(n: int) -> str:
    return {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}.get(n, str(n))


_COLS = [("序号", 12), ("标称名称/场所", 40), ("规格（型号）/场所地址", 36), ("单位", 14),
         ("数量", 20), ("备注", 34)]


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
    def footer(c, top, snap=snap):
        draw_text(c, LEFT, top - LINE * 0.6, "上述物品品种、数量经核对无误。", BODY_PT)
        _sign_lines(c, snap, top - LINE * 0.9)

    flow = Flow(footer_height=LIST_FOOTER, footer=footer)
    _header(flow, snap, "list", "文书编号：")
    flow.field("当事人：", snap.party.name, BODY_PT)
    decision_no = snap.numbers.get("decision", "")
    if decision_no:
        flow.line(f"《实施行政强制措施决定书》文书编号：{decision_no}", TABLE_PT,
                  height=LINE * 0.8)
    widths = [w * MM for _n, w in _COLS]
    pad = 1.5 * MM
    leading = TABLE_PT * 1.25

    def header_row() -> None:
        h = leading * 2 + pad * 2
        flow.room(h)
        top = flow.y
        cells = [wrap(name, TABLE_PT, w - 2 * pad) for (name, _w), w in zip(_COLS, widths,
                                                                                strict=True)]
        flow.op(lambda c, top=top, cells=cells, h=h: _row(c, top, cells, widths, h, pad,
                                                          leading, bold=True))
        flow.y -= h

    header_row()
    for n, item in enumerate(snap.items, start=1):
        values = [str(n), item.name, item.spec, item.unit, item.quantity, item.remark]
        cells = [wrap(v, TABLE_PT, w - 2 * pad) for v, w in zip(values, widths, strict=True)]
        h = max(len(cell) for cell in cells) * leading + pad * 2
        if flow.y - h < flow.floor:
            flow.new_page()
            header_row()
        top = flow.y
        flow.op(lambda c, top=top, cells=cells, h=h: _row(c, top, cells, widths, h, pad,
                                                          leading))
        flow.y -= h
    if flow.y - LINE < flow.floor:
        flow.new_page()
    flow.line(f"（以下空白）共{len(snap.items)}项。本清单一式两份，一份交当事人，一份归档。",
              TABLE_PT, height=LINE * 0.8)
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

    flow = Flow(footer_height=RECORD_FOOTER, footer=footer)
    _header(flow, snap, "record", "决定书文书编号：")
    flow.field("时间：", f"{cn_time(snap.started_at)}至{_clock(snap.record_ended_at)}")
    flow.field("地点：", snap.place)
    for n, (name, cert) in enumerate(snap.officers):
        flow.field("执法人员：" if n == 0 else "　　　　　", f"{name}  执法证号：{cert}")
    flow.field("当事人：", snap.party.name)
    flow.field("统一社会信用代码（身份证件号码）：",
               snap.party.credit_code or snap.party.id_number or "/")
    flow.field("住所（住址）：", snap.party.address)
    flow.field("法定代表人（负责人）：", snap.party.legal_rep or "/")
    flow.field("联系电话：", snap.party.phone or "/")
    presence = {"present": "当事人在场", "refused": "当事人在场，拒绝签名",
                "absent": f"当事人不在场，见证人{snap.witness_name or BLANK}在场"}
    flow.field("当事人在场情况：", presence.get(snap.party_presence, snap.party_presence))
    notified = "已通知当事人到场" if snap.party_notified is not False else "未能通知当事人"
    flow.paragraph(
        f"执法人员向当事人出示了执法证件，{notified}。执法人员当场告知当事人采取行政强制措施的"
        "理由、依据以及当事人依法享有的陈述、申辩权利和申请行政复议、提起行政诉讼的救济途径。")
    flow.field("现场情况：", "")
    flow.paragraph(snap.onsite_record or BLANK)
    flow.field("当事人陈述、申辩：", "")
    flow.paragraph(snap.party_statement or "无。")
    if snap.items:
        flow.paragraph(f"执法人员对上述{len(snap.items)}项物品实施"
                       f"{MEASURE_TEXT.get(snap.measure, '')}，详见《场所/设施/财物清单》"
                       f"（文书编号：{snap.numbers.get('list', '') or BLANK}）。")
    flow.paragraph("以上笔录经当事人核对无误。" if snap.party_presence == "present"
                   else "以上笔录已向在场人员宣读。")
    return flow


def _clock(moment: datetime | None) -> str:
    return f"{moment.hour}时{moment.minute:02d}分" if moment else "  时  分"


def _extension(snap: Snapshot) -> Flow:
    ext = snap.extension or {}
    flow = Flow()
    _header(flow, snap, "extension")
    flow.field("当事人：", snap.party.name)
    measure = MEASURE_TEXT.get(snap.measure, snap.measure)
    flow.paragraph(
        f"本局于{cn_date(snap.issued_on)}对你（单位）的有关场所/设施/财物实施了{measure}的行政"
        f"强制措施（《实施行政强制措施决定书》文书编号：{snap.numbers.get('decision', '')}）。"
        f"因{ext.get('reason') or BLANK}，依据《中华人民共和国行政强制法》第二十五条的规定，"
        f"经本局负责人批准，决定将{measure}期限延长{ext.get('days', BLANK)}日。"
        "检测、检验、检疫或者技术鉴定的期间不计入查封、扣押期限。")
    flow.paragraph(_remedy(snap, "决定"))
    _closing(flow, snap, "extension")
    flow.line(f"本文书一式{_cn_count(snap.copies)}份，一份送达，一份归档。", BODY_PT)
    _receipt(flow, snap, "extension")
    return flow


def _release(snap: Snapshot) -> Flow:
    rel = snap.release or {}
    flow = Flow()
    _header(flow, snap, "release")
    flow.field("当事人：", snap.party.name)
    measure = MEASURE_TEXT.get(snap.measure, snap.measure)
    ground = rel.get("ground")
    basis = "《中华人民共和国行政强制法》第二十八条第一款" + (
        f"第（{GROUND_NUMERALS[ground]}）项" if ground in GROUND_NUMERALS else "")
    why = RELEASE_GROUNDS.get(ground or "", "") or rel.get("reason") or BLANK
    extra = rel.get("reason") if ground and rel.get("reason") else ""
    flow.paragraph(
        f"本局于{cn_date(snap.issued_on)}对你（单位）的有关场所/设施/财物实施了{measure}的行政"
        f"强制措施（《实施行政强制措施决定书》文书编号：{snap.numbers.get('decision', '')}）。"
        f"鉴于{why}" + (f"（{extra}）" if extra else "") + f"，依据{basis}的规定，本局决定自"
        f"{cn_date(snap.doc_date('release'))}起解除上述行政强制措施。"
        f"解除{measure}的场所/设施/财物共{len(snap.items)}项，详见《场所/设施/财物清单》"
        f"（文书编号：{snap.numbers.get('list', '') or BLANK}）。")
    flow.paragraph(_remedy(snap, "决定"))
    _closing(flow, snap, "release")
    flow.line(f"本文书一式{_cn_count(snap.copies)}份，一份送达，一份归档。", BODY_PT)
    _receipt(flow, snap, "release")
    return flow


STRIP_H = 72 * MM
STRIPS_PER_PAGE = 3


def _seals(snap: Snapshot) -> Flow:
    flow = Flow()
    seals = snap.seals or [("", "")]
    day = cn_date(snap.doc_date("seals"))
    for n, (number, where) in enumerate(seals):
        if n and n % STRIPS_PER_PAGE == 0:
            flow.new_page()
        top = PAGE_H - TOP - (n % STRIPS_PER_PAGE) * (STRIP_H + 3 * MM)

        def draw(c, top=top, number=number, where=where):
            c.setDash(4, 3)
            c.setLineWidth(0.5)
            c.rect(LEFT, top - STRIP_H, TEXT_W, STRIP_H, stroke=1, fill=0)
            c.setDash()
            name = snap.agency or BLANK
            draw_text(c, LEFT + (TEXT_W - text_width(name, BODY_PT)) / 2, top - 12 * MM,
                      name, BODY_PT)
            title = "封    条"
            c.setFillColorRGB(0.75, 0.1, 0.1)
            draw_text(c, LEFT + (TEXT_W - text_width(title, 36)) / 2, top - 30 * MM, title, 36)
            c.setFillColorRGB(0, 0, 0)
            measure = MEASURE_TEXT.get(snap.measure, "查封")
            draw_text(c, LEFT + 6 * MM, top - 42 * MM, f"封条编号：{number or BLANK}", BODY_PT)
            lines = [f"{day}{measure}",
                     f"决定书文书编号：{snap.numbers.get('decision', '') or BLANK}"]
            lines += wrap(f"加贴位置：{where or BLANK}", TABLE_PT, TEXT_W - 40 * MM)[:2]
            for i, line in enumerate(lines):
                draw_text(c, LEFT + 6 * MM, top - 49 * MM - i * TABLE_PT * 1.25, line, TABLE_PT)
            warn = "擅自启封、损毁封条者，依法追究法律责任。"
            draw_text(c, LEFT + 6 * MM, top - STRIP_H + 3 * MM, warn, SMALL_PT)

        flow.op(draw)
    return flow


_BUILDERS = {"decision": _decision, "list": _list, "record": _record, "seals": _seals,
             "extension": _extension, "release": _release}


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

    Returns None if `cancelled()` turned true on the way.
    """
    buf = io.BytesIO()
    c = new_canvas(buf)
    c.setTitle(title or (TITLES[jobs[0][1]] if jobs else ""))
    c.setCreator("Inspector")
    total = len(jobs)
    for n, (snap, kind, qr_text) in enumerate(jobs, start=1):
        if cancelled is not None and cancelled():
            return None
        flow = _BUILDERS[kind](snap)
        _emit(c, snap, kind, flow, qr_text, draft=qr_text is None)
        if progress is not None:
            progress(n, total)
    c.save()
    return buf.getvalue()


def page_count(snap: Snapshot, kind: str) -> int:
    return len(_BUILDERS[kind](snap).pages)
