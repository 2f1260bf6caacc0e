"""The `inspector` command line: exit codes, messages, and what it does to the store.

Every test runs the real installed `inspector` command in a subprocess (cli_runner).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import INSPECTOR, inspector, popen
from sample_records import PARTY_NAME, PRODUCT, contents, fill, snapshot, write_json

from inspector_app.core.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path):
    """A filled store in the data folder that INSPECTOR_DATA_DIR names; returns (dir, ids)."""
    folder = Path(os.environ["INSPECTOR_DATA_DIR"])
    store = Store(folder)
    ids = fill(store)
    store.close()
    return folder, ids


def run(*args: str) -> tuple[int, str, str]:
    """`inspector ARGS...` in a subprocess: (exit code, stdout, stderr)."""
    return tuple(inspector(*args))


def _export(tmp_path, kind="all", name="all.json"):
    out, files = tmp_path / name, tmp_path / "files"
    code, stdout, _ = run("records", "export", "--kind", kind, "--format", "json",
                          "--out", str(out), "--attachments", str(files))
    assert code == 0, stdout
    return out, files


def _empty_store(folder: Path) -> Path:
    """A new, empty store, as the app makes on its first start."""
    Store(folder).close()
    return folder


# --- records list ------------------------------------------------------------------------


def test_list_json_gives_ids_that_exist(data):
    _, ids = data
    code, out, err = run("records", "list", "--kind", "check", "--json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [ids["check"]]
    assert rows[0]["party"] == PARTY_NAME and rows[0]["product"] == PRODUCT
    assert rows[0]["checked_at"] == "2026-11-20T02:00:00.000000Z"
    assert rows[0]["status"] == "final"
    for kind in ("seizure", "worklog"):
        code, out, _ = run("records", "list", "--kind", kind, "--json")
        assert [r["id"] for r in json.loads(out)] == [ids[kind]]


def test_list_table_and_filters(data):
    _, ids = data
    code, out, _ = run("records", "list", "--kind", "check", "--search", "𠮷祥")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["ID", "检查时间", "市场"]
    assert ids["check"] in lines[2] and PARTY_NAME in lines[2]
    assert lines[-1] == "共1条记录。"
    code, out, _ = run("--lang", "en", "records", "list", "--kind", "check",
                       "--status", "draft")
    assert code == 0 and out.splitlines()[-1] == "0 records."
    code, out, _ = run("records", "list", "--kind", "seizure", "--market", "东门",
                       "--status", "草稿", "--json")
    assert [r["id"] for r in json.loads(out)] == [ids["seizure"]]
    code, out, _ = run("records", "list", "--kind", "worklog", "--market",
                       ids["market"], "--limit", "1")
    assert code == 0 and ids["worklog"] in out


def test_list_with_a_bad_filter_says_so(data):
    code, _, err = run("records", "list", "--kind", "check", "--status", "lost")
    assert code == 2
    assert err == ("错误：标识检查记录没有状态lost；请使用以下之一：draft（草稿），"
                   "final（已完成）。\n")
    code, _, err = run("--lang", "en", "records", "list", "--kind", "check",
                       "--market", "西门")
    assert code == 2 and err == "Error: No market is named 西门.\n"
    code, _, err = run("records", "list", "--kind", "check", "--limit", "0")
    assert code == 2 and "0不是大于或等于1的整数" in err


def test_usage_errors_exit_2_in_the_chosen_language():
    code, _, err = run("records", "list")
    assert code == 2 and "错误：缺少以下参数：--kind" in err and "Traceback" not in err
    code, _, err = run("--lang", "en", "records", "list", "--kind", "fish")
    assert code == 2 and "error: argument --kind: invalid choice: 'fish'" in err
    code, out, _ = run("--help")
    assert code == 0 and "records" in out and "退出码" in out


def test_no_store_in_the_folder(tmp_path):
    code, out, err = run("--data-dir", str(tmp_path / "none"), "audit", "verify")
    assert code == 2 and out == ""
    assert err == (f"错误：{tmp_path / 'none'}中没有本软件的数据库。请用--data-dir指定正确的"
                   "文件夹，或新建数据库：首次启动inspector-app并完成设置（或运行`inspector "
                   "demo`生成示例数据）。\n")
    assert not (tmp_path / "none").exists()


# --- every command that takes a store, from the parser ----------------------------------


def _commands() -> list[tuple[str, ...]]:
    """Every command of `inspector` (the leaves of its parser), e.g. ("records", "list")."""
    from inspector_app.cli import build_parser

    found: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.append(path)
        for sub in subs:
            for name, child in sub.choices.items():
                walk(child, (*path, name))

    walk(build_parser(), ())
    return found


def _plain(action: argparse.Action) -> str:
    """A value the argument's type takes: a word, a number, a day or a month."""
    for value in ("x", "1", "2026-01-01", "2026-01"):
        try:
            if action.type is None or action.type(value) is not None:
                return value
        except (ValueError, TypeError, argparse.ArgumentTypeError):
            continue
    return "x"


