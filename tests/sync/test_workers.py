"""Several server workers on PostgreSQL: each one logs, a worker killed mid-load is logged
at WARNING, and every batch is applied exactly once after the clients retry."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select
from synchelpers import ClientDevice, fast_options, server_versions

from sync.server import logs
from sync.server.models import Batch, Conflict

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3


def _workers(parent: psutil.Process) -> set[int]:
    """The uvicorn workers: spawned children, not multiprocessing's resource tracker."""
    found = set()
    for child in parent.children():
        try:
            cmd = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "spawn_main" in cmd:
            found.add(child.pid)
    return found


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _busy_worker(workers: set[int], port: int) -> int:
    """A worker holding an open client connection (so killing it cuts a request)."""
    for pid in sorted(workers):
        try:
            conns = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue
        if any(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port for c in conns):
            return pid
    return 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_workers_log_and_a_killed_worker_loses_nothing(tmp_path, database_url, monkeypatch):
    from inspector_app.core.sync import agent
    from sync.server import service
    from sync.server.db import Database

    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data_dir = tmp_path / "server"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "sync.server.cli", "--data-dir",
                             str(data_dir), "--database-url", database_url, "--port", str(port),
                             "--workers", str(WORKERS)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = None
    devices = []
    try:
        parent = psutil.Process(proc.pid)
        log_file = data_dir / "logs" / "server.log"
        started = lambda: set(map(int, re.findall(
            r"Started server process \[(\d+)\]", log_file.read_text()
            if log_file.exists() else "")))
        first = _wait(lambda: len(started()) >= WORKERS and started(), 60, "the workers")
        assert first == _workers(parent)
        db = Database(database_url, upgrade=False)
        url = f"http://127.0.0.1:{port}"
        for n in range(3):
            dev = ClientDevice(tmp_path / f"client{n}")
            dev.add_checks(100)
            code = service.new_enrolment(db, "张三")
            agent.enroll(dev.store, url, code)
            devices.append(dev)

        reports: dict[int, list] = {n: [] for n in range(len(devices))}

        def run(n: int, dev: ClientDevice) -> None:
            for _ in range(40):  # the run ends on a failure that outlasts its retries
                report = agent.SyncAgent(dev.store, fast_options(max_records=4)).run()
                reports[n].append(report)
                if report.ok:
                    return
                assert not report.fatal, report.error

        threads = [threading.Thread(target=run, args=(n, d)) for n, d in enumerate(devices)]
        for t in threads:
            t.start()
        # Mid-load: some batches in, most still to come; kill a worker serving a client.
        applied = lambda: service.details(db)["batches"]
        _wait(lambda: applied() >= 10, 120, "the first batches")
        victim = _wait(lambda: _busy_worker(_workers(parent), port), 30, "a busy worker")
        os.kill(victim, signal.SIGKILL)
        at_kill = applied()
        for t in threads:
            t.join(300)
            assert not t.is_alive()
        assert at_kill < 3 * 26, "the load was over before the kill"
        # uvicorn starts a new worker in place of the dead one.
        _wait(lambda: len(_workers(parent)) == WORKERS and victim not in _workers(parent),
              30, "the replacement worker")
        for n, dev in enumerate(devices):
            assert reports[n][-1].ok, reports[n][-1].error
            mine = dev.versions()
            theirs = server_versions(db, dev.device_id)
            assert len(theirs) == len(set(theirs)), "a version was stored twice"
            assert set(theirs) == mine and len(mine) == 101
            assert dev.pending() == 0
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(Conflict)) == 0
            for dev in devices:
                seqs = sorted(session.scalars(select(Batch.seq).where(
                    Batch.device_id == dev.device_id)))
                assert seqs == list(range(1, 27))  # 101 versions in batches of 4
            assert session.scalar(select(func.count()).select_from(Batch).where(
                Batch.status != "applied")) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for dev in devices:
            dev.close()
        if db is not None:
            db.dispose()

    lines = log_file.read_text(encoding="utf-8").splitlines()
    pids = {int(line.split()[2]) for line in lines}
    # Each worker logs: its own start and, for those that served, the batches it applied.
    everyone = started()
    assert first <= everyone and len(everyone) == WORKERS + 1
    assert everyone | {proc.pid} <= pids
    batch_pids = {int(line.split()[2]) for line in lines if " batch " in line}
    assert len(batch_pids) >= 2 and batch_pids <= everyone
    death = [line for line in lines if f"Child process [{victim}] died" in line]
    assert len(death) == 1 and f" {proc.pid} WARNING " in death[0]


def test_shared_log_file_rotates_and_other_processes_follow(tmp_path):
    """Two handlers (as in two processes) on one file: rotation by one, the other reopens."""
    path = tmp_path / "logs" / "server.log"
    a = logs.SharedFileHandler(str(path), max_bytes=400, backups=2)
    b = logs.SharedFileHandler(str(path), max_bytes=400, backups=2)

    def line(handler, text):
        handler.emit(logging.LogRecord("inspector_server", logging.INFO, __file__, 1, text,
                                       None, None))

    for n in range(30):
        line(a if n % 2 else b, f"line {n:02d} " + "x" * 40)
    a.close()
    b.close()
    kept = [path, Path(f"{path}.1"), Path(f"{path}.2")]
    assert all(p.exists() for p in kept) and not Path(f"{path}.3").exists()
    assert all(p.stat().st_size <= 400 for p in kept)
    text = "".join(p.read_text() for p in reversed(kept))
    numbers = [int(m) for m in re.findall(r"line (\d\d)", text)]
    assert numbers == list(range(numbers[0], 30))  # the newest lines, in order, none lost


def test_worker_death_is_raised_to_warning():
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1,
                               "Child process [%d] died", (1234,), None)
    assert logs.WorkerDeath().filter(record) and record.levelname == "WARNING"
    other = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Started", None,
                              None)
    assert logs.WorkerDeath().filter(other) and other.levelname == "INFO"
