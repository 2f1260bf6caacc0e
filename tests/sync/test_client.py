"""The client sync agent and its commands against a real server on loopback."""

from __future__ import annotations

import json
import os
import stat
import typing
import uuid

import pytest
from cli_runner import inspector, on_terminal
from faultproxy import FaultProxy
from sqlalchemy import select
from synchelpers import ClientDevice, fast_options, legacy_review, server_versions

from inspector_app.core.models import KnownKey, SyncBatch, SyncReference, SyncReview
from inspector_app.core.sync import agent, batches, credentials
from inspector_app.core.sync.transport import Backoff
from sync import protocol
from sync.server import cli as server_cli
from sync.server import service


def _sync(dev: ClientDevice, **kw) -> agent.SyncReport:
    return agent.SyncAgent(dev.store, fast_options(**kw)).run()


def test_enrol_sync_round_trip_and_exit_code(client_device, server):
    dev = client_device
    ids = dev.add_checks(30)
    dev.edit_check(ids[0], product_name="电饭煲")
    assert dev.pending() == 30 + 1 + 1  # records, one edit, and the first inspector
    done = dev.enroll(server)
    assert done["credential_store"] == "file"
    code, out, err = inspector("--data-dir", dev.path, "sync")
    assert code == 0, err
    assert "0" in out
    assert dev.pending() == 0
    assert set(server_versions(server.db, dev.device_id)) == dev.versions()
    assert service.stats(server.db)["check"] == 30
    # Nothing new: a second sync sends nothing and still succeeds.
    report = _sync(dev)
    assert report.ok and report.sent_batches == 0


def test_batches_are_bounded_signed_and_kept_after_ack(client_device, sqlite_server):
    dev = client_device
    dev.add_checks(120)
    dev.enroll(sqlite_server)
    report = _sync(dev, max_records=50)
    assert report.ok and report.acked_batches == 3
    with dev.store.read() as session:
        rows = session.scalars(select(SyncBatch).order_by(SyncBatch.seq)).all()
    assert [r.records for r in rows] == [50, 50, 21] and [r.seq for r in rows] == [1, 2, 3]
    assert all(r.state == "acked" and r.acked_at for r in rows)
    decoded = protocol.decode_batch(rows[0].body)
    assert decoded.device_id == dev.device_id and decoded.seq == 1


def test_sync_without_enrolment_says_so(client_device):
    client_device.add_checks(1)
    code, _, err = inspector("--data-dir", client_device.path, "sync")
    assert code == 1 and "enroll" in err
    assert client_device.pending() == 2


def test_enroll_command_and_bad_code(client_device, sqlite_server):
    code = service.new_enrolment(sqlite_server.db, "张三")
    args = ["--data-dir", client_device.path, "enroll", "--server", sqlite_server.url]
    done = inspector(*args, "--code", "WRONG-CODE")
    assert done.code == 2 and "注册码" in done.err  # "the server refused the enrolment code"
    done = inspector(*args, "--code", code)
    assert done.code == 0 and done.out.startswith("注册成功"), done
    cred = client_device.path / credentials.FILE_NAME
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600


