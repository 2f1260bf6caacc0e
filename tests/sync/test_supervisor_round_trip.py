"""The supervisor's side end to end: a real server (uvicorn, SQLite and PostgreSQL), two
real inspector devices and one real supervisor device enrolled with the supervisor role,
all talking through `inspector sync` and the supervisor's commands (`inspector review`,
`inspector records show`, `inspector import-batches`, `inspector oversight`,
`inspector bulletin make --publish`)."""

from __future__ import annotations

import json
import os
import re
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

PASSWORD = "demo1234"
AGENCY = "示例市市场监督管理局"  # ClientDevice's agency  # ClientDevice's first user, zhang


def server_cli(srv: ServerThread, *args) -> str:
    """The real `inspector-server` command on the running server's database."""
    done = subprocess.run([str(Path(sys.executable).parent / "inspector-server"),
                           "--data-dir", str(srv.data_dir), "--database-url",
                           srv.db.url, *args], capture_output=True, text=True,
                          encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8"},
                          timeout=120, check=False)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


class Device(ClientDevice):
    """A real client store, enrolled with the real server in `role`, synced by the real
    `inspector sync` command."""

    def __init__(self, path: Path, srv: ServerThread, name: str, role: str = "inspector"):
        super().__init__(path)
        self.folder = path
        added = server_cli(srv, "device", "add", "--inspector", name, "--agency", AGENCY,
                           "--role", role)
        code = re.search(r"\b[0-9A-F]{6}(?:-[0-9A-F]{6}){3}\b", added).group(0)
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


def _pull(srv: ServerThread, dev: Device) -> list[dict]:
    """Everything the server's feed gives `dev` from the start (its own credential)."""
    from inspector_app.core.sync import credentials

    credential = credentials.load(dev.folder, srv.url, dev.device_id)
    r = httpx.get(f"{srv.url}/v1/pull", params={"since": 0, "limit": 1000},
                  headers={"X-Device-Id": dev.device_id,
                           "Authorization": f"Bearer {credential}"})
    assert r.status_code == 200, r.text
    assert not r.json()["more"]
    return r.json()["changes"]


def _verified(dev: Device, rid: str) -> list[tuple[str, str, str]]:
    """(action, text, deciding device) of each decision `dev` holds about `rid`, each
    verified again here against the deciding device's key as `dev` learnt it."""
    from inspector_app.core.models import KnownKey
    from sync import protocol

    def read(session):
        found = []
        for row in session.scalars(select(Decision).where(Decision.record_id == rid)
                                   .order_by(Decision.decided_at)):
            key = session.get(KnownKey, row.key_id)
            envelope = {"decision": json.loads(row.body), "signature": row.signature}
            decision = decisions.verify(protocol.load_public_key(key.public_key), envelope)
            assert decision["id"] == row.id and key.device_id == row.device_id
            found.append((decision["action"], decision["text"], decision["device_id"]))
        return found
    return dev.read(read)


def test_round_trip_return_correct_approve(world):
    srv, d = world
    a, b, sup = d["a"], d["b"], d["sup"]
    assert sup.enrolled["role"] == "supervisor" and a.enrolled["role"] == "inspector"
    assert sup.read(state.is_supervisor) and not a.read(state.is_supervisor)

    [rid] = a.with_store(lambda: a.add_checks(1))
    assert a.sync()["ok"]
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
    assert _verified(a, rid) == [("return", "请补充批号", sup.enrolled["device_id"])]

    # A corrects the record (version 2) and syncs: pending again at version 2.
    a.with_store(lambda: a.edit_check(rid, batch_no="B20261130"))
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

    assert _verified(a, rid) == [("return", "请补充批号", sup.enrolled["device_id"]),
                                 ("approve", "", sup.enrolled["device_id"])]

    # B never received A's record, batches or decisions: not in its store, not in its pull.
    b.sync()
    assert b.read(lambda s: s.scalar(select(func.count()).select_from(AgencyRecord))) == 0
    assert b.read(lambda s: s.scalar(select(func.count()).select_from(Decision))) == 0
    pulled = _pull(srv, b)
    assert {c["type"] for c in pulled} <= {"device_key", "reference"}, pulled
    assert rid not in json.dumps(pulled)
    assert not [c for c in _pull(srv, a) if c["type"] == "batch"]
    sup_pull = _pull(srv, sup)
    assert [c["data"]["device_id"] for c in sup_pull if c["type"] == "batch"].count(
        a.device_id) == 2  # the record, then its correction


def _counts(dev: Device) -> dict[str, int]:
    from inspector_app.core.models import AgencyConflict

    return dev.read(lambda s: {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                               for t in (AgencyBatch, AgencyVersion, AgencyRecord,
                                         AgencyConflict, Decision)})


