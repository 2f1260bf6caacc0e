"""Make the documentation screenshots from a fresh demo store, on a 1366x768 laptop screen.

    python packaging/screenshots.py [OUT_DIR] [--records N] [--languages zh_CN en]

Renders every page (dashboard, labeling checks, seizures, workstation logs with today's
shift open, sync, settings)
and the main dialogs (a labeling check, a seizure, the new-party dialog, the workstation
set-up) in Simplified Chinese and English, signed in as the demo inspector, into
OUT_DIR/<lang>-<name>.png (zh-dashboard.png, en-dashboard.png, ...). Qt runs offscreen on
one 1366x768 screen (a JSON screen description for the offscreen platform). A check of a
party named with 𠮷 (U+20BB7, outside the BMP) is added to the demo data, so the list
shows that such names render.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREEN = (1366, 768)
PAGES = ["dashboard", "check", "seizure", "worklog", "sync", "settings"]
SHORT = {"zh_CN": "zh", "en": "en"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--languages", nargs="+", default=["zh_CN", "en"])
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        screen = Path(tmp) / "screen.json"
        screen.write_text(json.dumps({"screens": [{
            "name": "laptop", "x": 0, "y": 0, "width": SCREEN[0], "height": SCREEN[1],
            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
        written = shoot(Path(tmp) / "data", out, args.records, args.languages)
    for path in written:
        print(f"wrote {path}")
    return 0


def wait(condition, timeout_s: float = 120.0) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

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


def settle() -> None:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    QThreadPool.globalInstance().waitForDone(30_000)
    for _n in range(5):
        QApplication.processEvents()


def shoot(data_dir: Path, out: Path, records: int, languages: list[str]) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui.fonts import install_app_fonts
    from inspector_app.ui.language import apply_language
    from inspector_app.ui.startup import DEMO_USER, Options, Startup

    app = QApplication([sys.argv[0]])
    install_app_fonts(app)
    apply_language(languages[0])
    startup = Startup(Options(data_dir=data_dir, demo=records))
    startup.start()
    wait(lambda: startup.dialog is not None and startup.dialog.isVisible())
    add_rare_name_check(startup.store)
    open_todays_shift(startup.store)
    dialog = startup.dialog
    dialog.username.setText(DEMO_USER[1])
    dialog.password.setText(DEMO_USER[2])
    dialog.submit()
    window = startup.window
    wait(lambda: window.user is not None)
    window.showMaximized()
    written: list[Path] = []

    def save(widget, name: str) -> None:
        settle()
        path = out / f"{SHORT.get(languages_done[-1], languages_done[-1])}-{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    languages_done: list[str] = []
    for language in languages:
        window.change_language(language)
        languages_done.append(language)
        for key in PAGES:
            page = window.show_page(key)
            if key in ("check", "seizure"):
                wait(lambda p=page: not p.model.loading and p.model.rowCount() > 0)
            if key == "worklog":
                wait(lambda p=page: p.list_page is not None and p.log_id is not None)
                page.tabs.setCurrentIndex(0)
            save(window, "dashboard" if key == "dashboard" else f"{key}-list"
                 if key in ("check", "seizure") else key)
            if key == "worklog":
                page.tabs.setCurrentIndex(1)  # scale checks and re-weighs
                save(window, "worklog-scales")
                page.tabs.setCurrentIndex(0)
        for name, make in (("check-form", open_check_form), ("seizure", open_seizure),
                           ("party-dialog", open_party_dialog),
                           ("worklog-setup", open_worklog_setup),
                           ("worklog-import", open_worklog_import)):
            shown = make(window)
            save(shown, name)
            if name == "check-form":  # and its checklist, further down
                scroll = shown.page.scroll
                scroll.verticalScrollBar().setValue(shown.page.checklist_box.y())
                save(shown, "check-form-checklist")
            shown.done(0) if hasattr(shown, "done") else shown.close()
            settle()
        window.show_page("dashboard")
    startup.shutdown()
    return written


def open_check_form(window):
    """The non-conforming check of the 𠮷 party (a draft): its form, scrolled to the top."""
    page = window.show_page("check")
    wait(lambda: not page.model.loading)
    model = page.model
    for row in range(model.rowCount()):
        if "𠮷" in model.text(row, 3):
            window.open_check(model.record_id(row))
            break
    return _newest_dialog(window, "CheckDialog")


def open_seizure(window):
    page = window.show_page("seizure")
    wait(lambda: not page.model.loading and page.model.rowCount() > 0)
    window.open_seizure(page.model.record_id(0))
    return _newest_dialog(window, "SeizureDialog")


def open_party_dialog(window):
    from inspector_app.ui.seizure.workflow import PartyDialog

    dialog = PartyDialog(window)
    dialog.fields["name"].setText("𠮷祥日杂商行")
    dialog.fields["credit_code"].setText("91350100M000100Y43")
    dialog.fields["address"].setText("福建省福州市鼓楼区东街口东门批发市场A区018号")
    dialog.fields["legal_rep"].setText("王五")
    dialog.fields["id_number"].setText("35010219800101123X")
    dialog.fields["phone"].setText("13800138000")
    dialog.show()
    return dialog


def open_worklog_setup(window):
    page = window.show_page("worklog")
    wait(lambda: page.list_page is not None)
    settle()
    dialog = page.open_setup()
    dialog.tabs.setCurrentIndex(2)  # the instruments
    return dialog


def open_worklog_import(window):
    page = window.show_page("worklog")
    wait(lambda: page.entry.model.ctx is not None)
    return page.import_csv()


def _newest_dialog(window, class_name: str):
    from PySide6.QtWidgets import QApplication

    def found():
        return [w for w in QApplication.topLevelWidgets()
                if type(w).__name__ == class_name and w.isVisible()]

    wait(lambda: bool(found()))
    return found()[-1]


def open_todays_shift(store) -> None:
    """Today's shift opened at the demo's first workstation (the one the page shows)."""
    from inspector_app.core import records, settings
    from inspector_app.core.models import Inspector
    from inspector_app.core.worklog import service, workstation

    with store.write() as session:
        zhang = session.query(Inspector).filter_by(username="zhang").one()
        actor = records.Actor(settings.device_id(session), zhang.id)
        station = workstation.the_workstation(session)
        service.open_shift(session, actor, station.operators[0].name, station.id)


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
            category="家用电器及电器附件", form_id="electrical_ccc", form_version=1,
            outcome="nonconforming", status="draft"), actor)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
