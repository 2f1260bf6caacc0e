"""HTTP to the central server, with every failure sorted into fatal or transient.

A 4xx answer is fatal for what was sent (it stops that batch's retries and is shown with
the server's reason); 408/425/429, 5xx, time-outs, refused or reset connections and
truncated answers are transient and retried with exponential backoff and jitter.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from inspector_app.core.i18n import _

TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


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
    """The network or the server failed for now: try again later."""

    fatal = False


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
            raise TransientError(_("The central server is busy or failing (HTTP {status}): "
                                   "{detail}").format(status=status,
                                                      detail=_detail(response)), status)
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


def with_retries(fn: Callable[[], Any], attempts: int, backoff: Backoff,
                 sleep: Callable[[float], None] = time.sleep,
                 cancelled: Callable[[], bool] = lambda: False) -> Any:
    """Call `fn` until it succeeds, retrying TransientError up to `attempts` times."""
    for n in range(attempts):
        try:
            result = fn()
            backoff.reset()
            return result
        except TransientError:
            if n == attempts - 1 or cancelled():
                raise
            sleep(backoff.next_delay())
    raise AssertionError("unreachable")
