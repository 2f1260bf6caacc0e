"""A new agency's first day on a 1366x768 laptop, by clicks and typing only.

The store is set up as the supervisor leaves it (the agency, inspector 张三 and a second
officer 李四 with enforcement certificates, a market, the workstation with its instruments
and reagent batches). Then, through the real main window: sign in; a labeling check that
fails two items and starts a seizure; the seizure filled in, refused before the signatures,
signed on the pad and issued; its decision notice saved as PDF through the file dialog and
its QR code verified; the shift opened and five rapid tests typed, one positive; the daily
report saved and read back.

The test runs itself again in a fresh process on a 1366x728 offscreen screen (a 1366x768
laptop less its taskbar). Pictures of the main steps go to $FIRST_DAY_SHOTS (default: the
test's tmp_path)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QWidget,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screens import LAPTOP, ON_LAPTOP, run_on_laptop, screen_shot, track_windows

from inspector_app.core import auth, records
from inspector_app.core.models import Market
from inspector_app.core.seizure import numbering
from inspector_app.core.worklog import demo as worklog_demo
from inspector_app.ui import screen

PARTY = "王记日杂商行"
CREDIT_CODE = "91350102MA2Y8K3P71"
PRODUCT = "电热水壶"
STALL = "A-101"
SEAL = "FT-0001"
CUSTODIAN = "王五"
TESTS = [  # stall, product, test item, value (inhibition %, ≥ 50 is positive)
    ("A01", "青菜", "农药残留", "12.5"),
    ("A02", "菠菜", "农药残留", "8"),
    ("A03", "韭菜", "农药残留", "61.3"),
    ("B01", "猪肉", "瘦肉精", "阴性"),
    ("A04", "黄瓜", "农药残留", "20"),
]
POSITIVE_ROW = 2

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) is not installed")


# --- the first day's store, as the set-up leaves it ----------------------------------------


def first_day_store(signed_in) -> tuple:
    """The agency and 张三 (from `signed_in`), a second officer, the market, the
    workstation and this device's document number segment: what the supervisor sets up
    before the first day."""
    store, actor, _inspector = signed_in
    with store.write() as session:
        auth.add_inspector(session, actor, auth.NewInspector(
            "李四", "lisi", "demo5678", "32010002", "inspector"))
        records.create(session, Market(name="东门批发市场", address="东门路8号"), actor)
        worklog_demo.make_station(session, actor, datetime.now(UTC).astimezone().date())
        numbering.set_segment(session, "01")  # this laptop's document number segment
    return store


# --- what a user does --------------------------------------------------------------------


def click(qtbot, widget: QWidget, pos: QPoint | None = None) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def click_item(qtbot, view: QAbstractItemView, index, double: bool = False) -> None:
    view.scrollTo(index)
    center = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    if double:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)


def choose(qtbot, combo: QComboBox, row: int) -> None:
    """Open the combo box's list with a click, go to row `row` with the arrow keys and
    take it with Enter. (A click in the list is ignored for a double-click interval after
    it opens.)"""
    assert row >= 0
    # An editable box opens its list from the arrow at its right end.
    arrow = QPoint(combo.width() - 8, combo.height() // 2) if combo.isEditable() else None
    click(qtbot, combo, arrow)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    for _n in range(combo.count()):
        if view.currentIndex().row() == row:
            break
        key = Qt.Key.Key_Down if view.currentIndex().row() < row else Qt.Key.Key_Up
        qtbot.keyClick(view, key)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible())
    assert combo.currentIndex() == row
    activate(qtbot, combo.window())


def activate(qtbot, window: QWidget) -> None:
    """Give `window` the keyboard back, as the window manager does when a popup or a
    dialog closes (the offscreen platform leaves no window active)."""
    if QApplication.activeWindow() is not window:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def open_tab(qtbot, tabs: QTabWidget, widget: QWidget) -> None:
    bar = tabs.tabBar()
    click(qtbot, bar, bar.tabRect(tabs.indexOf(widget)).center())
    assert tabs.currentWidget() is widget


def button(parent: QWidget, text: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton) if b.text() == text and b.isVisible()]
    assert len(found) == 1, (text, [b.text() for b in parent.findChildren(QPushButton)])
    return found[0]


def window_of(qtbot, class_name: str) -> QWidget:
    def shown() -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets()
                if type(w).__name__ == class_name and w.isVisible()]
    qtbot.waitUntil(lambda: bool(shown()), timeout=15_000)
    return shown()[-1]


def when_modal(kind: type, act, tries: int = 500) -> dict:
    """Answer the next modal dialog of class `kind` with act(dialog) once it is up (it runs
    its own event loop, so the answer is typed from a timer inside that loop)."""
    seen: dict = {}

    def poll(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            seen["dialog"] = dialog
            seen["fits"] = screen.available(dialog).contains(dialog.frameGeometry())
            act(dialog)
        elif left:
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))
    return seen


def save_as(qtbot, name: str) -> dict:
    """Answer the save dialog: type the file name into its file name box and press Enter.
    The dialog opens in the working directory (the app suggests a bare file name); a path
    typed key by key would make the dialog's completion wander the file system."""
    def act(dialog: QFileDialog) -> None:
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        edit.selectAll()
        qtbot.keyClicks(edit, name)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    return when_modal(QFileDialog, act)


