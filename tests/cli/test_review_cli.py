"""`inspector review list/decide` and `inspector records show --json`: the real command, on a
supervisor's store (agency records inserted as the importer leaves them) and on an
inspector's store (decisions received about its own records)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import review_rows
from cli_runner import inspector

from inspector_app.core.store import Store

PASSWORD = "demo1234"  # of the demo team


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "data"
    result = inspector("--data-dir", folder, "demo", "--records", "5")
    assert result.code == 0, result.err
    return folder


@pytest.fixture
def folder(demo_store, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "store"
    shutil.copytree(demo_store, folder)
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(folder))
    monkeypatch.setenv("INSPECTOR_USER", "zhang")
    monkeypatch.setenv("INSPECTOR_PASSWORD", PASSWORD)
    return folder


@pytest.fixture
def supervisor(folder) -> tuple[Path, list[str]]:
    store = Store(folder)
    review_rows.make_supervisor(store)
    with store.write() as session:
        ids = [review_rows.add_record(session, day=f"2026-11-0{n}", title=f"产品{n}",
                                      versions=n)[0] for n in (1, 2, 3)]
        review_rows.add_record(session, kind="seizure", day="2026-11-04", title="强制措施",
                               review_state="approved")
    store.close()
    return folder, ids


def ok(*args) -> str:
    result = inspector(*args)
    assert result.code == 0, result.err
    return result.out


def refused(*args) -> str:
    result = inspector(*args)
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err
    return result.err


def test_return_then_list_and_show(supervisor):
    _folder, ids = supervisor
    listed = json.loads(ok("review", "list", "--json"))
    assert [r["id"] for r in listed] == ids
    assert {r["review_state"] for r in listed} == {"pending"}
    text = ok("review", "list")
    assert "产品2" in text and "待审核" in text and "共3条记录" in text

    said = ok("review", "decide", "check", ids[1], "--return", "请补拍标签照片")
    assert "已退回" in said and "张三" in said
    assert [r["id"] for r in json.loads(ok("review", "list", "--json"))] == [ids[0], ids[2]]
    returned = json.loads(ok("review", "list", "--state", "returned", "--json"))
    assert [(r["id"], r["version"]) for r in returned] == [(ids[1], 2)]
    assert [r["title"] for r in json.loads(
        ok("review", "list", "--state", "approved", "--kind", "seizure", "--json"))] == ["强制措施"]

    shown = json.loads(ok("records", "show", "check", ids[1], "--json"))
    assert shown["review"]["state"] == "returned"
    assert [(c["action"], c["text"], c["by"], c["version"]) for c in
            shown["review"]["comments"]] == [("return", "请补拍标签照片", "张三", 2)]
    assert shown["content"]["note"] == "v2" and shown["version"] == 2
    assert [h["type"] for h in shown["history"]] == ["version", "version", "decision"]
    plain = ok("records", "show", "check", ids[1])
    assert "请补拍标签照片" in plain and "已退回" in plain

    ok("review", "decide", "check", ids[0], "--approve")
    ok("review", "decide", "check", ids[2], "--reject", "检验不合格")
    assert json.loads(ok("review", "list", "--json")) == []
    assert "共0条记录" in ok("review", "list")
    states = {r["id"]: r["review_state"] for r in json.loads(
        ok("review", "list", "--state", "any", "--kind", "check", "--json"))}
    assert states == {ids[0]: "approved", ids[1]: "returned", ids[2]: "rejected"}


def test_bad_decisions_are_refused_and_write_nothing(supervisor, monkeypatch):
    folder, ids = supervisor
    assert "意见" in refused("review", "decide", "check", ids[0], "--return", "  ")
    assert "理由" in refused("review", "decide", "check", ids[0], "--reject", "")
    assert "00000000" in refused("review", "decide", "check",
                                 "00000000-0000-4000-8000-000000000000", "--approve")
    ok("review", "decide", "check", ids[0], "--approve", "符合要求")
    assert "已作出" in refused("review", "decide", "check", ids[0], "--reject", "改主意")
    monkeypatch.setenv("INSPECTOR_PASSWORD", "wrong")
    assert "密码" in refused("review", "decide", "check", ids[1], "--approve")
    with sqlite3.connect(folder / "inspector.db") as db:
        assert db.execute("SELECT action, text FROM decisions").fetchall() == [
            ("approve", "符合要求")]
    assert "--approve" in refused("review", "decide", "check", ids[1])  # no decision named


def test_an_inspector_device_sees_decisions_about_its_records(folder):
    """Decisions a sync stored (here inserted as rows) on an inspector's own records."""
    check_id = json.loads(ok("records", "list", "--kind", "check", "--json"))[0]["id"]
    assert json.loads(ok("records", "show", "check", check_id, "--json"))["review"] == {
        "state": None, "comments": []}
    with sqlite3.connect(folder / "inspector.db") as db:
        version = db.execute("SELECT version FROM label_checks WHERE id = ?",
                             (check_id,)).fetchone()[0]
        db.execute(
            "INSERT INTO decisions (id, kind, record_id, version, action, text, by, "
            "decided_at, device_id, key_id, body, signature, received_at) VALUES "
            "('11111111-1111-4111-8111-111111111111', 'check', ?, ?, 'return', '补充批号', "
            "'王科长', '2026-11-30T08:00:00.000000Z', "
            "'22222222-2222-4222-8222-222222222222', '0123456789abcdef', '{}', 'sig', "
            "'2026-11-30 08:00:01')", (check_id, version))
    shown = json.loads(ok("records", "show", "check", check_id, "--json"))
    assert shown["version"] == version and shown["content"]["id"] == check_id
    assert shown["review"]["state"] == "returned"
    assert shown["review"]["comments"][0]["text"] == "补充批号"
    assert shown["review"]["comments"][0]["by"] == "王科长"
    listed = json.loads(ok("review", "list", "--json"))
    assert [(r["id"], r["review_state"]) for r in listed] == [(check_id, "returned")]
    assert "监督" in refused("review", "decide", "check", check_id, "--approve")
    assert "没有" in refused("records", "show", "check", "00000000-0000-4000-8000-000000000000")


