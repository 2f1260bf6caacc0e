"""What the app needs to know before the store is opened, without importing SQLAlchemy.

The GUI shows its main window before it imports the ORM (a cold start matters), but it
must pick its language first. This reads the saved language straight from the database,
read-only, and only from a file that is already an Inspector database.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

DB_NAME = "inspector.db"  # = store.DB_NAME, kept here so this module stays light
APPLICATION_ID = 0x494E5350  # = store.APPLICATION_ID
_SQLITE_HEADER = b"SQLite format 3\x00"


def peek_setting(data_dir: Path, key: str) -> object | None:
    """The saved value of setting `key`, or None if it is not set or cannot be read.

    Never raises and never writes: a missing, foreign or damaged file gives None (the
    store itself reports such files when it is opened).
    """
    path = Path(data_dir) / DB_NAME
    try:
        with path.open("rb") as fh:
            if fh.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return None
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return None
            row = con.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        finally:
            con.close()
        return json.loads(row[0]) if row else None
    except (OSError, sqlite3.Error, ValueError):
        return None


def peek_language(data_dir: Path) -> str | None:
    value = peek_setting(data_dir, "language")
    return value if isinstance(value, str) else None
