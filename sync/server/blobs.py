"""The content-addressed attachment store on disk, with resumable uploads.

A complete file lives at `<root>/<sha[:2]>/<sha>`. An upload in progress is
`<root>/partial/<sha>.part`: each PUT appends at the offset the client names, which must be
the partial file's current size, and the bytes are kept as they arrive, so an upload cut at
60 % resumes at 60 %. When the last byte is in, the file must hash to its name, or it is
thrown away.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from pathlib import Path

from sync.protocol import SHA_RE, ProtocolError

MAX_ATTACHMENT_BYTES = 512 * 1024 * 1024


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        (self.root / "partial").mkdir(parents=True, exist_ok=True)

    @staticmethod
    def check_sha(sha: str) -> str:
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise ProtocolError("an attachment is named by its SHA-256 (64 lowercase hex)", 422)
        return sha

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def partial(self, sha: str) -> Path:
        return self.root / "partial" / f"{sha}.part"

    def has(self, sha: str) -> bool:
        return self.path(sha).exists()

    def offset(self, sha: str) -> int:
        """Bytes already received of an upload in progress (0 if none)."""
        try:
            return self.partial(sha).stat().st_size
        except FileNotFoundError:
            return 0

    def open_append(self, sha: str, offset: int, total: int):
        """The partial file, locked and positioned at `offset` (which must be its size)."""
        if total < 0 or total > MAX_ATTACHMENT_BYTES:
            raise ProtocolError("the attachment is larger than allowed", 413)
        if offset < 0 or offset > total:
            raise ProtocolError("the offset lies outside the attachment", 416)
        path = self.partial(sha)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fh = os.fdopen(fd, "r+b")
        # A request cut a moment ago may still hold the lock: wait a little for it.
        deadline = time.monotonic() + 3.0
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    fh.close()
                    raise ProtocolError("this attachment is being uploaded by another "
                                        "request", 409) from None
                time.sleep(0.05)
        size = os.fstat(fh.fileno()).st_size
        if size != offset:
            fh.close()
            err = ProtocolError(f"the upload is at offset {size}, not {offset}", 409)
            err.offset = size  # type: ignore[attr-defined]
            raise err
        fh.seek(offset)
        return fh

    def finish(self, sha: str, fh, total: int) -> bool:
        """Called with the partial file after a PUT: True when the attachment is complete."""
        fh.flush()
        os.fsync(fh.fileno())
        size = fh.tell()
        if size > total:
            fh.truncate(0)
            fh.close()
            raise ProtocolError("more bytes were sent than the attachment's size", 400)
        if size < total:
            fh.close()
            return False
        fh.seek(0)
        digest = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
        if digest.hexdigest() != sha:
            fh.truncate(0)
            fh.close()
            raise ProtocolError("the uploaded bytes do not hash to the attachment's SHA-256; "
                                "upload it again", 422)
        target = self.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.partial(sha), target)
        fh.close()
        return True