OTHER_DEVICE = "d0000000-0000-4000-8000-000000000000"


def test_a_conflict_resolved_by_a_merge_or_a_file(supervisor, tmp_path):
    folder, ids = supervisor
    store = Store(folder)
    with store.write() as session:  # ids[1] is at version 2, ids[2] at version 3
        review_rows.add_conflict(session, "check", ids[1], 2, OTHER_DEVICE,
                                 product_name="产品2（另一台）", note="其他")
        other3 = review_rows.add_conflict(session, "check", ids[2], 3, OTHER_DEVICE,
                                          product_name="产品3（另一台）", note="v3")
    store.close()
    merge = ("review", "decide", "check", ids[1], "--text", "品名以另一台为准")
    assert "VERSION:SHA" in refused(*merge, "--resolve", "2")  # both are version 2
    assert "对应任何" in refused(*merge, "--resolve", "7")
    assert "left" in refused(*merge, "--resolve-merge", "product_name=middle")
    assert "note" in refused(*merge, "--resolve-merge", "colour=right")
    assert "理由" in refused("review", "decide", "check", ids[1], "--resolve-merge",
                           "product_name=right")
    said = ok(*merge, "--resolve-merge", "product_name=right")
    assert "冲突已处理" in said and "新内容为第 3 版" in said
    shown = json.loads(ok("records", "show", "check", ids[1], "--json"))
    assert (shown["version"], shown["conflicts"]) == (3, 0)
    assert (shown["content"]["product_name"], shown["content"]["note"]) == ("产品2（另一台）",
                                                                            "v2")
    [decision] = [h for h in shown["history"] if h["type"] == "decision"]
    assert decision["action"] == "resolve" and decision["text"] == "品名以另一台为准"
    assert decision["content"] == shown["content"]
    assert (decision["chosen_version"], decision["chosen_sha256"]) == (3, shown["sha256"])
    assert "采用由冲突内容合并的新内容，为第 3 版" in ok("records", "show", "check", ids[1])

    # A file: a value neither content holds is refused, naming the field.
    current = json.loads(ok("records", "show", "check", ids[2], "--json"))["content"]
    path = tmp_path / "content.json"
    path.write_text(json.dumps(current | {"product_name": "编造"}), encoding="utf-8")
    resolve = ("review", "decide", "check", ids[2], "--text", "以另一台为准",
               "--resolve-file", path)
    assert "product_name" in refused(*resolve)
    path.write_text("{not json", encoding="utf-8")
    assert "JSON" in refused(*resolve)
    # The other content whole: that version is kept (no new content is made of it).
    path.write_text(json.dumps(current | {"product_name": "产品3（另一台）"}),
                    encoding="utf-8")
    ok(*resolve)
    shown = json.loads(ok("records", "show", "check", ids[2], "--json"))
    [decision] = [h for h in shown["history"] if h["type"] == "decision"]
    assert (decision["chosen_version"], decision["chosen_sha256"]) == (3, other3)
    assert "content" not in decision
    assert (shown["version"], shown["content"]["product_name"]) == (4, "产品3（另一台）")
    assert "没有" in refused("review", "decide", "check", ids[2], "--text", "再次",
                           "--resolve", "3")


def test_a_supervisors_own_rows_are_not_pending_its_decisions_are(supervisor):
    folder, ids = supervisor
    with sqlite3.connect(folder / "inspector.db") as con:
        own = con.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
    assert own > 0  # the demo's rows: never sent from a supervisor's device
    assert "待同步更改 0 条。" in ok("batch", "list")
    ok("review", "decide", "check", ids[0], "--approve")
    assert json.loads(ok("batch", "list", "--json"))["pending"] == 1
    assert "待同步更改 1 条。" in ok("batch", "list")
