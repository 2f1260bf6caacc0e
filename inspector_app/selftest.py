"""`inspector-app --self-test` (and `inspector self-test`): does this installation work?

In a temporary data folder it makes a store, saves one record of each kind through the
services (a labeling check, a seizure that is issued, extended and released, a workstation
day), renders every kind of document (the six seizure documents, the check record, the
workstation's daily and monthly reports), reads a QR code back from a rendered page and
verifies it, and checks the audit chain. With `qt=True` it also starts Qt: the bundled
fonts, Qt's own translations, the PDF view and the supervisor's charts (QtCharts). It
prints one line per step and returns 0, or 1 at the first step that fails (the line says
which and why).

The records are made the way the demo data makes them (`core.demo`), so the self-test
follows the rules of the workflow as they change.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from inspector_app.core.i18n import N_, _


class SelfTestFailed(Exception):
    """A step found something wrong; the message says what."""


@dataclass
class Run:
    """What the steps share: the store, the actor, the records, the rendered PDFs."""

    folder: Path
    store: Any = None
    actor: Any = None
    check_id: str = ""
    seizure_id: str = ""
    log_id: str = ""
    station_name: str = ""
    pdfs: dict[str, bytes] = field(default_factory=dict)


# What the app's screens call the documents that are not a seizure's (those are in
# `seizure.rules.DOCUMENT_LABELS`).
_OTHER_DOCUMENTS = {"check": N_("Check record"), "daily": N_("Daily report"),
                    "monthly": N_("Monthly summary")}


def _document(name: str) -> str:
    """The document as the screens name it, in the user's language."""
    from inspector_app.core.seizure.rules import DOCUMENT_LABELS

    return _({**DOCUMENT_LABELS, **_OTHER_DOCUMENTS}[name])


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailed(message)


# --- the steps -----------------------------------------------------------------------------


def step_resources(run: Run) -> str:
    from inspector_app.core import fonts, i18n, resources

    for path in fonts.bundled_font_paths():
        _need(path.is_file(), _("Missing font file {path}").format(path=path))
    catalog = resources.locale_dir() / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    _need(catalog.is_file(), _("Missing translation file {path}").format(path=catalog))
    return str(resources.resources_dir())


def step_forms(run: Run) -> str:
    from inspector_app.forms import definitions

    registry = definitions.builtin()
    _need(len(registry) > 0, _("No checklist definitions are installed."))
    return _("{count} checklist definitions").format(count=len(registry))


def step_store(run: Run) -> str:
    from sqlalchemy import select

    from inspector_app.core import demo, settings
    from inspector_app.core.models import Inspector
    from inspector_app.core.records import Actor
    from inspector_app.core.store import Store

    run.store = Store(run.folder / "data")
    demo.generate(run.store, 0)  # the demo team, markets, parties and stalls; no records
    with run.store.read() as session:
        officer = session.scalars(select(Inspector).where(
            Inspector.cert_no != "", Inspector.active).order_by(Inspector.username)).first()
        _need(officer is not None, _("The demo data has no inspector."))
        run.actor = Actor(settings.device_id(session), officer.id)
    return str(run.store.db_path)


def step_check(run: Run) -> str:
    from sqlalchemy import select

    from inspector_app.core import queries
    from inspector_app.core.checks import rules, service
    from inspector_app.core.checks.rules import Answer
    from inspector_app.core.models import Inspector, Market
    from inspector_app.core.store import utcnow
    from inspector_app.forms import definitions

    defn = definitions.builtin().latest("electrical_ccc")
    _need(defn is not None, _("No checklist definitions are installed."))
    data = rules.new_input(defn)
    with run.store.write() as session:
        data.market_id = session.scalars(select(Market.id).order_by(Market.name)).first()
        data.party_name = "𠮷祥电器商行"
        data.stall_number = "A-101"
        data.checked_at = utcnow() - timedelta(minutes=30)
        # a check is made by two officers (行政处罚法 art. 42): a colleague with a 证号
        data.second_officer_id = session.scalars(
            select(Inspector.id).where(Inspector.id != run.actor.inspector_id,
                                       Inspector.active.is_(True), Inspector.cert_no != "")
            .order_by(Inspector.username)).first()
        data.values.update(
            product_name="电热水壶", brand="美厨", spec_model="MC-1720", rating="220V~ 1800W",
            batch_no="20260115", manufacturer="佛山市美厨电器有限公司",
            manufacturer_address="广东省佛山市顺德区北滘镇", ccc_cert_no="2021010701234567",
            standard_code="GB 4706.19-2008", barcode="6901234567892", quantity="12",
            unit="台", price="89.50")
        for item in defn.applicable_items(data.values):
            data.answers[item.key] = Answer("pass")
        saved = service.save(session, run.actor, data, final=True, store=run.store)
    run.check_id = saved.check_id
    return _("{status}, {outcome}").format(status=_(queries.STATUSES["check"][saved.status]),
                                           outcome=_(queries.OUTCOMES[saved.outcome]))


