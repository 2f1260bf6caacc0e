"""Every button and menu action of the app, pressed the way a user presses it.

A demo store (the demo generator, a few records) is opened by the real start-up, the test
signs in through the sign-in dialog, visits every page through the navigation, and on each
page (each tab of it) presses every enabled, visible QPushButton/QToolButton with a mouse
click and triggers every enabled menu action. Record windows and dialogs that open from a
press are explored one level deep (their buttons pressed too), then closed.

Dialogs that block in exec() are answered by a watcher (a QTimer running inside their
nested event loop): file and print dialogs are cancelled, input dialogs and the report's
day are accepted with what they propose, other dialogs are cancelled.

The test fails on an uncaught exception (pytest-qt's capture and sys/threading excepthooks),
on any error or warning box that is not an expected refusal listed below, and on error text
left visible after a press. Switch user and Quit come last, and their outcome is checked.
PRESSED_CONTROLS_OUT=FILE writes the list of pressed controls, page by page, as markdown.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QObject, QPoint, Qt, QThreadPool, QTimer
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.ui import tasks
from inspector_app.ui.main_window import NAV

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from synchelpers import ServerThread  # the sync tests' real server thread

DEMO_RECORDS = 3
SEEN, ANSWERED = "test_seen", "test_answered"  # dynamic properties the test sets
ERROR_COLOUR = "#b00020"  # the colour every inline error label of the app uses

# Presses refused with a message because the test presses them on a new, empty record:
# control text (source string) -> the messages (source strings) the refusal may show.
# Any other error text or box after any press fails the test.
EXPECTED_REFUSALS: dict[str, tuple[str, ...]] = {
    # 完成检查 on the new, empty check: every required field and checklist item says so.
    "Finalise": ("Choose the market.", "Enter the operator (party) of the stall.",
                     "Fill this in.", "Check this item.",
                     "The product does not conform: choose a measure.",
                     ("A check is made by at least {n} enforcement officers (行政处罚法 "
                      "art. 42); choose the second officer (第二执法人员)."),
                     "{n} problem(s) to fix: they are marked in red."),
    # 添加 on the empty scale-check and complaint forms.
    "Add": ("Enter the stall or the scale's serial number.",
            "Enter what the complaint is about."),
    # 签发 on the new, empty seizure draft: 行政强制法 art. 18 and the required fields.
    "Issue": (("A coercive measure needs at least {n} officers with enforcement "
               "certificates (行政强制法 art. 18); {count} listed."),),
}
# Red labels that show a result, not an error: a check's outcome computed from the
# checklist (不合格 in red).
NOT_ERRORS = {"computed_outcome"}
# What the app shows, in any style, when an operation failed for no reason the user caused.
GENERIC_FAILURES = ("The change could not be saved.",)


def expected_refusal(control: str, message: str) -> bool:
    """Whether `message` is one the press of `control` may be refused with."""
    for source, allowed in EXPECTED_REFUSALS.items():
        if control == _(source):
            return any(_(m).split("{")[0] in message for m in allowed)
    return False


@dataclass
class Log:
    pressed: dict[str, list[str]] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    boxes: list[tuple[str, str, str]] = field(default_factory=list)  # icon, title, text
    last_text: str = ""  # the control being pressed

    def press(self, where: str, text: str) -> None:
        self.pressed.setdefault(where, []).append(text)


def _text(control: QAbstractButton | QAction) -> str:
    text = control.text().replace("&", "").strip()
    if not text:
        text = control.toolTip().strip() or control.objectName() or type(control).__name__
    return text


def _alive(obj) -> bool:
    return obj is not None and shiboken6.isValid(obj)


class Watcher(QObject):
    """Answers the dialogs a press opens while the press is still running (exec())."""

    def __init__(self, log: Log, accept_titles: set[str]):
        super().__init__()
        self.log = log
        self.accept_titles = accept_titles  # dialogs accepted as they come (a report's day)
        self.depth = 0  # > 0 while a press runs: a modal dialog now blocks it
        self.on_visit = None
        self.where = ""
        self.timer = QTimer(self)
        self.timer.setInterval(20)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        if self.depth <= 0:
            return
        modal = QApplication.activeModalWidget()
        if modal is None or isinstance(modal, QProgressDialog) or modal.property(ANSWERED):
            return
        modal.setProperty(ANSWERED, True)
        QTimer.singleShot(0, lambda m=modal: self.answer(m))

    def answer(self, dialog: QWidget) -> None:
        if not _alive(dialog) or not dialog.isVisible():
            return
        self.log.opened.append(f"{self.where}: {dialog.windowTitle()} "
                               f"({type(dialog).__name__})")
        if self.on_visit is not None and not isinstance(dialog, (QFileDialog, QPrintDialog)):
            self.on_visit(f"{self.where} › {dialog.windowTitle()}", dialog)
        if isinstance(dialog, QMessageBox):
            answer_box(dialog, self.log, self.where)
        elif isinstance(dialog, (QFileDialog, QPrintDialog)):
            dialog.reject()  # the user cancels: the app must carry on quietly
        elif isinstance(dialog, QInputDialog) or dialog.windowTitle() in self.accept_titles:
            dialog.accept()  # what it proposes (an operator, an empty summary, today)
        elif isinstance(dialog, QDialog):
            dialog.reject()
        else:
            dialog.close()


def answer_box(box: QMessageBox, log: Log, where: str) -> None:
    icon = box.icon()
    log.boxes.append((icon.name, box.windowTitle(), box.text()))
    refused = icon == QMessageBox.Icon.Warning and expected_refusal(log.last_text, box.text())
    if icon in (QMessageBox.Icon.Critical, QMessageBox.Icon.Warning) and not refused:
        log.problems.append(f"{where} › {log.last_text}: {icon.name} box "
                            f"{box.windowTitle()!r}: {box.text()!r}")
    for wanted in (QMessageBox.StandardButton.Discard, QMessageBox.StandardButton.Cancel,
                   QMessageBox.StandardButton.No, QMessageBox.StandardButton.Ok,
                   QMessageBox.StandardButton.Close):
        button = box.button(wanted)
        if button is not None:
            button.click()
            return
    box.done(0)


class Driver:
    def __init__(self, qtbot, window, log: Log, watcher: Watcher, exceptions: list):
        self.qtbot = qtbot
        self.window = window
        self.log = log
        self.watcher = watcher
        self.exceptions = exceptions
        self.seen_exceptions = 0
        self.on_visit = None

    # --- waiting and checking -------------------------------------------------------------

    def settle(self) -> None:
        """Wait until every background operation has delivered its result."""
        self.qtbot.waitUntil(lambda: not tasks._running
                             and QThreadPool.globalInstance().activeThreadCount() == 0,
                             timeout=30_000)
        for _round in range(3):  # the queued signals of the results, and what they post
            QApplication.processEvents()
        self.answer_open_boxes()

    def answer_open_boxes(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible() and \
                    not widget.property(ANSWERED):
                widget.setProperty(ANSWERED, True)
                if self.on_visit is not None:
                    self.on_visit(self.watcher.where, widget)
                self.log.opened.append(f"{self.watcher.where}: {widget.windowTitle()} "
                                       "(QMessageBox)")
                answer_box(widget, self.log, self.watcher.where)

    @staticmethod
    def error_texts(root: QWidget) -> set[tuple[int, str]]:
        """The inline error messages `root` shows now: labels in the error colour."""
        if not _alive(root):
            return set()
        failures = [_(m) for m in GENERIC_FAILURES]
        return {(id(label), label.text().strip()) for label in root.findChildren(QLabel)
                if label.text().strip() and label.isVisible()
                and label.objectName() not in NOT_ERRORS
                and (ERROR_COLOUR in label.styleSheet().lower()
                     or any(f in label.text() for f in failures))}

    def check(self, where: str, text: str, root: QWidget, before: set) -> None:
        new = self.exceptions[self.seen_exceptions:]
        self.seen_exceptions = len(self.exceptions)
        for exc_type, exc, _tb in new:
            self.log.problems.append(f"{where} › {text}: uncaught {exc_type.__name__}: {exc}")
        for _label, shown in self.error_texts(root) - before:  # what this press made appear
            if not expected_refusal(text, shown):
                self.log.problems.append(f"{where} › {text}: error text left on the page: "
                                         f"{shown!r}")

    # --- pressing -------------------------------------------------------------------------

    def click(self, where: str, control: QAbstractButton | QAction, root: QWidget) -> None:
        text = _text(control)
        if os.environ.get("PRESS_DEBUG"):
            print(f"press {where} › {text}", file=sys.__stderr__, flush=True)
        self.log.press(where, text)
        self.log.last_text = text
        self.watcher.where = where
        before = self.error_texts(root)
        self.watcher.depth += 1
        try:
            if isinstance(control, QAction):
                control.trigger()
            else:
                self.qtbot.mouseClick(control, Qt.MouseButton.LeftButton)
        finally:
            self.watcher.depth -= 1
        self.settle()
        self.check(where, text, root, before)

    def nav(self, key: str) -> QWidget:
        row = [k for k, _label in NAV].index(key)
        item = self.window.nav.item(row)
        self.qtbot.mouseClick(self.window.nav.viewport(), Qt.MouseButton.LeftButton,
                              pos=self.window.nav.visualItemRect(item).center())
        self.qtbot.waitUntil(lambda: self.window.current_page_key() == key, timeout=5_000)
        self.settle()
        return self.window.pages[key]

    def select_tab(self, tabs: QTabWidget, index: int) -> None:
        bar = tabs.tabBar()
        self.qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        self.qtbot.waitUntil(lambda: tabs.currentIndex() == index, timeout=2_000)
        self.settle()

    def explore(self, where: str, root: QWidget, depth: int = 0, skip=()) -> None:
        """Press every enabled, visible button of `root`, tab by tab; explore what opens."""
        tab_widgets = [t for t in root.findChildren(QTabWidget) if t.isVisible()]
        # A control is pressed once per window and tab (known by its text: some are made
        # anew after a press, such as the signature buttons).
        done: set[tuple[int, str]] = {(0, text) for text in skip}
        if self.on_visit is not None:
            self.on_visit(where, root)
        self.press_all(where, root, depth, done)
        for tabs in tab_widgets:
            for index in range(tabs.count()):
                if not (_alive(root) and root.isVisible() and _alive(tabs)):
                    return
                if not tabs.isTabEnabled(index) or not tabs.isVisible():
                    continue
                self.select_tab(tabs, index)
                if self.on_visit is not None:
                    self.on_visit(f"{where} › {tabs.tabText(index)}", root)
                self.press_all(f"{where} › {tabs.tabText(index)}", root, depth, done)
        # Last, what may close the window: Save (the default button), Close, Cancel.
        self.press_all(where, root, depth, done, final=True)

    def press_all(self, where: str, root: QWidget, depth: int,
                  done: set[tuple[int, str]], final: bool = False) -> None:
        while _alive(root) and root.isVisible():
            todo = [b for b in pressable(root)
                    if (0, _text(b)) not in done and _key(b, root) not in done
                    and (final or not closes_window(b))]
            if not todo:
                return
            # Buttons that close the window go last.
            todo.sort(key=lambda b: closes_window(b))
            button = todo[0]
            done.add(_key(button, root))
            mark_windows()
            self.click(where, button, root)
            self.visit_new_windows(where, depth)

    def visit_new_windows(self, where: str, depth: int) -> None:
        new = [w for w in QApplication.topLevelWidgets()
               if _alive(w) and not w.property(SEEN) and w.isVisible()
               and not isinstance(w, (QMenu, QMessageBox, QProgressDialog))
               and not w.inherits("QComboBoxPrivateContainer")]
        kinds = [type(w).__name__ for w in new]
        for kind in set(kinds):
            if kinds.count(kind) > 1:
                self.log.problems.append(f"{where} › {self.log.last_text}: opened "
                                         f"{kinds.count(kind)} {kind} windows at once")
        for widget in new:
            if not _alive(widget) or not widget.isVisible():
                continue
            title = widget.windowTitle() or type(widget).__name__
            if os.environ.get("PRESS_DEBUG"):
                print(f"opened {where} › {title}", file=sys.__stderr__, flush=True)
            self.log.opened.append(f"{where}: {title} ({type(widget).__name__})")
            if depth < 1:
                self.explore(f"{where} › {title}", widget, depth + 1)
            elif self.on_visit is not None:
                self.on_visit(f"{where} › {title}", widget)
            self.close(widget)

    def close(self, widget: QWidget) -> None:
        if not _alive(widget) or not widget.isVisible():
            return
        widget.close()
        self.settle()
        if _alive(widget) and widget.isVisible() and isinstance(widget, QDialog):
            widget.reject()
            self.settle()
        self.qtbot.waitUntil(lambda: not _alive(widget) or not widget.isVisible(),
                             timeout=10_000)


def _key(button: QAbstractButton, root: QWidget) -> tuple[int, str]:
    """(the tab page the button is on, or 0; its text)."""
    for widget in _ancestors(button.parentWidget(), root):
        parent = widget.parentWidget()
        if parent is not None and isinstance(parent.parentWidget(), QTabWidget):
            return id(widget), _text(button)
    return 0, _text(button)


def mark_windows() -> None:
    """Mark the windows open now, so that those a press opens can be told apart."""
    for widget in QApplication.topLevelWidgets():
        widget.setProperty(SEEN, True)


def closes_window(button: QAbstractButton) -> bool:
    box = button.parent()
    while box is not None and not isinstance(box, QDialogButtonBox):
        box = box.parent() if not box.isWindow() else None
    if isinstance(box, QDialogButtonBox):
        return True
    default = isinstance(button, QPushButton) and button.isDefault() and \
        isinstance(button.window(), QDialog)
    return default or _text(button) in {_("Close"), _("Cancel"), _("Quit")}


def pressable(root: QWidget) -> list[QAbstractButton]:
    """The push and tool buttons a user can press now (not those inside other controls:
    the tab bar's arrows, a line edit's clear button, a calendar's or spin box's own)."""
    out = []
    for button in root.findChildren(QAbstractButton):
        if not isinstance(button, (QPushButton, QToolButton)):
            continue
        if not (button.isVisible() and button.isEnabled()) or button.window() is not root:
            continue
        parent = button.parentWidget()
        inner = (QTabBar, QLineEdit, QCalendarWidget, QAbstractSpinBox, QScrollBar,
                 QComboBox, QAbstractItemView)
        if any(isinstance(p, inner) for p in _ancestors(parent, root)):
            continue
        out.append(button)
    return out


def _ancestors(widget: QWidget | None, root: QWidget):
    while widget is not None and widget is not root:
        yield widget
        widget = widget.parentWidget()


def menu_actions(window) -> list[QAction]:
    def walk(menu: QMenu):
        for action in menu.actions():
            if action.menu() is not None:
                yield from walk(action.menu())
            elif not action.isSeparator():
                yield action

    out = []
    for top in window.menuBar().actions():
        if top.menu() is not None:
            out.extend(walk(top.menu()))
    return out


# --- the test ----------------------------------------------------------------------------------


def make_demo_store(data_dir: Path) -> None:
    """The demo store `inspector-app --demo` makes, its workstations included."""
    from inspector_app.core import auth, demo
    from inspector_app.core.store import Store
    from inspector_app.core.worklog import workstation as ws
    from inspector_app.ui.startup import DEMO_ABBR, DEMO_AGENCY, DEMO_USER

    store = Store(data_dir)
    try:
        with store.write() as session:
            name, username, password, cert = DEMO_USER
            auth.first_setup(session, DEMO_AGENCY, DEMO_ABBR, auth.NewInspector(
                name, username, password, cert, role="supervisor"))
        demo.generate(store, DEMO_RECORDS)
        demo.printable_seizures(store)
        with store.read() as session:  # the demo sets up its workstations itself
            assert ws.the_workstation(session) is not None
    finally:
        store.close()


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    (tmp_path / "server").mkdir()
    srv = ServerThread(tmp_path / "server", f"sqlite:///{tmp_path / 'server' / 'server.db'}")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def hooks(monkeypatch):
    """Exceptions that reach sys.excepthook or threading.excepthook are kept here."""
    caught: list = []
    monkeypatch.setattr(threading, "excepthook",
                        lambda args: caught.append((args.exc_type, args.exc_value, None)))
    return caught


def test_every_control(qtbot, tmp_path, start_app, sign_in, type_text, server, hooks):
    log = journey(qtbot, tmp_path, start_app, sign_in, type_text, server)
    log.problems += [f"uncaught {t.__name__}: {e}" for t, e, _tb in hooks]
    report(log)
    pressed = [text for texts in log.pressed.values() for text in texts]
    for must in (_("Open shift…"), _("Close shift…"), _("Daily report"),
                 _("Monthly summary"), _("Export to file…"), _("Sync now"), _("New…")):
        if must not in pressed:
            log.problems.append(f"{must} was never pressed")
    assert not log.problems, "\n".join(log.problems)


def journey(qtbot, tmp_path, start_app, sign_in, type_text, server, on_visit=None,
            languages: bool = True) -> Log:
    """Start the app on a demo store, sign in, press everything, switch user, quit.
    `on_visit(where, window)` sees every page, tab, window and dialog on the way."""
    from inspector_app.ui.language import apply_language
    from sync.server import service

    apply_language("zh_CN")  # as the app does before its first window: Qt's own texts too
    data_dir = tmp_path / "data"
    make_demo_store(data_dir)
    log = Log()
    watcher = Watcher(log, accept_titles={_("Report day")})
    watcher.on_visit = on_visit
    with qtbot.captureExceptions() as exceptions:
        startup = start_app(data_dir, demo=DEMO_RECORDS)
        startup.window.auto_sync = False  # the test presses 立即同步 itself
        if on_visit is not None:
            qtbot.waitUntil(lambda: startup.dialog is not None and startup.dialog.isVisible(),
                            timeout=10_000)
            on_visit(_("Sign in"), startup.dialog)
        window = sign_in(startup)
        window.show()
        driver = Driver(qtbot, window, log, watcher, exceptions)
        driver.on_visit = on_visit
        driver.settle()
        for key, label in NAV:
            page = driver.nav(key)
            where = _(label)
            if key == "sync":  # a user fills the enrolment form before pressing 注册
                type_text(page.url_edit, server.url)
                type_text(page.code_edit, service.new_enrolment(server.db, "张三"))
            if key == "worklog":  # the shift is opened first and closed last, so that
                driver.click(where, page.buttons["open"], window)  # its tabs can be used
                driver.explore(where, window, skip={page.buttons["close"].text()})
                driver.click(where, page.buttons["close"], window)
            else:
                driver.explore(where, window)
            if key in ("dashboard", "check", "seizure", "worklog"):
                open_first_record(driver, where, page)
        # The menus: everything but the session-ending actions, then those.
        ending = {window.switch_action.text(), window.quit_action.text()}
        # The language now shown is chosen last, so the test ends in it.
        actions = sorted(menu_actions(window), key=lambda a: a.isChecked())
        for action in actions:
            if _alive(action) and action.isEnabled() and action.text() not in ending and \
                    (languages or action.actionGroup() is None):
                mark_windows()
                driver.click(_("Menu"), action, window)
                driver.visit_new_windows(_("Menu"), 0)
        # The language menu switched the window to English and back: still Chinese.
        assert window.windowTitle() == _("Inspector")

        driver.click(_("Menu"), window.switch_action, window)
        qtbot.waitUntil(lambda: startup.dialog is not None and startup.dialog.isVisible(),
                        timeout=10_000)
        assert window.user is None and not window.pages
        window = sign_in(startup)
        driver.settle()
        with qtbot.waitSignal(startup.finished, timeout=10_000) as quit_signal:
            driver.click(_("Menu"), window.quit_action, window)
        assert quit_signal.args == [0] and startup.store is None
    watcher.timer.stop()
    return log


def open_first_record(driver: Driver, where: str, page: QWidget) -> None:
    """Double-click the first row of the page's list (the dashboard: of its running
    seizures): its record window opens, once."""
    from inspector_app.ui.record_list import RecordListPage

    if hasattr(page, "deadlines"):
        table = page.deadlines.table
    else:
        lists = [p for p in [page, *page.findChildren(RecordListPage)]
                 if isinstance(p, RecordListPage)]
        if not lists:
            return
        records = lists[0]
        if not records.isVisible():
            tabs = page.findChild(QTabWidget, "worklog_tabs")
            driver.select_tab(tabs, tabs.indexOf(records))
        table = records.table
    driver.qtbot.waitUntil(lambda: table.model().rowCount() > 0, timeout=10_000)
    rect = table.visualRect(table.model().index(0, 1))
    mark_windows()
    driver.log.press(where, _("(double-click the first record)"))
    driver.log.last_text = _("(double-click the first record)")
    driver.watcher.depth += 1
    pos = rect.center() if rect.isValid() else QPoint(5, 5)
    try:
        driver.qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        driver.qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    finally:
        driver.watcher.depth -= 1
    driver.settle()
    opened = [w for w in QApplication.topLevelWidgets()
              if _alive(w) and not w.property(SEEN) and w.isVisible()]
    if not opened:
        driver.log.problems.append(f"{where}: a double-click on the first record opened "
                                   "nothing")
    driver.visit_new_windows(where, 0)


def report(log: Log) -> None:
    out = os.environ.get("PRESSED_CONTROLS_OUT")
    if not out:
        return
    lines = ["# Controls pressed by tests/ui/test_every_control.py", ""]
    for where, texts in log.pressed.items():
        lines.append(f"## {where}")
        lines.append("")
        lines += [f"- {t}" for t in dict.fromkeys(texts)]
        lines.append("")
    lines += ["## Windows and dialogs that opened", ""]
    lines += [f"- {w}" for w in dict.fromkeys(log.opened)]
    lines += ["", "## Message boxes", ""]
    lines += [f"- {icon}: {title}: {text}" for icon, title, text in dict.fromkeys(log.boxes)]
    if log.problems:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in log.problems]
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
