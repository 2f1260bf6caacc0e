"""The `inspector` command line: exit codes, messages, and what it does to the store."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest
from sample_records import PARTY_NAME, PRODUCT, contents, fill, snapshot, write_json

from inspector_app import cli
from inspector_app.core.store import Store

BIN = Path(sys.executable).parent


@pytest.fixture
def data(tmp_path):
    """A filled store in the data folder that INSPECTOR_DATA_DIR names; returns (dir, ids)."""
    folder = Path(os.environ["INSPECTOR_DATA_DIR"])
    store = Store(folder)
    ids = fill(store)
    store.close()
    return folder, ids


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _export(capsys, tmp_path, kind="all", name="all.json"):
    out, files = tmp_path / name, tmp_path / "files"
    code, stdout, _ = run(capsys, "records", "export", "--kind", kind, "--format", "json",
                          "--out", str(out), "--attachments", str(files))
    assert code == 0, stdout
    return out, files


# --- records list ------------------------------------------------------------------------


def test_list_json_gives_ids_that_exist(data, capsys):
    _, ids = data
    code, out, err = run(capsys, "records", "list", "--kind", "check", "--json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [ids["check"]]
    assert rows[0]["party"] == PARTY_NAME and rows[0]["product"] == PRODUCT
    assert rows[0]["checked_at"] == "2026-11-20T02:00:00.000000Z"
    assert rows[0]["status"] == "final"
    for kind in ("seizure", "worklog"):
        code, out, _ = run(capsys, "records", "list", "--kind", kind, "--json")
        assert [r["id"] for r in json.loads(out)] == [ids[kind]]


def test_list_table_and_filters(data, capsys):
    _, ids = data
    code, out, _ = run(capsys, "records", "list", "--kind", "check", "--search", "𠮷祥")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["ID", "检查时间", "市场"]
    assert ids["check"] in lines[2] and PARTY_NAME in lines[2]
    assert lines[-1] == "共1条记录。"
    code, out, _ = run(capsys, "--lang", "en", "records", "list", "--kind", "check",
                       "--status", "draft")
    assert code == 0 and out.splitlines()[-1] == "0 records."
    code, out, _ = run(capsys, "records", "list", "--kind", "seizure", "--market", "东门",
                       "--status", "草稿", "--json")
    assert [r["id"] for r in json.loads(out)] == [ids["seizure"]]
    code, out, _ = run(capsys, "records", "list", "--kind", "worklog", "--market",
                       ids["market"], "--limit", "1")
    assert code == 0 and ids["worklog"] in out


def test_list_with_a_bad_filter_says_so(data, capsys):
    code, _, err = run(capsys, "records", "list", "--kind", "check", "--status", "lost")
    assert code == 2
    assert err == ("错误：标识检查记录没有状态lost；请使用以下之一：draft (草稿), "
                   "final (已完成)。\n")
    code, _, err = run(capsys, "--lang", "en", "records", "list", "--kind", "check",
                       "--market", "西门")
    assert code == 2 and err == "Error: No market is named 西门.\n"
    code, _, err = run(capsys, "records", "list", "--kind", "check", "--limit", "0")
    assert code == 2 and "0不是大于或等于1的整数" in err


def test_usage_errors_exit_2_in_the_chosen_language(capsys):
    code, _, err = run(capsys, "records", "list")
    assert code == 2 and "错误：缺少以下参数：--kind" in err and "Traceback" not in err
    code, _, err = run(capsys, "--lang", "en", "records", "list", "--kind", "fish")
    assert code == 2 and "error: argument --kind: invalid choice: 'fish'" in err
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "records" in out and "退出码" in out


def test_no_store_in_the_folder(tmp_path, capsys):
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "none"), "audit", "verify")
    assert code == 2 and "中没有本软件的数据库" in err
    assert not (tmp_path / "none" / "inspector.db").exists()


# --- export and import -------------------------------------------------------------------


def test_round_trip_into_a_fresh_data_folder(data, tmp_path, capsys):
    folder, _ = data
    out, files = _export(capsys, tmp_path)
    fresh = tmp_path / "fresh"
    code, stdout, err = run(capsys, "--data-dir", str(fresh), "records", "import", str(out),
                            "--attachments", str(files))
    assert code == 0, err
    assert stdout.startswith(f"已导入{out}：新建9条，更新0条，0条无变化。")
    assert "已将1个附件文件复制到本库。" in stdout
    original, copy = Store(folder), Store(fresh)
    try:
        assert contents(copy) == contents(original)
    finally:
        original.close()
        copy.close()
    code, stdout, _ = run(capsys, "--data-dir", str(fresh), "audit", "verify")
    assert code == 0 and stdout.startswith("正常：")
    # Importing the same file again changes nothing at all.
    before = snapshot(fresh / "inspector.db")
    code, stdout, _ = run(capsys, "--data-dir", str(fresh), "records", "import", str(out),
                          "--attachments", str(files))
    assert code == 0 and "新建0条，更新0条，9条无变化" in stdout
    assert snapshot(fresh / "inspector.db") == before


def test_export_one_kind_then_import_it(data, tmp_path, capsys):
    _, ids = data
    out, _ = _export(capsys, tmp_path, kind="seizure", name="seizures.json")
    fresh = tmp_path / "fresh"
    code, stdout, _ = run(capsys, "--lang", "en", "--data-dir", str(fresh), "records",
                          "import", str(out))
    assert code == 0
    assert "  seizure: 1 created" in stdout and "inspector: 2 created" in stdout
    code, out, _ = run(capsys, "--data-dir", str(fresh), "records", "list", "--kind",
                       "seizure", "--json")
    assert [r["id"] for r in json.loads(out)] == [ids["seizure"]]


def test_a_bad_file_reports_every_bad_record_and_changes_nothing(data, tmp_path, capsys):
    folder, _ = data
    out, files = _export(capsys, tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    n = {r["kind"]: i for i, r in enumerate(doc["records"])}
    doc["records"][n["party"]]["credit_code"] = "91320102MA1MXXXX07"
    doc["records"][n["seizure"]]["items"][0]["quantity"] = "-2"
    doc["records"][n["check"]]["party_id"] = "11111111-1111-4111-8111-111111111111"
    doc["records"][n["check"]]["id"] = "22222222-2222-4222-8222-222222222222"  # a new record
    del doc["records"][n["check"]]["attachments"]  # (its photo belongs to the old one)
    bad = write_json(tmp_path / "bad.json", doc)
    before = snapshot(folder / "inspector.db")
    code, stdout, err = run(capsys, "--lang", "en", "records", "import", str(bad),
                            "--attachments", str(files))
    assert code == 2 and stdout == ""
    assert err.splitlines() == [
        f"{bad}: 3 problems found; nothing was imported.",
        (f"  records[{n['party']}].credit_code: The check character of the unified social "
         "credit code is wrong. Please check every character again."),
        (f"  records[{n['check']}].party_id: refers to the party "
         "11111111-1111-4111-8111-111111111111, which is neither in the file nor in the store"),
        f"  records[{n['seizure']}].items[0].quantity: must be greater than 0",
    ]
    assert snapshot(folder / "inspector.db") == before


def test_bad_json_is_reported_with_line_and_column(data, tmp_path, capsys):
    folder, _ = data
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "inspector-records",\n  "records": [}\n', encoding="utf-8")
    before = snapshot(folder / "inspector.db")
    code, _, err = run(capsys, "records", "import", str(bad))
    assert code == 2
    assert err == f"错误：{bad}不是有效的JSON：此处应有一个值（第2行第15列）。\n"
    code, _, err = run(capsys, "--lang", "en", "records", "import", str(tmp_path / "no.json"))
    assert code == 2 and err == f"Error: {tmp_path / 'no.json'} does not exist.\n"
    code, _, err = run(capsys, "--lang", "en", "records", "import", str(tmp_path))
    assert code == 2 and "is a folder" in err
    assert snapshot(folder / "inspector.db") == before


def test_conflict_is_reported_and_nothing_overwritten(data, tmp_path, capsys):
    folder, ids = data
    out, files = _export(capsys, tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    index = next(i for i, r in enumerate(doc["records"]) if r["kind"] == "worklog")
    doc["records"][index]["summary"] = "另一台设备上的不同内容"
    changed = write_json(tmp_path / "changed.json", doc)
    before = snapshot(folder / "inspector.db")
    code, _, err = run(capsys, "records", "import", str(changed), "--attachments", str(files))
    assert code == 2
    assert f"records[{index}]: 冲突：本库中此工作站日志（{ids['worklog']}）的第1版内容不同" in err
    assert snapshot(folder / "inspector.db") == before


def test_csv_and_xlsx(data, tmp_path, capsys):
    from openpyxl import load_workbook

    _, ids = data
    out = tmp_path / "checks.csv"
    code, stdout, _ = run(capsys, "records", "export", "--kind", "check", "--format", "csv",
                          "--out", str(out))
    assert code == 0 and f"已写入{out}：1条记录。" in stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[1][0] == ids["check"] and PARTY_NAME in rows[1]
    out = tmp_path / "logs.xlsx"
    code, _, _ = run(capsys, "records", "export", "--kind", "worklog", "--format", "xlsx",
                     "--out", str(out))
    assert code == 0
    sheet = load_workbook(out, read_only=True).active
    assert sheet.title == "工作站日志"
    values = [v for row in sheet.iter_rows(values_only=True) for v in row]
    assert "东门农副产品批发市场" in values and ids["worklog"] in values
    out = tmp_path / "checks.xlsx"
    run(capsys, "records", "export", "--kind", "check", "--format", "xlsx", "--out", str(out))
    values = [v for row in load_workbook(out).active.iter_rows(values_only=True) for v in row]
    assert PARTY_NAME in values and PRODUCT in values  # 𠮷 is outside the BMP


def test_export_usage_errors(data, tmp_path, capsys):
    code, _, err = run(capsys, "records", "export", "--kind", "all", "--format", "csv",
                       "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "--kind all只能与--format json一起使用" in err
    code, _, err = run(capsys, "records", "export", "--kind", "check", "--format", "json",
                       "--out", str(tmp_path / "missing" / "x.json"))
    assert code == 2 and "不存在" in err


# --- audit verify ------------------------------------------------------------------------


def _sql(db: Path, statement: str, params=()) -> None:
    con = sqlite3.connect(db)
    con.execute(statement, params)
    con.commit()
    con.close()


def test_audit_verify(data, capsys):
    folder, ids = data
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and out.startswith("正常：全部") and out.endswith("条审计记录与记录和附件一致。\n")
    _sql(folder / "inspector.db", "UPDATE label_checks SET product_name = '别的东西' WHERE id = ?",
         (ids["check"],))
    code, out, _ = run(capsys, "--lang", "en", "audit", "verify")
    assert code == 1
    assert out.splitlines() == [
        (f"labeling check {ids['check']}: it was changed outside the app (its content does "
         "not match the audit trail)"), "1 problem found."]


def test_audit_verify_names_a_deleted_record(data, capsys):
    folder, ids = data
    db = folder / "inspector.db"
    for table in ("rapid_tests", "scale_checks", "complaints"):
        _sql(db, f"DELETE FROM {table} WHERE worklog_id = ?", (ids["worklog"],))
    _sql(db, "DELETE FROM work_logs WHERE id = ?", (ids["worklog"],))
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1 and f"工作站日志 {ids['worklog']}: " in out


def test_a_foreign_file_is_refused_and_left_untouched(tmp_path, capsys):
    folder = tmp_path / "foreign"
    folder.mkdir()
    foreign = folder / "inspector.db"
    payload = b"PK\x03\x04 not a database at all" * 10
    foreign.write_bytes(payload)
    for args in (["audit", "verify"], ["records", "list", "--kind", "check"],
                 ["demo", "--records", "1"]):
        code, out, err = run(capsys, "--data-dir", str(folder), *args)
        assert code == 2 and out == ""
        assert err.startswith(f"错误：{foreign}不是本软件的数据库") or "不是" in err, err
        assert "Traceback" not in err
    assert foreign.read_bytes() == payload


def test_a_database_of_a_newer_version_is_refused(data, capsys):
    folder, _ = data
    _sql(folder / "inspector.db", "DELETE FROM alembic_version")
    _sql(folder / "inspector.db", "INSERT INTO alembic_version VALUES ('9999_future')")
    code, _, err = run(capsys, "--lang", "en", "audit", "verify")
    assert code == 2 and "newer version of Inspector" in err


# --- demo ------------------------------------------------------------------------------


def test_demo_sets_up_the_agency_and_calls_the_generator(monkeypatch, capsys):
    calls = []

    def generate(store, records, actor=None, seed=1, progress=None):
        calls.append((records, seed))
        return {"check": records, "seizure": records, "worklog": records, "seal": 0}

    import inspector_app.core

    fake = types.SimpleNamespace(generate=generate, printable_seizures=lambda store: [])
    monkeypatch.setitem(sys.modules, "inspector_app.core.demo", fake)
    monkeypatch.setattr(inspector_app.core, "demo", fake, raising=False)
    code, out, _ = run(capsys, "demo", "--records", "7")
    assert code == 0 and calls == [(7, 1)]
    assert "已设置示例单位示例市市场监督管理局；请用用户名zhang、密码demo1234登录。" in out
    assert "标识检查" in out and "封条" not in out and "完成，用时" in out
    store = Store(Path(os.environ["INSPECTOR_DATA_DIR"]))
    try:
        from inspector_app.core import auth, settings

        with store.read() as session:
            assert not auth.needs_setup(session)
            assert settings.AGENCY_ABBR.get(session) == "示例"
            zhang = auth.authenticate(session, "zhang", "demo1234")
            assert zhang.name == "张三" and zhang.cert_no == "32010001"
    finally:
        store.close()
    code, out, _ = run(capsys, "demo", "--records", "1")  # set up already: not again
    assert code == 0 and "已设置示例单位" not in out


def test_demo_really_fills_a_verifiable_store(capsys, tmp_path):
    code, out, err = run(capsys, "--lang", "en", "demo", "--records", "5")
    assert code == 0, err
    assert "labeling check" in out
    code, out, _ = run(capsys, "records", "list", "--kind", "seizure", "--json")
    seizures = json.loads(out)
    # 5 bulk ones, and 3 made through the workflow: 2 issued with printable notices.
    assert len(seizures) == 8
    issued_now = [s for s in seizures if s["number"] and "DEMO" not in s["number"]]
    assert len(issued_now) == 2
    notice = tmp_path / "notice.pdf"
    assert run(capsys, "notice", issued_now[0]["id"], "--kind", "decision",
               "--out", str(notice))[0] == 0
    code, out, _ = run(capsys, "verify", str(notice))
    assert code == 0 and out.startswith("VALID")
    assert run(capsys, "audit", "verify")[0] == 0


# --- robustness --------------------------------------------------------------------------


def test_interrupt_exits_130(data, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("inspector_app.core.audit.verify", interrupted)
    code, _, err = run(capsys, "audit", "verify")
    assert code == 130 and err == "已中断。\n"


def test_permission_error_is_a_message(data, tmp_path, capsys, monkeypatch):
    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("inspector_app.core.transfer.load_document", denied)
    code, _, err = run(capsys, "--lang", "en", "records", "import", str(tmp_path / "x.json"))
    assert code == 2 and err == f"Error: No permission to use {tmp_path / 'x.json'}.\n"


def test_the_console_script_runs_without_qt(data, tmp_path):
    folder, ids = data
    env = {**os.environ, "INSPECTOR_DATA_DIR": str(folder)}
    done = subprocess.run([str(BIN / "inspector"), "--lang", "en", "records", "list",
                           "--kind", "check", "--json"], capture_output=True, env=env, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert [r["id"] for r in json.loads(done.stdout)] == [ids["check"]]
    code = ("import sys; from inspector_app import cli; "
            "rc = cli.main(['records', 'export', '--kind', 'all', '--format', 'xlsx', "
            f"'--out', {str(tmp_path / 'x.xlsx')!r}]); "
            "rc2 = cli.main(['audit', 'verify']); "
            "qt = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))]; "
            "print(rc, rc2, qt)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False,
                          timeout=120)
    assert done.stdout.decode().split("\n")[-2] == "2 0 []", done.stderr.decode()
    done = subprocess.run([str(BIN / "inspector"), "audit", "verify", "--data-dir",
                           str(tmp_path / "nothing-here")], capture_output=True, env=env, check=False,
                          timeout=120)
    assert done.returncode == 2 and b"Traceback" not in done.stderr


def test_messages_follow_the_store_language(data, capsys):
    folder, _ = data
    store = Store(folder)
    try:
        from inspector_app.core import settings

        with store.write() as session:
            settings.LANGUAGE.set(session, "en")
    finally:
        store.close()
    code, out, _ = run(capsys, "records", "list", "--kind", "check")
    assert code == 0 and out.splitlines()[-1] == "1 record."
    code, out, _ = run(capsys, "--lang", "zh_CN", "records", "list", "--kind", "check")
    assert out.splitlines()[-1] == "共1条记录。"
