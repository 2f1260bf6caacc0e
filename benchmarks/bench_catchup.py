"""Catch-up: one late batch releases many waiting ones; how long does another device stall?

Device A's batches 2..N+1 arrive first and wait; then batch 1 arrives, and A sends its
waiting batches again, as its agent does, until all have applied. Meanwhile device B sends
a one-record batch after another. The figure is B's longest stall (the longest time
between two of B's batches being applied); the target is that B never waits for A.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid

from bench_sync import Server, _batches
from common import benchmark, result


@benchmark("catch_up_stall")
def catch_up_stall(ctx) -> dict:
    """The longest stall of device B while 700 waiting batches of device A catch up."""
    import httpx

    from sync import protocol
    from sync.server import service

    waiting, per = (100, 500) if ctx.quick else (700, 500)
    base = ctx.tmp / f"catchup-{uuid.uuid4().hex[:6]}"
    server = Server(base / "server")
    try:
        key, device, batches, _rows = _batches((waiting + 1) * per, per)
        code = service.new_enrolment(server.db, "张三")
        cred = service.enrol(server.db, code, device, protocol.public_key_b64(key)).credential
        a_headers = {"X-Device-Id": device, "Authorization": f"Bearer {cred}",
                     "Content-Type": "application/octet-stream"}
        b_key, b_device, b_batches, _ = _batches(20_000, 1)
        code = service.new_enrolment(server.db, "李四")
        b_cred = service.enrol(server.db, code, b_device,
                               protocol.public_key_b64(b_key)).credential
        b_headers = {"X-Device-Id": b_device, "Authorization": f"Bearer {b_cred}",
                     "Content-Type": "application/octet-stream"}
        with httpx.Client(base_url=server.url, timeout=300) as client:
            def send(headers, body, sig):
                return client.post("/v1/batches", content=body,
                                   headers=headers | {"X-Signature": sig})

            for body, sig in batches[1:]:
                assert send(a_headers, body, sig).json()["status"] == "waiting"
            stop = threading.Event()
            done_at: list[float] = []
            failures = [0]

            def device_b():
                with httpx.Client(base_url=server.url, timeout=300) as b_client:
                    for body, sig in b_batches:
                        while not stop.is_set():
                            r = b_client.post("/v1/batches", content=body,
                                              headers=b_headers | {"X-Signature": sig})
                            if r.status_code == 200:
                                done_at.append(time.perf_counter())
                                break
                            failures[0] += 1  # 503 busy: B retries, as its agent does
                        if stop.is_set():
                            return

            b_thread = threading.Thread(target=device_b)
            b_thread.start()
            time.sleep(1.0)  # B is flowing
            start = time.perf_counter()
            late = send(a_headers, *batches[0])
            late_seconds = time.perf_counter() - start
            assert late.json()["status"] == "applied", late.text
            for body, sig in batches[1:]:  # A's agent sends its waiting batches again
                r = send(a_headers, body, sig)
                assert r.status_code == 200 and r.json()["status"] == "applied", r.text
            catch_up_seconds = time.perf_counter() - start
            time.sleep(0.5)
            stop.set()
            b_thread.join()
        during = [t for t in done_at if t >= start]
        stamps = [max(t for t in done_at if t < start), *during]
        stall = max(b - a for a, b in itertools.pairwise(stamps))
        stats = service.stats(server.db)
        assert stats["check"] == (waiting + 1) * per + len(done_at), stats
    finally:
        server.close()
    return result(stall, "s", "<= 1 s: no device waits on another", stall <= 1.0,
                  waiting_batches=waiting, records_per_batch=per,
                  late_request_s=round(late_seconds, 2),
                  catch_up_s=round(catch_up_seconds, 2), b_batches=len(during),
                  b_busy_answers=failures[0])
