"""Fixtures for the app shell: a started app, and a store with known records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QThreadPool

from inspector_app.core import records
from inspector_app.core.models import LabelCheck, Market, Party, Seizure, Stall, WorkLog
from inspector_app.ui.fonts import install_app_fonts
from inspector_app.ui.startup import Options, Startup


@dataclass
class Known:
    """The records made by `known_records`, for computing expected counts."""

    markets: dict[str, str] = field(default_factory=dict)  # name -> id
    checks: list[dict] = field(default_factory=list)  # product, party, market, status, id


PARTIES = ["𠮷祥商行", "城南日用品商店", "华联商贸行"]  # only the first contains 商行
CHECKS = [
    # product, party, market, status, days ago
    ("电热水壶", "𠮷祥商行", "东门批发市场", "final", 1),
    ("电饭锅", "𠮷祥商行", "东门批发市场", "draft", 2),
    ("插线板", "城南日用品商店", "东门批发市场", "final", 3),
    ("儿童玩具", "华联商贸行", "西城小商品市场", "final", 5),
    ("复合肥料", "华联商贸行", "西城小商品市场", "draft", 8),
    ("蔬菜种子", "城南日用品商店", "西城小商品市场", "final", 40),
    ("LED台灯", "𠮷祥商行", "西城小商品市场", "final", 60),
]


def make_known_records(store, actor) -> Known:
    known = Known()
    now = datetime.now(UTC)
    with store.write() as session:
        markets = {}
        for name in ("东门批发市场", "西城小商品市场"):
            markets[name] = records.create(session, Market(name=name), actor)
            known.markets[name] = markets[name].id
        parties = {name: records.create(session, Party(name=name), actor) for name in PARTIES}
        stall = records.create(session, Stall(market_id=markets["东门批发市场"].id,
                                              number="A-101"), actor)
        for product, party, market, status, days in CHECKS:
            check = records.create(session, LabelCheck(
                checked_at=now - timedelta(days=days, hours=1), market_id=markets[market].id,
                party_id=parties[party].id, stall_id=stall.id, product_name=product,
                category="电器", status=status), actor)
            known.checks.append({"product": product, "party": party, "market": market,
                                 "status": status, "days": days, "id": check.id})
        records.create(session, Seizure(
            started_at=now - timedelta(days=1), market_id=markets["东门批发市场"].id,
            party_id=parties["𠮷祥商行"].id, number="示例市监强制〔2025〕1号",
            state="issued"), actor)
        records.create(session, WorkLog(
            market_id=markets["西城小商品市场"].id, log_date=now.date().isoformat(),
            operator_name="李四", opened_at=now, status="open"), actor)
    return known


@pytest.fixture
def known(signed_in):
    store, actor, _inspector = signed_in
    return make_known_records(store, actor)


@pytest.fixture
def start_app(qapp, qtbot):
    """start_app(data_dir, **options) -> a started Startup, shut down after the test."""
    install_app_fonts(qapp)
    started: list[Startup] = []

    def start(data_dir, refresh_interval_ms: int = 5000, **options) -> Startup:
        startup = Startup(Options(data_dir=data_dir, **options), refresh_interval_ms)
        qtbot.addWidget(startup.window)
        started.append(startup)
        startup.start()
        return startup

    yield start
    QThreadPool.globalInstance().waitForDone(10_000)
    for startup in started:
        startup.shutdown()


def _sign_in(qtbot, startup: Startup, username: str = "zhang", password: str = "demo1234"):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from inspector_app.ui.auth_dialogs import SignInDialog

    qtbot.waitUntil(lambda: isinstance(startup.dialog, SignInDialog)
                    and startup.dialog.isVisible())
    dialog = startup.dialog
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(startup.signed_in):
        qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton)
    return startup.window


def type_into(qtbot, widget, text: str) -> None:
    """Type `text` key by key. qtbot.keyClicks aborts on non-ASCII text with this Qt
    (an assertion in QTest's asciiToKey), so other characters go as key events that carry
    their text, as a keyboard or an input method sends them."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                               Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def type_text(qtbot):
    """type_text(widget, text): type into `widget`, Chinese included."""
    return lambda widget, text: type_into(qtbot, widget, text)


@pytest.fixture
def sign_in(qtbot):
    """sign_in(startup, username="zhang", password="demo1234") -> the main window."""
    return lambda startup, *args: _sign_in(qtbot, startup, *args)


@pytest.fixture
def window(qtbot, signed_in, known, start_app):
    """The main window of a store with known records, signed in as 张三."""
    store = signed_in[0]
    startup = start_app(store.data_dir, refresh_interval_ms=100)
    win = _sign_in(qtbot, startup)
    win.startup = startup
    return win


@pytest.fixture(autouse=True)
def _empty_clipboard():
    """Each test leaves the clipboard empty, so nothing copied in one (a crash report) is
    pasted by the next."""
    yield
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        QApplication.clipboard().clear()
