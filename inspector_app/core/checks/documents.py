"""The printable check record (产品标识和质量合格证明检查记录) as a PDF (reportlab, A4).

Drawn from a `Snapshot` (plain values, no session: it can be drawn on a worker thread):
the header (time, place, party), the product's fields as the check recorded them, the
checklist with each item's legal basis and result, the outcome and measure, the photo
thumbnails with their SHA-256, and signature lines for both officers and the party. Every
run of text is set in a font that has its glyphs (`fonts.font_runs`: 𠮷 comes from the
plane-2 font), both fonts embedded as subsets, and the canvas starts in the main font so no
unembedded Helvetica is ever referenced.

The labels come from the record itself (each item and extra field keeps the label it was
printed with), so an old check prints the same after its definition changes. The text is
Chinese: the record is a legal document.

Layout: A4, the seizure documents' binding margin (28 mm) and text width (156 mm), a
smaller top margin and a 10.5 pt table body, so a check usually fits two pages.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from inspector_app.core import fonts, settings
from inspector_app.core.checks import photos as photo_files
from inspector_app.core.checks import rules, service
from inspector_app.core.models import Inspector, Market, Party, Stall
from inspector_app.forms.definitions import Registry

TITLE = "产品标识和质量合格证明检查记录"
MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, TOP, TEXT_W = 28 * MM, 25 * MM, 156 * MM
BOTTOM = 28 * MM
TITLE_PT, HEAD_PT, BODY_PT, SMALL_PT = 20, 13, 10.5, 8
LEADING = BODY_PT * 1.45
PAD = 1.6 * MM
THUMB_W = 36 * MM
THUMB_GAP = 4 * MM


@dataclass
class PhotoInfo:
    filename: str
    sha256: str
    jpeg: bytes | None  # the upright thumbnail, None if its file is missing


@dataclass
class Snapshot:
    """One check as its record prints it."""

    check_id: str
    version: int
    status: str
    agency: str
    checked_at: datetime
    offset_minutes: int
    market: str
    stall: str
    party: str
    party_code: str
    category: str
    form: str  # e.g. "食品 第1版"
    fields: list[tuple[str, str]]  # (label, value) as recorded
    items: list[tuple[str, str, str, str]]  # (label, basis, result zh, note)
    outcome: str
    override_reason: str
    measure: str
    seizure_id: str | None
    remarks: str
    officer: tuple[str, str]  # (name, 证号) of the inspector who made the check
    photos: list[PhotoInfo] = field(default_factory=list)


# --- the snapshot ---------------------------------------------------------------------------


def snapshot(session: Session, store: Any, check_id: str, registry: Registry) -> Snapshot:
    check = service.load(session, check_id)
    defn = service.definition_of(registry, check)
    market = session.get(Market, check.market_id) if check.market_id else None
    stall = session.get(Stall, check.stall_id) if check.stall_id else None
    party = session.get(Party, check.party_id) if check.party_id else None
    author = session.get(Inspector, check.author_id) if check.author_id else None
    fields: list[tuple[str, str]] = [("产品名称", check.product_name)]
    extra = {row.field_key: row for row in check.fields}
    if defn is not None:
        fields = []
        for f in defn.fields:
            if f.column:
                raw = getattr(check, f.column)
                if raw in (None, ""):
                    continue
                value = rules.as_text(f, raw)
                if f.type == "choice":
                    value = f.choice_label(value, "zh")
                if f.unit:
                    value = f"{value} {f.unit.zh}"
                fields.append((f.label.zh, value))
            elif f.key in extra:
                row = extra.pop(f.key)
                fields.append((row.label, row.display or row.value))
    else:  # a check made before definitions, or with one this device lacks
        for key, label in (("brand", "商标"), ("spec_model", "规格型号"),
                           ("batch_no", "生产日期/批号"), ("shelf_life", "保质期"),
                           ("manufacturer", "生产者名称"),
                           ("manufacturer_address", "生产者地址"), ("barcode", "商品条码"),
                           ("quantity", "数量"), ("unit", "单位"), ("price", "单价")):
            raw = getattr(check, key)
            if raw not in (None, ""):
                fields.append((label, format(raw.normalize(), "f")
                               if hasattr(raw, "normalize") else str(raw)))
    fields += [(row.label, row.display or row.value) for row in extra.values()]
    items = [(i.label, i.legal_basis, rules.RESULT_ZH.get(i.result, i.result), i.note)
             for i in check.items]
    shots = []
    for photo in service.photos_of(session, check.id):
        try:
            jpeg = photo_files.thumbnail(store, photo.sha256) if store is not None else None
        except (OSError, photo_files.PhotoError):
            jpeg = None
        shots.append(PhotoInfo(photo.filename, photo.sha256, jpeg))
    # The checklist by its category, never by its internal id (packaged_food).
    form = (f"{defn.category.zh if defn else check.category} 第{check.form_version}版"
            if check.form_id else "（无检查清单版本）")
    return Snapshot(
        check_id=check.id, version=check.version, status=check.status,
        agency=settings.AGENCY_NAME.get(session), checked_at=check.checked_at,
        offset_minutes=check.created_offset or 0, market=market.name if market else "",
        stall=stall.number if stall else "", party=party.name if party else "",
        party_code=(party.credit_code if party else "") or "",
        category=check.category, form=form, fields=fields, items=items,
        outcome=rules.OUTCOME_ZH.get(check.outcome, check.outcome),
        override_reason=check.outcome_override_reason,
        measure=rules.MEASURE_ZH.get(check.measure, check.measure),
        seizure_id=check.seizure_id, remarks=check.remarks,
        officer=(author.name, author.cert_no) if author else ("", ""), photos=shots)


# --- text -----------------------------------------------------------------------------------


text_width = fonts.text_width
draw_text = fonts.draw_text


_NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]}%·")


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`; ASCII words are not broken unless too long."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        units: list[str] = []
        word = ""
        for ch in para:
            if ch.isascii() and not ch.isspace():
                word += ch
                continue
            if word:
                units.append(word)
                word = ""
            units.append(ch)
        if word:
            units.append(word)
        cur, w = "", 0.0
        for unit in units:
            uw = text_width(unit, size)
            if w + uw > width + 0.01 and cur:
                if unit in _NO_LINE_START:
                    cur += unit
                    continue
                if uw > width:
                    for ch in unit:
                        cw = text_width(ch, size)
                        if w + cw > width and cur:
                            lines.append(cur)
                            cur, w = "", 0.0
                        cur += ch
                        w += cw
                    continue
                lines.append(cur.rstrip())
                cur, w = "", 0.0
                if unit == " ":
                    continue
            cur += unit
            w += uw
        lines.append(cur)
    return lines


# --- layout ---------------------------------------------------------------------------------

Op = Callable[[Any], None]


class Flow:
    """Operations per page, laid out top-down."""

    def __init__(self) -> None:
        self.pages: list[list[Op]] = []
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - TOP

    def room(self, height: float) -> None:
        if self.y - height < BOTTOM and self.y < PAGE_H - TOP - 1:
            self.new_page()

    def op(self, fn: Op) -> None:
        self.pages[-1].append(fn)

    def text(self, text: str, size: float, x: float = LEFT, align: str = "left",
             height: float | None = None) -> None:
        height = height or size * 1.6
        self.room(height)
        base = self.y - height + (height - size) / 2 + size * 0.18
        if align == "center":
            x = LEFT + (TEXT_W - text_width(text, size)) / 2
        elif align == "right":
            x = LEFT + TEXT_W - text_width(text, size)
        self.op(lambda c, x=x, y=base, t=text, s=size: draw_text(c, x, y, t, s))
        self.y -= height

    def heading(self, text: str) -> None:
        self.y -= 2 * MM
        self.room(HEAD_PT * 1.8 + LEADING * 2)  # never alone at the foot of a page
        self.text(text, HEAD_PT, height=HEAD_PT * 1.8)

    def table(self, widths: list[float], rows: list[list[str]], header: list[str] | None = None,
              shade: set[int] | None = None) -> None:
        """A ruled table; rows grow with their wrapped text, the header repeats per page."""
        shade = shade or set()

        def cells(row: list[str]) -> tuple[list[list[str]], float]:
            wrapped = [wrap(t, BODY_PT, w - 2 * PAD) for t, w in zip(row, widths, strict=True)]
            return wrapped, max(len(x) for x in wrapped) * LEADING + 2 * PAD

        def draw_row(wrapped: list[list[str]], h: float, head: bool, grey: bool) -> None:
            top = self.y

            def draw(c, top=top, wrapped=wrapped, h=h, head=head, grey=grey):
                x = LEFT
                c.setLineWidth(0.5)
                for lines, w in zip(wrapped, widths, strict=True):
                    if head or grey:
                        c.setFillColorRGB(*(0.92, 0.92, 0.92) if head else (1, 0.93, 0.93))
                        c.rect(x, top - h, w, h, stroke=0, fill=1)
                        c.setFillColorRGB(0, 0, 0)
                    c.rect(x, top - h, w, h, stroke=1, fill=0)
                    y = top - PAD - BODY_PT * 0.95
                    for line in lines:
                        lx = (x + (w - text_width(line, BODY_PT)) / 2) if head else x + PAD
                        draw_text(c, lx, y, line, BODY_PT)
                        y -= LEADING
                    x += w

            self.op(draw)
            self.y -= h

        head = cells(header) if header else None
        for n, row in enumerate(rows):
            wrapped, h = cells(row)
            need = h + (head[1] if head else 0)
            first = n == 0
            if self.y - (need if first else h) < BOTTOM:
                self.new_page()
                first = True
            if head and first:
                draw_row(head[0], head[1], True, False)
            draw_row(wrapped, h, False, n in shade)

    def gap(self, height: float) -> None:
        self.y -= height


def _local(moment: datetime, offset: int) -> datetime:
    return moment.astimezone(timezone(timedelta(minutes=offset)))


def _layout(snap: Snapshot) -> Flow:
    flow = Flow()
    if snap.agency:
        flow.text(snap.agency, HEAD_PT, align="center", height=HEAD_PT * 1.7)
    flow.text(TITLE, TITLE_PT, align="center", height=TITLE_PT * 1.8)
    flow.text(f"记录编号：{snap.check_id[:8].upper()}　第{snap.version}版", SMALL_PT + 1,
              align="right", height=SMALL_PT * 2)
    when = _local(snap.checked_at, snap.offset_minutes)
    place = "　".join(x for x in (snap.market, f"{snap.stall}号摊位" if snap.stall else "") if x)
    half = TEXT_W / 2
    label_w, value_w = 29 * MM, half - 29 * MM
    widths = [label_w, value_w, label_w, value_w]
    flow.heading("一、基本情况")
    rows = [["检查时间", when.strftime("%Y年%m月%d日 %H:%M"), "检查地点", place],
            ["经营者", snap.party, "统一社会信用代码", snap.party_code],
            ["产品类别", snap.category, "检查清单", snap.form]]
    flow.table(widths, rows)
    pairs = list(snap.fields)
    if pairs:
        flow.heading("二、产品信息")
        prow = []
        for i in range(0, len(pairs), 2):
            a = pairs[i]
            b = pairs[i + 1] if i + 1 < len(pairs) else ("", "")
            prow.append([a[0], a[1], b[0], b[1]])
        flow.table(widths, prow)
    flow.heading("三、检查项目")
    iw = [11 * MM, 52 * MM, 44 * MM, 17 * MM, 32 * MM]
    rows = [[str(n), label, basis, result, note]
            for n, (label, basis, result, note) in enumerate(snap.items, start=1)]
    failed = {n for n, item in enumerate(snap.items) if item[2] == "不符合"}
    if rows:
        flow.table(iw, rows, header=["序号", "检查项目", "依据", "结果", "说明"], shade=failed)
    else:
        flow.text("（未记录检查项目）", BODY_PT)
    flow.heading("四、检查结论和处理措施")
    fails = [item[0] for item in snap.items if item[2] == "不符合"]
    conclusion = [["检查结论", snap.outcome],
                  ["不符合项", "；".join(fails) if fails else "无"],
                  ["处理措施", snap.measure]]
    if snap.override_reason:
        conclusion.insert(1, ["结论说明", f"检查人员调整了按检查项目得出的结论，理由：{snap.override_reason}"])
    if snap.seizure_id:
        conclusion.append(["查封扣押", f"已启动查封扣押程序（记录 {snap.seizure_id[:8].upper()}）"])
    if snap.remarks:
        conclusion.append(["备注", snap.remarks])
    flow.table([label_w, TEXT_W - label_w], conclusion)
    if snap.photos:
        flow.heading(f"五、现场照片（共{len(snap.photos)}张）")
        _photos(flow, snap.photos)
    _signatures(flow, snap)
    return flow


def _photos(flow: Flow, shots: list[PhotoInfo]) -> None:
    per_row = int((TEXT_W + THUMB_GAP) // (THUMB_W + THUMB_GAP))
    for start in range(0, len(shots), per_row):
        row = shots[start:start + per_row]
        sizes = [_thumb_size(s) for s in row]
        tallest = max(s[1] for s in sizes)
        h = tallest + 3 * (SMALL_PT * 1.3) + 2 * MM
        flow.room(h)
        top = flow.y
        for n, (shot, (w, ih)) in enumerate(zip(row, sizes, strict=True)):
            x = LEFT + n * (THUMB_W + THUMB_GAP)

            def draw(c, x=x, top=top, shot=shot, w=w, ih=ih, n=start + n + 1,
                     tallest=tallest):
                if shot.jpeg:
                    from reportlab.lib.utils import ImageReader

                    c.drawImage(ImageReader(io.BytesIO(shot.jpeg)), x, top - ih, w, ih)
                else:
                    c.rect(x, top - ih, w, ih)
                    draw_text(c, x + PAD, top - ih / 2, "（照片文件缺失）", SMALL_PT)
                y = top - tallest - SMALL_PT * 1.3  # captions on one line under the row
                name = shot.filename if len(shot.filename) <= 22 else shot.filename[:21] + "…"
                draw_text(c, x, y, f"{n}. {name}", SMALL_PT)
                draw_text(c, x, y - SMALL_PT * 1.3, f"SHA-256 {shot.sha256[:16]}", SMALL_PT)
                draw_text(c, x, y - 2 * SMALL_PT * 1.3, f"{shot.sha256[16:32]}…", SMALL_PT)

            flow.op(draw)
        flow.y -= h


def _thumb_size(shot: PhotoInfo) -> tuple[float, float]:
    if not shot.jpeg:
        return THUMB_W, THUMB_W * 0.75
    from PIL import Image

    with Image.open(io.BytesIO(shot.jpeg)) as im:
        w, h = im.size
    return THUMB_W, THUMB_W * min(h / w, 1.4)


def _signatures(flow: Flow, snap: Snapshot) -> None:
    blank = "＿" * 7
    name, cert = snap.officer
    rows = [
        f"检查人员：{name or blank}　执法证号：{cert or blank}　签名：{blank}",
        f"检查人员：{blank}　执法证号：{blank}　签名：{blank}",
        "当事人意见：" + "＿" * 22,
        f"当事人签名：{blank}　　日期：　　　年　　月　　日",
    ]
    flow.gap(3 * MM)
    flow.room(len(rows) * BODY_PT * 3)
    for row in rows:
        flow.text(row, BODY_PT + 1, height=BODY_PT * 3)


def _footer(c, snap: Snapshot, n: int, total: int) -> None:
    label = f"第{n}页 共{total}页"
    draw_text(c, LEFT + (TEXT_W - text_width(label, 10)) / 2, BOTTOM - 9 * MM, label, 10)
    ident = f"记录 {snap.check_id}　版本 {snap.version}"
    draw_text(c, LEFT, BOTTOM - 15 * MM, ident, SMALL_PT - 1)


def render(snap: Snapshot) -> bytes:
    """The PDF of one check record."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    main, _extb = fonts.register_pdf_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=main, initialFontSize=BODY_PT,
               pageCompression=1)
    c.setTitle(TITLE)
    c.setCreator("Inspector")
    c.setFont(main, BODY_PT)
    flow = _layout(snap)
    total = len(flow.pages)
    for n, ops in enumerate(flow.pages, start=1):
        c.setFillColorRGB(0, 0, 0)
        for op in ops:
            op(c)
        _footer(c, snap, n, total)
        if snap.status != "final":
            c.saveState()
            c.setFillColorRGB(0.85, 0.85, 0.85)
            c.translate(PAGE_W / 2, PAGE_H / 2)
            c.rotate(40)
            text = "草稿 检查尚未完成"
            draw_text(c, -text_width(text, 40) / 2, 0, text, 40)
            c.restoreState()
        c.showPage()
    c.save()
    return buf.getvalue()


def check_pdf(session: Session, store: Any, check_id: str, registry: Registry) -> bytes:
    return render(snapshot(session, store, check_id, registry))
