"""Records the server sends down, end to end: a real server (uvicorn), two real inspector
stores and a real supervisor store, synced by the real agent.

A running seizure (with its party and photo) handed from A to B by a supervisor's signed
decision appears in B's store as the server holds it; B extends it and the server takes
B's version; A can no longer change it (`inspector seizure release` says why) and shows it
handed over. After a resolve, both devices hold the server's version and hash. A pulled
record breaking the seizure rules is kept aside; pulling again changes nothing."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from cli_runner import inspector
from sqlalchemy import func, select
from synchelpers import ServerThread, fast_options, record

from inspector_app.core import audit, auth, records, settings
from inspector_app.core.models import (
    Attachment,
    AuditEntry,
    History,
    LabelCheck,
    Outbox,
    Party,
    Seizure,
)
from inspector_app.core.seizure import numbering
from inspector_app.core.seizure import service as seizures
from inspector_app.core.store import Store, utcnow
from inspector_app.core.sync import agent, state
from sync.server import service
from sync.server.models import CurrentRecord, RecordVersion

AGENCY = "示例市市场监督管理局"


def make_agency(*args):
    """The seizure tests' agency (tests/core/seizure/seizure_helpers.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "seizure"))
    import seizure_helpers

    return seizure_helpers.make_agency(*args)
PHOTO = b"\xff\xd8\xff\xe0 photo of the stall " + bytes(range(256)) * 8


class Dev:
    """A store enrolled with the server (`role`), synced by the real agent."""

    def __init__(self, path: Path, srv: ServerThread, name: str, role: str = "inspector",
                 user: str | None = None, segment: str | None = None):
        self.folder, self.store = path, Store(path)
        if user is None:  # the seizure agency of the seizure tests: zhang and li, a party
            self.agency = make_agency(self.store, AGENCY, "示例", segment or "07")
            self.actor = self.agency.actor
        else:
            with self.store.write() as s:
                first = auth.first_setup(s, AGENCY, "示例", auth.NewInspector(
                    name, user, "demo1234", "32019999", "supervisor"))
                self.actor = records.Actor(settings.device_id(s), first.id)
                if segment:
                    numbering.set_segment(s, segment)
                    seizures.RECONSIDERATION_ORGAN.set(s, "示例市人民政府")
                    seizures.COURT.set(s, "示例市鼓楼区")
                    seizures.CONTACT_PHONE.set(s, "0591-87654321")
        self.device_id = self.actor.device_id
        code = service.new_enrolment(srv.db, name, AGENCY, role)
        agent.enroll(self.store, srv.url, code)

    def sync(self) -> agent.SyncReport:
        report = agent.SyncAgent(self.store, fast_options()).run()
        assert not report.error, report.error
        return report

    def read(self, fn):
        with self.store.read() as s:
            return fn(s)

    def held(self, kind_cls, rid: str) -> tuple[int, str] | None:
        """(version, content hash) of the record as this store holds it."""
        def get(s):
            obj = s.get(kind_cls, rid)
            if obj is None:
                return None
            row = s.scalar(select(History).where(History.kind == obj.__kind__,
                                                 History.record_id == rid,
                                                 History.version == obj.version))
            return obj.version, audit.canonical.sha256_text(row.content)
        return self.read(get)

    def counts(self) -> tuple[int, int, int, int]:
        """History rows, audit entries, outbox entries, records kept aside."""
        return self.read(lambda s: (
            s.scalar(select(func.count()).select_from(History)),
            s.scalar(select(func.count()).select_from(AuditEntry)),
            s.scalar(select(func.count()).select_from(Outbox)),
            len(state.REFUSED_PULLS.get(s))))


def server_current(srv: ServerThread, kind: str, rid: str) -> tuple[int, str, str, str]:
    """(version, hash, owner, writer) of the server's current version."""
    with srv.db.read() as s:
        cur = s.get(CurrentRecord, (kind, rid))
        writer = s.scalar(select(RecordVersion.device_id).where(
            RecordVersion.kind == kind, RecordVersion.record_id == rid,
            RecordVersion.version == cur.version))
        return cur.version, cur.content_sha256, cur.owner_device_id, writer


