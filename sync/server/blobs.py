"""The content-addressed attachment store on disk, with resumable uploads staged per device.

A complete file lives at `<root>/<sha[:2]>/<sha>`. An upload in progress is
`<root>/partial/<device>/<sha>.part`, one per device: each PUT appends at the offset the
client names, which must be the partial file's current size, and the bytes are kept as
they arrive, so an upload cut at 60 % resumes at 60 %. When the last byte is in, the file
must hash to its name, or it is emptied; only then is it moved into place (one rename, so
the complete file appears whole or not at all). Because every device has its own partial
file and its own upload lock, one device's wrong bytes, wrong hash or abandoned half never
block another device's upload of the same attachment.

A device uploads one attachment at a time (`<root>/partial/<device>/.lock`, released by
the kernel if the process dies). Partial files untouched for `max_partial_age` seconds are
abandoned: a partial that old reads as empty, and they are deleted by a sweep that runs at
upload time, at most every `SWEEP_EVERY` seconds per process. Sweeping at upload time
needs no timer thread and no extra process, and is enough: partials only grow through
uploads, so with no uploads nothing grows.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from sync.protocol import SHA_RE, ProtocolError, is_uuid

MAX_ATTACHMENT_BYTES = 512 * 1024 * 1024
PARTIAL_MAX_AGE = 2 * 24 * 3600  # seconds an unfinished upload is kept
SWEEP_EVERY = 600  # seconds between sweeps of abandoned uploads (per process)
LOCK_WAIT = 3.0  # a request cut a moment ago may still hold the device's upload lock


class BlobStore:
    def __init__(self, root: Path, max_partial_age: float = PARTIAL_MAX_AGE,
                 clock: Callable[[], float] = time.time):
        self.root = Path(root)
        self.max_partial_age = max_partial_age
        self.clock = clock
        self._swept_at = float("-inf")
        (self.root / "partial").mkdir(parents=True, exist_ok=True)

    @staticmethod
    def check_sha(sha: str) -> str:
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise ProtocolError("an attachment is named by its SHA-256 (64 lowercase hex)", 422)
        return sha

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def staging(self, device: str) -> Path:
        if not is_uuid(device):
            raise ValueError("a device id is a UUID")
        return self.root / "partial" / device

    def partial(self, sha: str, device: str) -> Path:
        return self.staging(device) / f"{sha}.part"

    def has(self, sha: str) -> bool:
        return self.path(sha).exists()

    def _expired(self, mtime: float) -> bool:
        return mtime < self.clock() - self.max_partial_age

    def offset(self, sha: str, device: str) -> int:
        """Bytes this device already sent of an upload in progress (0 if none)."""
        try:
            st = self.partial(sha, device).stat()
        except FileNotFoundError:
            return 0
        return 0 if self._expired(st.st_mtime) else st.st_size

    def staged_bytes(self, device: str) -> int:
        """Bytes in this device's unfinished uploads."""
        total = 0
        for part in self.staging(device).glob("*.part"):
            try:
                total += part.stat().st_size
            except FileNotFoundError:
                pass
        return total

    def sweep(self, force: bool = False) -> int:
        """Delete abandoned partial uploads (of devices not uploading right now)."""
        now = self.clock()
        if not force and now - self._swept_at < SWEEP_EVERY:
            return 0
        self._swept_at = now
        removed = 0
        for entry in (self.root / "partial").iterdir():
            if entry.is_file() and entry.suffix == ".part":  # the layout before staging
                removed += self._remove_if_expired(entry)
            elif entry.is_dir() and is_uuid(entry.name):
                lock = _try_lock(entry / ".lock")
                if lock is None:
                    continue  # uploading now: its own upload expires what is old
                try:
                    for part in entry.glob("*.part"):
                        removed += self._remove_if_expired(part)
                finally:
                    lock.close()
        return removed

    def _remove_if_expired(self, part: Path) -> int:
        try:
            if self._expired(part.stat().st_mtime):
                part.unlink()
                return 1
        except FileNotFoundError:
            pass
        return 0

    def begin(self, sha: str, device: str, offset: int, total: int,
              room: Callable[[int], int]) -> Upload:
        """Start appending at `offset` to this device's partial file of `sha`.

        `room(staged)` is how many more bytes the device may store, given `staged` bytes in
        its unfinished uploads; it is asked while the device's upload lock is held."""
        if total < 0 or total > MAX_ATTACHMENT_BYTES:
            raise ProtocolError("the attachment is larger than allowed", 413)
        if offset < 0 or offset > total:
            raise ProtocolError("the offset lies outside the attachment", 416)
        self.sweep()
        folder = self.staging(device)
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder / ".lock")
        try:
            path = self.partial(sha, device)
            size = 0
            if path.exists():
                st = path.stat()
                size = st.st_size
                if size and self._expired(st.st_mtime):
                    os.truncate(path, 0)  # abandoned: start again
                    size = 0
            if size != offset:
                err = ProtocolError(f"the upload is at offset {size}, not {offset}", 409)
                err.offset = size  # type: ignore[attr-defined]
                raise err
            if total - offset > room(self.staged_bytes(device)):
                raise ProtocolError("this device's attachment quota is used up; ask the "
                                    "bureau to raise it", 413)
            fh = open(path, "ab")  # noqa: SIM115 - closed by Upload.close
        except BaseException:
            lock.close()
            raise
        return Upload(self, sha, path, fh, lock, total)


class Upload:
    """One PUT into a device's partial file, holding the device's upload lock."""

    def __init__(self, store: BlobStore, sha: str, path: Path, fh, lock, total: int):
        self.store, self.sha, self.path, self.fh, self.lock = store, sha, path, fh, lock
        self.total = total
        self.written = fh.tell()

    def write(self, chunk: bytes) -> None:
        self.written += len(chunk)
        if self.written > self.total:
            raise ProtocolError("more bytes were sent than the attachment's size")
        self.fh.write(chunk)

    def finish(self) -> bool:
        """After the request body: True when the attachment is complete and in place."""
        fh = self.fh
        fh.flush()
        os.fsync(fh.fileno())
        size = os.fstat(fh.fileno()).st_size
        if size > self.total:
            fh.truncate(0)
            raise ProtocolError("more bytes were sent than the attachment's size", 400)
        if size < self.total:
            return False
        digest = hashlib.sha256()
        with open(self.path, "rb") as reader:
            for block in iter(lambda: reader.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != self.sha:
            fh.truncate(0)
            raise ProtocolError("the uploaded bytes do not hash to the attachment's SHA-256; "
                                "upload it again", 422)
        target = self.store.path(self.sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # another device completed it first: the same bytes
            self.path.unlink()
        else:
            os.replace(self.path, target)
            _fsync_dir(target.parent)
        return True

    def close(self) -> None:
        """Always called: closes the file and releases the device's upload lock."""
        try:
            self.fh.close()
        finally:
            self.lock.close()


def _lock(path: Path):
    fh = open(path, "a+b")  # noqa: SIM115 - the caller closes it (which unlocks)
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except OSError:
            if time.monotonic() > deadline:
                fh.close()
                raise ProtocolError("this device is uploading another attachment; try again "
                                    "in a moment", 409) from None
            time.sleep(0.05)


def _try_lock(path: Path):
    try:
        fh = open(path, "a+b")  # noqa: SIM115 - the caller closes it
    except OSError:
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