def fits(widget: QWidget) -> None:
    area = screen.available(widget)
    assert area.contains(widget.frameGeometry()), \
        f"{type(widget).__name__} {widget.frameGeometry()} is not inside {area}"
    if ON_LAPTOP:
        assert area == LAPTOP


def shows_ink(view: QWidget) -> bool:
    """The PDF view shows a rendered page (dark text), not a blank sheet still rendering."""
    image = view.viewport().grab().toImage()
    return any(image.pixelColor(x, y).lightness() < 100
               for x in range(0, image.width(), 3) for y in range(0, image.height() // 2, 3))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def qt_language():
    """Qt's own buttons and dialogs in Chinese, as the app starts them (app.py)."""
    from inspector_app.ui.language import apply_language

    apply_language("zh_CN")
    yield
    apply_language("en")  # drops Qt's translator; the test set-up restores zh_CN


# --- the day -----------------------------------------------------------------------------


@pytest.mark.skipif(not ON_LAPTOP, reason="runs on the laptop screen (the next test)")
def test_first_day_on_a_laptop(qtbot, qt_language, signed_in, start_app, sign_in, type_text,
                               tmp_path, monkeypatch):
    saved = tmp_path / "saved"
    saved.mkdir()
    monkeypatch.chdir(saved)  # where the save dialogs open
    shots = Path(os.environ.get("FIRST_DAY_SHOTS") or tmp_path / "shots")
    taken: list[str] = []

    def shot(name: str) -> None:
        QApplication.processEvents()
        screen_shot(shots / f"{len(taken) + 1:02d}-{name}.png")
        taken.append(name)

    track_windows()
    store = first_day_store(signed_in)
    startup = start_app(store.data_dir, refresh_interval_ms=1000)
    qtbot.waitUntil(lambda: startup.dialog is not None and startup.dialog.isVisible(),
                    timeout=15_000)
    shot("sign-in")

    # 1. Sign in by typing.
    window = sign_in(startup)
    fits(window)
    shot("dashboard")

    # 2. 标识检查 → 新建…: a check of an electric kettle, two items failed.
    nav: QListWidget = window.nav
    click_item(qtbot, nav, nav.model().index(1, 0))
    checks_page = window.pages["check"]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is checks_page)
    assert checks_page.new_button.text().startswith("新建")
    click(qtbot, checks_page.new_button)
    check = window_of(qtbot, "CheckDialog")
    fits(check)
    page = check.page
    choose(qtbot, page.category, page.category.findData("electrical_ccc"))
    assert page.category.currentText() == "家用电器及电器附件"
    choose(qtbot, page.market, page.market.findText("东门批发市场"))
    click(qtbot, page.stall.lineEdit())
    qtbot.keyClicks(page.stall.lineEdit(), STALL)
    click(qtbot, page.party.lineEdit())
    type_text(page.party.lineEdit(), PARTY)
    qtbot.keyClick(page.party.lineEdit(), Qt.Key.Key_Tab)
    # 第二执法人员: 李四 goes with 张三 (a check is made by two officers)
    choose(qtbot, page.second_officer, page.second_officer.findText("李四（执法证号：32010002）"))
    typed = {"product_name": PRODUCT, "brand": "美厨", "spec_model": "MC-1720",
             "rating": "220V~ 1800W", "batch_no": "20260115",
             "manufacturer": "佛山市美厨电器有限公司", "manufacturer_address": "广东省佛山市",
             "quantity": "12"}
    for key, text in typed.items():
        editor = page.fields.rows[key].editor
        page.scroll.ensureWidgetVisible(editor)  # the form scrolls to the field
        click(qtbot, editor)
        type_text(editor, text)
    failed = {"ccc": "未加施CCC认证标志", "manual": "无中文使用说明书"}
    for key in page.checklist.applicable_keys():
        row = page.checklist.rows[key]
        page.scroll.ensureWidgetVisible(row.switch)
        click(qtbot, row.switch.buttons["fail" if key in failed else "pass"])
        if key in failed:
            qtbot.waitUntil(row.note.isVisible)
            click(qtbot, row.note)
            type_text(row.note, failed[key])
    assert "不合格" in page.computed.text() and "2" in page.computed.text()
    page.scroll.ensureWidgetVisible(page.measure)
    choose(qtbot, page.measure, page.measure.findData("seizure"))
    assert page.measure.currentText() == "查封扣押"
    shot("check-filled")
    assert page.final_button.text() == "完成检查"
    # Finalising a non-conforming check with the measure 查封扣押 starts the seizure.
    click(qtbot, page.final_button)
    seizure_dialog = window_of(qtbot, "SeizureDialog")
    assert page.status == "final", page.problem_label.text()
    assert "已启动查封扣押" in page.state_label.text()

    # The list shows the check as non-conforming, its row emphasised.
    model = checks_page.model
    columns = [c.key for c in model.columns]

    def check_row() -> int | None:
        return next((r for r in range(model.rowCount())
                     if model.text(r, columns.index("product")) == PRODUCT), None)

    qtbot.waitUntil(lambda: not model.loading and check_row() is not None, timeout=10_000)
    row = check_row()
    outcome = model.index(row, columns.index("outcome"))
    assert model.data(outcome) == "不合格"
    assert model.data(outcome, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(outcome, Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole) is not None

    # 3. The seizure window, prefilled from the check.
    fits(seizure_dialog)
    seizure = seizure_dialog.page
    assert PARTY in seizure.header.text() and "草稿" in seizure.header.text()
    assert seizure.items.rowCount() == 1 and seizure.items.item(0, 0).text() == PRODUCT
    assert seizure.items.item(0, 3).text() == "12"
    shot("seizure-from-check")
    tabs = seizure.tabs
    basics = tabs.widget(0)
    open_tab(qtbot, tabs, basics)
    # The party typed at the check lacks its code: complete it in its dialog.
    assert seizure.complete_party_button.text() == "补全当事人信息…"
    click(qtbot, seizure.complete_party_button)
    qtbot.waitUntil(lambda: seizure.dialog is not None and seizure.dialog.isVisible())
    party = seizure.dialog
    fits(party)
    assert party.fields["name"].text() == PARTY
    click(qtbot, party.fields["credit_code"])
    qtbot.keyClicks(party.fields["credit_code"], CREDIT_CODE)
    with qtbot.waitSignal(party.accepted, timeout=30_000):
        click(qtbot, party.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert seizure.party.currentText() == PARTY
    assert seizure.place.text()  # the market and stall, from the check
    choose(qtbot, seizure.basis, 0)
    basis = seizure.basis.currentText()
    assert basis
    click(qtbot, seizure.custodian)
    type_text(seizure.custodian, CUSTODIAN)
    click(qtbot, seizure.contact_phone)
    qtbot.keyClicks(seizure.contact_phone, "13800138000")
    # Both officers: the check's two come with it.
    open_tab(qtbot, tabs, tabs.widget(1))
    officers = seizure.officers
    names = [officers.item(r).text() for r in range(officers.count())]
    checked = [officers.item(r).text() for r in range(officers.count())
               if officers.item(r).checkState() == Qt.CheckState.Checked]
    assert len(checked) == 2, names
    assert any("张三" in n and "32010001" in n for n in checked)
    assert any("李四" in n and "32010002" in n for n in checked)
    # The seal, typed into its table.
    seals_tab = tabs.widget(3)
    open_tab(qtbot, tabs, seals_tab)
    click(qtbot, button(seals_tab, "添加一行"))
    for col, text in ((0, SEAL), (1, "仓库门")):
        click_item(qtbot, seizure.seals, seizure.seals.model().index(0, col), double=True)
        editor = QApplication.focusWidget()
        assert isinstance(editor, QLineEdit)
        type_text(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert seizure.seals.item(0, 0).text() == SEAL
    # The on-site record: what the check found, and what was done.
    open_tab(qtbot, tabs, tabs.widget(4))
    assert "检查发现" in seizure.record_text.toPlainText()
    click(qtbot, seizure.record_text)
    qtbot.keyClick(seizure.record_text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(seizure.record_text, "当事人在场，对上述产品实施查封。")
    assert seizure.save_button.text() == "保存草稿"
    with qtbot.waitSignal(seizure.op_done, timeout=30_000) as done:
        click(qtbot, seizure.save_button)
    assert done.args[0], seizure.problems.text()
    # Issuing before the signatures is refused, and the screen says whose are missing.
    assert seizure.issue_button.text() == "签发"
    with qtbot.waitSignal(seizure.op_done, timeout=30_000) as done:
        click(qtbot, seizure.issue_button)
    assert not done.args[0]
    refusal = seizure.problems.text()
    assert seizure.problems.isVisible()
    assert "执法人员张三尚未签名" in refusal and "执法人员李四尚未签名" in refusal
    assert "当事人尚未签名" in refusal
    assert "草稿" in seizure.header.text()
    shot("issue-refused")
    # Signed on the pad: the party, then both officers.
    open_tab(qtbot, tabs, seizure.signatures)
    for n, who in enumerate(("当事人", "张三", "李四")):
        sign_button = button(seizure.signatures, f"签名：{who}")
        click(qtbot, sign_button)
        qtbot.waitUntil(lambda: seizure.dialog is not None and seizure.dialog.isVisible()
                        and type(seizure.dialog).__name__ == "SignatureDialog")
        pad_dialog = seizure.dialog
        fits(pad_dialog)
        pad = pad_dialog.pad
        strokes = [[(40, 120), (90, 50), (140, 130), (190, 60)],
                   [(230, 90), (290, 110), (350, 70), (400, 120)]]
        for stroke in strokes:
            qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*stroke[0]))
            for x, y in stroke[1:]:
                QTest.mouseMove(pad, QPoint(x, y))
            qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*stroke[-1]))
        assert len(pad.strokes) == 2
        if n == 0:
            shot("signature-pad")
        with qtbot.waitSignal(seizure.op_done, timeout=30_000) as done:
            click(qtbot, pad_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
        assert done.args[0], seizure.problems.text()
    assert seizure.signatures.missing.text() == "签发所需的签名已具备。"
    assert seizure.signatures.signature_list.count() == 3
    # The agency head's prior approval (art. 18(一)), recorded before issue.
    click(qtbot, seizure.approval_button)
    approval = seizure.dialog
    qtbot.waitExposed(approval)
    approval.findChild(QLineEdit, "approval_approver").insert("王局长")
    with qtbot.waitSignal(seizure.op_done, timeout=30_000) as done:
        click(qtbot, approval.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert done.args[0], seizure.problems.text()
    with qtbot.waitSignal(seizure.op_done, timeout=30_000) as done:
        click(qtbot, seizure.issue_button)
    assert done.args[0], seizure.problems.text()
    number = seizure.number
    assert number.startswith("示例市监强制")
    header = seizure.header.text()
    assert number in header and "已送达" in header and PARTY in header
    assert not seizure.issue_button.isEnabled()
    shot("seizure-issued")

    # 4. The decision notice, saved as PDF through the file dialog.
    open_tab(qtbot, tabs, seizure.status)
    documents = seizure.status.documents
    kinds = [documents.item(r).data(Qt.ItemDataRole.UserRole)
             for r in range(documents.count())]
    decision_row = kinds.index("decision")
    assert "决定书" in documents.item(decision_row).text()
    with qtbot.waitSignal(seizure.preview_opened, timeout=30_000) as opened:
        click_item(qtbot, documents, documents.model().index(decision_row, 0), double=True)
    preview = opened.args[0]
    qtbot.waitUntil(preview.isVisible)
    fits(preview)
    qtbot.waitUntil(lambda: shows_ink(preview.view), timeout=10_000)
    shot("decision-preview")
    notice = saved / "decision-notice.pdf"
    answered = save_as(qtbot, notice.name)
    click(qtbot, preview.save_button)
    qtbot.waitUntil(notice.exists, timeout=10_000)
    assert answered.get("fits"), "the save dialog does not fit the screen"
    text = pdf_text(notice)
    flat = squeezed(text)
    assert "实施行政强制措施决定书" in flat
    assert PARTY in flat and squeezed(number) in flat and squeezed(basis)[:20] in flat
    from inspector_app.core.seizure import verify

    with store.read() as session:
        verdicts = verify.verify_input(session, str(notice))
    assert [v.valid for v in verdicts] == [True], [v.text() for v in verdicts]
    assert "VALID" in verdicts[0].text().upper()
    click(qtbot, button(preview, "关闭"))
    seizure_dialog.close()
    check.close()

    # 5. 工作站日志: open the shift and type five rapid tests.
    click_item(qtbot, nav, nav.model().index(3, 0))
    worklog = window.pages["worklog"]
    qtbot.waitUntil(lambda: worklog.station_label.text() == "东门市场快检室"
                    and worklog.buttons["open"].isEnabled(), timeout=10_000)
    assert "开班" in worklog.message.text()  # no shift is open yet
    assert worklog.buttons["open"].text() == "开班…"

    def take_operator(dialog: QInputDialog) -> None:
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    opened_shift = when_modal(QInputDialog, take_operator)
    click(qtbot, worklog.buttons["open"])
    qtbot.waitUntil(lambda: worklog.log_id is not None and worklog.entry.model.ctx is not None
                    and not worklog.entry.model.read_only, timeout=10_000)
    assert opened_shift.get("fits")
    activate(qtbot, window)  # back from the dialog
    entry = worklog.entry
    table = entry.view
    blank = entry.model.blank_row()
    click_item(qtbot, table, entry.model.index(blank, 1), double=True)
    for values in TESTS:
        for text in values:
            editor = QApplication.focusWidget()
            assert isinstance(editor, QLineEdit), editor
            type_text(editor, text)
            qtbot.keyClick(editor, Qt.Key.Key_Return)
    model = entry.model
    qtbot.waitUntil(lambda: sum(1 for r in model.rows if r.state == "saved") == 5
                    and not entry.busy(), timeout=15_000)
    from inspector_app.ui.worklog.entry_table import COLUMNS

    conclusions = [model.data(model.index(r, COLUMNS.index("conclusion")))
                   for r in range(5)]
    assert conclusions == ["阴性", "阴性", "阳性", "阴性", "阴性"]
    positive = model.index(POSITIVE_ROW, COLUMNS.index("conclusion"))
    assert model.data(positive, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(positive, Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(0, COLUMNS.index("conclusion")),
                      Qt.ItemDataRole.BackgroundRole) is None
    shot("rapid-tests")

    # 6. 日报: make the daily report and save it.
    assert worklog.buttons["daily"].text() == "日报"

    def take_day(dialog: QDialog) -> None:
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    asked = when_modal(QDialog, take_day)
    click(qtbot, worklog.buttons["daily"])
    qtbot.waitUntil(lambda: getattr(worklog, "preview", None) is not None
                    and worklog.preview.isVisible(), timeout=30_000)
    assert asked.get("fits")
    report_preview = worklog.preview
    fits(report_preview)
    qtbot.waitUntil(lambda: shows_ink(report_preview.view), timeout=10_000)
    shot("daily-report")
    report = saved / "daily-report.pdf"
    save_as(qtbot, report.name)
    click(qtbot, report_preview.save_button)
    qtbot.waitUntil(report.exists, timeout=10_000)
    flat = squeezed(pdf_text(report))
    assert "市场质量检验工作站日报" in flat
    assert "当日快速检测5批次" in flat and "阳性1批次" in flat
    assert "韭菜" in flat
    click(qtbot, button(report_preview, "关闭"))
    assert len(taken) >= 8


@pytest.mark.skipif(ON_LAPTOP, reason="already on the laptop screen")
def test_first_day_on_a_1366x768_laptop(tmp_path):
    """The day above, in a fresh process on a 1366x728 offscreen screen."""
    run = run_on_laptop(__file__, tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-2000:]
