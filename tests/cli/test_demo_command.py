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


def test_supervisor_demo_holds_the_signed_batches_of_three_devices(tmp_path):
    """`inspector demo --supervisor`: the records of three demo devices, kept as their
    devices signed them; a conflict to resolve; refused on an inspector's store."""
    from sqlalchemy import select

    from inspector_app.core.agency import review
    from inspector_app.core.models import AgencyBatch, AgencyRecord, KnownKey
    from inspector_app.core.sync.state import DEVICE_ROLE
    from sync import protocol

    folder = tmp_path / "supervisor"
    done = inspector(folder, "demo", "--supervisor", "--records", "3")
    assert done.returncode == 0, done.stderr
    assert "已将三台示例设备的记录加入本审核数据库" in done.stdout
    assert "待处理冲突：1条" in done.stdout
    store = Store(folder)
    try:
        with store.read() as session:
            assert DEVICE_ROLE.get(session) == "supervisor"
            keys = {k.device_id: k for k in session.scalars(select(KnownKey))
                    if k.source == "server"}
            assert len(keys) == 3 and all(k.inspector for k in keys.values())
            for batch in session.scalars(select(AgencyBatch)):  # each verifies as sent
                public = protocol.load_public_key(keys[batch.device_id].public_key)
                protocol.verify_batch_signature(public, batch.signature, batch.body)
                assert protocol.decode_batch(batch.body).device_id == batch.device_id
            rows = list(session.scalars(select(AgencyRecord)))
            assert {r.kind for r in rows} == {"check", "seizure", "worklog"}
            assert len(rows) == 27  # 3 of each kind on each of 3 devices
            assert sum(r.conflicts for r in rows) == 1
            assert [r.review_state for r in rows].count("returned") == 1
            returned = next(r for r in rows if r.review_state == "returned")
            comments = [h["text"] for h in review.history(session, returned.kind,
                                                           returned.record_id)
                        if h["type"] == "decision"]
            assert comments == ["查封物品清单缺少规格，请补充后重新提交"]
    finally:
        store.close()

    mixed = tmp_path / "inspector"
    assert inspector(mixed, "demo", "--records", "2").returncode == 0
    refused = inspector(mixed, "demo", "--supervisor")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "此数据库存有执法人员本人的记录" in refused.stderr + refused.stdout
