"""The check page end to end: typed from an empty form to a saved record, recovered after a
crash, photos and barcodes on worker threads, repeat at a stall, final checks read-only."""

from __future__ import annotations

from decimal import Decimal

from check_helpers import ean13_photo, jpeg, kettle, png_bomb
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from inspector_app.core import audit
from inspector_app.core.checks import service
from inspector_app.core.models import CheckDraft, LabelCheck, Party, Stall
from inspector_app.core.store import Store
from inspector_app.ui import checks
from inspector_app.ui.checks import CheckDialog


def _open(qtbot, dialog: CheckDialog) -> CheckDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.page.dialog = dialog  # keep the window alive as long as the test holds its page
    return dialog


def _wait_kept(qtbot, page, writes: int = 1) -> None:
    """Wait until the local draft has been written (at least `writes` times) and is idle."""
    qtbot.waitUntil(lambda: page.saver.writes >= writes and page.saver.idle(), timeout=5000)


def _focused():
    return QApplication.focusWidget()


def test_a_check_typed_from_the_keyboard_becomes_a_final_record(qtbot, env, type_text):
    store, actor, market = env
    page = _open(qtbot, CheckDialog(store, actor)).page
    page.category.setFocus()
    qtbot.keyClick(page.category, Qt.Key.Key_Down)  # 食品 -> 家用电器
    assert page.defn.id == "electrical_ccc"
    qtbot.keyClick(page.category, Qt.Key.Key_Return)
    assert _focused() is page.market
    qtbot.keyClick(page.market, Qt.Key.Key_Down)
    assert page.market.currentData() == market
    qtbot.keyClick(page.market, Qt.Key.Key_Return)
    assert _focused() is page.stall
    qtbot.keyClicks(page.stall, "B-12")
    qtbot.keyClick(page.stall, Qt.Key.Key_Return)
    assert _focused() is page.party
    type_text(page.party, "𠮷祥商行")
    qtbot.keyClick(page.party, Qt.Key.Key_Return)
    assert _focused() is page.checked_at
    qtbot.keyClick(page.checked_at, Qt.Key.Key_Return)
    assert _focused() is page.second_officer  # 第二执法人员: the one colleague on the roster
    qtbot.keyClick(page.second_officer, Qt.Key.Key_Down)
    assert page.second_officer.currentText() == "李四（执法证号：32010002）"
    qtbot.keyClick(page.second_officer, Qt.Key.Key_Return)

    typed = {"product_name": "电热水壶", "brand": "美厨", "spec_model": "MC-1720",
             "rating": "220V~ 1800W", "batch_no": "20260115",
             "manufacturer": "佛山市美厨电器有限公司", "manufacturer_address": "广东省佛山市"}
    for key, text in typed.items():
        assert _focused() is page.fields.rows[key].editor, key
        type_text(_focused(), text)
        qtbot.keyClick(_focused(), Qt.Key.Key_Return)
    assert _focused() is page.fields.rows["ccc_required"].editor
    qtbot.keyClick(_focused(), Qt.Key.Key_Y)  # yes (it is already), and on
    for key, text in (("ccc_cert_no", "2021010701234567"), ("standard_code", "GB 4706.19-2008"),
                      ("barcode", "6901234567892"), ("quantity", "12")):
        assert _focused() is page.fields.rows[key].editor, key
        qtbot.keyClicks(_focused(), text)
        qtbot.keyClick(_focused(), Qt.Key.Key_Return)
    assert _focused() is page.fields.rows["unit"].editor  # 台 by default
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(_focused(), "89.5")
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)

    items = page.checklist.applicable_keys()
    assert items == ["cert", "name_addr", "spec", "ccc", "warning", "manual", "standard",
                     "barcode"]
    for key in items:
        row = page.checklist.rows[key]
        assert _focused() is row.switch, key
        if key == "ccc":
            qtbot.keyClick(row.switch, Qt.Key.Key_2)
            assert _focused() is row.note
            type_text(row.note, "未加施CCC认证标志")
            qtbot.keyClick(row.note, Qt.Key.Key_Return)
        else:
            qtbot.keyClick(row.switch, Qt.Key.Key_1)
    assert "1" in page.computed.text()
    page.measure.setFocus()
    qtbot.keyClick(page.measure, Qt.Key.Key_Down)  # 责令改正
    assert page.measure.currentData() == "correct"

    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.keyClick(page.measure, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    check_id = saved.args[0]
    assert page.status == "final" and not page.final_button.isVisible()
    with store.read() as session:
        check = service.load(session, check_id)
        assert (check.status, check.outcome, check.measure) == ("final", "nonconforming",
                                                                "correct")
        assert check.product_name == "电热水壶" and check.price == Decimal("89.5")
        assert session.get(Party, check.party_id).name == "𠮷祥商行"
        assert session.get(Stall, check.stall_id).number == "B-12"
        assert {i.item_key: i.result for i in check.items}["ccc"] == "fail"
        assert {i.item_key: i.note for i in check.items}["ccc"] == "未加施CCC认证标志"
        assert [(o.name, o.cert_no) for o in check.officers] == [("张三", "32010001"),
                                                                  ("李四", "32010002")]
        assert session.query(CheckDraft).count() == 0  # the local draft went with the save
        assert audit.verify(session, store.attachment_path) == []


def test_a_crash_loses_at_most_the_field_being_typed(qtbot, env, type_text, tmp_path):
    store, actor, market = env
    dialog = CheckDialog(store, actor)
    dialog.show()
    page = dialog.page
    page.category.setCurrentIndex(page.category.findData("electrical_ccc"))
    page.market.setCurrentIndex(page.market.findData(market))
    page.party.setEditText("城南日用品商店")
    page.fields.set_value("product_name", "插线板")
    page.fields.set_value("barcode", "6901234567892")
    page.checklist.set_answer("cert", "pass")
    page.checklist.set_answer("ccc", "fail", "无3C标志")
    photo = tmp_path / "label.jpg"
    photo.write_bytes(jpeg(orientation=6))
    with qtbot.waitSignal(page.photos.changed, timeout=10_000):
        page.photos.add_files([str(photo)])
    _wait_kept(qtbot, page)
    # The field being typed when the power goes: not yet left, not yet paused on.
    page.fields.rows["brand"].editor.setText("公")
    page.saver.stop()  # the process dies here: nothing more is written, nothing is closed
    dialog.hide()

    restarted = Store(store.data_dir)  # the next start
    try:
        reopened = checks.open_recovered_drafts(restarted, actor)
        assert len(reopened) == 1
        again = reopened[0]
        qtbot.addWidget(again)
        p = again.page
        assert p.defn.id == "electrical_ccc" and p.market.currentData() == market
        assert p.party.currentText() == "城南日用品商店"
        assert p.fields.values()["product_name"] == "插线板"
        assert p.fields.values()["barcode"] == "6901234567892"
        assert p.checklist.answers()["ccc"].note == "无3C标志"
        assert [ph.filename for ph in p.photos.photos] == ["label.jpg"]
        assert "brand" not in p.fields.values()  # only the field being typed is lost
        assert p.status == "new" and p.dirty
        # finishing it later still works, and the recovered draft goes with the save
        with qtbot.waitSignal(p.busy_changed, check_params_cb=lambda b: not b, timeout=10_000):
            p.save_draft()
        assert p.status == "draft"
        with restarted.read() as session:
            assert session.query(CheckDraft).count() == 0
            assert session.get(LabelCheck, p.check_id).product_name == "插线板"
        again.page.saver.stop()
    finally:
        restarted.close()
    dialog.page.discard()


def test_closing_asks_and_discard_drops_the_local_draft(qtbot, env):
    store, actor, _market = env
    dialog = _open(qtbot, CheckDialog(store, actor))
    page = dialog.page
    page.fields.set_value("product_name", "饼干")
    _wait_kept(qtbot, page)
    dialog.reject()
    assert dialog.isVisible()
    box = dialog.closing_question
    assert isinstance(box, QMessageBox)
    with qtbot.waitSignal(dialog.finished):
        box.button(QMessageBox.StandardButton.Discard).click()
    with store.read() as session:
        assert session.query(CheckDraft).count() == 0
        assert session.query(LabelCheck).count() == 0


def test_photos_are_checked_off_the_ui_thread_and_bad_ones_explained(qtbot, env, tmp_path):
    store, actor, _market = env
    page = _open(qtbot, CheckDialog(store, actor)).page
    files = {"good.jpg": jpeg(orientation=6), "notes.txt": b"hello",
             "cut.jpg": jpeg(size=(1600, 1200))[:5000], "bomb.png": png_bomb()}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    with qtbot.waitSignal(page.photos.busy_changed, check_params_cb=lambda b: not b,
                          timeout=10_000):
        page.photos.add_files(paths)
    assert [p.filename for p in page.photos.photos] == ["good.jpg"]
    error = page.photos.error.text()
    assert error.count("\n") == 2
    for name in ("notes.txt", "cut.jpg", "bomb.png"):
        assert name in error
    qtbot.waitUntil(lambda: not page.photos.list.item(0).icon().isNull())
    preview = page.photos.preview(page.photos.photos[0].sha256)
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.loaded, timeout=10_000):
        pass
    assert preview.image.height() > preview.image.width()  # turned upright by its EXIF
    page.photos.list.setCurrentRow(0)
    page.photos.remove_selected()
    assert page.photos.photos == []


