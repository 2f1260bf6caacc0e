"""The printable check record (产品标识和质量合格证明检查记录) as a PDF (reportlab, A4).

Drawn from a `Snapshot` (plain values, no session: it can be drawn on a worker thread):
the header (time, place, party), the product's fields as the check recorded them, the
checklist with each item's legal basis and result, the outcome and measure, the photo
thumbnails with their SHA-256, a signature line for each officer the record holds (name
and 执法证号 printed: both officers of a check made since migration 0009, the officer who
saved it for an older one; never a blank officer line) and the party's. Laid out and drawn by the one engine,
`inspector_app.core.pdf` (GB/T 9704 page, justified lines, tables over pages with their
header, 第x页 共y页, the 草稿 watermark on a check not yet final); a character no bundled
font has stops the record from printing (`fonts.UnprintableText`).

The labels come from the record itself (each item and extra field keeps the label it was
printed with), so an old check prints the same after its definition changes. The text is
Chinese: the record is a legal document.

Title and agency 22 pt in the title face, headings 16 pt, tables 10.5 pt (a check with
photos usually fits two pages).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from inspector_app.core import fonts, settings
from inspector_app.core.checks import photos as photo_files
from inspector_app.core.checks import rules, service
from inspector_app.core.models import Inspector, Market, Party, Stall
from inspector_app.core.pdf import Flow, grid
from inspector_app.core.pdf.flow import image_reader
from inspector_app.core.pdf.grid import LEFT, MM, TEXT_W
from inspector_app.core.stalls import stall_place
from inspector_app.forms.definitions import Registry

TITLE = "产品标识和质量合格证明检查记录"
DRAFT_MARK = "草稿 检查尚未完成"
HEAD_PT = grid.BODY_PT  # section headings
CELL_PT = 10.5  # table text
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
    officers: list[tuple[str, str]]  # (name, 证号) of each officer the record holds
    photos: list[PhotoInfo] = field(default_factory=list)


# --- the snapshot ---------------------------------------------------------------------------


def snapshot(session: Session, store: Any, check_id: str, registry: Registry) -> Snapshot:
    check = service.load(session, check_id)
    defn = service.definition_of(registry, check)
    market = session.get(Market, check.market_id) if check.market_id else None
    stall = session.get(Stall, check.stall_id) if check.stall_id else None
    party = session.get(Party, check.party_id) if check.party_id else None
    # The officers the record names (migration 0009); a check made before names none
    # and prints the officer who saved it, as it always did.
    officers = [(o.name, o.cert_no) for o in check.officers]
    author = session.get(Inspector, check.author_id) if check.author_id else None
    if not officers and author is not None:
        officers = [(author.name, author.cert_no)]
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
        officers=officers, photos=shots)


# --- layout ---------------------------------------------------------------------------------


def _local(moment: datetime, offset: int) -> datetime:
    return moment.astimezone(timezone(timedelta(minutes=offset)))


def _layout(snap: Snapshot) -> Flow:
    flow = Flow(overlay=lambda c, page: _ident(c, snap),
                watermark=None if snap.status == "final" else DRAFT_MARK)
    if snap.agency:
        flow.title(snap.agency)
    flow.title(TITLE)
    flow.line(f"记录编号：{snap.check_id[:8].upper()}　第{snap.version}版", grid.TABLE_PT,
              align="right", height=grid.LINE * 0.8)
    when = _local(snap.checked_at, snap.offset_minutes)
    half = TEXT_W / 2
    label_w, value_w = 29 * MM, half - 29 * MM
    widths = [label_w, value_w, label_w, value_w]
    _heading(flow, "一、基本情况")
    rows = [["检查时间", f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}", "检查地点",
             stall_place(snap.market, snap.stall)],
            ["经营者", snap.party, "统一社会信用代码", snap.party_code or "（未记录）"],
            ["产品类别", snap.category, "检查清单", snap.form]]
    flow.table(None, rows, widths, size=CELL_PT)
    pairs = list(snap.fields)
    if pairs:
        _heading(flow, "二、产品信息")
        prow = []
        for i in range(0, len(pairs), 2):
            a = pairs[i]
            b = pairs[i + 1] if i + 1 < len(pairs) else ("", "")
            prow.append([a[0], a[1], b[0], b[1]])
        flow.table(None, prow, widths, size=CELL_PT)
    _heading(flow, "三、检查项目")
    rows = [[str(n), label, basis, result, note]
            for n, (label, basis, result, note) in enumerate(snap.items, start=1)]
    failed = {n for n, item in enumerate(snap.items) if item[2] == "不符合"}
    if rows:
        flow.table(["序号", "检查项目", "依据", "结果", "说明"], rows, [11, 52, 44, 17, 32],
                   size=CELL_PT, align=["center", "left", "left", "center", "left"],
                   fill=lambda n: (1, 0.93, 0.93) if n in failed else None)
    else:
        flow.line("（未记录检查项目）", CELL_PT)
    _heading(flow, "四、检查结论和处理措施")
    fails = [item[0] for item in snap.items if item[2] == "不符合"]
    conclusion = [["检查结论", snap.outcome],
                  ["不符合项", "；".join(fails) if fails else "无"],
                  ["处理措施", snap.measure]]
    if snap.override_reason:
        conclusion.insert(1, ["结论说明",
                              f"检查人员调整了按检查项目得出的结论，理由：{snap.override_reason}"])
    if snap.seizure_id:
        conclusion.append(["查封扣押", f"已启动查封扣押程序（记录 {snap.seizure_id[:8].upper()}）"])
    if snap.remarks:
        conclusion.append(["备注", snap.remarks])
    flow.table(None, conclusion, [label_w, TEXT_W - label_w], size=CELL_PT)
    if snap.photos:
        _heading(flow, f"五、现场照片（共{len(snap.photos)}张）")
        _photos(flow, snap.photos)
    flow.keep_together(lambda f: _signatures(f, snap))
    return flow


def _heading(flow: Flow, text: str) -> None:
    flow.room(grid.LINE * 4.5)  # never alone at the foot of a page: a row or two under it
    if not flow.at_top:
        flow.gap(1.5 * MM)
    flow.line(text, HEAD_PT)


def _photos(flow: Flow, shots: list[PhotoInfo]) -> None:
    small = grid.SMALL_PT - 1
    per_row = int((TEXT_W + THUMB_GAP) // (THUMB_W + THUMB_GAP))
    for start in range(0, len(shots), per_row):
        row = shots[start:start + per_row]
        sizes = [_thumb_size(s) for s in row]
        tallest = max(s[1] for s in sizes)
        h = tallest + 3 * (small * 1.3) + 2 * MM
        flow.room(h)
        top = flow.y
        for n, (shot, (w, ih)) in enumerate(zip(row, sizes, strict=True)):
            x = LEFT + n * (THUMB_W + THUMB_GAP)
            name = shot.filename if len(shot.filename) <= 22 else shot.filename[:21] + "…"
            caption = [f"{start + n + 1}. {name}", f"SHA-256 {shot.sha256[:16]}",
                       f"{shot.sha256[16:32]}…"]
            fonts.require_printable("".join(caption))

            def draw(c, x=x, top=top, shot=shot, w=w, ih=ih, caption=caption, tallest=tallest):
                if shot.jpeg:
                    c.drawImage(image_reader(shot.jpeg), x, top - ih, w, ih)
                else:
                    c.rect(x, top - ih, w, ih)
                    fonts.draw_text(c, x + 1.5 * MM, top - ih / 2, "（照片文件缺失）", small)
                y = top - tallest - small * 1.3  # captions under the row
                for line in caption:
                    fonts.draw_text(c, x, y, line, small)
                    y -= small * 1.3

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
    """A line for each officer the record holds (name and 证号 printed, signed by hand),
    the party's opinion and signature."""
    flow.gap(2 * MM)
    for name, cert in snap.officers:
        flow.signature(f"检查人员：{name}　执法证号：{cert or '＿＿＿＿'}　签名：", None,
                       width=40 * MM, date_text="", height=grid.LINE * 1.2)
    flow.signature("当事人意见：", None, width=TEXT_W - 6 * grid.BODY_PT, date_text="",
                   height=grid.LINE * 1.2)
    flow.signature("当事人签名：", None, width=45 * MM, date_text="日期：　　年　　月　　日",
                   height=grid.LINE * 1.2)


def _ident(c, snap: Snapshot) -> None:
    """The record's id and version at the foot of every page."""
    ident = f"记录 {snap.check_id}　版本 {snap.version}"
    fonts.draw_text(c, LEFT, grid.BOTTOM - 15 * MM, ident, grid.SMALL_PT - 2)


def render(snap: Snapshot) -> bytes:
    """The PDF of one check record (raises fonts.UnprintableText rather than print a blank)."""
    return _layout(snap).render(TITLE)


def check_pdf(session: Session, store: Any, check_id: str, registry: Registry) -> bytes:
    return render(snapshot(session, store, check_id, registry))
