"""Resident memory of the signed-in main window on a store, after each record list loads.

    python benchmarks/window_memory.py DATA_DIR      # prints: rss_mb <value>
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication


def wait_until(app: QApplication, done, timeout_s: float = 120) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: done() and loop.quit())
    timer.start(20)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    timer.stop()
    if not done():
        raise SystemExit("timed out")


def main(data_dir: Path) -> None:
    from inspector_app.core import auth
    from inspector_app.core.store import Store
    from inspector_app.ui.auth_dialogs import SignedIn
    from inspector_app.ui.fonts import install_app_fonts
    from inspector_app.ui.main_window import RECORD_PAGES, MainWindow

    app = QApplication([])
    install_app_fonts(app)
    store = Store(data_dir)
    with store.read() as session:
        user = SignedIn.of(auth.authenticate(session, "zhang", "demo1234"))
    window = MainWindow()
    window.auto_sync = False
    window.show()
    window.attach_store(store)
    window.sign_in(user)
    for key in RECORD_PAGES:
        page = window.show_page(key)
        listing = getattr(page, "list_page", None) or page
        wait_until(app, lambda p=listing: p.model.rowCount() > 0)
        listing.table.scrollToBottom()
        app.processEvents()
    rss = psutil.Process().memory_info().rss / 2**20
    print(f"rss_mb {rss:.1f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
