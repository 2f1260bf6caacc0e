"""The server's database: engines for SQLite (embedded default) or PostgreSQL, migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("inspector_server.db")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_NAME = "server.db"
_MIGRATE_LOCK = 0x494E5350  # PostgreSQL advisory lock id while migrating


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


def migrate(engine: Engine, target: str = "heads") -> None:
    """Bring the schema to `target`; several server processes may start at once.

    "heads": revisions made side by side on one parent (independent changes) all apply."""
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
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
