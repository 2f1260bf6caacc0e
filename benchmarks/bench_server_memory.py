"""The central server's peak resident memory under the worst bodies of issue 11, beside
its idle memory, and batch latency under a flood of bad enrolments.

The server is the real one (`python -m sync.server.cli`, uvicorn, SQLite) in its own
process; its RSS is sampled every 5 ms with psutil while each attack runs.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Self

from bench_sync import Server, _batches
from common import benchmark, percentile, result

MB = 1024 * 1024
# Bad enrolments at a steady rate (argv: url, per second) until a line on stdin.
FLOOD = """
import json, sys, threading, time, uuid, httpx
url, rate = sys.argv[1], float(sys.argv[2])
stop, answers, sent = threading.Event(), {}, [0]
body = {"code": "WRONG-CODE", "device_id": str(uuid.uuid4()), "public_key": "A" * 43}
def run(share):
    with httpx.Client(base_url=url, timeout=10) as c:
        nxt = time.perf_counter()
        while not stop.is_set():
            s = c.post("/v1/enroll", json=body).status_code
            answers[s] = answers.get(s, 0) + 1
            sent[0] += 1
            nxt += 1 / share
            time.sleep(max(0.0, nxt - time.perf_counter()))
threads = [threading.Thread(target=run, args=(rate / 4,)) for _ in range(4)]
start = time.perf_counter()
for t in threads: t.start()
sys.stdin.readline()
stop.set()
for t in threads: t.join()
print(json.dumps({"rate": sent[0] / (time.perf_counter() - start), "answers": answers}))
"""
TARGET_MB = 400


class Sampler:
    """Peak RSS of a process (and its children), sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.005):
        import psutil

        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        procs = [self.proc, *self.proc.children(recursive=True)]
        import psutil

        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):  # a child that just ended
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(self.every)

    def __enter__(self) -> Self:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        time.sleep(0.2)  # memory freed late still counts
        self._stop.set()
        self._thread.join()


def _post(client, path: str, body, headers: dict | None = None) -> str:
    if callable(body):  # a generator function: a body without a Content-Length
        body = body()
    try:
        r = client.post(path, content=body, headers=headers or {})
        return str(r.status_code)
    except Exception as exc:  # noqa: BLE001 - the server may close on an oversized body
        return type(exc).__name__


