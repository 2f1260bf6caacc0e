"""The main window: navigation, dashboard counts, sync page, status bar, settings, language."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from inspector_app.core import i18n, queries, records, settings
from inspector_app.core.models import LabelCheck
from inspector_app.core.seizure import numbering
from inspector_app.ui.main_window import NAV

EXPECTED_PAGES = ["dashboard", "check", "seizure", "worklog", "sync", "settings"]


def _click_nav(qtbot, window, key):
    row = [k for k, _label in NAV].index(key)
    item = window.nav.item(row)
    rect = window.nav.visualItemRect(item)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return window.pages[key]


def _outbox(store) -> int:
    with store.read() as session:
        return queries.pending_sync(session)


def test_navigation_reaches_every_page(qtbot, window):
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["工作台", "标识检查", "查封扣押", "工作站日志", "同步", "设置"]
    assert [k for k, _label in NAV] == EXPECTED_PAGES
    for key in ["check", "seizure", "worklog", "sync", "settings", "dashboard"]:
        page = _click_nav(qtbot, window, key)
        assert window.stack.currentWidget() is page
        assert window.current_page_key() == key
    # Each list page loaded its own kind.
    for key, expected in (("check", 7), ("seizure", 1), ("worklog", 1)):
        page = window.pages[key]
        page = page.list_page if key == "worklog" else page  # the log page's 全部日志 tab
        qtbot.waitUntil(lambda p=page, e=expected: p.model.rowCount() == e)
        assert page.model.kind == key


def test_dashboard_shows_real_counts(qtbot, window):
    dashboard = window.pages["dashboard"]
    assert window.stack.currentWidget() is dashboard
    store = window.store
    with store.read() as session:
        counts = queries.counts(session)
    assert counts == {"check": 7, "seizure": 1, "worklog": 1}
    for kind, card in dashboard.cards.items():
        assert card.number.text() == str(counts[kind])
    check_detail = dashboard.cards["check"].detail.text()
    assert "草稿 2" in check_detail and "已完成 5" in check_detail
    assert "已送达 1" in dashboard.cards["seizure"].detail.text()
    assert dashboard.sync_card.number.text() == str(_outbox(store))
    assert "张三" in dashboard.greeting.text()


def test_sync_page_offers_enrolment_and_shows_the_pending_count(qtbot, window):
    page = _click_nav(qtbot, window, "sync")
    assert page.enrol_box.isVisibleTo(page)  # not enrolled yet: the form to do it
    n = _outbox(window.store)
    assert n > 0
    assert str(n) in page.pending.text()


def test_status_bar_pending_count_follows_the_outbox(qtbot, window, signed_in):
    store, actor, _inspector = signed_in
    before = _outbox(store)
    assert window.pending_label.text() == f"待同步 {before}"
    with store.write() as session:  # a write elsewhere (another window, the CLI...)
        records.create(session, LabelCheck(checked_at=datetime.now(UTC),
                                           product_name="电吹风"), actor)
    assert _outbox(store) == before + 1
    qtbot.waitUntil(lambda: window.pending_label.text() == f"待同步 {before + 1}")
    assert window.pending_count == before + 1


def test_status_bar_shows_the_inspector_and_the_network(qtbot, window):
    assert window.user_label.text() == "执法人员：张三（执法证号 32010001）"
    qtbot.waitUntil(lambda: window._network is not None)
    assert window.network_label.text() in {"在线", "离线", "网络状态未知"}


def test_settings_page_is_built_from_the_options_and_saves(qtbot, window):
    page = _click_nav(qtbot, window, "settings")
    form = page.form
    editable = [o for o in settings.OPTIONS if o.user_editable]
    assert {o.key for o in editable} <= set(form.editors)
    assert numbering.DEVICE_SEGMENT.key in form.editors  # the seizure numbering too
    assert settings.DEVICE_ID.key not in form.editors
    agency = form.editors[settings.AGENCY_NAME.key]
    assert isinstance(agency, QLineEdit) and agency.text() == "示例市市场监督管理局"
    agency.clear()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert form.error.isVisible()  # the agency name may not be empty
    with window.store.read() as session:
        assert settings.AGENCY_NAME.get(session) == "示例市市场监督管理局"
    form.editors[settings.SERVER_URL.key].setText("https://sync.example.cn")
    agency.setText("示例市市场监管局")
    form.editors[numbering.DEVICE_SEGMENT.key].setText("07 ")
    form.editors[settings.DOC_NUMBER_PATTERN.key].setText("{abbr}市监强制〔{year}〕号")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert form.error.isVisible()  # a pattern without {seq} could repeat numbers
    with window.store.read() as session:
        assert settings.AGENCY_NAME.get(session) == "示例市市场监督管理局"
    form.editors[settings.DOC_NUMBER_PATTERN.key].setText("{abbr}市监强制〔{year}〕{seq}号")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert not form.error.isVisible()
    with window.store.read() as session:
        assert settings.AGENCY_NAME.get(session) == "示例市市场监管局"
        assert settings.SERVER_URL.get(session) == "https://sync.example.cn"
        assert numbering.DEVICE_SEGMENT.get(session) == "07"
    sync = _click_nav(qtbot, window, "sync")
    assert sync.url_edit.text() == "https://sync.example.cn"  # ready for enrolment


def test_language_switch_retranslates_at_once_and_is_saved(qtbot, window):
    window.language_actions["en"].trigger()
    assert i18n.language() == "en"
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["Dashboard", "Labeling checks", "Seizures", "Workstation logs", "Sync",
                      "Settings"]
    assert window.pending_label.text().startswith("Waiting to sync: ")
    assert window.menuBar().actions()[0].text() == "&File"
    with window.store.read() as session:
        assert settings.LANGUAGE.get(session) == "en"
    page = _click_nav(qtbot, window, "check")
    qtbot.waitUntil(lambda: page.model.rowCount() == 7)
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(page.model.columnCount())]
    assert headers[:2] == ["Checked at", "Market"]
    assert page.count.text() == "7 records"


def test_settings_dialog_changes_the_language(qtbot, window):
    window.settings_action.trigger()
    dialog = window.settings_dialog
    qtbot.waitUntil(dialog.isVisible)
    combo = dialog.form.editors[settings.LANGUAGE.key]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("en"))
    with qtbot.waitSignal(window.language_switched):
        dialog._save()
    assert window.nav.item(0).text() == "Dashboard"