def step_seizure(run: Run) -> str:
    from inspector_app.core import demo, queries
    from inspector_app.core.seizure import rules, service
    from inspector_app.core.store import utcnow

    made = demo.printable_seizures(run.store, issued=1, drafts=0)
    _need(len(made) == 1, _("The demo data made no seizure."))
    run.seizure_id = made[0]
    now = utcnow()
    with run.store.write() as session:
        service.extend(run.store, session, run.actor, run.seizure_id, 15,
                       "案情复杂，需进一步调查取证", approver="张局长", now=now)
        service.close(run.store, session, run.actor, run.seizure_id, rules.RELEASED,
                      "经调查，当事人已补办认证手续", ground="5", now=now + timedelta(minutes=1))
    with run.store.read() as session:
        seizure = service.load(session, run.seizure_id)
        return f"{seizure.number} {_(queries.STATUSES['seizure'][seizure.state])}"


def step_worklog(run: Run) -> str:
    from inspector_app.core.store import utcnow
    from inspector_app.core.worklog import demo as worklog_demo

    now = utcnow()
    with run.store.write() as session:
        station = worklog_demo.make_station(session, run.actor, now.date(),
                                            market_name="自检示例市场")
        wl = worklog_demo.fill_day(session, run.actor, station, 6, now)
        run.log_id = wl.id
        return _("{count} tests").format(count=len(wl.tests))