def _command_line(path: tuple[str, ...]) -> list[str]:
    """`path` with a plain value for each required argument (a choice: the first one)."""
    from inspector_app.cli import build_parser

    parser = build_parser()
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    args = list(path)
    for action in parser._actions:
        value = str(next(iter(action.choices))) if action.choices else _plain(action)
        if not action.option_strings and action.nargs is None:
            args.append(value)
        elif action.option_strings and action.required:
            args += [action.option_strings[0], value]
    for group in parser._mutually_exclusive_groups:  # one of them is required: the first
        if group.required:
            first = group._group_actions[0]
            args += [first.option_strings[0]] + ([_plain(first)] if first.nargs != 0 else [])
    return args


# demo makes its store; restore makes one from a backup (tests/cli/test_backup.py);
# self-test works in a temporary store of its own (tests/cli/test_self_test.py)
STORE_COMMANDS = [path for path in _commands()
                  if path not in {("demo",), ("restore",), ("self-test",)}]


def test_the_commands_are_all_found():
    assert ("records", "import") in STORE_COMMANDS and ("batch", "export") in STORE_COMMANDS
    assert ("demo",) in _commands() and len(STORE_COMMANDS) >= 12


@pytest.mark.parametrize("folder_kind", ["absent", "empty"])
@pytest.mark.parametrize("path", STORE_COMMANDS, ids="-".join)
def test_every_command_refuses_a_folder_without_a_store(path, folder_kind, tmp_path):
    folder = tmp_path / "typo"
    if folder_kind == "empty":
        folder.mkdir()
    cwd = tmp_path / "cwd"  # where a relative --out would go
    cwd.mkdir()
    done = inspector("--lang", "en", "--data-dir", folder, *_command_line(path), cwd=cwd)
    assert done.code == 2, done
    assert done.err.startswith(f"Error: There is no Inspector store in {folder}. Give the "
                               "right folder with --data-dir"), done.err
    assert done.out == ""
    if folder_kind == "absent":
        assert not folder.exists()
    else:
        assert list(folder.iterdir()) == []
    assert list(cwd.iterdir()) == []
    assert not Path(os.environ["INSPECTOR_DATA_DIR"]).exists()


def test_demo_makes_a_store_in_a_new_folder(tmp_path):
    code, _, err = run("--data-dir", str(tmp_path / "new"), "demo", "--records", "0")
    assert code == 0, err
    assert (tmp_path / "new" / "inspector.db").is_file()


def test_enroll_refuses_a_store_that_is_not_set_up(tmp_path):
    folder = _empty_store(tmp_path / "new")
    before = sorted(p.name for p in folder.iterdir())
    code, out, err = run("--lang", "en", "--data-dir", str(folder), "enroll", "--server",
                         "http://127.0.0.1:9", "--code", "CODE")
    assert code == 2 and out == ""
    assert err == (f"Error: The store in {folder} is not set up yet. Start inspector-app "
                   "once, name the agency and the first inspector, then enrol this device.\n")
    assert sorted(p.name for p in folder.iterdir()) == before  # no device key made


