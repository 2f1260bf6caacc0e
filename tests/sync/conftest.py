"""Fixtures of the sync tests: the server on SQLite and on PostgreSQL, devices, clients.

PostgreSQL: every test gets a database of its own, made for this run from a migrated
template (`CREATE DATABASE ... TEMPLATE`), and dropped after it; the template is dropped
at the end of the run. When PostgreSQL is unreachable the PostgreSQL tests fail under CI
(env CI set) and are skipped elsewhere.
"""

from __future__ import annotations

import os
import uuid

import pytest
from synchelpers import ClientDevice, ServerThread

PG_ADMIN = os.environ.get("INSPECTOR_TEST_PG",
                          "host=127.0.0.1 port=5432 user=postgres dbname=test")
PG_URL = os.environ.get("INSPECTOR_TEST_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)


def _drop_leftovers(admin) -> None:
    """Drop (never reuse) databases of earlier runs whose process is gone (a run killed
    before its teardown)."""
    rows = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'insp\\_%'")
    for (name,) in rows.fetchall():
        parts = name.split("_")  # insp_tpl_<pid>_<hex> or insp_<pid>_<hex>_<hex>
        pid = parts[2] if len(parts) > 2 and parts[1] == "tpl" else parts[1]
        if not pid.isdigit():
            continue
        if not os.path.exists(f"/proc/{pid}"):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_template():
    """A migrated template database for this run (made on first use)."""
    try:
        admin = _pg_admin()
    except Exception as exc:  # noqa: BLE001 - reported below
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable ({exc}); CI must test it")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    _drop_leftovers(admin)
    name = f"insp_tpl_{RUN_ID}"
    admin.execute(f'CREATE DATABASE "{name}"')
    from sync.server.db import Database

    Database(PG_URL.format(name=name)).dispose()
    yield name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, migrated server database of each kind."""
    if request.param == "sqlite":
        (tmp_path / "server").mkdir(exist_ok=True)
        yield f"sqlite:///{tmp_path / 'server' / 'server.db'}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"insp_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield PG_URL.format(name=name)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def sqlite_url(tmp_path):
    (tmp_path / "server").mkdir(exist_ok=True)
    return f"sqlite:///{tmp_path / 'server' / 'server.db'}"


@pytest.fixture
def server(tmp_path, database_url):
    srv = ServerThread(tmp_path / "server", database_url).start()
    yield srv
    srv.stop()


@pytest.fixture
def sqlite_server(tmp_path, sqlite_url):
    srv = ServerThread(tmp_path / "server", sqlite_url).start()
    yield srv
    srv.stop()


@pytest.fixture
def app_client(tmp_path, database_url):
    """The app in-process (no sockets) with a fresh database."""
    from fastapi.testclient import TestClient

    from sync.server.app import ServerConfig, create_app

    (tmp_path / "server").mkdir(exist_ok=True)
    app = create_app(ServerConfig(data_dir=tmp_path / "server", database_url=database_url,
                                  enrol_limit=5))
    with TestClient(app) as client:
        client.db = app.state.db
        client.data_dir = tmp_path / "server"
        yield client
    app.state.db.dispose()


@pytest.fixture
def client_device(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    dev = ClientDevice(tmp_path / "client")
    yield dev
    dev.close()