def _attacks(server: Server):
    """(name, [callables sent at once]) for each attack of the issue."""
    import httpx

    from sync import protocol
    from sync.server import service

    key, device, batches, _ = _batches(200, 200)
    code = service.new_enrolment(server.db, "张三")
    cred = service.enrol(server.db, code, device, protocol.public_key_b64(key)).credential
    auth = {"X-Device-Id": device, "Authorization": f"Bearer {cred}",
            "Content-Type": "application/octet-stream"}
    kid = protocol.key_id_of(protocol.public_key_b64(key))

    def signed(body: bytes) -> dict:
        return auth | {"X-Signature": protocol.sign_batch(key, body)}

    seq = iter(range(2, 10_000))

    def batch_of(records: list) -> bytes:
        return protocol.encode_batch(protocol.Batch(str(uuid.uuid4()), device, kid, next(seq),
                                                    protocol.utc_now_text(), records))

    # The warm-up: one real batch (loads the schema validators).
    with httpx.Client(base_url=server.url, timeout=120) as c:
        body, sig = batches[0]
        assert c.post("/v1/batches", content=body,
                      headers=auth | {"X-Signature": sig}).status_code == 200

    empty_objects = b"[" + b"{}," * (128 * MB // 3) + b"{}]"  # 128 MiB of `{}`

    def streamed():  # the same without a Content-Length: read until the cap
        for i in range(0, len(empty_objects), MB):
            yield empty_objects[i:i + MB]

    packer = zlib.compressobj(9)
    bomb = packer.compress(b'{"v":1,"type":"batch","records":[' + b"{}," * (64 * MB // 3)) + \
        packer.flush()  # about 65 KB inflating to 64 MiB
    # Just under every limit: 8 MiB of JSON with a million values.
    dense = zlib.compress(b'{"v":1,"type":"batch","records":[' + b'"abcdef",' * 900_000 +
                          b'""]}')
    rid = str(uuid.uuid4())
    strings = batch_of([protocol.make_record("check", str(uuid.uuid4()), 1, {
        "kind": "check", "id": rid, "version": 1, "remarks": "x" * (10 * 1000 * 1000)})
        for _ in range(6)])  # six 10 MB strings in one small request

    def send(path, body, headers=None):
        def go(client):
            return _post(client, path, body, headers)
        return go

    return [
        ("import_128MiB_empty_objects", [send("/v1/import", empty_objects)]),
        ("import_128MiB_streamed", [send("/v1/import", streamed)]),
        ("zlib_bomb_64MiB", [send("/v1/batches", bomb, signed(bomb))]),
        ("zlib_bomb_x4", [send("/v1/batches", bomb, signed(bomb))] * 4),
        ("dense_8MiB_json", [send("/v1/batches", dense, signed(dense))]),
        ("dense_8MiB_json_x4", [send("/v1/batches", dense, signed(dense))] * 4),
        ("six_10MB_strings", [send("/v1/batches", strings, signed(strings))]),
    ]


@benchmark("server_peak_memory")
def server_peak_memory(ctx) -> dict:
    """Peak RSS of the server under each worst body (value: the highest peak, MB)."""
    import httpx

    base = ctx.tmp / f"mem-{uuid.uuid4().hex[:6]}"
    server = Server(base / "server")
    try:
        attacks = _attacks(server)
        sampler = Sampler(server.proc.pid)
        idle = sampler.rss() / MB
        peaks = {}
        for name, senders in attacks:
            clients = [httpx.Client(base_url=server.url, timeout=300) for _ in senders]
            with Sampler(server.proc.pid) as s, ThreadPoolExecutor(len(senders)) as pool:
                statuses = list(pool.map(lambda pair: pair[0](pair[1]),
                                         zip(senders, clients)))
            for c in clients:
                c.close()
            peaks[name] = (round(s.peak / MB), sorted(set(statuses)))
            print(f"  {name:<30} peak {s.peak / MB:7.0f} MB  answers {peaks[name][1]}",
                  flush=True)
    finally:
        server.close()
    worst = max(p for p, _ in peaks.values())
    return result(worst, "MB", f"peak RSS <= {TARGET_MB} MB under any request "
                  "(baseline: idle RSS)", worst <= TARGET_MB, baseline=idle,
                  peaks={k: v[0] for k, v in peaks.items()},
                  answers={k: v[1] for k, v in peaks.items()})


@benchmark("batch_latency_enrol_flood")
def batch_latency_enrol_flood(ctx) -> dict:
    """p95 latency of 100-record batches while bad enrolments arrive at 300/s
    (baseline: the same batches without the flood, in the same run)."""
    import httpx

    from sync import protocol
    from sync.server import service

    n = 40 if ctx.quick else 120
    base = ctx.tmp / f"flood-{uuid.uuid4().hex[:6]}"
    server = Server(base / "server")
    try:
        key, device, batches, _ = _batches(2 * n * 100, 100)
        code = service.new_enrolment(server.db, "张三")
        cred = service.enrol(server.db, code, device, protocol.public_key_b64(key)).credential
        auth = {"X-Device-Id": device, "Authorization": f"Bearer {cred}",
                "Content-Type": "application/octet-stream"}
        todo = iter(batches)

        def run_batches(count: int) -> list[float]:
            times = []
            with httpx.Client(base_url=server.url, timeout=60) as c:
                for _ in range(count):
                    body, sig = next(todo)
                    start = time.perf_counter()
                    r = c.post("/v1/batches", content=body, headers=auth | {"X-Signature": sig})
                    times.append(time.perf_counter() - start)
                    assert r.status_code == 200, r.text
            return times

        quiet = run_batches(n)
        # The flood comes from another process, so that it does not slow this client.
        flood = subprocess.Popen([sys.executable, "-c", FLOOD, server.url, "300"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)
        loud = run_batches(n)
        out, _ = flood.communicate("stop\n", timeout=60)
        stats = json.loads(out)
        rate, answers = stats["rate"], stats["answers"]
    finally:
        server.close()
    p50q, p95q = percentile(quiet, 50) * 1000, percentile(quiet, 95) * 1000
    p50f, p95f = percentile(loud, 50) * 1000, percentile(loud, 95) * 1000
    print(f"  batches of 100: quiet p50 {p50q:.1f} ms p95 {p95q:.1f} ms; flood "
          f"({rate:.0f}/s, answers {answers}) p50 {p50f:.1f} ms p95 {p95f:.1f} ms", flush=True)
    return result(p95f, "ms", "p95 under a 300/s bad-enrolment flood <= 2x without "
                  "(baseline: p95 without)", p95f <= 2 * p95q, baseline=p95q,
                  p50_quiet_ms=round(p50q, 1), p50_flood_ms=round(p50f, 1),
                  flood_per_s=round(rate), flood_answers=answers)