def test_python_m_runs_the_same_command():
    done = subprocess.run([sys.executable, "-m", "inspector_app.cli", "--lang", "en", "audit",
                           "verify", "--data-dir", "/nonexistent/inspector"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 2 and "There is no Inspector store in" in done.stderr


# --- exit codes ----------------------------------------------------------------------------


def test_exit_codes_are_listed_in_the_help_and_the_readme():
    from inspector_app.cli.common import EXIT_CODES, exit_codes_text
    from inspector_app.core import i18n

    assert sorted(EXIT_CODES) == [0, 1, 2, 130]
    i18n.set_language("en")
    text = exit_codes_text()
    assert text.startswith("Exit codes: 0 ok, 1 a check failed")
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert text in readme
    code, out, _ = run("--lang", "en", "--help")
    assert code == 0 and text in " ".join(out.split())


# --- export and import -------------------------------------------------------------------


def test_round_trip_into_a_fresh_store(data, tmp_path):
    folder, _ = data
    out, files = _export(tmp_path)
    fresh = tmp_path / "fresh"
    # A folder without a store (a mistyped --data-dir) gets nothing: no store is made.
    code, stdout, err = run("--data-dir", str(fresh), "records", "import", str(out),
                            "--attachments", str(files))
    assert code == 2 and "中没有本软件的数据库" in err and not fresh.exists()
    _empty_store(fresh)
    code, stdout, err = run("--data-dir", str(fresh), "records", "import", str(out),
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
    code, stdout, _ = run("--data-dir", str(fresh), "audit", "verify")
    assert code == 0 and stdout.startswith("正常：")
    # Importing the same file again changes nothing at all.
    before = snapshot(fresh / "inspector.db")
    code, stdout, _ = run("--data-dir", str(fresh), "records", "import", str(out),
                          "--attachments", str(files))
    assert code == 0 and "新建0条，更新0条，9条无变化" in stdout
    assert snapshot(fresh / "inspector.db") == before


def test_an_import_applies_the_rules_saving_a_check_or_a_log_applies(data, tmp_path):
    """The same rules as the app's forms and the server: a check's outcome and measure, a
    log's re-weighed weight and a closed complaint's follow-up; nothing is imported."""
    out, files = _export(tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    n = {r["kind"]: i for i, r in enumerate(doc["records"])}
    check, log = doc["records"][n["check"]], doc["records"][n["worklog"]]
    assert (check["status"], check["outcome"], check["measure"]) == (
        "final", "nonconforming", "seizure")
    check["outcome"] = "conforming"  # the items say otherwise, and a conforming product
    log["scale_checks"][0]["actual_weight"] = "0"
    log["complaints"][0]["status"] = "closed"  # without its follow-up
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    fresh = _empty_store(tmp_path / "fresh")
    before = snapshot(fresh / "inspector.db")
    code, stdout, err = run("--data-dir", str(fresh), "records", "import", str(out),
                            "--attachments", str(files))
    assert code != 0, stdout
    c, w = n["check"], n["worklog"]
    for line in (f"records[{c}].outcome_override_reason: 结论与检查项目得出的不同：请说明理由。",
                 f"records[{c}].measure: 产品合格，无需责令改正或查封扣押。",
                 f"records[{w}].scale_checks[0].actual_weight: 重量必须大于0千克。",
                 f"records[{w}].complaints[0].follow_up: 办结前请先填写处理情况。"):
        assert line in stdout + err, stdout + err
    assert snapshot(fresh / "inspector.db") == before


def test_export_one_kind_then_import_it(data, tmp_path):
    _, ids = data
    out, _ = _export(tmp_path, kind="seizure", name="seizures.json")
    fresh = _empty_store(tmp_path / "fresh")
    code, stdout, _ = run("--lang", "en", "--data-dir", str(fresh), "records",
                          "import", str(out))
    assert code == 0
    assert "  seizure: 1 created" in stdout and "inspector: 2 created" in stdout
    code, out, _ = run("--data-dir", str(fresh), "records", "list", "--kind",
                       "seizure", "--json")
    assert [r["id"] for r in json.loads(out)] == [ids["seizure"]]


def test_a_bad_file_reports_every_bad_record_and_changes_nothing(data, tmp_path):
    folder, _ = data
    out, files = _export(tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    n = {r["kind"]: i for i, r in enumerate(doc["records"])}
    doc["records"][n["party"]]["credit_code"] = "91320102MA1MXXXX07"
    doc["records"][n["seizure"]]["items"][0]["quantity"] = "-2"
    doc["records"][n["check"]]["party_id"] = "11111111-1111-4111-8111-111111111111"
    doc["records"][n["check"]]["id"] = "22222222-2222-4222-8222-222222222222"  # a new record
    del doc["records"][n["check"]]["attachments"]  # (its photo belongs to the old one)
    bad = write_json(tmp_path / "bad.json", doc)
    before = snapshot(folder / "inspector.db")
    code, stdout, err = run("--lang", "en", "records", "import", str(bad),
                            "--attachments", str(files))
    assert code == 2 and stdout == ""
    recs = doc["records"]
    assert err.splitlines() == [
        f"{bad}: 3 problems found; nothing was imported.",
        f"  Refused: records[{n['party']}]: party {recs[n['party']]['id']}",
        (f"    records[{n['party']}].credit_code: The check character of the unified social "
         "credit code is wrong. Please check every character again."),
        f"  Refused: records[{n['check']}]: labeling check 22222222-2222-4222-8222-222222222222",
        (f"    records[{n['check']}].party_id: refers to the party "
         "11111111-1111-4111-8111-111111111111, which is neither in the file nor in the store"),
        f"  Refused: records[{n['seizure']}]: seizure {recs[n['seizure']]['id']}",
        f"    records[{n['seizure']}].items[0].quantity: must be greater than 0",
    ]
    assert snapshot(folder / "inspector.db") == before


def test_bad_json_is_reported_with_line_and_column(data, tmp_path):
    folder, _ = data
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "inspector-records",\n  "records": [}\n', encoding="utf-8")
    before = snapshot(folder / "inspector.db")
    code, _, err = run("records", "import", str(bad))
    assert code == 2
    assert err == f"错误：{bad}不是有效的JSON：此处应有一个值（第2行第15列）。\n"
    code, _, err = run("--lang", "en", "records", "import", str(tmp_path / "no.json"))
    assert code == 2 and err == f"Error: {tmp_path / 'no.json'} does not exist.\n"
    code, _, err = run("--lang", "en", "records", "import", str(tmp_path))
    assert code == 2 and "is a folder" in err
    assert snapshot(folder / "inspector.db") == before


def test_conflict_is_reported_and_nothing_overwritten(data, tmp_path):
    folder, ids = data
    out, files = _export(tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    index = next(i for i, r in enumerate(doc["records"]) if r["kind"] == "worklog")
    doc["records"][index]["summary"] = "另一台设备上的不同内容"
    changed = write_json(tmp_path / "changed.json", doc)
    before = snapshot(folder / "inspector.db")
    code, _, err = run("records", "import", str(changed), "--attachments", str(files))
    assert code == 2
    assert f"records[{index}]: 冲突：本库中此工作站日志（{ids['worklog']}）的第1版内容不同" in err
    assert snapshot(folder / "inspector.db") == before


def test_csv_and_xlsx(data, tmp_path):
    from openpyxl import load_workbook

    _, ids = data
    out = tmp_path / "checks.csv"
    code, stdout, _ = run("records", "export", "--kind", "check", "--format", "csv",
                          "--out", str(out))
    assert code == 0 and f"已写入{out}：1条记录。" in stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[1][0] == ids["check"] and PARTY_NAME in rows[1]
    out = tmp_path / "logs.xlsx"
    code, _, _ = run("records", "export", "--kind", "worklog", "--format", "xlsx",
                     "--out", str(out))
    assert code == 0
    sheet = load_workbook(out, read_only=True).active
    assert sheet.title == "工作站日志"
    values = [v for row in sheet.iter_rows(values_only=True) for v in row]
    assert "东门农副产品批发市场" in values and ids["worklog"] in values
    out = tmp_path / "checks.xlsx"
    run("records", "export", "--kind", "check", "--format", "xlsx", "--out", str(out))
    values = [v for row in load_workbook(out).active.iter_rows(values_only=True) for v in row]
    assert PARTY_NAME in values and PRODUCT in values  # 𠮷 is outside the BMP


def test_export_usage_errors(data, tmp_path):
    code, _, err = run("records", "export", "--kind", "all", "--format", "csv",
                       "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "--kind all只能与--format json一起使用" in err
    code, _, err = run("records", "export", "--kind", "check", "--format", "json",
                       "--out", str(tmp_path / "missing" / "x.json"))
    assert code == 2 and "不存在" in err


# --- audit verify ------------------------------------------------------------------------


def _sql(db: Path, statement: str, params=()) -> None:
    con = sqlite3.connect(db)
    con.execute(statement, params)
    con.commit()
    con.close()


def test_audit_verify(data):
    folder, ids = data
    code, out, _ = run("audit", "verify")
    assert code == 0 and out.startswith("正常：全部") and out.endswith("条审计记录与记录和附件一致。\n")
    _sql(folder / "inspector.db", "UPDATE label_checks SET product_name = '别的东西' WHERE id = ?",
         (ids["check"],))
    code, out, _ = run("--lang", "en", "audit", "verify")
    assert code == 1
    assert out.splitlines() == [
        (f"labeling check {ids['check']}: it was changed outside the app (its content does "
         "not match the audit trail)"), "1 problem found."]


def test_audit_verify_names_a_deleted_record(data):
    folder, ids = data
    db = folder / "inspector.db"
    for table in ("rapid_tests", "scale_checks", "complaints"):
        _sql(db, f"DELETE FROM {table} WHERE worklog_id = ?", (ids["worklog"],))
    _sql(db, "DELETE FROM work_logs WHERE id = ?", (ids["worklog"],))
    code, out, _ = run("audit", "verify")
    assert code == 1 and f"工作站日志 {ids['worklog']}: " in out


def test_a_foreign_file_is_refused_and_left_untouched(tmp_path):
    folder = tmp_path / "foreign"
    folder.mkdir()
    foreign = folder / "inspector.db"
    payload = b"PK\x03\x04 not a database at all" * 10
    foreign.write_bytes(payload)
    for args in (["audit", "verify"], ["records", "list", "--kind", "check"],
                 ["demo", "--records", "1"]):
        code, out, err = run("--data-dir", str(folder), *args)
        assert code == 2 and out == ""
        assert err.startswith(f"错误：{foreign}不是本软件的数据库") or "不是" in err, err
        assert "Traceback" not in err
    assert foreign.read_bytes() == payload


def test_a_database_of_a_newer_version_is_refused(data):
    folder, _ = data
    _sql(folder / "inspector.db", "DELETE FROM alembic_version")
    _sql(folder / "inspector.db", "INSERT INTO alembic_version VALUES ('9999_future')")
    code, _, err = run("--lang", "en", "audit", "verify")
    assert code == 2 and "newer version of Inspector" in err


# --- demo ------------------------------------------------------------------------------


def test_demo_sets_up_the_agency_and_fills_the_store(tmp_path):
    code, out, err = run("demo", "--records", "2", "--seed", "3")
    assert code == 0, err
    assert out.startswith("已设置示例单位示例市市场监督管理局；请用用户名zhang、密码demo1234登录。\n"
                          "已添加示例数据：\n")
    assert re.search(r"^  标识检查 +2$", out, re.MULTILINE) and "完成，用时" in out
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


def test_demo_keeps_the_agency_of_a_store_set_up_already(signed_in):
    store, _, _ = signed_in
    store.close()
    code, out, err = run("--data-dir", str(store.data_dir), "demo", "--records", "1")
    assert code == 0 and "已设置示例单位" not in out and "已添加示例数据" in out, err


def test_demo_really_fills_a_verifiable_store(tmp_path):
    code, out, err = run("--lang", "en", "demo", "--records", "5")
    assert code == 0, err
    assert "labeling check" in out
    code, out, _ = run("records", "list", "--kind", "seizure", "--json")
    seizures = json.loads(out)
    # 5 bulk ones, and 3 made through the workflow: 2 issued with printable notices.
    assert len(seizures) == 8
    issued_now = [s for s in seizures if s["number"] and "DEMO" not in s["number"]]
    assert len(issued_now) == 2
    notice = tmp_path / "notice.pdf"
    assert run("notice", issued_now[0]["id"], "--kind", "decision",
               "--out", str(notice))[0] == 0
    code, out, _ = run("verify", str(notice))
    assert code == 0 and out.startswith("VALID")
    assert run("audit", "verify")[0] == 0


# --- robustness --------------------------------------------------------------------------


def test_interrupt_exits_130(tmp_path):
    """Ctrl+C (SIGINT) in the middle of a long command: a message and exit 130."""
    child = popen("--data-dir", tmp_path / "big", "demo", "--records", "100000")
    try:
        first = child.stdout.readline()  # set up done: the generator is running
        assert first.startswith("已设置示例单位"), first + child.stderr.read()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 130 and err.endswith("已中断。\n"), err
    assert "Traceback" not in err


def test_permission_error_is_a_message(tmp_path):
    from inspector_app.cli.common import describe

    # (Unit-tested: the tests run as root, for whom no file is unreadable.)
    denied = PermissionError(13, "Permission denied", str(tmp_path / "x.json"))
    assert describe(denied) == (f"没有使用{tmp_path / 'x.json'}的权限。", 2)


def test_the_console_script_runs_without_qt(data, tmp_path):
    _, ids = data
    code, out, err = run("--lang", "en", "records", "list", "--kind", "check", "--json")
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)] == [ids["check"]]
    for args, expected in ((["records", "export", "--kind", "all", "--format", "xlsx",
                             "--out", str(tmp_path / "x.xlsx")], 2),
                           (["records", "export", "--kind", "check", "--format", "xlsx",
                             "--out", str(tmp_path / "x.xlsx")], 0),
                           (["audit", "verify"], 0)):
        done = subprocess.run([sys.executable, "-X", "importtime", str(INSPECTOR), *args],
                              capture_output=True, check=False, timeout=120,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        imported = [line.rsplit("|", 1)[-1].strip() for line in
                    done.stderr.decode().splitlines() if line.startswith("import time:")]
        assert done.returncode == expected and "sqlalchemy" in imported, done.stderr.decode()
        assert not [m for m in imported if m.startswith(("PySide6", "shiboken"))]


def test_messages_follow_the_store_language(data):
    folder, _ = data
    store = Store(folder)
    try:
        from inspector_app.core import settings

        with store.write() as session:
            settings.LANGUAGE.set(session, "en")
    finally:
        store.close()
    code, out, _ = run("records", "list", "--kind", "check")
    assert code == 0 and out.splitlines()[-1] == "1 record."
    code, out, _ = run("--lang", "zh_CN", "records", "list", "--kind", "check")
    assert out.splitlines()[-1] == "共1条记录。"
