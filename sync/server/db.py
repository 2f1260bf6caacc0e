"""The server's database: engines for SQLite (embedded default) or PostgreSQL, migrations."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("inspector_server.db")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_NAME = "server.db"
_MIGRATE_LOCK = 0x494E5350  # PostgreSQL advisory lock id while migrating
WRITE_WAIT = 60.0  # seconds a SQLite writer queues in this process before going ahead


class FairQueue:
    """Writers in turn, first come first served. SQLite has one writer at a time, and its
    busy wait polls with growing sleeps, so a device whose requests write back to back
    (a catch-up) can starve another device's writer; queueing them in the process is fair.
    A writer that waited `WRITE_WAIT` goes ahead (SQLite's own lock still holds)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = self._serving = 0
        self._abandoned: set[int] = set()

    def acquire(self, timeout: float) -> int | None:
        with self._cond:
            ticket = self._next
            self._next += 1
            if self._cond.wait_for(lambda: self._serving == ticket, timeout):
                return ticket
            self._abandoned.add(ticket)
            return None

    def release(self, ticket: int | None) -> None:
        if ticket is None:
            return
        with self._cond:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / SQLITE_NAME}"


def make_engine(url: str, *, immediate: bool = False, pool_size: int = 10) -> Engine:
    """An engine for `url`. SQLite writers take the write lock at BEGIN (`immediate`)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False,
                                                                "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, future=True, pool_size=pool_size, max_overflow=pool_size,
                         pool_pre_ping=True)


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, target: str = "head") -> None:
    """Bring the schema to `target`; several server processes may start at once."""
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
        command.upgrade(alembic_config(conn), target)


class Database:
    """Sessions on the server's database: `read()` and `write()` (commits or rolls back)."""

    def __init__(self, url: str, *, upgrade: bool = True):
        self.url = url
        self.engine = make_engine(url)
        self.write_engine = make_engine(url, immediate=True) if self.is_sqlite else self.engine
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        self._writers = FairQueue() if self.is_sqlite else None
        if upgrade:
            migrate(self.write_engine)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        ticket = self._writers.acquire(WRITE_WAIT) if self._writers else None
        try:
            with self._write() as session, session.begin():
                yield session
        finally:
            if self._writers:
                self._writers.release(ticket)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