def test_the_barcode_is_read_from_a_photo(qtbot, env, tmp_path):
    store, actor, _market = env
    page = _open(qtbot, CheckDialog(store, actor)).page
    page.category.setCurrentIndex(page.category.findData("general_goods"))
    path = tmp_path / "barcode.jpg"
    path.write_bytes(ean13_photo("4006381333931"))
    with qtbot.waitSignal(page.read_barcode(path=str(path)).finished, timeout=10_000):
        pass
    assert page.fields.values()["barcode"] == "4006381333931"
    assert "barcode" in page.checklist.applicable_keys()  # the barcode item now applies

    # the same from a photo of the strip: select it, "Read barcode"
    page.fields.rows["barcode"].put("")
    (tmp_path / "qr.jpg").write_bytes(ean13_photo("6901234567892"))
    with qtbot.waitSignal(page.photos.changed, timeout=10_000):
        page.photos.add_files([str(tmp_path / "qr.jpg")])
    page.photos.list.setCurrentRow(0)
    qtbot.mouseClick(page.photos.barcode_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.last_op.finished, timeout=10_000):
        pass
    assert page.fields.values()["barcode"] == "6901234567892"

    blank = tmp_path / "blank.jpg"
    blank.write_bytes(jpeg())
    with qtbot.waitSignal(page.read_barcode(path=str(blank)).finished, timeout=10_000):
        pass
    assert page.fields.rows["barcode"].error.isVisible()
    assert page.fields.values()["barcode"] == "6901234567892"  # left as it was


