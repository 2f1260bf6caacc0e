"""Bounds on what one request may cost: client addresses behind trusted proxies, the
enrolment rate limit, concurrent parsing, and each device's storage quota.

The enrolment rate limit is a token bucket per client address kept in the server process:
a refused attempt costs a dictionary lookup, no database row and no database round trip,
so a flood of bad attempts neither fills the database nor holds the write lock that other
devices' batches need. The table of buckets is bounded (least recently seen addresses are
forgotten first). With `--workers N` each process keeps its own buckets, so one address
gets at most N times the limit; enrolment codes are 48 random bits, used once and valid
for days, so that factor does not make guessing one feasible, and it keeps every worker
independent of the others (no shared state, nothing to lock).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sync.protocol import ProtocolError

DEFAULT_DEVICE_QUOTA = 2 * 1024**3  # bytes of batches and record content per device
MAX_IMPORT_BYTES = 32 * 1024 * 1024  # a batch file sent over HTTP (the command line: more)
PARSERS = 2  # bodies parsed at once per process (parsing holds the GIL anyway)
MAX_BUCKETS = 100_000

_parsing = threading.BoundedSemaphore(PARSERS)


@contextmanager
def parsing() -> Iterator[None]:
    """Hold one of the process's parse slots: bounds the memory of concurrent parses."""
    with _parsing:
        yield


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks (`10.0.0.5`, `10.0.0.0/24`, `::1`) of trusted proxies."""
    nets = []
    for value in values:
        value = value.strip()
        if value:
            try:
                nets.append(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise ValueError(f"not an address or network: {value!r}") from None
    return tuple(nets)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the last
    address in X-Forwarded-For that is not itself a trusted proxy (the ones before it were
    written by the client and prove nothing)."""
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",")[-32:] if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: count the proxy itself
    return hops[0] if hops else peer


class RateLimiter:
    """A token bucket per key: `limit` attempts at once, refilled over `window` seconds."""

    def __init__(self, limit: int, window: float = 600.0, max_keys: int = MAX_BUCKETS,
                 clock=time.monotonic):
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        rate = self.limit / self.window
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - at) * rate)
            ok = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if ok else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return ok

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` has an attempt again (its 429's Retry-After)."""
        rate = self.limit / self.window
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.limit), self.clock()))
        tokens = min(float(self.limit), tokens + (self.clock() - at) * rate)
        return max(1, math.ceil((1.0 - tokens) / rate))


def check_quota(used: int, cost: int, quota: int) -> None:
    if used + cost > quota:
        raise ProtocolError(f"this device's storage quota ({quota >> 20} MiB) would be "
                            f"exceeded; ask the administrator", 413)
