"""A supervisor's device sends only its decisions: its own rows (its sign-in profile made
at first setup, kept in the outbox like every change) are not counted as waiting, so the
status bar and the Sync page do not show a count that never goes down."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from inspector_app.core.agency import review
from inspector_app.core.models import AgencyRecord, Decision, Outbox


def _open(qtbot, window, key: str):
    row = [k for k, _label in window.nav_items].index(key)
    rect = window.nav.visualItemRect(window.nav.item(row))
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return window.pages[key]


def test_own_rows_are_not_waiting_but_a_decision_is(qtbot, supervisor_window):
    window = supervisor_window
    store = window.store
    with store.read() as session:
        own = session.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.acked_at.is_(None)))
        rec = session.scalar(select(AgencyRecord).where(
            AgencyRecord.review_state == "pending", AgencyRecord.conflicts == 0).limit(1))
        made = session.scalar(select(func.count()).select_from(Decision).where(
            Decision.sent_at.is_(None)))
    assert own > 0  # the supervisor's own profile, never sent
    assert made == 2  # the demo's decisions (a return, an approval), not posted yet
    qtbot.waitUntil(lambda: window.pending_label.text() == "待同步 2")
    page = _open(qtbot, window, "sync")
    qtbot.waitUntil(lambda: page.pending.text() == "待同步的更改：2 条")

    review.decide(store, rec.kind, rec.record_id, "approve", user=SimpleNamespace(name="张三"))
    qtbot.waitUntil(lambda: window.pending_label.text() == "待同步 3")
