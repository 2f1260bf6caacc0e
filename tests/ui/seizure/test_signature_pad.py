"""The signature pad, driven by mouse events as a person would sign."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from inspector_app.core.seizure import service
from inspector_app.ui.seizure.signature_pad import SignatureDialog, SignaturePad


def draw(qtbot, pad, points):
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for x, y in points[1:]:
        QTest.mouseMove(pad, QPoint(x, y))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


def test_strokes_are_captured_and_exported(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 220)
    pad.show()
    qtbot.waitExposed(pad)
    assert pad.is_empty() and pad.to_png() == b""
    with qtbot.waitSignal(pad.changed):
        draw(qtbot, pad, [(40, 150), (80, 60), (120, 150), (160, 60), (200, 150)])
    with qtbot.waitSignal(pad.changed):
        draw(qtbot, pad, [(260, 100), (300, 120), (340, 90), (380, 130)])
    assert len(pad.strokes) == 2
    assert [len(s) for s in pad.strokes] == [5, 4]
    assert pad.strokes[0][1][:2] == (80.0, 60.0)
    data = json.loads(pad.strokes_json())
    assert data["strokes"][1][0][:2] == [260.0, 100.0] and data["width"] == 600
    png = pad.to_png()
    image = QImage.fromData(png, "PNG")
    # cropped to the ink, drawn at twice the resolution, transparent around the ink
    assert 2 * 340 <= image.width() <= 2 * 380 and 2 * 90 <= image.height() <= 2 * 120
    assert image.hasAlphaChannel() and image.pixelColor(0, 0).alpha() == 0
    dark = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if image.pixelColor(x, y).alpha() > 128)
    assert dark > 50
    with qtbot.waitSignal(pad.changed):
        pad.clear()
    assert pad.is_empty()


def test_dialog_signature_is_stored_as_png_and_strokes(qtbot, agency):
    sid = agency.draft()
    dialog = SignatureDialog("当事人", "𠮷祥日杂商行")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "签名为空" in dialog.error.text()
    draw(qtbot, dialog.pad, [(50, 100), (120, 40), (200, 120), (300, 60)])
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    data = dialog.result_data()
    with agency.store.write() as s:
        service.add_signature(agency.store, s, agency.actor, sid, "party", data["signer"],
                              png=data["png"], strokes=data["strokes"])
    seizure = agency.seizure(sid)
    [sig] = seizure.signatures
    assert sig.status == "signed" and sig.signer == "𠮷祥日杂商行"
    assert agency.store.attachment_path(sig.png_sha256).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    strokes = json.loads(agency.store.attachment_path(sig.strokes_sha256).read_bytes())
    assert len(strokes["strokes"][0]) == 4


def test_refusal_is_recorded_instead_of_a_signature(qtbot, agency):
    sid = agency.draft()
    dialog = SignatureDialog("当事人", "𠮷祥日杂商行")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.refused, Qt.MouseButton.LeftButton)
    assert dialog.refused.isChecked() and not dialog.pad.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    data = dialog.result_data()
    assert data["refused"] and data["png"] is None
    with agency.store.write() as s:
        service.add_signature(agency.store, s, agency.actor, sid, "party", data["signer"],
                              refused=True)
    seizure = agency.seizure(sid)
    assert seizure.signatures[0].status == "refused" and seizure.party_presence == "refused"
