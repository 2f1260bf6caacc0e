"""The local SQLite store: opening it safely, migrating it, and sessions.

A store is a data directory holding `inspector.db` (SQLite, WAL mode) and
`attachments/` (files named by their SHA-256). Opening refuses, and never touches, a file
that is not an Inspector database or that a newer app version made.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from inspector_app.core.i18n import _

log = logging.getLogger(__name__)

DB_NAME = "inspector.db"
APPLICATION_ID = 0x494E5350  # "INSP", written by the first migration
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
# The newest migration(s). A store already there opens without loading Alembic (a test
# keeps this equal to the migration scripts' heads).
SCHEMA_HEADS = frozenset({"0015"})
PAGE_SIZE = 8192  # bytes, of a new store


class StoreError(Exception):
    """A store problem with a message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyOpenError(StoreError):
    pass


class NoStoreError(StoreError):
    """The data folder holds no store, and none was to be made."""

    def __init__(self, folder: Path):
        super().__init__(_("There is no Inspector store in {folder}.").format(folder=folder))
        self.folder = folder


def _check_existing_file(path: Path) -> bool:
    """True when `path` is an existing Inspector database; raise if it is something else."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise StoreError(
            _("{path} is not an Inspector database (it is not a SQLite file). "
              "It has been left untouched; move it away or choose another data folder.")
            .format(path=path)
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            _("{path} is damaged and cannot be opened ({error}). It has been left untouched.")
            .format(path=path, error=exc)
        ) from exc
    if app_id != APPLICATION_ID:
        raise StoreError(
            _("{path} is a database of another program, not of Inspector. "
              "It has been left untouched; move it away or choose another data folder.")
            .format(path=path)
        )
    return True


def _make_engine(path: Path, immediate: bool) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        # 8 KiB pages for a new store (no effect on one made already): record contents of
        # 1-2 KB compressed (a supervisor's agency versions) waste a quarter of 4 KiB pages.
        cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock up front, so the audit chain is read and
        # extended inside one serialised transaction.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def schema_revisions() -> tuple[set[str], set[str]]:
    """(head revisions, every known revision) of this app's migrations."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return set(script.get_heads()), {rev.revision for rev in script.walk_revisions()}


def current_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at (empty for a new database)."""
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        if not has_table:
            return set()
        return {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}


def migrate(engine: Engine, target: str = "heads") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), target)


class Store:
    """One device's local store.

    `create`: make the folder and a new store when there is none (the app's first start);
    with create=False a folder without a store raises NoStoreError and nothing is made.
    """

    def __init__(self, data_dir: Path, *, upgrade: bool = True, create: bool = True):
        self.data_dir = Path(data_dir)
        self.db_path = self.data_dir / DB_NAME
        self.attachments_dir = self.data_dir / "attachments"
        existed = _check_existing_file(self.db_path)
        if not existed and not create:
            raise NoStoreError(self.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = _make_engine(self.db_path, immediate=False)
        self.write_engine = _make_engine(self.db_path, immediate=True)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        if upgrade:
            self._upgrade(existed)

    def _upgrade(self, existed: bool) -> None:
        current = current_revisions(self.engine)
        if current == SCHEMA_HEADS:
            return
        heads, known = schema_revisions()
        if current == heads:
            return
        if current - known:
            self.close()
            raise StoreError(
                _("This database was made by a newer version of Inspector (schema {rev}). "
                  "Install the newer version to open it; nothing was changed.")
                .format(rev=", ".join(sorted(current - known)))
            )
        if existed and current:
            self.backup(self.data_dir / f"{DB_NAME}.before-{'-'.join(sorted(heads))}.bak")
        migrate(self.write_engine)

    def backup(self, target: Path) -> Path:
        """A consistent copy of the database (SQLite online backup)."""
        src = sqlite3.connect(self.db_path)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return target

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or not at all."""
        with self._write() as session, session.begin():
            yield session

    def attachment_path(self, sha256: str) -> Path:
        return self.attachments_dir / sha256[:2] / sha256

    def close(self) -> None:
        self.engine.dispose()
        self.write_engine.dispose()


def instance_lock(data_dir: Path) -> FileLock:
    """Hold this while the app runs, so a second instance gets a clear message."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / "inspector.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise AlreadyOpenError(
            _("Inspector is already running with the data folder {path}. "
              "Switch to that window, or close it first.").format(path=data_dir)
        ) from exc
    return lock


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_offset_minutes(moment: datetime | None = None) -> int:
    moment = moment or utcnow()
    offset = moment.astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