@pytest.fixture
def world(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    monkeypatch.delenv("INSPECTOR_DATA_DIR", raising=False)
    srv = ServerThread(tmp_path / "server", database_url).start()
    devs = {"a": Dev(tmp_path / "a", srv, "张三"),
            "b": Dev(tmp_path / "b", srv, "王五", user="wang", segment="08"),
            "sup": Dev(tmp_path / "sup", srv, "王科长", role="supervisor", user="boss")}
    yield srv, devs
    for dev in devs.values():
        dev.store.close()
    srv.stop()


def _decide(sup: Dev, kind: str, rid: str, action: str, text: str, **extra) -> dict:
    from inspector_app.core.agency import review

    return review.decide(sup.store, kind, rid, action, text, user="王科长", **extra)


def test_a_handed_over_seizure_goes_on_on_the_new_device(world, monkeypatch, qtbot):
    srv, d = world
    a, b, sup = d["a"], d["b"], d["sup"]
    # A issues a seizure (running) with a photo, and syncs.
    sid = a.agency.issued(now=utcnow() - timedelta(days=1))
    with a.store.write() as s:
        seizures.add_photo(a.store, s, a.actor, sid, PHOTO, "stall.jpg")
    a.sync()
    for dev in (b, sup):
        dev.sync()
    version, sha, owner, _w = server_current(srv, "seizure", sid)
    assert owner == a.device_id
    assert b.held(Seizure, sid) is None

    # The supervisor hands it to B (a signed decision), and syncs.
    _decide(sup, "seizure", sid, "handover", "张三调岗", to_device_id=b.device_id)
    sup.sync()
    assert server_current(srv, "seizure", sid)[2] == b.device_id

    # B syncs: the seizure, its party and its files are in B's store as the server holds
    # them, and nothing of it is queued to be sent back.
    report = b.sync()
    assert report.records_pulled >= 2  # the party (and the inspectors), then the seizure
    assert b.held(Seizure, sid) == (version, sha)
    party_id = a.agency.party_id
    assert b.read(lambda s: s.get(Party, party_id).name) == "𠮷祥日杂商行"
    shas = b.read(lambda s: [x.sha256 for x in s.scalars(
        select(Attachment).where(Attachment.record_id == sid))])
    assert audit.canonical.sha256_text(PHOTO.decode("latin-1")) != "" and shas
    for x in shas:
        assert b.store.attachment_path(x).exists()
    assert any(b.store.attachment_path(x).read_bytes() == PHOTO for x in shas)
    assert b.read(lambda s: s.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.record_id.in_([sid, party_id])))) == 0
    assert b.read(lambda s: s.scalar(select(AuditEntry.action).where(
        AuditEntry.record_id == sid))) == audit.PULLED
    assert b.counts()[3] == 0
    # The party stays A's on the server: B does not change it (the server would refuse).
    with b.store.write() as s, pytest.raises(records.HandedOver, match="只能在该设备上修改"):
        obj = s.get(Party, party_id)
        obj.phone = "13900000000"
        records.update(s, obj, b.actor, obj.version)

    # Pulling everything again (from the start of the feed) changes nothing.
    before = b.counts()
    with b.store.write() as s:
        state.PULL_CURSOR.set(s, 0)
    b.sync()
    assert b.counts() == before

    # B extends the running seizure and syncs: the server holds B's version.
    with b.store.write() as s:
        seizures.extend(b.store, s, b.actor, sid, 15, "需送检", approver="王局长")
    b.sync()
    v_b, sha_b, owner, writer = server_current(srv, "seizure", sid)
    assert (v_b, owner, writer) == (version + 1, b.device_id, b.device_id)
    assert b.held(Seizure, sid) == (v_b, sha_b)

    # A syncs, learns of the handover, and cannot change the seizure any more.
    a.sync()
    a.store.close()
    monkeypatch.setenv("INSPECTOR_USER", "zhang")
    monkeypatch.setenv("INSPECTOR_PASSWORD", "demo1234")
    said = inspector("--data-dir", a.folder, "seizure", "release", sid, "--ground", "1",
                     "--reason", "已查清")
    assert said.code != 0 and "Traceback" not in said.err
    assert "移交给王五（设备" in said.err and "不能再在本机修改" in said.err, said.err
    shown = inspector("--data-dir", a.folder, "records", "show", "seizure", sid, "--json")
    assert shown.code == 0, shown.err
    handed = json.loads(shown.out)["handed_over"]
    assert handed["to_device_id"] == b.device_id and "移交给王五" in handed["text"]
    a.store = Store(a.folder)
    assert a.read(lambda s: s.get(Seizure, sid).state) == "issued"  # nothing was written
    with a.store.write() as s, pytest.raises(records.HandedOver):
        seizures.close(a.store, s, a.actor, sid, "released", "已查清", ground="1")
    # A's record view says so.
    from inspector_app.ui.record_list import RecordDialog

    dialog = RecordDialog(a.store, "seizure", sid)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "移交给王五" in text and "不能再在本机修改" in text, text
    # B's does not: it holds the seizure now.
    dialog = RecordDialog(b.store, "seizure", sid)
    qtbot.addWidget(dialog)
    assert "移交" not in dialog.browser.toPlainText()