def test_a_second_sync_imports_nothing_and_a_revoked_devices_file_is_refused(world, tmp_path):
    srv, d = world
    a, sup = d["a"], d["sup"]
    ids = a.with_store(lambda: a.add_checks(3))
    assert a.sync()["ok"]
    first = sup.sync()
    held = _counts(sup)
    # A's three checks (and its sign-in profile, a record too), each once.
    assert first["imported"]["new"] == held["agency_records"] == 4, first
    assert first["imported"]["refused"] == []
    assert sup.read(lambda s: sorted(r.record_id for r in s.scalars(
        select(AgencyRecord).where(AgencyRecord.kind == "check")))) == sorted(ids)
    again = sup.sync()
    assert again["ok"]
    assert not again["imported"] or (again["imported"]["new"], again["imported"]["updated"],
                                     again["imported"]["conflicts"]) == (0, 0, 0), again
    assert _counts(sup) == held

    # A device whose key the bureau revoked: its USB file is refused, nothing imported.
    c = Device(tmp_path / "c", srv, "赵六")
    c.with_store(lambda: c.add_checks(2, prefix="吊销前"))
    usb = tmp_path / "c-usb.json"
    c.with_store(lambda: batches.export_file(c.store, usb))
    assert sup.sync()["ok"]  # learns C's key
    server_cli(srv, "device", "revoke", c.device_id)
    assert sup.sync()["ok"]  # learns the revocation
    done = inspector("--data-dir", sup.folder, "import-batches", usb, "--json")
    assert done.code == 2 and "Traceback" not in done.err, (done.out, done.err)
    summary = json.loads(done.out)
    assert summary["new"] == 0 and summary["refused"], summary
    assert all(f"设备{c.device_id}（赵六）已于" in r["reason"] and "注销" in r["reason"]
               for r in summary["refused"]), \
        summary
    assert _counts(sup) == held
    assert not list((sup.folder / "outgoing").glob("*.json"))  # not passed on either
    # And the same file twice from a valid device: the second import adds nothing.
    usb_a = tmp_path / "a-usb.json"
    a.with_store(lambda: a.add_checks(1, prefix="U盘"))
    a.with_store(lambda: batches.export_file(a.store, usb_a))
    one = json.loads(sup.run("import-batches", usb_a, "--json"))
    two = json.loads(sup.run("import-batches", usb_a, "--json"))
    assert one["new"] == 1 and (two["new"], two["updated"], two["conflicts"]) == (0, 0, 0)
    assert two["duplicates"] >= 1 and two["refused"] == []


