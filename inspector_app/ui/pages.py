"""The dashboard (工作台)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import queries
from inspector_app.core.i18n import _
from inspector_app.ui.seizure.workflow import DeadlinePanel

KINDS = ("check", "seizure", "worklog")


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("title")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setBold(True)
    label.setFont(font)
    return label


def _big(text: str = "") -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 2.4)
    font.setBold(True)
    label.setFont(font)
    return label


def _status_rank(kind: str, status: str) -> tuple[int, str]:
    order = list(queries.STATUSES[kind])
    return (order.index(status) if status in order else len(order), status or "")


class _Card(QFrame):
    def __init__(self, heading: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("card")
        self.setStyleSheet("QFrame#card { background: white; border: 1px solid #d0d4da;"
                           " border-radius: 6px; } QLabel { border: none; }")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.heading = QLabel(heading)
        self.heading.setStyleSheet("color: #444;")
        self.number = _big()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #444;")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.heading)
        layout.addWidget(self.number)
        layout.addWidget(self.detail)
        layout.addStretch()


class DashboardPage(QWidget):
    """The next actions (a new check, a new seizure, today's workstation log); real
    counts: records of each kind, by status, and changes waiting to be synced; and the
    running seizures with their days left."""

    open_seizure = Signal(str)
    new_check = Signal()
    new_seizure = Signal()
    today_worklog = Signal()

    def __init__(self, store, greeting: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(_title(_("Dashboard")))
        self.greeting = QLabel(greeting)
        self.greeting.setObjectName("greeting")
        layout.addWidget(self.greeting)
        layout.addSpacing(8)
        actions = QHBoxLayout()
        actions.setSpacing(12)
        self.action_buttons: dict[str, QPushButton] = {}
        for key, label, signal in (("new_check", _("New labeling check"), self.new_check),
                                   ("new_seizure", _("New seizure"), self.new_seizure),
                                   ("today_worklog", _("Today's workstation log"),
                                    self.today_worklog)):
            button = QPushButton(label)
            button.setObjectName(key)
            button.setMinimumHeight(button.fontMetrics().height() * 2 + 8)
            button.clicked.connect(lambda _checked=False, s=signal: s.emit())
            actions.addWidget(button)
            self.action_buttons[key] = button
        self.action_buttons["new_check"].setDefault(True)
        actions.addStretch(1)
        layout.addLayout(actions)
        layout.addSpacing(12)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.cards: dict[str, _Card] = {}
        for n, kind in enumerate(KINDS):
            card = _Card(_(queries.KIND_LABELS[kind]))
            self.cards[kind] = card
            grid.addWidget(card, 0, n)
        self.sync_card = _Card(_("Waiting to be synced"))
        grid.addWidget(self.sync_card, 1, 0)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addWidget(QLabel(_("Running seizures")))
        self.deadlines = DeadlinePanel(store)
        self.deadlines.open_seizure.connect(self.open_seizure)
        layout.addWidget(self.deadlines, 1)
        self.totals: dict[str, int] = {}
        self.by_status: dict[str, dict[str, int]] = {}
        self.pending = 0

    def refresh(self) -> None:
        with self.store.read() as session:
            self.totals = queries.counts(session)
            self.by_status = {k: queries.status_counts(session, k) for k in KINDS}
            self.pending = queries.pending_sync(session)
        for kind, card in self.cards.items():
            card.number.setText(str(self.totals.get(kind, 0)))
            known = queries.STATUSES[kind]
            parts = [f"{_(known[key]) if key in known else key} {n}"
                     for key, n in sorted(self.by_status[kind].items(),
                                          key=lambda item: _status_rank(kind, item[0]))
                     if n]
            card.detail.setText("  ·  ".join(parts) if parts else _("No records yet."))
        self.deadlines.refresh()
        self.sync_card.number.setText(str(self.pending))
        self.sync_card.detail.setText(
            _("changes saved on this device that the central server has not received yet"))
