"""Fixtures of the check UI tests: a signed-in store with a market, the app's fonts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core" / "checks"))

from check_helpers import add_colleague, make_market


@pytest.fixture
def env(qapp, signed_in):
    """(store, actor, market id), with the bundled fonts installed."""
    from inspector_app.ui.fonts import install_app_fonts

    install_app_fonts(qapp)
    store, actor, _inspector = signed_in
    add_colleague(store, actor)  # the second officer of the checks (check_helpers.COLLEAGUE)
    yield store, actor, make_market(store, actor)
    QThreadPool.globalInstance().waitForDone(10_000)
