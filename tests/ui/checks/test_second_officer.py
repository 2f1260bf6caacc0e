"""The 第二执法人员 picker of the check page: the roster but the signed-in officer, chosen
with the mouse, refused when missing at finalising, saved with the record, read only on a
final check, and carried to the next check at the stall."""

from __future__ import annotations

from pathlib import Path

from check_helpers import COLLEAGUE, add_colleague, kettle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from inspector_app.core import records
from inspector_app.core.checks import service
from inspector_app.core.models import Inspector
from inspector_app.ui import checks
from inspector_app.ui.checks import CheckDialog

SHOTS = Path("/tmp/officers")


def _open(qtbot, dialog: CheckDialog) -> CheckDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.page.dialog = dialog
    return dialog


def _choose_with_mouse(qtbot, combo, text: str) -> None:
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # a click sooner is not taken
    index = combo.model().index(combo.findText(text), 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())
    qtbot.waitUntil(lambda: not view.isVisible())


def test_the_second_officer_is_chosen_with_the_mouse_and_saved(qtbot, env):
    store, actor, market = env
    wang = add_colleague(store, actor, name="王五", cert_no="32010003",
                         inspector_id="5e1c0a11-0000-4000-8000-000000000003", username="wang")
    gone = add_colleague(store, actor, name="赵六", cert_no="32010004",
                         inspector_id="5e1c0a11-0000-4000-8000-000000000004", username="zhao")
    with store.write() as s:
        zhao = s.get(Inspector, gone)
        zhao.active = False
        records.update(s, zhao, actor, zhao.version)
    page = _open(qtbot, CheckDialog(store, actor)).page
    picker = page.second_officer
    shown = [picker.itemText(i) for i in range(picker.count())]
    # the roster but the signed-in officer (who is the first) and the inactive one
    assert shown == ["", "李四（执法证号：32010002）", "王五（执法证号：32010003）"]
    assert page.first_officer.text() == "张三（执法证号：32010001）"
    page.category.setCurrentIndex(page.category.findData("electrical_ccc"))
    page._fill(kettle(market, second_officer_id=None))
    assert picker.currentText() == ""

    qtbot.mouseClick(page.final_button, Qt.MouseButton.LeftButton)
    error = page.findChild(type(page.problem_label), "error_second_officer")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=10_000)
    assert page.status == "new"
    assert error.text() == ("检查须由至少2名执法人员进行（行政处罚法第四十二条），"
                            "请选择第二执法人员。")
    assert page.window().focusWidget() is picker  # the problem it goes to
    SHOTS.mkdir(exist_ok=True)
    page.window().grab().save(str(SHOTS / "second_officer_missing.png"))

    _choose_with_mouse(qtbot, picker, "王五（执法证号：32010003）")
    assert picker.officer_id() == wang
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.mouseClick(page.final_button, Qt.MouseButton.LeftButton)
    assert page.status == "final" and not error.isVisible()
    with store.read() as s:
        check = service.load(s, saved.args[0])
        assert [(o.name, o.cert_no) for o in check.officers] == [("张三", "32010001"),
                                                                  ("王五", "32010003")]
    page.window().grab().save(str(SHOTS / "second_officer_final.png"))

    # opened again, the final check shows its second officer, read only
    dialog = checks.open_check(store, actor, saved.args[0])
    qtbot.addWidget(dialog)
    again = dialog.page
    assert again.second_officer.currentText() == "王五（执法证号：32010003）"
    assert not again.second_officer.isEnabled()
    # opened by 王五 himself (not on his own picker): it still shows what the record names
    theirs = checks.open_check(store, records.Actor(actor.device_id, wang), saved.args[0])
    qtbot.addWidget(theirs)
    assert theirs.page.first_officer.text() == "张三（执法证号：32010001）"
    assert theirs.page.second_officer.currentText() == "王五（执法证号：32010003）"
    # the next product at this stall keeps the pair
    with qtbot.waitSignal(again.next_requested) as nxt:
        again.next_at_stall()
    following = _open(qtbot, CheckDialog(store, actor, prefill=nxt.args[0])).page
    assert following.second_officer.officer_id() == wang
    assert following.current_input().second_officer_id == wang


def test_a_draft_keeps_the_chosen_officer_and_may_be_saved_without_one(qtbot, env):
    store, actor, market = env
    page = _open(qtbot, CheckDialog(store, actor)).page
    page.category.setCurrentIndex(page.category.findData("electrical_ccc"))
    page._fill(kettle(market, second_officer_id=None))
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status == "draft"
    _choose_with_mouse(qtbot, page.second_officer, "李四（执法证号：32010002）")
    with qtbot.waitSignal(page.saved, timeout=10_000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    with store.read() as s:
        check = service.load(s, saved.args[0])
        assert [o.inspector_id for o in check.officers] == [actor.inspector_id, COLLEAGUE]
        assert check.status == "draft" and check.version == 2
    dialog = checks.open_check(store, actor, saved.args[0])
    qtbot.addWidget(dialog)
    assert dialog.page.second_officer.officer_id() == COLLEAGUE
    assert dialog.page.second_officer.isEnabled()
