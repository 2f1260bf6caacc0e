"""The main window: navigation on the left, pages on the right, status bar below.

Importing this module is cheap (Qt widgets and gettext only): the window is shown before
the database layer is even imported. Pages that query the store are made when an
inspector signs in, and each list loads its rows the first time it is shown.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import i18n
from inspector_app.core.i18n import N_, _
from inspector_app.core.resources import icon_path
from inspector_app.ui import screen

log = logging.getLogger(__name__)

# (page key, navigation label)
NAV = [
    ("dashboard", N_("Dashboard")),
    ("check", N_("Labeling checks")),
    ("seizure", N_("Seizures")),
    ("worklog", N_("Workstation logs")),
    ("sync", N_("Sync")),
    ("settings", N_("Settings")),
]
# A supervisor's device (sync role "supervisor") makes no records of its own: it reviews
# the agency's. Its navigation has no inspector dashboard or record pages (nothing there
# to list, and nothing a supervisor should create); it has the oversight dashboard instead.
SUPERVISOR_NAV = [
    ("review", N_("Review")),
    ("oversight", N_("Oversight")),
    ("sync", N_("Sync")),
    ("settings", N_("Settings")),
]
RECORD_PAGES = ("check", "seizure", "worklog")
PENDING_REFRESH_MS = 5000


class MainWindow(QMainWindow):
    switch_user_requested = Signal()
    quit_requested = Signal()
    language_switched = Signal(str)

    def __init__(self, refresh_interval_ms: int = PENDING_REFRESH_MS):
        super().__init__()
        self.store = None
        self.data_dir = None  # set by the start-up, before the store opens
        self.setWindowIcon(QIcon(str(icon_path())))
        self.user = None  # auth_dialogs.SignedIn once signed in
        self.pages: dict[str, QWidget] = {}
        self.role = "inspector"  # the store's sync role, read when the store is attached
        self.nav_items = NAV
        self.pending_count: int | None = None
        self.device_id = ""
        self.actor = None  # records.Actor of the signed-in inspector on this device
        self.auto_sync = True  # the sync page probes the server and syncs by itself
        self.network_state = "unknown"
        self._network = None
        self.setMinimumSize(QSize(900, 560))
        screen.install(QApplication.instance())
        screen.fit_to_screen(self, QSize(1280, 800))

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(168)
        self.nav.setSpacing(2)
        self.nav.setStyleSheet(
            "QListWidget#nav { background: #1f3a5f; color: white; border: none;"
            " font-size: 15px; padding-top: 8px; }"
            "QListWidget#nav::item { padding: 10px 14px; }"
            "QListWidget#nav::item:selected { background: #2f5d95; color: white; }"
            "QListWidget#nav::item:disabled { color: #8a9bb3; }")
        self.stack = QStackedWidget()
        self.stack.setObjectName("stack")
        self.placeholder = QLabel()
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.placeholder)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        column = QVBoxLayout()
        column.setContentsMargins(8, 8, 8, 0)
        column.addWidget(self.stack)
        row.addLayout(column)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._navigate)

        self.user_label = QLabel()
        self.user_label.setObjectName("user")
        self.network_label = QLabel()
        self.network_label.setObjectName("network")
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pending")
        bar = self.statusBar()
        for label in (self.user_label, self.network_label, self.pending_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)

        self._timer = QTimer(self)
        self._timer.setInterval(refresh_interval_ms)
        self._timer.timeout.connect(self.refresh_pending)
        self.retranslate()
        self.set_placeholder(_("Opening the database…"))

    # --- texts -----------------------------------------------------------------------

    def retranslate(self) -> None:
        """(Re)make every text in the current language; pages are made anew."""
        self.setWindowTitle(_("Inspector"))
        self._build_menus()
        current = self.nav.currentRow()
        self.nav.blockSignals(True)
        self.nav.clear()
        for key, label in self.nav_items:
            item = QListWidgetItem(_(label))
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 44))
            self.nav.addItem(item)
        self.nav.blockSignals(False)
        self._update_user_label()
        self._show_network()
        self._show_pending()
        if self.user is not None:
            self._drop_pages()
            self._make_pages()
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(max(current, 0))
            self.nav.blockSignals(False)
            self._navigate(max(current, 0))
        else:
            self._enable_nav(False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        menu = bar.addMenu(_("&File"))
        self.switch_action = QAction(_("Switch user…"), self)
        self.switch_action.setObjectName("switch_user")
        self.switch_action.triggered.connect(self.switch_user_requested)
        self.settings_action = QAction(_("Settings…"), self)
        self.settings_action.setObjectName("settings")
        self.settings_action.triggered.connect(self.open_settings)
        self.verify_action = QAction(_("Verify a document's QR code…"), self)
        self.verify_action.setObjectName("verify")
        self.verify_action.triggered.connect(self.open_verify)
        menu.addAction(self.switch_action)
        menu.addAction(self.settings_action)
        menu.addAction(self.verify_action)
        languages = menu.addMenu(_("Language"))
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, self, checkable=True)
            action.setChecked(code == i18n.language())
            action.triggered.connect(lambda _checked=False, c=code: self.change_language(c))
            group.addAction(action)
            languages.addAction(action)
            self.language_actions[code] = action
        menu.addSeparator()
        self.quit_action = QAction(_("Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.quit_requested)
        menu.addAction(self.quit_action)
        help_menu = bar.addMenu(_("&Help"))
        self.about_action = QAction(_("About Inspector…"), self)
        self.about_action.setObjectName("about")
        self.about_action.triggered.connect(lambda _checked=False: self.open_about())
        help_menu.addAction(self.about_action)
        signed_in = self.user is not None
        self.switch_action.setEnabled(signed_in)
        self.settings_action.setEnabled(signed_in)
        self.verify_action.setEnabled(signed_in)

    def set_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    # --- store and sign-in -------------------------------------------------------------

    def attach_store(self, store) -> None:
        from inspector_app.core.sync.state import DEVICE_ROLE

        self.store = store
        with store.read() as session:
            self.role = DEVICE_ROLE.get(session)
        self.nav_items = SUPERVISOR_NAV if self.supervisor else NAV
        self.retranslate()
        self.set_placeholder(_("Please sign in."))
        QTimer.singleShot(0, self.start_network_monitor)

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"

    def sign_in(self, user) -> None:
        """Make the pages for `user` and open the dashboard."""
        from inspector_app.core import settings
        from inspector_app.ui import checks

        self.user = user
        with self.store.write() as session:
            self.device_id = settings.device_id(session)
        self._update_user_label()
        self._make_pages()
        self._enable_nav(True)
        self.switch_action.setEnabled(True)
        self.settings_action.setEnabled(True)
        self.verify_action.setEnabled(True)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(0)
        self.nav.blockSignals(False)
        self._navigate(0)
        self.refresh_pending()
        self._timer.start()
        if self.supervisor:  # no records, drafts or recoveries of its own
            return
        checks.preload_definitions()
        checks.open_recovered_drafts(
            self.store, self.actor, self,
            on_saved=lambda _id: self.data_changed(), on_seizure=self.open_seizure)
        from inspector_app.ui.seizure import recovery

        self.recovery_box = recovery.offer(self.store, self.actor, self, self.open_seizure)

    def sign_out(self) -> None:
        self.user = None
        self._timer.stop()
        self._drop_pages()
        self._enable_nav(False)
        self.switch_action.setEnabled(False)
        self.settings_action.setEnabled(False)
        self.verify_action.setEnabled(False)
        self._update_user_label()
        self.set_placeholder(_("Please sign in."))

    def _enable_nav(self, enabled: bool) -> None:
        self.nav.setEnabled(enabled)
        if not enabled:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(-1)
            self.nav.blockSignals(False)

    def _update_user_label(self) -> None:
        if self.user is None:
            self.user_label.setText(_("Not signed in"))
        elif self.supervisor:
            self.user_label.setText(_("Supervisor: {name}").format(name=self.user.name))
        elif self.user.cert_no:
            self.user_label.setText(_("Inspector: {name} (certificate {cert})").format(
                name=self.user.name, cert=self.user.cert_no))
        else:
            self.user_label.setText(_("Inspector: {name}").format(name=self.user.name))

    # --- pages -----------------------------------------------------------------------

    def _make_pages(self) -> None:
        from inspector_app.core import records
        from inspector_app.ui.pages import DashboardPage
        from inspector_app.ui.record_list import RecordListPage

        self.actor = records.Actor(self.device_id, self.user.id)
        if self.supervisor:
            self._make_supervisor_pages()
            self._add_common_pages()
            return
        greeting = _("Hello, {name}.").format(name=self.user.name) if self.user else ""
        dashboard = DashboardPage(self.store, greeting)
        dashboard.open_seizure.connect(self.open_seizure)
        dashboard.new_check.connect(lambda: self.open_check(None))
        dashboard.new_seizure.connect(lambda: self.open_seizure(None))
        dashboard.today_worklog.connect(self.show_today_worklog)
        self.pages = {"dashboard": dashboard}
        for kind in RECORD_PAGES:
            self.pages[kind] = RecordListPage(self.store, kind)
        self.pages["check"].set_handlers(self.open_check, lambda: self.open_check(None))
        self.pages["seizure"].set_handlers(self.open_seizure, lambda: self.open_seizure(None))
        from inspector_app.ui.worklog.page import WorklogPage

        worklog = WorklogPage(self.store, self.user)
        worklog.changed.connect(self.data_changed)
        worklog.seizure_started.connect(self.open_seizure)
        worklog.check_started.connect(self.open_check)
        self.pages["worklog"] = worklog
        self._add_common_pages()

    def _make_supervisor_pages(self) -> None:
        from inspector_app.ui.supervisor.dashboard import OversightPage
        from inspector_app.ui.supervisor.review_page import ReviewPage

        review = ReviewPage(self.store, self.user)
        self.pages = {"review": review, "oversight": OversightPage(self.store)}

    def _add_common_pages(self) -> None:
        from inspector_app.ui.settings_dialog import SettingsPage
        from inspector_app.ui.sync_page import SyncPage

        sync = SyncPage(self.store, auto=self.auto_sync)
        sync.synced.connect(self.refresh_pending)
        self.pages["sync"] = sync
        settings_page = SettingsPage(self.store)
        settings_page.form.saved.connect(self.data_changed)
        settings_page.form.language_changed.connect(
            lambda code: QTimer.singleShot(0, lambda: self.change_language(code, save=False)))
        self.pages["settings"] = settings_page
        for key, _label in self.nav_items:
            page = self.pages[key]
            page.setObjectName(f"page_{key}")
            self.stack.addWidget(page)

    # --- opening records -----------------------------------------------------------------

    def open_check(self, check_id: str | None) -> None:
        from inspector_app.ui import checks

        hooks = {"on_saved": lambda _id: self.data_changed(), "on_seizure": self.open_seizure}
        if check_id is None:
            checks.open_new_check(self.store, self.actor, self, **hooks)
        else:
            checks.open_check(self.store, self.actor, check_id, self, **hooks)

    def open_seizure(self, seizure_id: str | None, source_check_id: str | None = None):
        from inspector_app.ui.seizure.workflow import SeizureDialog

        dialog = SeizureDialog(self.store, self.actor, seizure_id=seizure_id,
                               source_check_id=source_check_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.page.saved.connect(lambda _id: self.data_changed())
        dialog.show()
        return dialog

    def open_verify(self) -> None:
        from inspector_app.ui.seizure.verify_dialog import VerifyDialog

        dialog = VerifyDialog(self.store, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _drop_pages(self) -> None:
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages = {}

    def _navigate(self, row: int) -> None:
        if row < 0 or row >= len(self.nav_items) or not self.pages:
            return
        key = self.nav_items[row][0]
        page = self.pages[key]
        if key in RECORD_PAGES:
            page.start()
        elif hasattr(page, "refresh"):
            page.refresh()
        self.stack.setCurrentWidget(page)

    def show_page(self, key: str) -> QWidget:
        """Go to page `key` as if it were clicked in the navigation."""
        self.nav.setCurrentRow([k for k, _label in self.nav_items].index(key))
        return self.pages[key]

    def show_today_worklog(self) -> QWidget:
        """The 工作站日志 page on today's shift (its first tab)."""
        page = self.show_page("worklog")
        page.tabs.setCurrentIndex(0)
        return page

    def current_page_key(self) -> str | None:
        for key, page in self.pages.items():
            if page is self.stack.currentWidget():
                return key
        return None

    def data_changed(self) -> None:
        """Something was written: refresh the counts and the lists that are loaded."""
        if self.user is None:
            return
        self.refresh_pending()
        current = self.stack.currentWidget()
        for key, page in self.pages.items():
            if key in RECORD_PAGES:
                page.data_changed()
            elif page is current and hasattr(page, "refresh"):
                page.refresh()

    # --- menu actions ------------------------------------------------------------------

    def open_settings(self) -> None:
        from inspector_app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.store, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.form.saved.connect(self.data_changed)
        dialog.form.language_changed.connect(
            lambda code: QTimer.singleShot(0, lambda: self.change_language(code, save=False)))
        dialog.open()
        self.settings_dialog = dialog

    def open_about(self) -> None:
        from inspector_app.ui.about import AboutDialog

        data_dir = self.data_dir or (self.store.data_dir if self.store is not None else None)
        dialog = AboutDialog(data_dir, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.about_dialog = dialog

    def change_language(self, code: str, save: bool = True) -> None:
        from inspector_app.ui.language import apply_language

        if save and self.store is not None:
            from inspector_app.core import settings

            with self.store.write() as session:
                settings.LANGUAGE.set(session, code)
        apply_language(code)
        self.retranslate()
        self.language_switched.emit(i18n.language())

    # --- status bar ------------------------------------------------------------------

    def refresh_pending(self) -> None:
        if self.store is None:
            return
        from inspector_app.core import queries

        with self.store.read() as session:
            self.pending_count = queries.pending_sync(session)
        self._show_pending()

    def _show_pending(self) -> None:
        if self.pending_count is None:
            self.pending_label.setText("")
        else:
            self.pending_label.setText(_("Waiting to sync: {n}").format(n=self.pending_count))

    def start_network_monitor(self) -> None:
        """Online/offline from QNetworkInformation, when a backend loads here."""
        if self._network is not None:
            return
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError:  # pragma: no cover - QtNetwork ships with PySide6-Essentials
            return
        feature = QNetworkInformation.Feature.Reachability
        if not QNetworkInformation.loadBackendByFeatures(feature):
            log.info("no network information backend; showing the state as unknown")
            self._network = False
            return
        info = QNetworkInformation.instance()
        self._network = info
        info.reachabilityChanged.connect(self._reachability_changed)
        self._reachability_changed(info.reachability())

    def _reachability_changed(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        reach = QNetworkInformation.Reachability
        if reachability == reach.Online:
            self.network_state = "online"
        elif reachability == reach.Unknown:
            self.network_state = "unknown"
        else:
            self.network_state = "offline"
        self._show_network()

    def _show_network(self) -> None:
        texts = {"online": _("Online"), "offline": _("Offline"),
                 "unknown": _("Network: unknown")}
        self.network_label.setText(texts[self.network_state])
