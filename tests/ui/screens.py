"""A 1366x768 laptop screen for UI tests: run a test module again in a fresh process whose
offscreen screen is the laptop's free area (1366x728, the taskbar taken off), and take a
picture of that screen with every visible window on it. `run_on_screen` does the same for
a screen of another size (the child sees it as `SCREEN`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

LAPTOP = QRect(0, 0, 1366, 728)  # a 1366x768 screen without its taskbar
TASKBAR = 40
ON_LAPTOP = os.environ.get("INSPECTOR_TEST_LAPTOP") == "1"
SCREEN = os.environ.get("INSPECTOR_TEST_SCREEN", "")  # "WxH" in a `run_on_screen` child


def _size(area: QRect) -> str:
    return f"{area.width()}x{area.height()}"


def on_screen(area: QRect) -> bool:
    """True in the child process `run_on_screen(..., area)` started."""
    return SCREEN == _size(area)


def run_on_laptop(test_file: str | Path, tmp_path: Path, *pytest_args: str,
                  timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `test_file` with pytest in a fresh process on the laptop screen (the tests see
    `ON_LAPTOP` true there)."""
    return run_on_screen(test_file, tmp_path, LAPTOP, *pytest_args, timeout=timeout)


def run_on_screen(test_file: str | Path, tmp_path: Path, area: QRect, *pytest_args: str,
                  timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `test_file` with pytest in a fresh process whose one offscreen screen is `area`
    (a screen's free area); the tests see `on_screen(area)` true there."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "test", "x": 0, "y": 0, "width": area.width(), "height": area.height(),
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               INSPECTOR_TEST_SCREEN=_size(area))
    if area == LAPTOP:
        env["INSPECTOR_TEST_LAPTOP"] = "1"
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", *pytest_args], check=False, cwd=root, env=env,
        capture_output=True, text=True, timeout=timeout)


class _Stacking(QObject):
    """Remembers the order in which windows were shown or activated (the offscreen
    platform keeps no stacking order): the last one is on top."""

    def __init__(self) -> None:
        super().__init__()
        self.order: dict[int, int] = {}
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.WindowActivate) and \
                isinstance(watched, QWidget) and watched.isWindow():
            self.count += 1
            self.order[id(watched)] = self.count
        return False


_stacking: _Stacking | None = None


def track_windows() -> None:
    """Start remembering the windows' stacking order (call before the windows show)."""
    global _stacking
    if _stacking is None:
        _stacking = _Stacking()
        QApplication.instance().installEventFilter(_stacking)


def visible_windows() -> list[QWidget]:
    """The visible top-level windows (no popups or tooltips), bottom first."""
    windows = [w for w in QApplication.topLevelWidgets()
               if w.isVisible() and w.isWindow()
               and w.windowType() not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)]
    order = _stacking.order if _stacking is not None else {}
    modal = QApplication.activeModalWidget()
    windows.sort(key=lambda w: (w is modal, order.get(id(w), 0)))
    return windows


def screen_shot(path: Path, area: QRect = LAPTOP) -> Path:
    """Save a picture of the screen (1366x768 unless `area` is another free area): each
    visible window where it stands, with a taskbar strip at the bottom."""
    width, height = area.width(), area.height() + TASKBAR
    picture = QPixmap(width, height)
    picture.fill(QColor("#3a4a5c"))
    painter = QPainter(picture)
    try:
        painter.fillRect(0, area.height(), width, TASKBAR, QColor("#1c232b"))
        for window in visible_windows():
            painter.drawPixmap(window.geometry().topLeft(), window.grab())
    finally:
        painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(str(path))
    return path
