"""Make the documentation screenshots of the main window from a fresh demo store.

    QT_QPA_PLATFORM=offscreen python packaging/screenshots.py [OUT_DIR] [--records N]

Writes main-window.png (the dashboard) and checks-list.png (the 标识检查 list) at
1280x800, signed in as the demo inspector, in Simplified Chinese. One labeling check of a
party named with 𠮷 (U+20BB7, outside the BMP) is added on top of the demo data, so the
list shows that such names render.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--search", default="", help="type this into the checks search box")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui.fonts import install_app_fonts
    from inspector_app.ui.language import apply_language
    from inspector_app.ui.startup import DEMO_USER, Options, Startup

    app = QApplication([sys.argv[0]])
    install_app_fonts(app)
    apply_language("zh_CN")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def wait(condition, timeout_s: float = 120.0) -> None:
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: loop.quit() if condition() else None)
        timer.start(20)
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        deadline.start(int(timeout_s * 1000))
        if not condition():
            loop.exec()
        timer.stop()
        if not condition():
            raise TimeoutError("the app did not get there in time")

    with tempfile.TemporaryDirectory() as tmp:
        startup = Startup(Options(data_dir=Path(tmp), demo=args.records))
        startup.start()
        wait(lambda: startup.dialog is not None and startup.dialog.isVisible())
        add_rare_name_check(startup.store)
        dialog = startup.dialog
        dialog.username.setText(DEMO_USER[1])
        dialog.password.setText(DEMO_USER[2])
        dialog.submit()
        window = startup.window
        window.resize(1280, 800)
        wait(lambda: window.user is not None)
        app.processEvents()
        window.grab().save(str(out / "main-window.png"))
        page = window.show_page("check")
        wait(lambda: not page.model.loading and page.model.rowCount() > 0)
        if args.search:
            page.search.setText(args.search)
            wait(lambda: page.search.text() == args.search and not page.model.loading
                 and page.count.text().startswith("共"))
        app.processEvents()
        window.grab().save(str(out / "checks-list.png"))
        print(f"wrote {out / 'main-window.png'} and {out / 'checks-list.png'}")
        startup.shutdown()
    return 0


def add_rare_name_check(store) -> None:
    from datetime import UTC, datetime, timedelta

    from inspector_app.core import queries, records, settings
    from inspector_app.core.models import Inspector, LabelCheck, Party, Stall

    with store.write() as session:
        zhang = session.query(Inspector).filter_by(username="zhang").one()
        actor = records.Actor(settings.device_id(session), zhang.id)
        market_id = queries.markets(session)[0][0]
        party = records.create(session, Party(party_type="individual", name="𠮷祥日杂商行"), actor)
        stall = records.create(session, Stall(market_id=market_id, number="A区018号",
                                              party_id=party.id), actor)
        records.create(session, LabelCheck(
            checked_at=datetime.now(UTC) - timedelta(minutes=20), market_id=market_id,
            stall_id=stall.id, party_id=party.id, product_name="电热水壶",
            category="家用电器", outcome="nonconforming", status="draft"), actor)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
