"""Seizure documents: a decision notice, a batch of 1,000 notices, a 500-item list.

Each builds its own small store (an agency, two officers, a party) in the run's temp folder.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from common import benchmark, median, percentile, result

_STORES: dict[str, object] = {}


def _agency(ctx):
    """A store with an agency, two officers and a party (made once per run)."""
    if "agency" in _STORES:
        return _STORES["agency"]
    from inspector_app.core import auth, records, settings
    from inspector_app.core.seizure import numbering, service
    from inspector_app.core.store import Store

    store = Store(ctx.tmp / "seizure-store")
    with store.write() as s:
        first = auth.first_setup(s, "示例市市场监督管理局", "示例", auth.NewInspector(
            "张三", "zhang", "demo1234", "32010001", "supervisor"))
        actor = records.Actor(settings.device_id(s), first.id)
        second = auth.add_inspector(s, actor, auth.NewInspector("李四", "li", "demo1234",
                                                                "32010002"))
        numbering.set_segment(s, "01")
        service.RECONSIDERATION_ORGAN.set(s, "示例市人民政府")
        service.COURT.set(s, "示例市鼓楼区")
        party = service.save_party(s, actor, service.PartyInput(
            name="𠮷祥日杂商行", credit_code="91350100M000100Y43", address="东门路1号",
            legal_rep="王五", phone="13812345678"))
        service.own_key(store, s)
    _STORES["agency"] = (store, actor, [first.id, second.id], party.id)
    return _STORES["agency"]


def _issue(ctx, items: int, session=None, now=None) -> str:
    from inspector_app.core.demo.printable import signature
    from inspector_app.core.seizure import service

    store, actor, officers, party_id = _agency(ctx)
    now = now or datetime.now(UTC)
    data = service.DraftInput(
        officer_ids=officers, party_id=party_id, place="东门农副产品批发市场A12号摊位",
        suspected_violation="销售不符合保障人体健康和人身、财产安全的国家标准的产品",
        legal_basis=service.DEFAULT_LEGAL_BASES[0], custody_place="东门市场仓库3号",
        custodian="王五", onsite_record="执法人员在该摊位发现电热水壶,未标注CCC认证标志。" * 3,
        items=[service.ItemInput(f"电热水壶型号{i + 1}", Decimal(i % 17 + 1), "台",
                                 f"{i % 5 + 1}.7L", "无3C标志") for i in range(items)],
        seals=[service.SealInput("FT-0001", "仓库门")], started_at=now)

    def go(s):
        seizure = service.create_draft(s, actor, data, now=now)
        # The agency head's prior approval (行政强制法 art. 18(一)).
        service.record_approval(s, actor, seizure.id, "王局长", now, now=now)
        # The on-site signatures issuing needs (行政强制法 art. 18): both officers, the party.
        for role, signer, officer_id in (("officer", "张三", officers[0]),
                                         ("officer", "李四", officers[1]),
                                         ("party", "𠮷祥日杂商行", None)):
            png, strokes = signature(signer)
            service.add_signature(store, s, actor, seizure.id, role, signer, png=png,
                                  strokes=strokes, officer_id=officer_id, now=now)
        service.issue(store, s, actor, seizure.id, now=now)
        return seizure.id

    if session is not None:
        return go(session)
    with store.write() as s:
        return go(s)


def _decision_text(snap) -> list[str]:
    """The lines of the decision notice, for the bare-reportlab baseline."""
    from inspector_app.core.seizure import documents

    flow = documents.BUILDERS["decision"](snap, None)
    lines: list[str] = []

    class Capture:
        def __getattr__(self, name):
            return lambda *a, **k: None

        def drawString(self, x, y, text, *a, **k):
            lines.append(text)

    capture = Capture()
    for page in flow.pages:
        for op in page:
            op(capture)
    return lines


@benchmark("seizure_decision_20")
def decision_20(ctx) -> dict:
    """One decision notice of a 20-item seizure: load, sign the QR code, draw, save (ms)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from inspector_app.core import fonts
    from inspector_app.core.seizure import documents, qr, service

    store = _agency(ctx)[0]
    sid = _issue(ctx, 20)
    runs = 10 if ctx.quick else 40

    def ours() -> bytes:
        with store.read() as s:
            return documents.render(service.notice_jobs(store, s, sid, ["decision"]))

    t = time.perf_counter()
    ours()
    first_ms = (time.perf_counter() - t) * 1000
    with store.read() as s:
        jobs = service.notice_jobs(store, s, sid, ["decision"])
    snap, _kind, code = jobs[0]
    lines = _decision_text(snap)
    main = fonts.register_pdf_fonts()[0]

    def bare(widget_qr: bool) -> bytes:
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=A4, initialFontName=main, initialFontSize=16)
        c.setFont(main, 16)
        y = 760
        for line in lines:  # one font, no fallback runs, no layout
            c.drawString(80, y, line)
            y -= 29
            if y < 100:
                c.showPage()
                c.setFont(main, 16)
                y = 760
        if widget_qr:  # reportlab's own QR code
            widget = QrCodeWidget(code, barLevel="M")
            x0, y0, x1, y1 = widget.getBounds()
            d = Drawing(68, 68, transform=[68 / (x1 - x0), 0, 0, 68 / (y1 - y0), 0, 0])
            d.add(widget)
            renderPDF.draw(d, c, 440, 20)
        else:  # the same vector drawing as ours, from a precomputed matrix
            documents.drawing.draw_qr(c, code, 440, 20, 68)
        c.showPage()
        c.save()
        return buf.getvalue()

    bare(True)
    ours_ms, base_ms, base2_ms = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        ours()
        ours_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bare(True)
        base_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bare(False)
        base2_ms.append((time.perf_counter() - t) * 1000)
    value = median(ours_ms)
    base = median(base_ms)
    assert qr.decode_pdf(ours())  # the code on the page reads back
    return result(value, "ms", "<= 80 ms after the first; <= 3x a bare reportlab page",
                  value <= 80 and value <= 3 * base, baseline=base, first_ms=first_ms,
                  p95_ms=percentile(ours_ms, 95),
                  baseline_same_qr_drawing_ms=median(base2_ms), runs=runs)