def test_credentials_go_to_the_keyring_when_there_is_one(tmp_path, monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    previous = keyring.get_keyring()  # before Memory exists (the first call picks a backend)

    class Memory(KeyringBackend):
        priority = 10
        store: typing.ClassVar[dict] = {}

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def get_password(self, service, username):
            return self.store.get((service, username))

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    monkeypatch.delenv("INSPECTOR_NO_KEYRING", raising=False)
    keyring.set_keyring(Memory())
    try:
        assert credentials.save(tmp_path, "https://s", "d1", "secret") == "keyring"
        assert not (tmp_path / credentials.FILE_NAME).exists()
        assert credentials.load(tmp_path, "https://s", "d1") == "secret"
    finally:
        keyring.set_keyring(previous)
    # No backend (as on the test machine): a private file.
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    assert credentials.save(tmp_path, "https://s", "d1", "secret2") == "file"
    assert credentials.load(tmp_path, "https://s", "d1") == "secret2"


def test_export_file_import_then_next_contact_acknowledges(client_device, sqlite_server,
                                                           tmp_path):
    dev = client_device
    dev.enroll(sqlite_server)
    dev.add_checks(40)
    out = tmp_path / "usb" / "batches.json"
    out.parent.mkdir()
    assert inspector("--data-dir", dev.path, "batch", "export", "--out", out).code == 0
    assert dev.pending() == 41  # written to the file, not acknowledged yet
    srv = ["--data-dir", str(sqlite_server.data_dir), "--database-url",
           sqlite_server.config.database_url]
    assert server_cli.main(srv + ["import", str(out)]) == 0
    counts = service.details(sqlite_server.db)
    assert server_cli.main(srv + ["import", str(out)]) == 0  # twice: nothing changes
    assert service.details(sqlite_server.db) == counts
    assert counts["records"]["check"] == 40
    report = _sync(dev)
    assert report.ok and report.sent_batches == 0 and report.acked_records == 41
    assert dev.pending() == 0


def test_export_needs_enrolment(client_device, tmp_path):
    client_device.add_checks(1)
    code, _, err = inspector("--data-dir", client_device.path, "batch", "export", "--out",
                             tmp_path / "f.json")
    assert code == 2 and "inspector enroll" in err and not (tmp_path / "f.json").exists()


def test_attachments_are_sent_only_when_the_server_lacks_them(tmp_path, monkeypatch,
                                                              sqlite_server):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    a, b = ClientDevice(tmp_path / "a"), ClientDevice(tmp_path / "b")
    photo = os.urandom(300_000)
    a.attach(a.add_checks(1)[0], photo)
    a.enroll(sqlite_server)
    first = _sync(a)
    assert first.ok and first.uploaded_attachments == 1
    b.attach(b.add_checks(1)[0], photo)  # the same photo on another device
    b.enroll(sqlite_server)
    second = _sync(b)
    assert second.ok and second.uploaded_attachments == 0 and second.uploaded_bytes == 0
    sha = protocol.sha256_hex(photo)
    stored = sqlite_server.data_dir / "attachments" / sha[:2] / sha
    assert stored.read_bytes() == photo
    a.close()
    b.close()


def test_ten_megabyte_upload_cut_at_60_percent_resumes(client_device, sqlite_server):
    dev = client_device
    data = os.urandom(10 * 1024 * 1024)
    dev.attach(dev.add_checks(1)[0], data)
    proxy = FaultProxy(("127.0.0.1", sqlite_server.port), cut_after=6 * 1024 * 1024)
    proxy.start()
    try:
        dev.enroll(sqlite_server)
        with dev.store.write() as session:
            agent.state.SERVER_URL.set(session, proxy.url)
        from inspector_app.core.sync import credentials as cr

        cr.save(dev.path, proxy.url, dev.device_id,
                cr.load(dev.path, sqlite_server.url, dev.device_id))
        report = _sync(dev)
    finally:
        proxy.stop()
    assert report.ok, report.error
    sha = protocol.sha256_hex(data)
    assert (sqlite_server.data_dir / "attachments" / sha[:2] / sha).read_bytes() == data
    # Resumed, not restarted: the request that completed sent only what the server lacked,
    # from the offset the server reported. (How much crossed the proxy in all is not a
    # measure of it: bytes in the socket buffers at the cut are lost, and a retry the
    # server answers 409 while it still holds the cut request may push bytes before the
    # answer arrives; both grow with the machine's load.)
    assert 0 < report.uploaded_bytes < len(data), report.uploaded_bytes
    assert proxy.bytes_up >= 6 * 1024 * 1024  # the cut really happened mid-file


def test_revoked_device_is_a_fatal_error_with_its_reason(client_device, sqlite_server):
    dev = client_device
    dev.enroll(sqlite_server)
    assert _sync(dev).ok
    dev.add_checks(2)
    service.revoke(sqlite_server.db, dev.device_id)
    report = _sync(dev)
    assert not report.ok and report.fatal and "403" in report.error
    assert dev.pending() == 2


def test_a_refused_batch_stops_its_retries_and_is_shown(client_device, sqlite_server,
                                                        monkeypatch):
    dev = client_device
    dev.enroll(sqlite_server)
    calls = []
    real = service.ingest

    def refuse(*args, **kw):
        calls.append(1)
        raise protocol.ProtocolError("record 0: bad kind")

    monkeypatch.setattr(service, "ingest", refuse)
    report = _sync(dev)
    assert report.fatal and "bad kind" in report.error and len(calls) == 1
    info = agent.status(dev.store)
    assert info["batches"][0]["state"] == "failed"
    assert "bad kind" in info["batches"][0]["error"]
    # Not retried by the next run; sent again only when asked.
    assert _sync(dev).sent_batches == 0 and len(calls) == 1
    monkeypatch.setattr(service, "ingest", real)
    batches.retry_failed(dev.store)
    assert _sync(dev).ok


def test_server_down_is_transient_and_the_next_run_resumes(client_device, tmp_path,
                                                           sqlite_url):
    from synchelpers import ServerThread

    dev = client_device
    srv = ServerThread(tmp_path / "server", sqlite_url).start()
    dev.enroll(srv)
    dev.add_checks(5)
    srv.stop()
    report = _sync(dev)
    assert report.error and not report.fatal and dev.pending() == 6
    again = ServerThread(tmp_path / "server", sqlite_url)
    again.server.config.port = srv.port
    again.start()
    try:
        assert _sync(dev).ok and dev.pending() == 0
    finally:
        again.stop()


def test_pull_fills_known_keys_reference_data_and_reviews(tmp_path, monkeypatch,
                                                           sqlite_server):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    a, b = ClientDevice(tmp_path / "a"), ClientDevice(tmp_path / "b")
    a.enroll(sqlite_server)
    b.enroll(sqlite_server)
    rid = a.add_checks(1)[0]
    assert _sync(a).ok
    db = sqlite_server.db
    service.put_reference(db, "market", "m1", {"name": "东门农副产品批发市场"})
    service.put_reference(db, "legal_basis", "pql-27", {"short": "产品质量法第二十七条"})
    legacy_review(db, "check", rid, "approved", reviewer="科长")  # made before decisions
    assert _sync(a).ok and _sync(b).ok
    with a.store.read() as s:
        keys = {k.device_id: k.source for k in s.scalars(select(KnownKey))}
        assert keys == {a.device_id: "own", b.device_id: "server"}
        assert {r.item_id for r in s.scalars(select(SyncReference))} == {"m1", "pql-27"}
        reviews = s.scalars(select(SyncReview)).all()
        assert [(r.record_id, r.decision) for r in reviews] == [(rid, "approved")]
    with b.store.read() as s:
        assert s.scalars(select(SyncReview)).all() == []
    service.revoke(db, b.device_id)
    _pulled_reference_is_put_to_use(a, db)
    assert _sync(a).ok
    with a.store.read() as s:
        assert s.get(KnownKey, _key_id(b)).revoked_at is not None
    a.close()
    b.close()


def _pulled_reference_is_put_to_use(dev: ClientDevice, db) -> None:
    """Markets and the roster become local entities, audited but never sent back; legal
    bases join the seizure form's list; a new server version updates them."""
    from inspector_app.core import audit
    from inspector_app.core.models import Inspector, Market, Outbox
    from inspector_app.core.seizure.service import LEGAL_BASES
    from inspector_app.core.sync import reference

    service.put_reference(db, "inspector", "o7", {"name": "李四", "cert_no": "32010077"})
    assert _sync(dev).ok
    with dev.store.read() as s:
        market = s.get(Market, reference.local_id("market", "m1"))
        assert market.name == "东门农副产品批发市场"
        officer = s.get(Inspector, reference.local_id("inspector", "o7"))
        assert (officer.name, officer.cert_no) == ("李四", "32010077")
        assert "产品质量法第二十七条" in LEGAL_BASES.get(s)
        assert s.scalars(select(Outbox).where(Outbox.record_id == market.id)).all() == []
        assert audit.verify(s, dev.store.attachment_path) == []
    service.put_reference(db, "market", "m1", {"name": "东门农副产品综合批发市场"})
    assert _sync(dev).ok
    with dev.store.read() as s:
        market = s.get(Market, reference.local_id("market", "m1"))
        assert (market.name, market.version) == ("东门农副产品综合批发市场", 2)
    with dev.store.read() as s:
        from inspector_app.core import auth

        assert auth.authenticate(s, "server:o7", "anything") is None


def _key_id(dev: ClientDevice) -> str:
    from inspector_app.core import device_key

    return device_key.key_id(device_key.load_or_create(dev.path))


def test_tls_with_a_custom_ca(client_device, tmp_path, sqlite_url):
    from synchelpers import ServerThread, make_tls

    ca_file, cert, key = make_tls(tmp_path / "tls")
    srv = ServerThread(tmp_path / "server", sqlite_url).start(
        ssl={"ssl_certfile": str(cert), "ssl_keyfile": str(key)})
    try:
        dev = client_device
        code = service.new_enrolment(srv.db, "张三")
        with pytest.raises(agent.FatalError) as err:  # not trusted without the CA
            agent.enroll(dev.store, srv.url, code)
        assert "certificate" in err.value.message.lower() or "证书" in err.value.message
        agent.enroll(dev.store, srv.url, code, ca_file=str(ca_file))
        dev.add_checks(3)
        assert _sync(dev).ok and dev.pending() == 0
    finally:
        srv.stop()


def test_backoff_grows_exponentially_with_jitter():
    import random

    b = Backoff(base=1.0, cap=8.0, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == 6


def test_probe_with_backoff(sqlite_server):
    from inspector_app.core.sync import reachability

    assert reachability.probe(sqlite_server.url)
    assert not reachability.probe("http://127.0.0.1:9", timeout=0.5)
    slept: list[float] = []
    waits: list[float] = []  # the time waited before each check after the first

    def check() -> bool:
        if slept:
            waits.append(sum(slept))
            slept.clear()
        return len(waits) >= 3

    prober = reachability.Prober(check, base=1, cap=30, sleep=slept.append)
    assert prober.wait_until_reachable(max_tries=10)
    assert len(waits) == 3 and waits[0] <= 1 and waits[2] <= 4
    # A stop during a wait ends it at once (the Sync page's probe, when it closes).
    slept.clear()
    stopper = reachability.Prober(lambda: False, base=100, cap=100, sleep=slept.append,
                                  stopped=lambda: sum(slept) >= 1)
    assert not stopper.wait_until_reachable() and sum(slept) == pytest.approx(1)


def test_json_report(client_device, sqlite_server):
    client_device.enroll(sqlite_server)
    client_device.add_checks(2)
    code, out, err = inspector("--data-dir", client_device.path, "sync", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] and data["acked_records"] == 3 and data["pending"] == 0
    code, out, _ = inspector("--data-dir", client_device.path, "batch", "list")
    assert code == 0 and out.endswith("待同步更改 0 条。\n"), out


def test_sync_progress_is_a_bar_on_a_terminal_and_lines_when_piped(client_device,
                                                                   sqlite_server):
    import re

    dev = client_device
    dev.enroll(sqlite_server)
    dev.add_checks(120)
    code, out, err = on_terminal("--data-dir", dev.path, "sync", "--batch-size", "50",
                                 stdout_tty=False)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err)
    assert code == 0 and dev.pending() == 0, err
    assert "正在发送批次…" in shown and "3/3" in shown  # the bar, at its end
    assert "正在发送第" not in shown and "\x1b" not in out
    dev.add_checks(60)
    code, out, err = inspector("--data-dir", dev.path, "sync", "--batch-size", "50")
    assert code == 0 and "\x1b" not in err + out
    assert "正在发送第 1 批，共 2 批" in err  # a log gets a line a batch


def test_uuid_ids_are_client_made(client_device):
    ids = client_device.add_checks(3)
    assert all(uuid.UUID(i) for i in ids)


def test_options_after_the_command(client_device, sqlite_server):
    """--data-dir and --lang work after the command too."""
    client_device.enroll(sqlite_server)
    code, _, err = inspector("sync", "--data-dir", client_device.path, "--lang", "en")
    assert code == 0, err
    assert client_device.pending() == 0
