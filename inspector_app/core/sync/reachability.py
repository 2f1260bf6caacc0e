"""Is the central server reachable? A cheap probe, retried with exponential backoff and
jitter (the Sync page runs it on a worker thread when Qt says the network changed)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from inspector_app.core.sync.transport import Backoff, pause


def probe(server_url: str, ca_file: str = "", timeout: float = 3.0) -> bool:
    """True when GET /health answers 200 within `timeout` seconds."""
    import ssl

    verify = ssl.create_default_context(cafile=ca_file) if ca_file else True
    try:
        response = httpx.get(server_url.rstrip("/") + "/health", timeout=timeout,
                             verify=verify)
    except (httpx.HTTPError, OSError, ValueError):
        return False
    return response.status_code == 200


class Prober:
    """Calls `check` until it is true, waiting base, 2·base, 4·base... (with jitter)."""

    def __init__(self, check: Callable[[], bool], base: float = 2.0, cap: float = 300.0,
                 sleep: Callable[[float], None] = time.sleep,
                 stopped: Callable[[], bool] = lambda: False):
        self.check = check
        self.backoff = Backoff(base, cap)
        self.sleep = sleep
        self.stopped = stopped

    def wait_until_reachable(self, max_tries: int | None = None) -> bool:
        tries = 0
        while not self.stopped():
            if self.check():
                self.backoff.reset()
                return True
            tries += 1
            if max_tries is not None and tries >= max_tries:
                return False
            if not pause(self.backoff.next_delay(), self.sleep, self.stopped):
                return False
        return False
