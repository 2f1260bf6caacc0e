"""A signature pad: mouse, stylus (with pressure) or touch strokes, kept at full resolution.

The strokes are kept as floating-point points (x, y, milliseconds since the first point,
pressure) in widget coordinates, and exported both as a PNG (transparent background, drawn
at twice the widget's resolution and cropped to the ink) and as JSON stroke data.
"""

from __future__ import annotations

import json
import time
from itertools import pairwise

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.ui.errors import ERROR_STYLE

Point = tuple[float, float, float, float]  # x, y, ms, pressure


class SignaturePad(QWidget):
    """Draw with the mouse, a stylus or a finger."""

    changed = Signal()
    PEN_WIDTH = 3.0
    EXPORT_SCALE = 2.0

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.strokes: list[list[Point]] = []
        self._drawing = False
        self._t0: float | None = None
        self.setMinimumSize(480, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName(_("Signature pad"))

    # --- input -------------------------------------------------------------------------

    def _ms(self) -> float:
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        return round((now - self._t0) * 1000, 1)

    def _begin(self, pos: QPointF, pressure: float = 0.5) -> None:
        self._drawing = True
        self.strokes.append([(pos.x(), pos.y(), self._ms(), pressure)])
        self.update()

    def _extend(self, pos: QPointF, pressure: float = 0.5) -> None:
        if not self._drawing or not self.strokes:
            return
        last = self.strokes[-1][-1]
        if (last[0], last[1]) != (pos.x(), pos.y()):
            self.strokes[-1].append((pos.x(), pos.y(), self._ms(), pressure))
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()

    def mouseMoveEvent(self, event) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event) -> None:
        kind = event.type()
        pressure = max(0.05, float(event.pressure()))
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()  # no synthesised mouse events on top

    def event(self, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            points = event.points()
            if points:
                pos = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(pos)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(pos)
                else:
                    self._extend(pos)
                    self._end()
            event.accept()
            return True
        return super().event(event)

    # --- state -------------------------------------------------------------------------

    def clear(self) -> None:
        self.strokes = []
        self._t0 = None
        self._drawing = False
        self.update()
        self.changed.emit()

    def is_empty(self) -> bool:
        return not any(len(s) >= 2 for s in self.strokes)

    def point_count(self) -> int:
        return sum(len(s) for s in self.strokes)

    # --- drawing -----------------------------------------------------------------------

    def _paint_strokes(self, painter: QPainter, scale: float = 1.0,
                       offset: QPointF = QPointF(0, 0)) -> None:  # noqa: B008
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for stroke in self.strokes:
            if len(stroke) == 1:
                x, y, _t, p = stroke[0]
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor("black"))
                r = self.PEN_WIDTH * scale * (0.5 + p) / 2
                painter.drawEllipse(QPointF((x - offset.x()) * scale, (y - offset.y()) * scale),
                                    r, r)
                continue
            for (x0, y0, _t0, p0), (x1, y1, _t1, p1) in pairwise(stroke):
                pen = QPen(QColor("black"), self.PEN_WIDTH * scale * (0.5 + (p0 + p1) / 2))
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                painter.setPen(pen)
                path = QPainterPath(QPointF((x0 - offset.x()) * scale,
                                            (y0 - offset.y()) * scale))
                path.lineTo(QPointF((x1 - offset.x()) * scale, (y1 - offset.y()) * scale))
                painter.drawPath(path)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#c8c8c8"), 1, Qt.PenStyle.DashLine))
        base = self.height() * 0.75
        painter.drawLine(QPointF(12, base), QPointF(self.width() - 12, base))
        if not self.strokes:
            painter.setPen(QColor("#a0a0a0"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("Sign here"))
        self._paint_strokes(painter)
        painter.end()

    def _ink_rect(self) -> QRectF:
        xs = [p[0] for s in self.strokes for p in s]
        ys = [p[1] for s in self.strokes for p in s]
        margin = self.PEN_WIDTH * 2
        return QRectF(min(xs) - margin, min(ys) - margin, max(xs) - min(xs) + 2 * margin,
                      max(ys) - min(ys) + 2 * margin)

    def to_image(self) -> QImage:
        """The ink on a transparent background, at twice the widget's resolution."""
        rect = self._ink_rect()
        scale = self.EXPORT_SCALE
        image = QImage(max(1, int(rect.width() * scale)), max(1, int(rect.height() * scale)),
                       QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self._paint_strokes(painter, scale, rect.topLeft())
        painter.end()
        return image

    def to_png(self) -> bytes:
        if self.is_empty():
            return b""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.to_image().save(buffer, "PNG")
        buffer.close()
        return bytes(data)

    def strokes_json(self) -> bytes:
        return json.dumps({"version": 1, "width": self.width(), "height": self.height(),
                           "units": "px", "point": ["x", "y", "ms", "pressure"],
                           "strokes": self.strokes}, separators=(",", ":")).encode("utf-8")


class SignatureDialog(QDialog):
    """Capture one person's signature, or record that they refused to sign."""

    def __init__(self, role_label: str, signer: str = "", can_refuse: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Signature: {role}").format(role=role_label))
        self.name = QLineEdit(signer)
        self.pad = SignaturePad()
        self.refused = QCheckBox(_("Refused to sign (recorded instead of a signature)"))
        self.refused.setVisible(can_refuse)
        self.refused.toggled.connect(lambda on: self.pad.setEnabled(not on))
        clear = QPushButton(_("Clear"))
        clear.clicked.connect(self.pad.clear)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        form = QFormLayout()
        form.addRow(_("Name"), self.name)
        row = QHBoxLayout()
        row.addWidget(self.refused)
        row.addStretch()
        row.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.pad, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 360)

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText(_("Enter the signer's name."))
            return
        if not self.refused.isChecked() and self.pad.is_empty():
            self.error.setText(_("The signature is empty: sign in the box, or record the "
                                 "refusal."))
            return
        self.accept()

    def result_data(self) -> dict:
        refused = self.refused.isChecked()
        return {"signer": self.name.text().strip(), "refused": refused,
                "png": None if refused else self.pad.to_png(),
                "strokes": None if refused else self.pad.strokes_json()}
