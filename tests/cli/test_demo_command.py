"""`inspector demo` run as a user runs it: twice on one folder, and on a store with real
records (the real command in a subprocess, with this checkout's code)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sample_records import fill

import inspector_app
from inspector_app.core.store import Store

INSPECTOR = Path(sys.executable).with_name("inspector")
ROOT = Path(inspector_app.__file__).resolve().parents[1]


def inspector(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), INSPECTOR_DATA_DIR=str(folder))
    return subprocess.run([str(INSPECTOR), "--data-dir", str(folder), *args], env=env,
                          check=False, capture_output=True, text=True, timeout=600)


def ids(folder: Path) -> list[str]:
    found = []
    for kind in ("check", "seizure", "worklog"):
        done = inspector(folder, "records", "list", "--kind", kind, "--json")
        assert done.returncode == 0, done.stderr
        found += [row["id"] for row in json.loads(done.stdout)]
    return found


def test_demo_twice_adds_more_and_the_store_verifies(tmp_path):
    folder = tmp_path / "data"
    first = inspector(folder, "demo", "--records", "20")
    assert first.returncode == 0, first.stderr
    assert "已设置示例单位" in first.stdout and "工作站" in first.stdout
    before = ids(folder)
    second = inspector(folder, "demo", "--records", "20")
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr and "已添加示例数据" in second.stdout
    after = ids(folder)
    assert len(after) == len(set(after)) == len(before) + 63  # 20 of each kind, 3 signed
    assert set(before) < set(after)
    verified = inspector(folder, "audit", "verify")
    assert verified.returncode == 0, verified.stdout


def test_demo_on_a_store_with_real_records_is_refused(tmp_path):
    folder = tmp_path / "real"
    store = Store(folder)
    fill(store)
    store.close()
    db = folder / "inspector.db"
    before = ids(folder)
    done = inspector(folder, "demo", "--records", "5")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("错误：该数据库中已有非示例数据的记录"), done.stderr
    assert "Traceback" not in done.stderr
    assert ids(folder) == before and db.exists()
    assert inspector(folder, "audit", "verify").returncode == 0