def test_resolve_leaves_both_devices_on_the_servers_version(world):
    srv, d = world
    a, b, sup = d["a"], d["b"], d["sup"]
    with a.store.write() as s:
        check = LabelCheck(checked_at=utcnow(), product_name="电热水壶", brand="美的",
                           category="家用电器")
        records.create(s, check, a.actor)
        rid = check.id
    a.sync()
    sup.sync()
    _decide(sup, "check", rid, "handover", "张三调岗", to_device_id=b.device_id)
    sup.sync()

    # A edits before it learns of the handover (a conflict on the server); B edits the
    # version it was handed.
    def edit(dev: Dev, remarks: str) -> None:
        with dev.store.write() as s:
            obj = s.get(LabelCheck, rid)
            obj.remarks = remarks
            records.update(s, obj, dev.actor, obj.version)
    edit(a, "交接前张三的修改")
    assert [c["reason"] for c in a.sync().conflicts] == ["handed_over"]
    b.sync()
    assert b.held(LabelCheck, rid)[0] == 1
    edit(b, "王五接手")
    b.sync()
    a_v2 = a.held(LabelCheck, rid)
    assert server_current(srv, "check", rid)[:3] == (2, b.held(LabelCheck, rid)[1],
                                                     b.device_id)

    # The supervisor resolves, choosing A's content: the server's version 3.
    sup.sync()
    _decide(sup, "check", rid, "resolve", "采用张三交接前的修改", chosen_version=2,
            chosen_sha256=a_v2[1])
    sup.sync()
    v, sha, _owner, _writer = server_current(srv, "check", rid)
    assert v == 3
    for dev in (a, b):
        dev.sync()
        assert dev.held(LabelCheck, rid) == (3, sha), dev.folder
        assert dev.read(lambda s: s.get(LabelCheck, rid).remarks) == "交接前张三的修改"
        # The old versions stay in the history; nothing goes back to the server.
        assert dev.read(lambda s: s.scalar(select(func.count()).select_from(History).where(
            History.record_id == rid))) == 3
        assert dev.read(lambda s: s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.record_id == rid, Outbox.version == 3))) == 0
        before = dev.counts()
        dev.sync()
        assert dev.counts() == before


def test_a_pulled_seizure_breaking_the_rules_is_kept_aside(tmp_path, sqlite_url, monkeypatch):
    from test_server_rules import _bad_seizure

    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    srv = ServerThread(tmp_path / "server", sqlite_url).start()
    try:
        b = Dev(tmp_path / "b", srv, "王五", user="wang", segment="08")
        bad = _bad_seizure(str(uuid.uuid4()))
        with srv.db.write() as s:
            service.add_feed(s, b.device_id, "record", {
                "kind": "seizure", "id": bad.id, "version": 1, "sha256": bad.sha256,
                "content": bad.content, "device_id": str(uuid.uuid4())})
        report = b.sync()
        assert report.records_pulled == 0
        assert b.held(Seizure, bad.id) is None
        [kept] = b.read(state.REFUSED_PULLS.get)
        assert kept["id"] == bad.id and kept.get("why") is None  # the rules refused it
        assert any("45日" in p for p in kept["problems"]), kept
        before = b.counts()
        with b.store.write() as s:
            state.PULL_CURSOR.set(s, 0)
        b.sync()
        assert b.counts() == before

        # A record whose photo the server will not give this device: kept aside whole.
        photo = {"id": str(uuid.uuid4()), "sha256": "ab" * 32, "role": "photo",
                 "filename": "p.jpg", "mime": "image/jpeg", "size": 10}
        check = record("check", attachments=[photo])
        with srv.db.write() as s:
            service.add_feed(s, b.device_id, "record", {
                "kind": "check", "id": check.id, "version": 1, "sha256": check.sha256,
                "content": check.content, "device_id": str(uuid.uuid4())})
        assert b.sync().records_pulled == 0
        assert b.held(LabelCheck, check.id) is None
        kept = {e["id"]: e for e in b.read(state.REFUSED_PULLS.get)}[check.id]
        assert kept["why"] == "kept" and "无法从服务器下载文件" in kept["problems"][0]
        from inspector_app.ui.sync_page import refused_text

        shown = refused_text(b.read(state.REFUSED_PULLS.get))
        assert "同步下载的以下记录已暂存" in shown and check.id in shown
        b.store.close()
    finally:
        srv.stop()


def test_the_new_owner_is_fed_what_the_record_names_first(app_client):
    """The server feeds the record's party (before it, naming it), not the check it was
    made from (a record of its own owner), and nothing to the device it left."""
    from synchelpers import enrol_fake

    a = enrol_fake(app_client.db, None, "张三", agency=AGENCY)
    b = enrol_fake(app_client.db, None, "王五", agency=AGENCY)
    party, check = record("party"), record("check")
    seizure = record("seizure", party_id=party.id, source_check_id=check.id)
    body = a.batch([party, check, seizure])
    assert app_client.post("/v1/batches", content=body, headers=a.headers(body)).json()[
        "applied"] == 3
    moved = app_client.post("/v1/handovers", json={
        "kind": "seizure", "record_id": seizure.id, "to_device_id": b.device_id,
        "reason": "调岗"}, headers=a.headers())
    assert moved.status_code == 200, moved.text

    def fed(dev):
        return [c["data"] for c in app_client.get("/v1/pull", headers=dev.headers())
                .json()["changes"] if c["type"] == "record"]
    got = fed(b)
    assert [(f["kind"], f["id"], f.get("needed_by")) for f in got] == [
        ("party", party.id, {"kind": "seizure", "id": seizure.id}),
        ("seizure", seizure.id, None)]
    assert [(f["version"], f["sha256"], f["owner_device_id"]) for f in got] == [
        (1, party.sha256, a.device_id), (1, seizure.sha256, b.device_id)]
    assert fed(a) == []
