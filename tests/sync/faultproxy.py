"""A fault-injecting TCP proxy on loopback, for testing and benchmarking sync.

    proxy = FaultProxy(("127.0.0.1", server_port), faults=0.2, seed=1)   # or latency=0.05
    port = proxy.start(); ...; proxy.stop()

Each request (a client→server turn on a connection) may draw a fault:
- ``drop``: the connection closes before the request reaches the server;
- ``reset``: the server gets the request and answers, the client gets a TCP reset;
- ``truncate``: the client gets only the first bytes of the answer, then the close;
- ``delay``: the answer is held back a while.
``latency`` adds a fixed delay to every request; ``cut_after`` closes a connection once it
has carried that many bytes towards the server (an upload cut in the middle).
Only for loopback targets of this machine. A test tool (tests/sync), not part of the shipped
`sync` package; the sync benchmarks use it too.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("drop", "reset", "truncate", "delay")


@dataclass
class _Conn:
    client: socket.Socket
    upstream: socket.Socket
    fault: str | None = None
    new_turn: bool = True
    sent_up: int = 0
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultProxy:
    def __init__(self, target: tuple[str, int], *, faults: float = 0.0, seed: int = 0,
                 latency: float = 0.0, delay: float = 0.3, cut_after: int | None = None,
                 kinds: tuple[str, ...] = FAULTS, max_faults: int | None = None):
        if target[0] not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fault proxy only targets loopback")
        self.target = target
        self.rate = faults
        self.rng = random.Random(seed)
        self.latency = latency
        self.delay = delay
        self.cut_after = cut_after
        self.kinds = kinds
        self.max_faults = max_faults
        self.counts: Counter[str] = Counter()
        self.bytes_up = 0
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._conns: list[_Conn] = []
        self.port = 0

    def start(self) -> int:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name="faultproxy").start()
        return self.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
        for conn in list(self._conns):
            self._close(conn)

    def _draw(self) -> str | None:
        with self._lock:
            if self.rate <= 0 or self.rng.random() >= self.rate:
                return None
            if self.max_faults is not None and sum(self.counts.values()) >= self.max_faults:
                return None
            kind = self.rng.choice(self.kinds)
            self.counts[kind] += 1
            return kind

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            for s in (client, upstream):  # no Nagle delays added by the proxy itself
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Conn(client, upstream)
            self._conns.append(conn)
            threading.Thread(target=self._up, args=(conn,), daemon=True).start()
            threading.Thread(target=self._down, args=(conn,), daemon=True).start()

    def _close(self, conn: _Conn, reset: bool = False) -> None:
        with conn.lock:
            if conn.closed:
                return
            conn.closed = True
        if reset:
            _reset(conn.client)
        else:
            _quiet_close(conn.client)
        _quiet_close(conn.upstream)
        if conn in self._conns:
            try:
                self._conns.remove(conn)
            except ValueError:
                pass

    def _up(self, conn: _Conn) -> None:
        """Client to server."""
        try:
            while True:
                data = conn.client.recv(65536)
                if not data:
                    break
                if conn.new_turn:
                    conn.new_turn = False
                    if self.latency:
                        time.sleep(self.latency)
                    conn.fault = self._draw()
                    if conn.fault == "drop":
                        self._close(conn, reset=True)
                        return
                if self.cut_after is not None:
                    room = self.cut_after - conn.sent_up
                    if room <= len(data):
                        conn.upstream.sendall(data[:max(room, 0)])
                        conn.sent_up += max(room, 0)
                        with self._lock:
                            self.bytes_up += max(room, 0)
                            self.cut_after = None  # cut once
                        self._close(conn, reset=True)
                        return
                conn.upstream.sendall(data)
                conn.sent_up += len(data)
                with self._lock:
                    self.bytes_up += len(data)
        except OSError:
            pass
        try:
            conn.upstream.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _down(self, conn: _Conn) -> None:
        """Server to client."""
        try:
            while True:
                data = conn.upstream.recv(65536)
                if not data:
                    break
                fault, conn.fault = conn.fault, None
                if fault == "reset":
                    self._close(conn, reset=True)
                    return
                if fault == "truncate":
                    conn.client.sendall(data[:max(1, len(data) // 3)])
                    self._close(conn, reset=True)
                    return
                if fault == "delay":
                    time.sleep(self.delay)
                conn.client.sendall(data)
                conn.new_turn = True
        except OSError:
            pass
        self._close(conn)


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    _quiet_close(sock)


def _quiet_close(sock: socket.socket) -> None:
    # shutdown() acts at once, even while the other pump thread is blocked in recv() on
    # this socket (a bare close() would wait for that call to return before the peer
    # sees anything).
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
