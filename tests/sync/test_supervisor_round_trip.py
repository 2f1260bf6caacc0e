"""The supervisor's side end to end: a real server (uvicorn, SQLite and PostgreSQL), two
real inspector devices and one real supervisor device enrolled with the supervisor role,
all talking through `inspector sync` and the supervisor's commands (`inspector review`,
`inspector records show`, `inspector import-batches`, `inspector oversight`,
`inspector bulletin make --publish`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from cli_runner import inspector
from sqlalchemy import func, select
from synchelpers import ClientDevice, ServerThread

from inspector_app.core.models import AgencyBatch, AgencyRecord, AgencyVersion, Decision
from inspector_app.core.store import Store
from inspector_app.core.sync import agent, batches, state
from sync import decisions
from sync.server import service
from sync.server.models import CurrentRecord

PASSWORD = "demo1234"  # ClientDevice's first user, zhang


class Device(ClientDevice):
    """A real client store, enrolled with the real server in `role`, synced by the real
    `inspector sync` command."""

    def __init__(self, path: Path, srv: ServerThread, name: str, role: str = "inspector"):
        super().__init__(path)
        self.folder = path
        code = service.new_enrolment(srv.db, name, "", role)  # `device add --role`
        self.enrolled = agent.enroll(self.store, srv.url, code)
        self.store.close()  # the CLI opens the store; reopened after each command

    def run(self, *args) -> str:
        result = inspector("--data-dir", self.folder, *args)
        assert result.code == 0, (args, result.out, result.err)
        assert "Traceback" not in result.err
        return result.out

    def sync(self) -> dict:
        return json.loads(self.run("sync", "--json"))

    def open(self) -> Store:
        self.store = Store(self.folder)
        return self.store

    def read(self, fn):
        store = Store(self.folder)
        try:
            with store.read() as session:
                return fn(session)
        finally:
            store.close()

    def with_store(self, fn):
        self.store = Store(self.folder)
        try:
            return fn()
        finally:
            self.store.close()


@pytest.fixture
def world(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    monkeypatch.setenv("INSPECTOR_USER", "zhang")
    monkeypatch.setenv("INSPECTOR_PASSWORD", PASSWORD)
    monkeypatch.delenv("INSPECTOR_DATA_DIR", raising=False)
    srv = ServerThread(tmp_path / "server", database_url).start()
    devs = {"a": Device(tmp_path / "a", srv, "张三"),
            "b": Device(tmp_path / "b", srv, "李四"),
            "sup": Device(tmp_path / "sup", srv, "王科长", role="supervisor")}
    yield srv, devs
    srv.stop()


def _pending(sup: Device) -> list[tuple[str, int, str]]:
    from inspector_app.core.agency import review

    return sup.read(lambda s: [(r.record_id, r.version, r.review_state)
                               for r in review.queue(s)])


def _show(dev: Device, rid: str) -> dict:
    return json.loads(dev.run("records", "show", "check", rid, "--json"))


def test_round_trip_return_correct_approve(world):
    srv, d = world
    a, b, sup = d["a"], d["b"], d["sup"]
    assert sup.enrolled["role"] == "supervisor" and a.enrolled["role"] == "inspector"
    assert sup.read(state.is_supervisor) and not a.read(state.is_supervisor)

    [rid] = a.with_store(lambda: a.add_checks(1))
    assert a.sync()["sent_records"] >= 1 if "sent_records" in a.sync() else True
    assert service.stats(srv.db)["check"] == 1

    sup.sync()
    assert _pending(sup) == [(rid, 1, "pending")]
    said = sup.run("review", "decide", "check", rid, "--return", "请补充批号")
    assert "已退回" in said
    assert _pending(sup) == []
    sup.sync()
    with srv.db.read() as session:
        assert session.get(CurrentRecord, ("check", rid)).review_state == "returned"
    assert sup.read(lambda s: s.scalar(select(func.count()).select_from(Decision)
                                       .where(Decision.sent_at.is_(None)))) == 0

    a.sync()
    shown = _show(a, rid)
    review = shown["review"]
    assert review["state"] == "returned", shown
    assert [c["text"] for c in review["comments"]] == ["请补充批号"]
    rows = a.read(lambda s: [(r.action, r.text, r.envelope if hasattr(r, "envelope") else None)
                             for r in s.scalars(select(Decision).where(
                                 Decision.record_id == rid))])
    assert [r[:2] for r in rows] == [("return", "请补充批号")]

    # A corrects the record (version 2) and syncs: pending again at version 2.
    a.with_store(lambda: a.edit_check(rid, batch_number="B20261130"))
    a.sync()
    sup.sync()
    assert _pending(sup) == [(rid, 2, "pending")]
    said = sup.run("review", "decide", "check", rid, "--approve")
    sup.sync()
    a.sync()
    assert _show(a, rid)["review"]["state"] == "approved"
    with srv.db.read() as session:
        cur = session.get(CurrentRecord, ("check", rid))
        assert (cur.version, cur.review_state) == (2, "approved")

    # B never received A's record, batches or decisions.
    b.sync()
    assert b.read(lambda s: s.scalar(select(func.count()).select_from(AgencyRecord))) == 0
    assert b.read(lambda s: s.scalar(select(func.count()).select_from(Decision))) == 0
