"""`inspector backup` and `inspector restore`, run as the real command in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from cli_runner import inspector
from sample_records import contents, fill, snapshot

from inspector_app.core.store import Store, instance_lock

# Writes markets, one transaction after another, and holds one transaction open (rows
# written, not committed) for a while each round, until the file STOP appears.
WRITER = r"""
import sys, time
from pathlib import Path
from inspector_app.core import records, settings
from inspector_app.core.models import Market
from inspector_app.core.store import Store

store = Store(Path(sys.argv[1]), create=False)
stop = Path(sys.argv[2])
with store.write() as session:
    actor = records.Actor(settings.device_id(session), None)
n = 0
while not stop.exists():
    n += 1
    with store.write() as session:
        records.create(session, Market(name=f"并发写入市场{n}"), actor)
        if n % 5 == 0:
            print("holding", n, flush=True)
            time.sleep(0.8)  # the write transaction stays open while the backup runs
print("wrote", n, flush=True)
store.close()
"""


@pytest.fixture
def data(tmp_path):
    folder = Path(os.environ["INSPECTOR_DATA_DIR"])
    store = Store(folder)
    ids = fill(store)
    store.close()
    return folder, ids


def _zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "inspector.lock"}


def test_backup_while_another_process_writes_then_restore(data, tmp_path):
    folder, ids = data
    stop = tmp_path / "STOP"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ})
    try:
        assert writer.stdout.readline().startswith("holding"), writer.stderr.read()
        out = tmp_path / "备份" / "store.zip"
        started = time.monotonic()
        code, stdout, err = inspector("backup", "--out", out)
        took = time.monotonic() - started
        assert code == 0, err
        assert stdout == f"已将{folder}中的数据库备份到{out}：数据库和1个附件文件。\n"
        assert err == ""
    finally:
        stop.touch()
        tail, errors = writer.communicate(timeout=60)
    assert writer.returncode == 0, errors
    written = int(tail.split()[-1])
    assert written >= 5, "the writer ran during the backup"
    assert took < 60

    manifest = json.loads(_zip_members(out)["manifest.json"])
    assert manifest["format"] == "inspector-backup"
    assert manifest["schema_revisions"] == _heads()
    assert manifest["app_version"] and manifest["created_at"].endswith("Z")
    with sqlite3.connect(folder / "inspector.db") as con:
        device = json.loads(con.execute(
            "SELECT value FROM settings WHERE key='device_id'").fetchone()[0])
    assert manifest["store_id"] == device

    restored = tmp_path / "restored"
    code, stdout, err = inspector("--data-dir", restored, "restore", out)
    assert code == 0, err
    assert f"到{restored}" in stdout and "backups" not in stdout  # nothing was there to keep
    code, stdout, err = inspector("--data-dir", restored, "audit", "verify")
    assert code == 0 and stdout.startswith("正常："), stdout + err

    # One moment's store: every market the copy holds was committed, with its history,
    # and all of the first records are there, as they were.
    counts = snapshot(restored / "inspector.db")
    with sqlite3.connect(restored / "inspector.db") as con:
        markets = con.execute("SELECT count(*) FROM markets").fetchone()[0]
        audited = con.execute("SELECT count(*) FROM audit_log WHERE kind='market'").fetchone()[0]
    assert markets == audited and 1 < markets <= written + 1
    assert counts["history"] == counts["audit_log"]
    original, copy = Store(folder), Store(restored)
    try:
        before, after = contents(original), contents(copy)
    finally:
        original.close()
        copy.close()
    assert all(after[key] == before[key] for key in after)
    assert all((k, v) in after
               for k, v in ids.items() if k in ("check", "seizure", "worklog", "party"))
    photo = next(n for n in manifest["files"] if n.startswith("attachments/"))
    assert (restored / photo).read_bytes() == (folder / photo).read_bytes()


def _heads() -> list[str]:
    from inspector_app.core.store import schema_revisions

    return sorted(schema_revisions()[0])


def test_restore_over_a_store_keeps_the_old_one_first(data, tmp_path):
    folder, _ids = data
    backup = tmp_path / "one.zip"
    assert inspector("backup", "--out", backup).code == 0
    other = tmp_path / "other"
    store = Store(other)
    fill(store)
    store.close()
    before = snapshot(other / "inspector.db")

    code, stdout, err = inspector("--data-dir", other, "restore", backup)
    assert code == 0, err
    kept = sorted((other / "backups").glob("before-restore-*.zip"))
    assert len(kept) == 1
    assert stdout.splitlines()[0] == f"原有的数据库已保存到{kept[0]}。"
    assert snapshot(other / "inspector.db") == snapshot(folder / "inspector.db")

    # The kept copy is itself a backup: restoring it brings the replaced store back.
    again = tmp_path / "again"
    assert inspector("--data-dir", again, "restore", kept[0]).code == 0
    assert snapshot(again / "inspector.db") == before
    assert inspector("--data-dir", again, "audit", "verify").code == 0


def _refused(target: Path, backup: Path, expected: str) -> None:
    before = _tree(target) if target.exists() else None
    code, stdout, err = inspector("--data-dir", target, "restore", backup)
    assert code == 2, stdout + err
    assert stdout == ""
    assert err == f"错误：{expected}\n"
    assert "Traceback" not in err
    after = _tree(target) if target.exists() else None
    assert after == before, "nothing was changed"


def test_a_damaged_backup_is_refused_and_nothing_changes(data, tmp_path):
    folder, _ids = data
    good = tmp_path / "good.zip"
    assert inspector("backup", "--out", good).code == 0
    members = _zip_members(good)
    photo = next(n for n in members if n.startswith("attachments/"))

    changed = dict(members)
    changed[photo] = members[photo][:-1] + b"X"
    bad = _write_zip(tmp_path / "changed.zip", changed)
    _refused(folder, bad, f"备份文件{bad}已损坏（{photo}与其哈希值不符）。未做任何更改；"
                          "请使用该备份的其他副本。")
    fresh = tmp_path / "fresh-folder"
    _refused(fresh, bad, f"备份文件{bad}已损坏（{photo}与其哈希值不符）。未做任何更改；"
                         "请使用该备份的其他副本。")
    assert not fresh.exists(), "a bad backup makes no data folder"
    assert not list(tmp_path.glob(".*restore*")), "nor leaves its unpacked files"

    db_changed = dict(members)
    db = bytearray(members["inspector.db"])
    db[-100] ^= 0xFF
    db_changed["inspector.db"] = bytes(db)
    bad = _write_zip(tmp_path / "db.zip", db_changed)
    _refused(folder, bad, f"备份文件{bad}已损坏（inspector.db与其哈希值不符）。未做任何更改；"
                          "请使用该备份的其他副本。")

    missing = {k: v for k, v in members.items() if k != photo}
    bad = _write_zip(tmp_path / "missing.zip", missing)
    _refused(folder, bad, f"备份文件{bad}已损坏（缺少{photo}）。未做任何更改；请使用该备份的其他副本。")

    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(folder, cut, f"备份文件{cut}已损坏（文件不完整）。未做任何更改；请使用该备份的其他副本。")
    fresh = tmp_path / "fresh"
    _refused(fresh, cut, f"备份文件{cut}已损坏（文件不完整）。未做任何更改；请使用该备份的其他副本。")
    assert not (fresh / "inspector.db").exists()


def test_a_foreign_or_newer_file_is_refused(data, tmp_path):
    folder, _ids = data
    good = tmp_path / "good.zip"
    assert inspector("backup", "--out", good).code == 0
    members = _zip_members(good)

    text = tmp_path / "notes.zip"
    text.write_text("这不是备份", encoding="utf-8")
    _refused(folder, text, f"{text}不是本软件的备份文件。未做任何更改。")
    other = _write_zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8\xff"})
    _refused(folder, other, f"{other}不是本软件的备份文件。未做任何更改。")

    manifest = json.loads(members["manifest.json"])
    manifest["schema_revisions"] = ["9999"]
    newer = _write_zip(tmp_path / "newer.zip", {**members, "manifest.json":
                                                json.dumps(manifest).encode()})
    _refused(folder, newer, f"备份文件{newer}中的数据库由更新版本的本软件生成（架构版本9999）。"
                            "请安装新版本后再恢复；未做任何更改。")

    # A SQLite file of another program, with a manifest that matches it.
    foreign_db = tmp_path / "foreign.db"
    with sqlite3.connect(foreign_db) as con:
        con.execute("CREATE TABLE t (x)")
    data_bytes = foreign_db.read_bytes()
    import hashlib

    manifest = {**json.loads(members["manifest.json"]), "files": {"inspector.db": {
        "sha256": hashlib.sha256(data_bytes).hexdigest(), "size": len(data_bytes)}}}
    foreign = _write_zip(tmp_path / "foreign.zip", {"manifest.json": json.dumps(manifest),
                                                    "inspector.db": data_bytes})
    _refused(folder, foreign, f"{foreign}不是本软件的备份文件。未做任何更改。")

    escape = {**json.loads(members["manifest.json"])}
    escape["files"] = {**escape["files"], "../evil": {"sha256": "0" * 64, "size": 1}}
    evil = _write_zip(tmp_path / "evil.zip", {**members, "manifest.json": json.dumps(escape),
                                              "../evil": b"x"})
    _refused(folder, evil, f"{evil}不是本软件的备份文件。未做任何更改。")
    assert not (folder.parent / "evil").exists()


def test_restore_waits_for_the_app_to_close(data, tmp_path):
    folder, _ids = data
    good = tmp_path / "good.zip"
    assert inspector("backup", "--out", good).code == 0
    lock = instance_lock(folder)  # as the running app holds it
    try:
        _refused(folder, good, f"本软件已在运行并正在使用数据文件夹 {folder}。请切换到该窗口，"
                               "或先将其关闭。")
    finally:
        lock.release()


def test_backup_of_a_folder_without_a_store(tmp_path):
    empty = tmp_path / "nothing"
    code, stdout, err = inspector("--data-dir", empty, "backup", "--out", tmp_path / "b.zip")
    assert code == 2 and stdout == ""
    assert err.startswith(f"错误：{empty}中没有本软件的数据库。")
    assert not (tmp_path / "b.zip").exists() and not empty.exists()


def test_help_names_both_commands():
    code, stdout, _err = inspector("--help")
    assert code == 0 and "backup" in stdout and "restore" in stdout
    code, stdout, _err = inspector("restore", "--help")
    assert code == 0 and "backups/" in stdout
