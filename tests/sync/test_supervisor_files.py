"""A USB batch file reaches the server through a supervisor's desktop: the inspector
exports it, the supervisor imports it (`inspector import-batches`), and the supervisor's
next `inspector sync` posts it to the real server (POST /v1/import)."""

from __future__ import annotations

import json

from cli_runner import inspector
from sqlalchemy import func, select

from inspector_app.core.models import AgencyRecord, KnownKey
from inspector_app.core.store import Store
from inspector_app.core.sync import agent, batches, state
from sync.server import service


def test_a_usb_file_imported_by_a_supervisor_reaches_the_server(
        tmp_path, client_device, sqlite_server):
    dev = client_device
    agent.enroll(dev.store, sqlite_server.url, service.new_enrolment(sqlite_server.db, "张三"))
    ids = dev.add_checks(5)
    usb = tmp_path / "usb.json"
    batches.export_file(dev.store, usb)  # no network at the market: a file for the stick

    sup = Store(tmp_path / "sup")
    enrolled = agent.enroll(sup, sqlite_server.url, service.new_enrolment(
        sqlite_server.db, "陈主任", role="supervisor"))  # `device add --role supervisor`
    assert enrolled["role"] == "supervisor"
    with sup.read() as session:  # the role the server sent is kept
        assert state.DEVICE_ROLE.get(session) == state.SUPERVISOR_ROLE
    sup.close()
    folder = tmp_path / "sup"
    first = inspector("--data-dir", folder, "sync", "--json")  # learns the agency's keys
    assert first.code == 0, first.err

    done = inspector("--data-dir", folder, "import-batches", usb, "--json")
    assert done.code == 0, done.err
    summary = json.loads(done.out)
    assert summary["refused"] == [] and summary["new"] >= 5
    assert service.stats(sqlite_server.db)["check"] == 0  # not on the server yet

    synced = inspector("--data-dir", folder, "sync", "--json")
    assert synced.code == 0, synced.err
    assert json.loads(synced.out)["files_sent"] == 1
    assert service.stats(sqlite_server.db)["check"] == 5
    assert list((folder / "outgoing" / "sent").glob("*.json"))
    assert not list((folder / "outgoing").glob("*.json"))

    again = inspector("--data-dir", folder, "sync", "--json")
    assert json.loads(again.out)["files_sent"] == 0
    sup = Store(folder)
    with sup.read() as session:
        held = session.scalar(select(func.count()).select_from(AgencyRecord).where(
            AgencyRecord.kind == "check", AgencyRecord.record_id.in_(ids)))
        key = session.scalar(select(KnownKey).where(KnownKey.device_id == dev.device_id))
    sup.close()
    assert held == 5 and key is not None
