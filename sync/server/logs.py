"""The server's log: `logs/server.log` in the data folder, written by every server process.

With `--workers N` uvicorn runs N worker processes under a supervising parent; each one
applies the logging configuration of `config()` when it starts (uvicorn passes it to every
worker), so every worker logs. They all append to the one file:

- Each line is one `write(2)` on a file opened with O_APPEND, under an exclusive `flock` on
  `server.log.lock`, so lines never interleave. The kernel drops the lock of a process that
  dies (even by SIGKILL or the OOM killer), so a dead worker never blocks the others. A
  `multiprocessing` queue to the parent would not survive that: a worker killed while
  holding the queue's lock blocks every other worker's logging.
- Rotation (5 MB, 5 old files) happens under the same lock, by whichever process finds the
  file full; the others see that the file was renamed and reopen it.
- Lines also go to stderr, which systemd hands to journald.

Each line names its process id, so the lines of each worker can be told apart. The death of
a worker is logged by uvicorn's supervisor at INFO ("Child process [pid] died"); it is
raised to WARNING here. Our own lines name devices and batches, never people; there is no
access log.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Any

FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 5_000_000
BACKUPS = 5


class SharedFileHandler(logging.Handler):
    """A rotating log file that several processes append to (see the module text)."""

    def __init__(self, filename: str, max_bytes: int = MAX_BYTES, backups: int = BACKUPS):
        super().__init__()
        self.path = Path(filename)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.backups = backups
        self._lock_fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._fd: int | None = None

    def _open(self) -> int:
        """Our descriptor of the current file, reopened if another process rotated it."""
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            current = None
        if self._fd is not None:
            mine = os.fstat(self._fd)
            if current is not None and (mine.st_dev, mine.st_ino) == (current.st_dev,
                                                                       current.st_ino):
                return self._fd
            os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        return self._fd

    def _rotate(self) -> None:
        for n in range(self.backups - 1, 0, -1):
            older = Path(f"{self.path}.{n}")
            if older.exists():
                os.replace(older, f"{self.path}.{n + 1}")
        if self.backups > 0:
            os.replace(self.path, f"{self.path}.1")
        else:
            os.truncate(self.path, 0)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = (self.format(record) + "\n").encode("utf-8", "backslashreplace")
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                fd = self._open()
                size = os.fstat(fd).st_size
                if self.max_bytes and size and size + len(data) > self.max_bytes:
                    self._rotate()
                    fd = self._open()
                os.write(fd, data)
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        except Exception:  # noqa: BLE001 - logging must never break a request
            self.handleError(record)

    def close(self) -> None:
        with self.lock:
            for fd in (self._fd, self._lock_fd):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._fd = None
            self._lock_fd = None  # type: ignore[assignment]
        super().close()


class WorkerDeath(logging.Filter):
    """Raise uvicorn's "Child process [pid] died" (INFO) to WARNING."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            text = record.getMessage()
            if text.startswith("Child process [") and text.endswith("died"):
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def config(data_dir: Path) -> dict[str, Any]:
    """The `logging.config.dictConfig` of every server process (uvicorn's `log_config`)."""
    both = ["file", "console"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": FORMAT}},
        "filters": {"worker_death": {"()": "sync.server.logs.WorkerDeath"}},
        "handlers": {
            "file": {"()": "sync.server.logs.SharedFileHandler", "formatter": "plain",
                     "filename": str(Path(data_dir) / "logs" / "server.log")},
            "console": {"class": "logging.StreamHandler", "formatter": "plain",
                        "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "inspector_server": {"level": "INFO", "handlers": both, "propagate": False},
            # Start, stop and death of processes; warnings about bad HTTP.
            "uvicorn.error": {"level": "INFO", "handlers": both, "propagate": False,
                              "filters": ["worker_death"]},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            "uvicorn": {"level": "WARNING", "handlers": both, "propagate": False},
            "alembic": {"level": "WARNING", "handlers": both, "propagate": False},
        },
    }