def _pdf_text(data: bytes) -> tuple[int, str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        texts = [pdf[n].get_textpage().get_text_bounded() for n in range(len(pdf))]
        return len(pdf), "".join("".join(texts).split())
    finally:
        pdf.close()


def _rendered(run: Run, name: str, data: bytes | None, expected: str) -> None:
    _need(bool(data) and data.startswith(b"%PDF-"),
          _("{document}: not a PDF").format(document=_document(name)))
    pages, text = _pdf_text(data)
    _need(pages > 0, _("{document}: no pages").format(document=_document(name)))
    _need("".join(expected.split()) in text,
          _("{document}: the text {text} is not in the PDF").format(document=_document(name),
                                                                   text=expected))
    run.pdfs[name] = data


def step_documents(run: Run) -> str:
    from inspector_app.core.checks import documents as check_documents
    from inspector_app.core.models import WorkLog
    from inspector_app.core.seizure import documents, service
    from inspector_app.core.worklog import reports
    from inspector_app.forms import definitions

    with run.store.write() as session:
        for kind in documents.KINDS:
            pdf = service.notice_pdf(run.store, session, run.seizure_id, kind)
            _rendered(run, kind, pdf, documents.TITLES[kind])
        pdf = check_documents.check_pdf(session, run.store, run.check_id, definitions.builtin())
        _rendered(run, "check", pdf, check_documents.TITLE)
        wl = session.get(WorkLog, run.log_id)
        on, station = date.fromisoformat(wl.log_date), wl.workstation_id
        _rendered(run, "daily", reports.daily_report(session, on, station), "工作站日报")
        _rendered(run, "monthly", reports.monthly_report(session, on.year, on.month, station),
                  "工作站")
    return _(", ").join(f"{_document(name)} {len(data) // 1024} KiB"
                        for name, data in run.pdfs.items())


def step_qr(run: Run) -> str:
    """Every printed seizure document carries a code that reads back and verifies."""
    from inspector_app.core.seizure import documents, qr, verify

    count = 0
    for kind in documents.KINDS:
        texts = qr.decode_pdf(run.pdfs[kind])
        _need(len(texts) > 0, _("No QR code was read from the rendered {document}.").format(
            document=_document(kind)))
        with run.store.read() as session:
            verdicts = [verify.verify_text(session, text) for text in texts]
        bad = [v.text() for v in verdicts if not v.valid]
        _need(not bad, "\n".join(bad))
        count += len(verdicts)
    return _("{count} QR codes read from the pages and valid").format(count=count)


def step_audit(run: Run) -> str:
    from inspector_app.core import audit

    with run.store.read() as session:
        problems = audit.verify(session, run.store.attachment_path)
    _need(not problems, "; ".join(str(p) for p in problems[:3]))
    return _("the audit chain is intact")


def step_qt(run: Run) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    from inspector_app.core.fonts import EXTB_FAMILY, MAIN_FAMILY
    from inspector_app.ui.fonts import install_app_fonts
    from inspector_app.ui.language import apply_language

    app = QApplication.instance() or QApplication(["inspector-app"])
    families = install_app_fonts(app)
    for family in (MAIN_FAMILY, EXTB_FAMILY):
        _need(family in families, _("Qt did not load the font {family}").format(family=family))
    apply_language("zh_CN")
    from PySide6.QtCore import QCoreApplication

    ok = QCoreApplication.translate("QPlatformTheme", "Cancel")
    _need(ok != "Cancel", _("Qt's own translations are missing"))
    from inspector_app.ui.seizure.pdf_preview import PdfDocument

    document = PdfDocument(run.pdfs["decision"])  # as the preview shows and prints it
    _need(document.pageCount() > 0, _("Qt cannot open the rendered PDF"))
    image = document.render(0, QSize(200, 283))
    _need(not image.isNull(), _("Qt cannot render the rendered PDF"))
    from inspector_app.core.agency.oversight import Rate
    from inspector_app.ui.supervisor.dashboard import RateChart  # the dashboard's QtCharts

    chart = RateChart("month", "2026")
    chart.resize(320, 220)
    chart.set_rates([Rate("2026-01", "2026-01", checked=4, nonconforming=1)])
    _need(not chart.grab().isNull(), _("Qt cannot draw the supervisor's charts"))
    return _(", ").join([app.platformName(), *families])


STEPS: list[tuple[str, Callable[[Run], str], bool]] = [
    (N_("resources"), step_resources, False),
    (N_("checklists"), step_forms, False),
    (N_("store"), step_store, False),
    (N_("seizure"), step_seizure, False),  # first: it takes the demo's party with 𠮷
    (N_("labeling check"), step_check, False),
    (N_("workstation log"), step_worklog, False),
    (N_("documents"), step_documents, False),
    (N_("QR code"), step_qr, False),
    (N_("audit"), step_audit, False),
    (N_("Qt"), step_qt, True),
]


def run_self_test(out: TextIO, qt: bool = True) -> int:
    """Run the steps in a temporary folder; print a line each; 0 if all pass, else 1."""
    import inspector_app

    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="inspector-self-test-"))
    run = Run(folder)
    print(_("Inspector {version} self-test").format(version=inspector_app.version()),
          file=out)
    code = 0
    try:
        for name, step, needs_qt in STEPS:
            if needs_qt and not qt:
                continue
            t0 = time.perf_counter()
            try:
                detail = step(run)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, then exit 1
                # The app's own errors carry a clear message; anything else is a bug.
                message = str(exc) if isinstance(exc, SelfTestFailed) else \
                    getattr(exc, "message", None) or traceback.format_exc().strip()
                print(_("FAILED {step}: {message}").format(step=_(name), message=message),
                      file=out)
                code = 1
                break
            print(_("  ok  {step} ({seconds:.1f} s): {detail}").format(
                step=_(name), seconds=time.perf_counter() - t0, detail=detail), file=out)
    finally:
        if run.store is not None:
            run.store.close()
        shutil.rmtree(folder, ignore_errors=True)
    if code == 0:
        print(_("Self-test passed in {seconds:.1f} s.").format(
            seconds=time.perf_counter() - started), file=out)
    return code