def test_conflict_resolved_and_handover_end_to_end(world):
    from inspector_app.core import device_key
    from inspector_app.core.agency import review
    from inspector_app.core.models import AgencyConflict
    from inspector_app.core.sync import credentials
    from sync import protocol

    srv, d = world
    a, b, sup = d["a"], d["b"], d["sup"]
    [rid] = a.with_store(lambda: a.add_checks(1))
    assert a.sync()["ok"] and b.sync()["ok"] and sup.sync()["ok"]

    # The supervisor hands A's record to B (a signed handover decision) and syncs.
    def hand():
        return review.decide(sup.store, "check", rid, "handover", "张三调岗",
                             user="王科长", to_device_id=b.device_id)
    sup.with_store(hand)
    assert sup.sync()["ok"]
    with srv.db.read() as session:
        assert session.get(CurrentRecord, ("check", rid)).owner_device_id == b.device_id

    # A edits before it learns of the handover: kept on the server as a conflict.
    a.with_store(lambda: a.edit_check(rid, remarks="交接前张三的修改"))
    report = a.sync()
    assert [c["reason"] for c in report["conflicts"]] == ["handed_over"], report
    a_v2 = next(v for v in a.with_store(a.versions) if v[1] == rid and v[2] == 2)
    # B writes the next version with its own device key: the server takes it.
    key = device_key.load_or_create(b.folder)
    cred = credentials.load(b.folder, srv.url, b.device_id)
    content = cur_content(srv, rid) | {"version": 2, "remarks": "李四接手"}
    body = protocol.encode_batch(protocol.Batch(
        str(uuid.uuid4()), b.device_id, device_key.key_id(key), 2, protocol.utc_now_text(),
        [protocol.make_record("check", rid, 2, content, 1)]))
    r = httpx.post(f"{srv.url}/v1/batches", content=body, headers={
        "X-Device-Id": b.device_id, "Authorization": f"Bearer {cred}",
        "X-Signature": protocol.sign_batch(key, body),
        "Content-Type": "application/octet-stream"})
    assert r.status_code == 200 and r.json()["applied"] == 1, r.text
    # A cannot: having learnt of the handover, it refuses the change itself (the reason
    # named), and the server's version stays B's.
    from inspector_app.core.records import HandedOver

    with pytest.raises(HandedOver, match="移交给李四"):
        a.with_store(lambda: a.edit_check(rid, remarks="张三再改"))
    assert a.sync()["conflicts"] == []
    with srv.db.read() as session:
        cur = session.get(CurrentRecord, ("check", rid))
        assert (cur.version, cur.owner_device_id) == (2, b.device_id)
        b_sha = cur.content_sha256

    # The supervisor imports the conflict and resolves it choosing A's version 2.
    assert sup.sync()["ok"]
    open_ = sup.read(lambda s: [(c.version, c.resolved_by) for c in s.scalars(
        select(AgencyConflict).where(AgencyConflict.record_id == rid))])
    assert open_ and all(resolved is None for _v, resolved in open_), open_

    def resolve():
        return review.decide(sup.store, "check", rid, "resolve", "采用张三交接前的修改",
                             user="王科长", chosen_version=2, chosen_sha256=a_v2[3])
    made = sup.with_store(resolve)
    assert sup.sync()["ok"]
    with srv.db.read() as session:
        cur = session.get(CurrentRecord, ("check", rid))
        assert cur.content_sha256 != b_sha
        server_now = (cur.version, cur.content_sha256)
    assert cur_content(srv, rid)["remarks"] == "交接前张三的修改"
    assert sup.read(lambda s: [c.resolved_by for c in s.scalars(
        select(AgencyConflict).where(AgencyConflict.record_id == rid))]) == [made["id"]] * len(open_)
    # Both devices received the same signed resolution.
    assert b.sync()["ok"]
    a.sync()
    for dev in (a, b):
        got = [x for x in _verified(dev, rid) if x[0] == "resolve"]
        assert got == [("resolve", "采用张三交接前的修改", sup.enrolled["device_id"])], dev
    ids = {dev: dev.read(lambda s: [r.id for r in s.scalars(
        select(Decision).where(Decision.record_id == rid, Decision.action == "resolve"))])
        for dev in (a, b)}
    assert ids[a] == ids[b] == [made["id"]]
    # The supervisor's store agrees with the server on the current content.
    assert sup.read(lambda s: s.get(AgencyRecord, ("check", rid)).content_sha256) \
        == server_now[1]


def cur_content(srv: ServerThread, rid: str) -> dict:
    """The content of the server's current version of check `rid`."""
    from sync.server.models import RecordVersion

    with srv.db.read() as session:
        cur = session.get(CurrentRecord, ("check", rid))
        row = session.scalar(select(RecordVersion).where(
            RecordVersion.kind == "check", RecordVersion.record_id == rid,
            RecordVersion.version == cur.version))
        assert row.content_sha256 == cur.content_sha256
        return json.loads(row.content)


def _final_checks(dev: Device, items: list[tuple[str, str]]) -> list[str]:
    """Final checks of (product, outcome), made today by two officers, as the check rules
    ask (a non-conforming one has a failed item and an order to correct)."""
    from datetime import UTC, datetime

    from inspector_app.core import auth, records
    from inspector_app.core.models import CheckItem, CheckOfficer, Inspector, LabelCheck

    def make():
        ids = []
        now = datetime.now(UTC)
        with dev.store.write() as session:
            me = session.get(Inspector, dev.actor.inspector_id)
            second = session.query(Inspector).filter_by(username="wang").one_or_none() or \
                auth.add_inspector(session, dev.actor, auth.NewInspector(
                    "王五", "wang", "demo1234", "32010009", "inspector"))
            for product, outcome in items:
                failed = outcome == "nonconforming"
                obj = LabelCheck(checked_at=now, product_name=product, brand="美的",
                                 category="家用电器", status="final", outcome=outcome,
                                 manufacturer="示例电器有限公司",
                                 measure="correct" if failed else "")
                obj.officers = [CheckOfficer(position=n, inspector_id=o.id, name=o.name,
                                             cert_no=o.cert_no)
                                for n, o in enumerate((me, second), start=1)]
                obj.items = [CheckItem(position=1, item_key="cert", label="产品质量检验合格证明",
                                       result="fail" if failed else "pass")]
                records.create(session, obj, dev.actor, now=now)
                ids.append(obj.id)
        return ids
    return dev.with_store(make)


