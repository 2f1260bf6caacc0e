"""A supervisor's store with the signed records of three demo devices (one conflict, one
returned, one approved), made once per session and copied for each test."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest


@pytest.fixture(scope="session")
def _agency_template(tmp_path_factory):
    from inspector_app.core import auth
    from inspector_app.core.agency import demo
    from inspector_app.core.store import Store

    folder = tmp_path_factory.mktemp("agency") / "store"
    store = Store(folder)
    try:
        with store.write() as session:
            auth.first_setup(session, "示例市市场监督管理局", "示例", auth.NewInspector(
                "张三", "zhang", "demo1234", "32010001", "supervisor"))
        demo.fill(store, devices=3, records=4, seed=2, user=SimpleNamespace(name="张三"))
    finally:
        store.close()
    return folder


@pytest.fixture
def supervisor_window(qtbot, tmp_path, _agency_template, start_app, sign_in):
    """The main window of the supervisor's store, signed in as 张三, on its 审核 page."""
    folder = tmp_path / "store"
    shutil.copytree(_agency_template, folder)
    startup = start_app(folder, refresh_interval_ms=100)
    window = sign_in(startup)
    window.startup = startup
    return window