def test_repeat_last_check_at_this_stall_prefills_party_and_stall(qtbot, env):
    store, actor, market = env
    with store.write() as session:
        first = service.save(session, actor, kettle(market), final=True, store=store)
    page = _open(qtbot, CheckDialog(store, actor)).page
    assert page.party.currentText() == ""
    qtbot.mouseClick(page.repeat_button, Qt.MouseButton.LeftButton)
    assert page.market.currentData() == market
    assert page.stall.currentText() == "A-101" and page.party.currentText() == "𠮷祥商行"
    data = page.current_input()
    with store.read() as session:
        check = session.get(LabelCheck, first.check_id)
    assert (data.stall_id, data.party_id) == (check.stall_id, check.party_id)


def test_a_final_check_opens_read_only_prints_and_offers_the_next_product(qtbot, env):
    store, actor, market = env
    with store.write() as session:
        saved = service.save(session, actor, kettle(market), final=True, store=store)
    dialog = checks.open_check(store, actor, saved.check_id)
    qtbot.addWidget(dialog)
    page = dialog.page
    assert page.status == "final"
    assert page.fields.rows["product_name"].editor.isReadOnly()
    assert not page.checklist.rows["ccc"].switch.isEnabled()
    assert page.next_button.isVisible() and not page.save_button.isVisible()
    op = page.make_pdf()
    with qtbot.waitSignal(op.succeeded, timeout=20_000) as pdf:
        pass
    assert pdf.args[0].startswith(b"%PDF")
    with qtbot.waitSignal(page.next_requested) as nxt:
        page.next_at_stall()
    assert nxt.args[0].party_name == "𠮷祥商行" and nxt.args[0].stall_number == "A-101"


def test_a_seizure_measure_starts_the_seizure(qtbot, env):
    store, actor, market = env
    page = _open(qtbot, CheckDialog(store, actor)).page
    page.category.setCurrentIndex(page.category.findData("electrical_ccc"))
    data = kettle(market, measure="seizure")
    page._fill(data)
    with qtbot.waitSignal(page.seizure_started, timeout=10_000) as started:
        page.finalise()
    with store.read() as session:
        check = session.get(LabelCheck, page.check_id)
        assert check.seizure_id == started.args[0]


def test_an_old_check_without_a_known_checklist_opens_in_the_record_view(qtbot, env, known):
    store, actor, _market = env
    legacy = known.checks[0]["id"]  # made with no checklist definition
    dialog = checks.open_check(store, actor, legacy)
    qtbot.addWidget(dialog)
    assert not isinstance(dialog, CheckDialog)
    assert "电热水壶" in dialog.browser.toPlainText()
