"""The client honours the server's Retry-After (429/503), waits at most MAX_RETRY_AFTER,
and stops waiting as soon as it is cancelled; the server says how long to wait.

Waits go through an injected `sleep` that records them: no test really waits 2 s.
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cli_runner import inspector
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from synchelpers import ClientDevice, ServerThread, fast_options

from inspector_app.core.sync import agent
from inspector_app.core.sync.transport import (
    MAX_RETRY_AFTER,
    Backoff,
    Connection,
    TransientError,
    make_client,
    retry_after,
    with_retries,
)
from sync import protocol
from sync.server import service


class Scripted:
    """A real HTTP server on loopback answering each GET from a script of
    (status, headers) pairs; the last one repeats."""

    def __init__(self, script: list[tuple[int, dict[str, str]]]):
        self.script = list(script)
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, headers = owner.script[min(owner.hits, len(owner.script) - 1)]
                owner.hits += 1
                body = b'{"ok": true}' if status == 200 else b'{"detail": "slow down"}'
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted():
    made: list[Scripted] = []

    def make(script):
        made.append(Scripted(script))
        return made[-1]

    yield make
    for s in made:
        s.close()


def _get(server: Scripted, sleep, cancelled=lambda: False, attempts: int = 5):
    conn = Connection(make_client(server.url, timeout=5))
    try:
        return with_retries(lambda: conn.json("GET", "/v1/thing", auth=False), attempts,
                            Backoff(base=0.01, cap=0.05), sleep, cancelled)
    finally:
        conn.close()


def test_429_with_retry_after_2_waits_2_seconds_then_succeeds(scripted):
    server = scripted([(429, {"Retry-After": "2"}), (200, {})])
    slept: list[float] = []
    assert _get(server, slept.append) == {"ok": True}
    assert server.hits == 2
    assert sum(slept) == pytest.approx(2.0)  # the server's 2 s, not the 0.01 s backoff
    assert max(slept) <= 0.2 + 1e-9  # in short steps, each a chance to cancel


def test_503_with_an_http_date_waits_until_that_time(scripted):
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
    server = scripted([(503, {"Retry-After": format_datetime(when, usegmt=True)}),
                       (200, {})])
    slept: list[float] = []
    assert _get(server, slept.append) == {"ok": True}
    assert 27 <= sum(slept) <= 30.5


def test_a_huge_retry_after_is_capped(scripted):
    server = scripted([(429, {"Retry-After": "86400"}), (200, {})])
    slept: list[float] = []
    assert _get(server, slept.append) == {"ok": True}
    assert sum(slept) == pytest.approx(MAX_RETRY_AFTER)


def test_without_retry_after_the_backoff_is_used(scripted):
    server = scripted([(503, {}), (503, {"Retry-After": "soon"}), (200, {})])
    slept: list[float] = []
    assert _get(server, slept.append) == {"ok": True}
    assert server.hits == 3 and sum(slept) <= 0.1


def test_cancel_during_the_wait_stops_it_at_once(scripted):
    server = scripted([(429, {"Retry-After": "120"}), (200, {})])
    slept: list[float] = []
    cancel = threading.Event()

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if sum(slept) >= 1.0:  # the user presses Cancel a second into the wait
            cancel.set()

    with pytest.raises(TransientError) as caught:
        _get(server, sleep, cancel.is_set)
    assert caught.value.status == 429 and caught.value.retry_after == 120
    assert server.hits == 1  # no retry after the cancel
    assert sum(slept) == pytest.approx(1.0)  # not the 120 s the server asked for


def test_retry_after_values():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert retry_after("2") == 2.0
    assert retry_after(" 0 ") == 0.0
    assert retry_after("Tue, 01 Dec 2026 12:01:30 GMT", now) == 90.0
    assert retry_after("Tue, 01 Dec 2026 11:00:00 GMT", now) == 0.0  # already past
    assert retry_after("100000") == MAX_RETRY_AFTER
    for bad in (None, "", "-5", "1.5", "tomorrow"):
        assert retry_after(bad) is None


class FirstAnswers429(httpx.HTTPTransport):
    """The real transport to the real server, except that the first `n` requests to
    `path` are answered 429 with the given Retry-After, as a busy proxy would."""

    def __init__(self, path: str, n: int, wait: str):
        super().__init__()
        self.path, self.left, self.wait, self.seen = path, n, wait, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.url.path)
        if request.url.path == self.path and self.left:
            self.left -= 1
            return httpx.Response(429, headers={"Retry-After": self.wait},
                                  json={"detail": "slow down"})
        return super().handle_request(request)


def test_a_sync_run_waits_what_the_server_asks_and_then_sends(client_device, sqlite_server):
    dev = client_device
    dev.enroll(sqlite_server)
    dev.add_checks(3)
    transport = FirstAnswers429("/v1/receipts", 1, "2")
    slept: list[float] = []
    report = agent.SyncAgent(dev.store, fast_options(), transport=transport,
                             sleep=slept.append).run()
    assert report.ok and report.acked_records == 4 and dev.pending() == 0
    assert transport.seen[:2] == ["/v1/receipts", "/v1/receipts"]
    assert sum(slept) == pytest.approx(2.0)


def test_a_sync_run_cancelled_during_the_wait_ends_promptly(client_device, sqlite_server):
    dev = client_device
    dev.enroll(sqlite_server)
    dev.add_checks(3)
    transport = FirstAnswers429("/v1/receipts", 5, "300")
    slept: list[float] = []
    cancel = threading.Event()

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if sum(slept) >= 0.6:
            cancel.set()

    report = agent.SyncAgent(dev.store, fast_options(), transport=transport,
                             sleep=sleep).run(cancelled=cancel.is_set)
    assert not report.ok and not report.fatal and "429" in report.error
    assert transport.seen == ["/v1/receipts"]  # nothing after the cancel
    assert sum(slept) == pytest.approx(0.6) and dev.pending() == 4


def test_the_server_says_when_enrolment_may_be_tried_again(tmp_path, sqlite_url,
                                                            monkeypatch):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    srv = ServerThread(tmp_path / "server", sqlite_url, enrol_limit=3).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=10) as client:
            body = {"code": "WRONG-CODE", "device_id": str(uuid.uuid4()),
                    "public_key": protocol.public_key_b64(Ed25519PrivateKey.generate())}
            answers = [client.post("/v1/enroll", json=body) for _ in range(4)]
        assert [a.status_code for a in answers] == [403, 403, 403, 429]
        # 3 attempts per 600 s: one comes back every 200 s.
        assert 190 <= int(answers[-1].headers["Retry-After"]) <= 200
        said_at, retry_after = time.monotonic(), int(answers[-1].headers["Retry-After"])

        def minutes_left() -> range:  # the wait in whole minutes, from then till now
            elapsed = time.monotonic() - said_at
            return range(math.ceil((retry_after - elapsed) / 60), math.ceil(retry_after / 60) + 1)

        dev = ClientDevice(tmp_path / "client")
        dev.close()
        code = service.new_enrolment(srv.db, "张三")
        done = inspector("--data-dir", dev.path, "enroll", "--server", srv.url, "--code", code)
        assert done.code == 2, done
        said = re.match(r"错误：注册尝试次数过多，请等待(\d+)分钟后再试。", done.err)
        assert said and int(said[1]) in minutes_left(), done.err
        done = inspector("--lang", "en", "--data-dir", dev.path, "enroll", "--server",
                         srv.url, "--code", code)
        said = re.search(r"wait (\d+) minutes and try again", done.err)
        assert said and int(said[1]) in minutes_left(), done.err
    finally:
        srv.stop()
