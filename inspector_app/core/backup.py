"""Whole-store backups and their restore.

A backup is one zip file:

    manifest.json            what this is, and the SHA-256 and size of every other member
    inspector.db             a consistent copy of the database (SQLite online backup)
    attachments/<aa>/<sha>   every attachment file the copied database names
    device_key.pem           this device's signing key, when there is one

A zip (not a tar) because the manifest can be read and every member checked without
unpacking the rest, each member carries its own CRC, and every platform opens it.

The database is copied with SQLite's online backup API, inside one read transaction, so
a backup taken while the app writes is the store as it was at one moment; the attachments
are the files that moment's rows name (they are named by their hash and never change).

`restore` checks everything before it changes anything: the manifest, every member's
hash and size, that the database is an Inspector database of a schema this app knows.
The store it replaces is first backed up into the data folder's `backups/`. The backup is
unpacked into a temporary folder beside the data folder, checked, and the database renamed
into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from inspector_app.core.i18n import _
from inspector_app.core.store import (
    APPLICATION_ID,
    DB_NAME,
    SQLITE_HEADER,
    StoreError,
    instance_lock,
    schema_revisions,
)

FORMAT = "inspector-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KEY_FILE = "device_key.pem"  # = device_key.KEY_FILE (that module loads cryptography)
BACKUPS_DIR = "backups"


class BackupError(StoreError):
    """A backup that cannot be made or restored, with a message for the user."""


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("inspector")
    except PackageNotFoundError:  # run from a checkout that is not installed
        from inspector_app import __version__

        return __version__


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    missing: list[str] = field(default_factory=list)  # attachments named but not found


def _snapshot(db_path: Path, target: Path) -> None:
    """A consistent copy of the live database at `target`, as one self-contained file."""
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one moment
        dst.execute("PRAGMA journal_mode=DELETE")  # no -wal file needed beside the copy
    finally:
        dst.close()
        src.close()


def _db_facts(db: Path) -> tuple[list[str], str, list[str]]:
    """(schema revisions, store id, attachment hashes) of a database file."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        revisions = sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
        row = con.execute("SELECT value FROM settings WHERE key = 'device_id'").fetchone()
        store_id = json.loads(row[0]) if row else ""
        hashes = sorted({r[0] for r in con.execute("SELECT sha256 FROM attachments")})
    finally:
        con.close()
    return revisions, store_id, hashes


def make_backup(data_dir: Path, out: Path, now: datetime | None = None) -> BackupResult:
    """Write a backup of the store in `data_dir` to `out` (written whole, or not at all)."""
    data_dir, out = Path(data_dir), Path(out)
    db_path = data_dir / DB_NAME
    if not db_path.exists():
        raise BackupError(_("There is no Inspector store in {folder}.").format(folder=data_dir))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".inspector-backup-", dir=out.parent) as tmp:
        copy = Path(tmp) / DB_NAME
        _snapshot(db_path, copy)
        revisions, store_id, hashes = _db_facts(copy)
        files: dict[str, Path] = {DB_NAME: copy}
        missing = []
        for sha in hashes:
            path = data_dir / "attachments" / sha[:2] / sha
            if path.is_file():
                files[f"attachments/{sha[:2]}/{sha}"] = path
            else:
                missing.append(sha)
        if (data_dir / KEY_FILE).is_file():
            files[KEY_FILE] = data_dir / KEY_FILE
        listed = {}
        for name, path in files.items():
            digest = _sha256_file(path)
            if name.startswith("attachments/") and digest != name.rsplit("/", 1)[1]:
                missing.append(name.rsplit("/", 1)[1])  # changed on disk: not the attachment
                continue
            listed[name] = {"sha256": digest, "size": path.stat().st_size}
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "app_version": app_version(), "schema_revisions": revisions,
            "store_id": store_id,
            "created_at": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "files": listed,
        }
        partial = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1,
                                             sort_keys=True))
            for name in listed:
                zf.write(files[name], name)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, out)
    return BackupResult(out, manifest, sorted(set(missing)))


# --- reading and checking a backup --------------------------------------------------------


def _not_a_backup(path: Path) -> BackupError:
    return BackupError(_("{path} is not an Inspector backup. Nothing was changed.")
                       .format(path=path))


