"""What is typed in the seizure form survives a crash: the next sign-in offers it."""

from __future__ import annotations

import json
import shutil

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from inspector_app.ui import recovery

PLACE = "东门市场𠮷-202摊位"
RECORD = "现场发现无CCC标志的电热水壶。"


def _visible(class_name: str) -> list:
    return [w for w in QApplication.topLevelWidgets()
            if type(w).__name__ == class_name and w.isVisible()]


def _files(data_dir) -> list:
    return sorted(recovery.folder(data_dir).glob("seizure-*.json"))


def _new_seizure(qtbot, win, type_text):
    qtbot.mouseClick(win.pages["dashboard"].action_buttons["new_seizure"],
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_visible("SeizureDialog")))
    dialog = _visible("SeizureDialog")[-1]
    type_text(dialog.page.place, PLACE)
    dialog.page.tabs.setCurrentIndex(4)  # 现场笔录
    type_text(dialog.page.record_text, RECORD)
    return dialog


def test_the_next_start_offers_the_unsaved_seizure(qtbot, signed_in, start_app, sign_in,
                                                   type_text, tmp_path):
    store = signed_in[0]
    data_dir = store.data_dir
    store.close()
    first = start_app(data_dir)
    win = sign_in(first)
    assert win.recovery_box is None  # nothing left over: nothing offered
    dialog = _new_seizure(qtbot, win, type_text)
    qtbot.waitUntil(lambda: len(_files(data_dir)) == 1)  # written a moment after typing
    qtbot.waitUntil(lambda: RECORD in _files(data_dir)[0].read_text(encoding="utf-8"))
    saved = json.loads(_files(data_dir)[0].read_text(encoding="utf-8"))
    assert saved["data"]["draft"]["place"] == PLACE and saved["data"]["seizure_id"] is None

    # The app dies here: the file stays (kept aside while this process shuts down).
    kept = tmp_path / "kept.json"
    shutil.copyfile(_files(data_dir)[0], kept)
    left = _files(data_dir)[0]
    dialog.reject()
    assert _files(data_dir) == []  # closing the form throws its changes away
    first.shutdown()
    shutil.copyfile(kept, left)

    second = start_app(data_dir)
    win = sign_in(second)
    qtbot.waitUntil(lambda: win.recovery_box is not None and win.recovery_box.isVisible())
    box = win.recovery_box
    assert box.windowTitle() == "恢复未保存的草稿"
    assert box.text() == "上次程序停止时，有1份查封扣押表单未保存。要恢复当时录入的内容吗？"
    assert [b.text() for b in box.buttons()] and \
        box.findChild(QPushButton, "restore").text() == "恢复未保存的草稿"
    qtbot.mouseClick(box.findChild(QPushButton, "restore"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_visible("SeizureDialog")))
    page = _visible("SeizureDialog")[-1].page
    assert page.place.text() == PLACE
    assert page.record_text.toPlainText() == RECORD
    assert page.seizure_id is None
    assert _files(data_dir) == [left]  # still kept, until it is saved

    # Saving makes it a record: nothing left to recover.
    with qtbot.waitSignal(page.saved, timeout=20_000):
        page.save()
    qtbot.waitUntil(lambda: _files(data_dir) == [])
    with second.store.read() as session:
        from inspector_app.core.models import Seizure

        assert session.get(Seizure, page.seizure_id).place == PLACE
    _visible("SeizureDialog")[-1].reject()


def test_later_keeps_and_discard_removes(qtbot, signed_in, start_app, sign_in, tmp_path):
    store, _actor, inspector = signed_in
    data_dir = store.data_dir
    store.close()
    folder = recovery.folder(data_dir)
    folder.mkdir(parents=True)
    path = folder / "seizure-left.json"
    path.write_text(json.dumps({"kind": "seizure", "inspector_id": inspector.id,
                                "saved_at": "2026-12-01T00:00:00+00:00",
                                "data": {"seizure_id": None, "source_check_id": None,
                                         "draft": {"place": PLACE}}}, ensure_ascii=False),
                    encoding="utf-8")
    first = start_app(data_dir)
    win = sign_in(first)
    qtbot.waitUntil(lambda: win.recovery_box is not None and win.recovery_box.isVisible())
    qtbot.mouseClick(win.recovery_box.findChild(QPushButton, "later"),
                     Qt.MouseButton.LeftButton)
    assert path.exists() and not _visible("SeizureDialog")
    first.shutdown()

    second = start_app(data_dir)
    win = sign_in(second)
    qtbot.waitUntil(lambda: win.recovery_box is not None and win.recovery_box.isVisible())
    assert isinstance(win.recovery_box, QMessageBox)
    qtbot.mouseClick(win.recovery_box.findChild(QPushButton, "discard"),
                     Qt.MouseButton.LeftButton)
    assert not path.exists() and not _visible("SeizureDialog")
