"""HTTP to the central server, with every failure sorted into fatal or transient.

A 4xx answer is fatal for what was sent (it stops that batch's retries and is shown with
the server's reason); 408/425/429, 5xx, time-outs, refused or reset connections and
truncated answers are transient and retried with exponential backoff and jitter. A 429
or 503 with `Retry-After` (seconds or an HTTP date) waits what the server asked instead,
at most MAX_RETRY_AFTER; every wait ends early when the caller cancels.

A plain loop, not tenacity or stamina: the retry rules here (cancellable waits, the
server's Retry-After, one backoff shared with the upload loop and the prober) take about
as many lines as either library's configuration would, and bring no dependency.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from inspector_app.core.i18n import _

TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
RETRY_AFTER_STATUS = {429, 503}
MAX_RETRY_AFTER = 300.0  # seconds: a longer Retry-After is waited this long, then retried
PAUSE_STEP = 0.2  # seconds between looks at `cancelled()` while waiting


class SyncError(Exception):
    """A sync failure with a message for the user."""

    fatal = True

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class FatalError(SyncError):
    """The server refused what was sent (4xx): retrying the same thing cannot help."""


class TransientError(SyncError):
    """The network or the server failed for now: try again later (after `retry_after`
    seconds when the server said so)."""

    fatal = False

    def __init__(self, message: str, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message, status)
        self.retry_after = retry_after


class NotEnrolled(FatalError):
    pass


@dataclass
class Backoff:
    """Exponential backoff with full jitter: base, 2·base, 4·base ... capped."""

    base: float = 0.5
    cap: float = 60.0
    attempt: int = 0
    rng: random.Random | None = None

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return (self.rng or random).uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempt = 0


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """The seconds a `Retry-After` header asks for (a number of seconds or an HTTP date),
    at most MAX_RETRY_AFTER; None when there is none or it is garbled."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP date is GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def pause(seconds: float, sleep: Callable[[float], None] = time.sleep,
          cancelled: Callable[[], bool] = lambda: False) -> bool:
    """Wait `seconds` in short steps, stopping as soon as `cancelled()`; False if it was."""
    left = seconds
    while left > 1e-9:
        if cancelled():
            return False
        step = min(PAUSE_STEP, left)
        sleep(step)
        left -= step
    return not cancelled()


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else response.reason_phrase or str(response.status_code)


def make_client(server_url: str, ca_file: str = "", timeout: float = 30.0,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An HTTP client that verifies the server's certificate (with `ca_file` if given)."""
    verify: Any = True
    if ca_file:
        import ssl

        if not Path(ca_file).exists():
            raise FatalError(_("The certificate authority file {path} does not exist.")
                             .format(path=ca_file))
        verify = ssl.create_default_context(cafile=ca_file)
    return httpx.Client(base_url=server_url.rstrip("/"), verify=verify, transport=transport,
                        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                        headers={"User-Agent": "inspector-sync/1"})


class Connection:
    """One device's authenticated conversation with the server."""

    def __init__(self, client: httpx.Client, device_id: str = "", credential: str = ""):
        self.client = client
        self.device_id = device_id
        self.credential = credential

    def close(self) -> None:
        self.client.close()

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Device-Id": self.device_id,
                   "Authorization": f"Bearer {self.credential}"}
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, *, auth: bool = True,
                headers: dict[str, str] | None = None, **kwargs) -> httpx.Response:
        """One request; raises FatalError (4xx) or TransientError, else the response."""
        try:
            response = self.client.request(
                method, path, headers=self._headers(headers) if auth else headers, **kwargs)
            response.read()
        except httpx.TimeoutException as exc:
            raise TransientError(_("The central server did not answer in time.")) from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            if isinstance(exc, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise FatalError(_("The central server's certificate could not be "
                                   "verified: {error}").format(error=exc)) from exc
            raise TransientError(_("The connection to the central server failed ({error})."
                                   ).format(error=type(exc).__name__)) from exc
        status = response.status_code
        if status in TRANSIENT_STATUS:
            wait = retry_after(response.headers.get("Retry-After")) \
                if status in RETRY_AFTER_STATUS else None
            raise TransientError(_("The central server is busy or failing (HTTP {status}): "
                                   "{detail}").format(status=status,
                                                      detail=_detail(response)), status, wait)
        if status >= 400:
            raise FatalError(_("The central server refused it (HTTP {status}): {detail}")
                             .format(status=status, detail=_detail(response)), status)
        return response

    def json(self, method: str, path: str, **kwargs) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:  # a truncated or garbled answer
            raise TransientError(_("The central server's answer was incomplete.")) from exc

    def upload(self, path: str, file: Path, offset: int, total: int,
               params: dict[str, Any], chunk: int = 256 * 1024) -> Any:
        """PUT the bytes of `file` from `offset` as one streamed request."""

        def body() -> Iterator[bytes]:
            with open(file, "rb") as fh:
                fh.seek(offset)
                while block := fh.read(chunk):
                    yield block

        return self.json("PUT", path, params=params, content=body(),
                         headers={"Content-Type": "application/octet-stream",
                                  "Content-Length": str(total - offset)})


def delay_for(exc: TransientError, backoff: Backoff) -> float:
    """How long to wait after `exc`: the server's Retry-After, else the next backoff."""
    delay = backoff.next_delay()
    return delay if exc.retry_after is None else exc.retry_after


def with_retries(fn: Callable[[], Any], attempts: int, backoff: Backoff,
                 sleep: Callable[[float], None] = time.sleep,
                 cancelled: Callable[[], bool] = lambda: False) -> Any:
    """Call `fn` until it succeeds, retrying TransientError up to `attempts` times; a
    cancel (also during a wait) ends it with the last error."""
    for n in range(attempts):
        try:
            result = fn()
            backoff.reset()
            return result
        except TransientError as exc:
            if n == attempts - 1 or not pause(delay_for(exc, backoff), sleep, cancelled):
                raise
    raise AssertionError("unreachable")