def test_oversight_totals_reconcile_with_the_servers_stats(world):
    srv, d = world
    a, b, sup = d["a"], d["b"], d["sup"]
    _final_checks(a, [("电热水壶", "conforming"), ("电饭煲", "nonconforming")])
    a.with_store(lambda: a.add_checks(1, prefix="草稿"))
    _final_checks(b, [("电吹风", "nonconforming")])
    for dev in (a, b, sup):
        assert dev.sync()["ok"]
    fig = json.loads(sup.run("oversight", "--json"))
    stats = json.loads(server_cli(srv, "stats", "--json"))
    assert stats["records"]["check"] == 4
    held = sup.read(lambda s: dict(s.execute(
        select(AgencyRecord.kind, func.count()).group_by(AgencyRecord.kind)).all()))
    assert {k: held.get(k, 0) for k in stats["records"]} == stats["records"]
    results = stats["results"].get("check", {})
    assert fig["checks"]["nonconforming"] == results.get("nonconforming", 0) == 2
    assert fig["checks"]["checked"] == (results.get("conforming", 0)
                                        + results.get("nonconforming", 0)) == 3, (fig, stats)
    assert fig["seizures"]["running"] == stats["states"].get("seizure", {}).get("running", 0)


def test_bulletin_published_from_the_supervisors_desktop(world, tmp_path):
    srv, d = world
    a, sup = d["a"], d["sup"]
    ids = _final_checks(a, [("电热水壶", "conforming"), ("电饭煲", "nonconforming")])
    assert a.sync()["ok"] and sup.sync()["ok"]
    day = sup.read(lambda s: s.get(AgencyRecord, ("check", ids[0])).day)
    pdf = tmp_path / "bulletin.pdf"
    said = sup.run("bulletin", "make", "--from", day, "--to", day, "--pdf", pdf, "--publish")
    bid = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    said.splitlines()[-1]).group(0)
    assert pdf.read_bytes().startswith(b"%PDF")
    listing = httpx.get(f"{srv.url}/bulletins")
    assert listing.status_code == 200 and f"/bulletins/{bid}" in listing.text
    page = httpx.get(f"{srv.url}/bulletins/{bid}")
    assert page.status_code == 200
    assert "电热水壶" in page.text and "电饭煲" in page.text and "不合格" in page.text
    assert "张三" not in page.text  # no person's name is published
    signed = httpx.get(f"{srv.url}/bulletins/{bid}.json").json()
    assert signed["bulletin"]["totals"] == {"checked": 2, "conforming": 1, "nonconforming": 1}
    assert signed["bulletin"]["device_id"] == sup.device_id


def test_conflict_resolved_by_a_merge_from_the_command_line(world, tmp_path):
    """`inspector review decide --resolve-merge` on the supervisor's device: the server
    and a second supervisor's device (which takes the content from the decision) hold
    the same merged version."""
    srv, d = world
    a, b, sup = d["a"], d["b"], d["sup"]
    [rid] = a.with_store(lambda: a.add_checks(1))
    assert a.sync()["ok"] and sup.sync()["ok"]
    from inspector_app.core.agency import review

    sup.with_store(lambda: review.decide(sup.store, "check", rid, "handover", "张三调岗",
                                         user="王科长", to_device_id=b.device_id))
    assert sup.sync()["ok"]
    a.with_store(lambda: a.edit_check(rid, remarks="交接前张三的修改", quantity="5"))
    assert [c["reason"] for c in a.sync()["conflicts"]] == ["handed_over"]
    assert sup.sync()["ok"]
    first = cur_content(srv, rid)

    said = sup.run("review", "decide", "check", rid, "--text", "备注以张三为准，数量不变",
                   "--resolve-merge", "remarks=right")
    assert "新内容为第 2 版" in said
    assert sup.sync()["ok"]
    with srv.db.read() as session:
        cur = session.get(CurrentRecord, ("check", rid))
        server_now = (cur.version, cur.content_sha256)
    merged = cur_content(srv, rid)
    assert server_now[0] == 2
    assert merged == first | {"remarks": "交接前张三的修改", "version": 2}
    shown = _show(sup, rid)
    assert (shown["version"], shown["sha256"], shown["conflicts"]) == (2, server_now[1], 0)

    # Another supervisor's device imports the batches, then the decision with its content.
    sup2 = Device(tmp_path / "sup2", srv, "李科长", role="supervisor")
    assert sup2.sync()["ok"]
    shown = _show(sup2, rid)
    assert (shown["version"], shown["sha256"], shown["conflicts"]) == (2, server_now[1], 0)
    assert shown["content"] == merged
    [decision] = [h for h in shown["history"] if h["type"] == "decision"
                  and h["action"] == "resolve"]
    assert decision["content"] == merged and decision["text"] == "备注以张三为准，数量不变"
    # The inspectors' devices received the same signed resolution.
    assert b.sync()["ok"]
    a.sync()
    for dev in (a, b):
        assert [x for x in _verified(dev, rid) if x[0] == "resolve"] == [
            ("resolve", "备注以张三为准，数量不变", sup.enrolled["device_id"])]