@benchmark("seizure_batch_1000")
def batch_1000(ctx) -> dict:
    """1,000 decision notices (1,000 seizures) as one PDF batch, with progress (s)."""
    from inspector_app.core.seizure import documents, service

    store = _agency(ctx)[0]
    n = 200 if ctx.quick else 1000
    start = datetime.now(UTC) - timedelta(days=1)
    t = time.perf_counter()
    with store.write() as s:
        ids = [_issue(ctx, 5 + i % 16, session=s, now=start + timedelta(seconds=i))
               for i in range(n)]
    setup = time.perf_counter() - t
    seen = []
    t = time.perf_counter()
    with store.read() as s:
        jobs = []
        for sid in ids:
            jobs += service.notice_jobs(store, s, sid, ["decision"])
    pdf = documents.render(jobs, progress=lambda done, total: seen.append(done))
    seconds = time.perf_counter() - t
    limit = 60.0 * n / 1000
    return result(seconds, "s", f"<= {limit:.0f} s for {n} notices", seconds <= limit,
                  notices=n, pages=pdf.count(b"/Type /Page\n") or None,
                  mb=round(len(pdf) / 1e6, 1), progress_reports=len(seen),
                  setup_seconds=round(setup, 1))


@benchmark("seizure_list_500")
def list_500(ctx) -> dict:
    """A 500-item 场所/设施/财物清单: load, sign, draw every page, save (s)."""
    from inspector_app.core.seizure import documents, service

    store = _agency(ctx)[0]
    sid = _issue(ctx, 500)
    times = []
    for _ in range(2 if ctx.quick else 3):
        t = time.perf_counter()
        with store.read() as s:
            pdf = documents.render(service.notice_jobs(store, s, sid, ["list"]))
        times.append(time.perf_counter() - t)
    with store.read() as s:
        pages = documents.page_count(service.snapshot(s, service.load(s, sid)), "list")
    value = median(times)
    return result(value, "s", "<= 3 s", value <= 3, pages=pages,
                  mb=round(len(pdf) / 1e6, 2))
