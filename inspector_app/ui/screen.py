"""Windows that fit the screen they open on (a 1366x768 laptop has about 1366x728 free).

`fit_to_screen(window, preferred)` is the one mechanism: a window gets its preferred size,
but never more than the screen's free area (`QScreen.availableGeometry()`, the title bar
and frame included), and it is moved back onto that area. Big dialogs call it instead of
`resize()` and put their content in `scrolling(...)`, so what does not fit scrolls instead
of growing the window. `install(app)` applies the same function to every dialog and main
window when it is shown, for windows that only `resize()` themselves.

Tables size their columns with `header_width` / `text_width` / `fit_columns`, so headers
and coded values (statuses, conclusions) show whole in every language.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QMainWindow,
    QScrollArea,
    QStyle,
    QWidget,
)

# The title bar and frame a window manager adds, until the real ones are known (shown).
FRAME_ALLOWANCE = QSize(8, 32)
HEADER_SLACK = 12  # beyond the header's margins: the sort arrow, the section's lines
CELL_PADDING = 14  # a cell's margins and its focus frame


def available(widget: QWidget | None = None) -> QRect:
    """The free area (without taskbars) of the screen `widget` is on, or the primary one."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def _frame_extra(widget: QWidget) -> QSize:
    frame, inner = widget.frameGeometry(), widget.geometry()
    if widget.isVisible() and frame.size() != inner.size():
        return QSize(frame.width() - inner.width(), frame.height() - inner.height())
    if QGuiApplication.platformName() == "offscreen":
        return QSize(0, 0)  # no window manager: the frame is the window
    return FRAME_ALLOWANCE


def fit_to_screen(widget: QWidget, preferred: QSize | tuple[int, int]) -> QSize:
    """Resize the window `widget` to `preferred`, or less where the screen is smaller, and
    keep it inside the screen's free area. Returns the size given."""
    if isinstance(preferred, tuple):
        preferred = QSize(*preferred)
    area = available(widget)
    extra = _frame_extra(widget)
    size = QSize(min(preferred.width(), area.width() - extra.width()),
                 min(preferred.height(), area.height() - extra.height()))
    if widget.size() != size:
        widget.resize(size)
    frame = widget.frameGeometry()
    width, height = size.width() + extra.width(), size.height() + extra.height()
    x = min(max(frame.x(), area.left()), area.left() + area.width() - width)
    y = min(max(frame.y(), area.top()), area.top() + area.height() - height)
    if (x, y) != (frame.x(), frame.y()):
        widget.move(max(x, area.left()), max(y, area.top()))
    return size


def scrolling(content: QWidget, name: str = "scroll") -> QScrollArea:
    """`content` in a frameless scroll area that follows its width: put a dialog's body in
    it so that a small screen scrolls it."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


class _FitOnShow(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Show and isinstance(watched, (QDialog, QMainWindow))
                and watched.isWindow()):
            fit_to_screen(watched, watched.size())
        return False


def install(app: QApplication) -> None:
    """Fit every dialog and main window to its screen when it is shown (once per app)."""
    if app.findChild(_FitOnShow) is None:
        app.installEventFilter(_FitOnShow(app))


# --- columns that show their header and values whole --------------------------------------

def header_width(view: QAbstractItemView, section: int) -> int:
    """Pixels the horizontal header of `view` needs to show section `section`'s text."""
    header = view.horizontalHeader()
    text = str(view.model().headerData(section, Qt.Orientation.Horizontal) or "")
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    return header.fontMetrics().horizontalAdvance(text) + 2 * margin + HEADER_SLACK


def text_width(view: QAbstractItemView, texts: list[str], bold: bool = False) -> int:
    """Pixels a cell of `view` needs to show the widest of `texts` whole."""
    font = QFont(view.font())
    font.setBold(bold)
    metrics = QFontMetrics(font)
    widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
    return widest + CELL_PADDING


def fit_columns(view: QAbstractItemView, widths: dict[int, int] | None = None) -> None:
    """Each column of `view` at least as wide as its header text (and `widths[n]`)."""
    widths = widths or {}
    for n in range(view.model().columnCount()):
        view.setColumnWidth(n, max(widths.get(n, 0), header_width(view, n)))
