"""No record lost or doubled: the client killed at random points, the server killed and
restarted mid-upload, and a proxy that drops, delays, truncates and resets.

INSPECTOR_SYNC_LONG=1 runs longer variants (more trials, more batches).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from faultproxy import FaultProxy
from sqlalchemy import func, select
from synchelpers import fast_options, server_versions

from inspector_app.core.sync import agent
from sync.server.models import Batch, Conflict, RecordVersion

LONG = bool(os.environ.get("INSPECTOR_SYNC_LONG"))
ROOT = Path(__file__).resolve().parents[2]


def _agree(dev, db) -> None:
    """Server and client hold exactly the same versions, each once, nothing pending."""
    mine = dev.versions()
    theirs = server_versions(db, dev.device_id)
    assert len(theirs) == len(set(theirs)), "a version was stored twice"
    assert set(theirs) == mine
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Conflict)) == 0
        seqs = sorted(session.scalars(select(Batch.seq).where(
            Batch.device_id == dev.device_id)))
        assert seqs == list(range(1, len(seqs) + 1))
        assert session.scalar(select(func.count()).select_from(Batch).where(
            Batch.status != "applied")) == 0
    assert dev.pending() == 0


def _client_env() -> dict[str, str]:
    env = dict(os.environ, INSPECTOR_NO_KEYRING="1", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_client_killed_at_random_points(client_device, sqlite_server):
    """At least 20 SIGKILLs of `inspector sync` in mid-run; then everything agrees."""
    dev = client_device
    dev.enroll(sqlite_server)
    rng = random.Random(int(os.environ.get("INSPECTOR_SYNC_SEED", "6")))
    trials = 60 if LONG else 22
    env = _client_env()
    # The child imports everything, then waits for "go": one child warms up while the
    # previous one runs and is killed.
    script = ("import sys\n"
              "from inspector_app.cli import main\n"
              "from inspector_app.core.sync import agent\n"
              "sys.stdin.readline()\n"
              "sys.exit(main(sys.argv[1:]))\n")
    cmd = [sys.executable, "-c", script, "--data-dir", str(dev.path), "sync",
           "--batch-size", "3"]
    spawn = lambda: subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, stdin=subprocess.PIPE,
                                     text=True)
    ids = dev.add_checks(20)
    killed_mid_send = 0
    child = spawn()
    for trial in range(trials):
        nxt = spawn() if trial < trials - 1 else None
        # New work for this trial: records and edits (new versions of old records).
        ids += dev.add_checks(rng.randint(5, 25), prefix=f"第{trial}轮")
        dev.edit_checks(rng.sample(ids, 5), remarks=f"改{trial}")
        child.stdin.write("go\n")
        child.stdin.flush()
        if trial % 2:
            time.sleep(rng.uniform(0.0, 0.4))  # anywhere: start-up, build, send, pull
        else:
            want = rng.randint(1, 6)  # after the want-th batch began to go out
            seen = 0
            for line in child.stderr:
                if "batch" in line.lower() or "批" in line:
                    seen += 1
                    if seen >= want:
                        time.sleep(rng.uniform(0, 0.02))
                        killed_mid_send += 1
                        break
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stderr.close()
        child.stdin.close()
        child = nxt
    assert killed_mid_send >= 8
    report = agent.SyncAgent(dev.store, fast_options()).run()
    assert report.ok, report.error
    _agree(dev, sqlite_server.db)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(data_dir: Path, url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "--data-dir", str(data_dir),
         "--database-url", url, "--port", str(port)],
        env=_client_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the server process died")
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not start")


def test_server_killed_and_restarted_mid_upload(client_device, tmp_path, database_url):
    from sync.server import service
    from sync.server.db import Database

    dev = client_device
    data_dir, port = tmp_path / "server", _free_port()
    proc = _start_server(data_dir, database_url, port)
    db = Database(database_url, upgrade=False)
    rng = random.Random(11)
    try:
        from inspector_app.core.sync import agent as ag

        code = service.new_enrolment(db, "张三")
        ag.enroll(dev.store, f"http://127.0.0.1:{port}", code)
        ids = dev.add_checks(400)
        for rid in ids[:3]:
            dev.attach(rid, os.urandom(2 * 1024 * 1024))
        kills = 0
        for _round in range(3):
            result: dict = {}
            sending = threading.Event()
            target = rng.randint(1, 8)

            def progress(phase, done, total, target=target, sending=sending):
                if phase == "send" and done >= target:
                    sending.set()

            def run(result=result, progress=progress):
                opts = fast_options(max_records=4, attempts=2)
                result["r"] = ag.SyncAgent(dev.store, opts).run(progress)

            runner = threading.Thread(target=run)
            runner.start()
            if sending.wait(30):  # mid-upload: the target-th batch (or its photos) is going
                time.sleep(rng.uniform(0, 0.05))
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
            runner.join(60)
            assert not runner.is_alive()
            if proc.poll() is not None:
                proc = _start_server(data_dir, database_url, port)
            # More work for the next round, with a photo to upload.
            more = dev.add_checks(60)
            dev.attach(more[0], os.urandom(1024 * 1024))
        assert kills >= 2
        report = ag.SyncAgent(dev.store, fast_options()).run()
        assert report.ok, report.error
        _agree(dev, db)
        for sha in dev_attachment_shas(dev):
            assert (data_dir / "attachments" / sha[:2] / sha).exists()
    finally:
        proc.kill()
        proc.wait()
        db.dispose()


def dev_attachment_shas(dev) -> set[str]:
    from inspector_app.core.models import Attachment

    with dev.store.read() as session:
        return set(session.scalars(select(Attachment.sha256)))


@pytest.mark.parametrize("faults", [0.15])
def test_fault_proxy_200_batches_every_record_exactly_once(client_device, server, faults):
    dev = client_device
    dev.enroll(server)
    n_batches = 400 if LONG else 200
    ids = dev.add_checks(n_batches * 5 - 1)  # + the inspector: 5 per batch
    dev.edit_check(ids[0], remarks="改")  # and one edit: n_batches*5 + 1 versions
    proxy = FaultProxy(("127.0.0.1", server.port), faults=faults, seed=3, delay=0.05)
    proxy.start()
    try:
        from inspector_app.core.sync import credentials

        url = server.url
        with dev.store.write() as session:
            agent.state.SERVER_URL.set(session, proxy.url)
        credentials.save(dev.path, proxy.url, dev.device_id,
                         credentials.load(dev.path, url, dev.device_id))
        runs = 0
        while True:
            runs += 1
            report = agent.SyncAgent(dev.store, fast_options(max_records=5)).run()
            if report.ok or runs >= 50:
                break
            assert not report.fatal, report.error
    finally:
        proxy.stop()
    assert report.ok, report.error
    assert sum(proxy.counts.values()) >= 30, proxy.counts
    assert set(proxy.counts) == {"drop", "reset", "truncate", "delay"}
    with server.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) >= n_batches
        assert session.scalar(select(func.count()).select_from(RecordVersion)) == \
            n_batches * 5 + 1
    _agree(dev, server.db)