def _damaged(path: Path, detail: str) -> BackupError:
    return BackupError(_("The backup {path} is damaged ({detail}). Nothing was changed; "
                         "use another copy of the backup.").format(path=path, detail=detail))


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def read_manifest(path: Path) -> dict:
    """The manifest of the backup at `path`, checked for form; raises BackupError."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError) as exc:
        with open(path, "rb") as fh:
            start = fh.read(4)
        if start == b"PK\x03\x04":  # a zip, cut short or damaged
            raise _damaged(path, _("the file is incomplete")) from exc
        raise _not_a_backup(path) from exc
    with zf:
        try:
            manifest = json.loads(zf.read(MANIFEST))
        except KeyError as exc:
            raise _not_a_backup(path) from exc
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise _damaged(path, _("its manifest cannot be read")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("files"), dict) \
            or DB_NAME not in manifest["files"]:
        raise _not_a_backup(path)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(_("{path} was made by a newer version of Inspector (backup format "
                            "{version}). Install the newer version to restore it; nothing "
                            "was changed.").format(path=path,
                                                   version=manifest.get("format_version")))
    _heads, known = schema_revisions()
    unknown = set(manifest.get("schema_revisions") or []) - known
    if unknown:
        raise BackupError(_("The backup {path} holds a database of a newer version of "
                            "Inspector (schema {rev}). Install the newer version to restore "
                            "it; nothing was changed.").format(
                                path=path, rev=", ".join(sorted(unknown))))
    return manifest


def verify_backup(path: Path, into: Path | None = None) -> dict:
    """Check every member against the manifest (and unpack them into `into`, if given)."""
    path = Path(path)
    manifest = read_manifest(path)
    listed: dict = manifest["files"]
    try:
        with zipfile.ZipFile(path) as zf:
            present = {info.filename for info in zf.infolist() if not info.is_dir()}
            extra = present - set(listed) - {MANIFEST}
            if extra:
                raise _damaged(path, _("it holds files its manifest does not name: {names}")
                               .format(names=", ".join(sorted(extra)[:3])))
            for name, facts in listed.items():
                if not _safe_name(name):
                    raise _not_a_backup(path)
                if name not in present:
                    raise _damaged(path, _("{name} is missing").format(name=name))
                digest, size = hashlib.sha256(), 0
                target = into / name if into is not None else None
                if target is not None:
                    target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(name) as src, \
                        (open(target, "wb") if target is not None else open(os.devnull, "wb")) \
                        as dst:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        digest.update(block)
                        size += len(block)
                        dst.write(block)
                    if target is not None:
                        dst.flush()
                        os.fsync(dst.fileno())
                if digest.hexdigest() != facts.get("sha256") or size != facts.get("size"):
                    raise _damaged(path, _("{name} does not match its hash").format(name=name))
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError) and exc.filename == str(path):
            raise
        raise _damaged(path, _("the file is incomplete")) from exc
    return manifest


def _check_database(db: Path, source: Path) -> None:
    with open(db, "rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise _not_a_backup(source)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise _not_a_backup(source)
        if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise _damaged(source, _("its database fails SQLite's integrity check"))
    except sqlite3.DatabaseError as exc:
        raise _damaged(source, str(exc)) from exc
    finally:
        con.close()


@dataclass
class RestoreResult:
    manifest: dict
    data_dir: Path
    previous: Path | None  # the backup of the store that was replaced


def _checkpoint(db_path: Path) -> None:
    """Fold the old database's -wal into it, so no stale -wal sits beside the new one."""
    con = sqlite3.connect(db_path, timeout=30)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


def restore(path: Path, data_dir: Path, now: datetime | None = None) -> RestoreResult:
    """Put the store of backup `path` in `data_dir`, after checking all of it.

    A store already there is first backed up into `data_dir/backups/`; its attachment files
    stay (the restored ones are added beside them: names are hashes, so none collide).
    """
    path, data_dir = Path(path), Path(data_dir)
    read_manifest(path)  # a foreign or newer file is refused before anything is made
    parent = data_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    # Unpacked and checked beside the data folder (same disk, so the rename is atomic);
    # a bad backup leaves nothing behind, not even the data folder.
    with tempfile.TemporaryDirectory(prefix=f".{data_dir.name}-restore-", dir=parent) as tmp:
        staged = Path(tmp)
        manifest = verify_backup(path, into=staged)
        _check_database(staged / DB_NAME, path)
        data_dir.mkdir(exist_ok=True)
        lock = instance_lock(data_dir)  # the app must not have the store open
        try:
            previous = None
            db_path = data_dir / DB_NAME
            if db_path.exists() and db_path.stat().st_size > 0:
                stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
                previous = data_dir / BACKUPS_DIR / f"before-restore-{stamp}.zip"
                n = 1
                while previous.exists():  # never replace an earlier one
                    n += 1
                    previous = data_dir / BACKUPS_DIR / f"before-restore-{stamp}-{n}.zip"
                make_backup(data_dir, previous, now)
                _checkpoint(db_path)
            # Attachments first (only added), then the database in one rename.
            for src in sorted((staged / "attachments").glob("*/*")):
                target = data_dir / "attachments" / src.parent.name / src.name
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists() or _sha256_file(target) != src.name:
                    os.replace(src, target)
            if (staged / KEY_FILE).exists():
                os.chmod(staged / KEY_FILE, 0o600)
                os.replace(staged / KEY_FILE, data_dir / KEY_FILE)
            for suffix in ("-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            os.replace(staged / DB_NAME, db_path)
        finally:
            lock.release()
    return RestoreResult(manifest, data_dir, previous)
