"""Shared fixtures. Qt runs offscreen; every test gets its own data folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from inspector_app.core import i18n


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test touches the real user data folder; every test starts in zh_CN."""
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")


@pytest.fixture
def store(tmp_path):
    from inspector_app.core.store import Store

    s = Store(tmp_path / "store")
    yield s
    s.close()


@pytest.fixture
def signed_in(store):
    """A set-up store with an agency and one inspector; returns (store, actor, inspector)."""
    from inspector_app.core import auth, records, settings

    with store.write() as session:
        inspector = auth.first_setup(
            session, "示例市市场监督管理局", "示例",
            auth.NewInspector("张三", "zhang", "demo1234", "32010001", "supervisor"),
        )
        actor = records.Actor(settings.device_id(session), inspector.id)
    return store, actor, inspector
