"""The JSON record format, import all or nothing, and the CSV/XLSX tables."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from sample_records import CREDIT_CODE, PARTY_NAME, PHOTO, PRODUCT, contents, fill, snapshot
from sqlalchemy import select

from inspector_app.core import audit, auth, queries, records, transfer
from inspector_app.core.models import AuditEntry, History, Inspector, LabelCheck, Outbox
from inspector_app.core.store import Store


@pytest.fixture
def source(tmp_path):
    store = Store(tmp_path / "source")
    ids = fill(store)
    yield store, ids
    store.close()


@pytest.fixture
def target(tmp_path):
    store = Store(tmp_path / "target")
    yield store
    store.close()


def _export(store, tmp_path, name="out.json", kinds=("check", "seizure", "worklog"),
            attachments=True):
    out = tmp_path / name
    folder = tmp_path / "files" if attachments else None
    counts = transfer.export_json(store, kinds, out, folder)
    return out, folder, counts


def _problems(store):
    with store.read() as session:
        return audit.verify(session, store.attachment_path)


def _issues(store, doc, folder=None):
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.import_document(store, doc, folder)
    return [str(i) for i in caught.value.issues]


def test_export_is_the_schema_valid_canonical_content(source, tmp_path):
    store, _ = source
    out, folder, counts = _export(store, tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "inspector-records" and doc["version"] == 1
    assert list(transfer.validator().iter_errors(doc)) == []
    assert counts == {"inspector": 2, "market": 1, "party": 1, "stall": 1, "workstation": 1,
                      "check": 1, "seizure": 1, "worklog": 1, "attachments": 1}
    # Reference entities come first, then the records.
    kinds = [r["kind"] for r in doc["records"]]
    assert kinds == sorted(kinds, key=transfer.KIND_ORDER.index)
    expected = contents(store)
    assert {(r["kind"], r["id"]): r for r in doc["records"]} == expected
    assert not any("password_hash" in r for r in doc["records"])
    # One record per line, so a file is easy to diff and errors are easy to find.
    assert out.read_text(encoding="utf-8").count("\n") == len(doc["records"]) + 8
    check = next(r for r in doc["records"] if r["kind"] == "check")
    assert (folder / check["attachments"][0]["sha256"]).read_bytes() == PHOTO


def test_export_of_one_kind_carries_only_the_entities_it_needs(source, tmp_path):
    store, ids = source
    out, _, _ = _export(store, tmp_path, kinds=["worklog"], attachments=False)
    doc = json.loads(out.read_text(encoding="utf-8"))
    # The log's author and market, its workstation, and the workstation's operator.
    assert sorted((r["kind"], r["id"]) for r in doc["records"]) == sorted([
        ("inspector", ids["inspector"]), ("inspector", ids["officer2"]),
        ("market", ids["market"]), ("workstation", ids["workstation"]),
        ("worklog", ids["worklog"])])


def test_round_trip_into_an_empty_store(source, target, tmp_path):
    store, ids = source
    out, folder, _ = _export(store, tmp_path)
    summary = transfer.import_document(target, transfer.load_document(out), folder)
    assert summary.total("created") == 9 and summary.total("skipped") == 0
    assert summary.files == 1
    assert contents(target) == contents(store)
    assert _problems(target) == []
    with target.read() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
        assert actions == {"import"}
        # Every imported version is queued for sync and searchable like one made here.
        assert session.scalar(select(History.version).where(
            History.record_id == ids["check"])) == 2
        assert len(session.scalars(select(Outbox)).all()) == 9
        assert queries.list_ids(session, "check", queries.Filter(text="𠮷祥")) == [ids["check"]]
        assert queries.list_ids(session, "seizure", queries.Filter(text="热水")) == [
            ids["seizure"]]
        imported = session.get(Inspector, ids["inspector"])
        assert imported.password_hash == transfer.UNUSABLE_PASSWORD
        # No one can sign in with an imported account until a password is set here.
        assert auth.authenticate(session, "zhang", "demo1234") is None
        assert auth.authenticate(session, "zhang", transfer.UNUSABLE_PASSWORD) is None
    assert target.attachment_path(contents(store)[("check", ids["check"])]["attachments"][0][
        "sha256"]).read_bytes() == PHOTO


def test_importing_the_same_file_twice_changes_nothing(source, target, tmp_path):
    store, _ = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    transfer.import_document(target, doc, folder)
    before = snapshot(target.db_path)
    summary = transfer.import_document(target, doc, folder)
    assert summary.total("created") == summary.total("updated") == 0
    assert summary.total("skipped") == 9
    assert snapshot(target.db_path) == before
    # Into the store it came from, too.
    before = snapshot(store.db_path)
    assert transfer.import_document(store, doc).total("skipped") == 9
    assert snapshot(store.db_path) == before


def test_a_higher_version_is_applied_and_the_history_kept(source, target, tmp_path):
    store, ids = source
    out, folder, _ = _export(store, tmp_path)
    transfer.import_document(target, transfer.load_document(out), folder)
    with store.write() as session:
        check = session.get(LabelCheck, ids["check"])
        check.product_name = "电水壶"
        # (a child row changes too; its result stays, or the outcome would need a reason)
        check.items[1].note = "复查：标注不全已拍照"
        records.update(session, check, records.Actor(check.device_id, ids["inspector"]),
                       expected_version=2)
    out2, _, _ = _export(store, tmp_path, "v3.json")
    summary = transfer.import_document(target, transfer.load_document(out2), folder)
    assert summary.updated == {"check": 1} and summary.total("created") == 0
    assert contents(target) == contents(store)
    with target.read() as session:
        versions = session.scalars(select(History.version).where(
            History.record_id == ids["check"]).order_by(History.version)).all()
        assert versions == [2, 3]
        assert queries.list_ids(session, "check", queries.Filter(text="电水壶")) == [ids["check"]]
    assert _problems(target) == []


def test_other_content_under_a_known_version_is_a_conflict(source, target, tmp_path):
    store, ids = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    transfer.import_document(target, doc, folder)
    before = snapshot(target.db_path)
    index = next(n for n, r in enumerate(doc["records"]) if r["kind"] == "check")
    doc["records"][index]["product_name"] = "篡改的名称"
    issues = _issues(target, doc, folder)
    assert len(issues) == 1
    assert issues[0].startswith(f"records[{index}]: ")
    assert ids["check"] in issues[0] and "冲突" in issues[0]
    # A lower version the store never had is a conflict too.
    doc["records"][index]["version"] = 1
    assert "冲突" in _issues(target, doc, folder)[0]
    assert snapshot(target.db_path) == before
    with target.read() as session:
        assert session.get(LabelCheck, ids["check"]).product_name == PRODUCT


def test_an_older_version_the_store_holds_is_skipped(source, target, tmp_path):
    store, ids = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    transfer.import_document(target, doc, folder)
    with target.write() as session:
        check = session.get(LabelCheck, ids["check"])
        check.remarks = "复查"
        records.update(session, check, records.Actor(check.device_id), expected_version=2)
    summary = transfer.import_document(target, doc, folder)
    assert summary.total("skipped") == 9


def test_every_bad_record_is_reported_with_its_path_and_nothing_imported(
        source, target, tmp_path):
    store, _ = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    recs = doc["records"]
    n = {r["kind"]: i for i, r in enumerate(recs)}
    recs[n["party"]]["credit_code"] = CREDIT_CODE[:-1] + "0"
    recs[n["seizure"]]["items"][0]["quantity"] = "-3"
    recs[n["check"]]["party_id"] = "00000000-0000-4000-8000-000000000000"
    recs[n["worklog"]]["status"] = "lost"
    recs[n["worklog"]]["tests"][0].pop("tester")
    recs[n["worklog"]]["extra"] = 1
    recs[n["market"]]["created_at"] = "2026-11-20 02:00:00"
    before = snapshot(target.db_path)
    i18n_issues = _issues(target, doc, folder)
    assert i18n_issues == [
        f"records[{n['market']}].created_at: 必须是UTC时间，写法如2026-11-20T02:00:00.000000Z",
        f"records[{n['party']}].credit_code: 统一社会信用代码的校验码（第18位）不正确，请逐位核对。",
        (f"records[{n['check']}].party_id: 引用的当事人00000000-0000-4000-8000-000000000000"
         "既不在文件中，也不在本库中"),
        f"records[{n['seizure']}].items[0].quantity: 必须大于0",
        f"records[{n['worklog']}].extra: 未知字段",
        f"records[{n['worklog']}].status: 必须是以下之一：\"open\", \"closed\"",
        f"records[{n['worklog']}].tests[0].tester: 缺少此字段",
    ]
    assert snapshot(target.db_path) == before
    assert contents(target) == {}


def test_messages_in_english(source, target, tmp_path):
    from inspector_app.core import i18n

    i18n.set_language("en")
    store, _ = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    index = next(n for n, r in enumerate(doc["records"]) if r["kind"] == "seizure")
    doc["records"][index]["items"][0]["quantity"] = "0"
    assert _issues(target, doc, folder) == [
        f"records[{index}].items[0].quantity: must be greater than 0"]


def test_schema_errors_of_every_kind_are_translated():
    doc = {"format": "other", "version": 2, "exported_at": "yesterday",
           "device_id": "6F0D6B1E-8A0C-4A8E-9A4E-0E6A2F1F9E11", "records": [
               {"kind": "market"}, {"kind": "planet"}, 5,
               {"kind": "stall", "id": "ABC", "version": 0, "created_at": 1,
                "created_offset": 9999, "updated_at": "2026-13-40T00:00:00.000000Z",
                "updated_offset": 0, "device_id": "6f0d6b1e-8a0c-4a8e-9a4e-0e6a2f1f9e11",
                "author_id": None, "market_id": None, "number": "x" * 40,
                "party_id": None, "business": "", "attachments": []}]}
    issues = [str(i) for i in transfer.check_document(doc)[0]]
    assert "format: 必须是\"inspector-records\"" in issues
    assert "device_id: 必须是小写的UUID，例如123e4567-e89b-42d3-a456-426614174000" in issues
    assert "records[0].name: 缺少此字段" in issues
    assert any(i.startswith("records[1].kind: 必须是以下之一") for i in issues)
    assert "records[2]: 必须是对象" in issues
    assert "records[3].version: 不能小于1" in issues
    assert "records[3].created_offset: 不能大于840" in issues
    assert "records[3].number: 最多40个字符" not in issues
    assert "records[3].number: 最多32个字符" in issues
    assert "records[3].market_id: 必须是文本" in issues
    assert "records[3].updated_at: 不是有效的时间" in issues
    assert "records[3].created_at: 必须是文本" in issues


def test_the_fast_validator_agrees_with_the_schema(source, tmp_path):
    store, _ = source
    out, _, _ = _export(store, tmp_path, attachments=False)
    doc = transfer.load_document(out)
    doc["records"][0]["role"] = "Boss!"
    doc["records"][-1]["tests"][0]["value"] = "1.50"
    doc["records"][-2]["items"][0]["quantity"] = 3
    doc["records"][-3]["attachments"][0]["sha256"] = "ABC"
    doc["records"].append({"kind": "market", "id": "6f0d6b1e-8a0c-4a8e-9a4e-0e6a2f1f9e11"})
    full = {transfer.json_path(e.absolute_path) for e in transfer.validator().iter_errors(doc)}
    fast = {transfer.json_path([*p, *e.absolute_path]) for p, e in transfer.schema_errors(doc)}
    assert full == fast and len(fast) == 5


def test_semantic_rules(source, target, tmp_path):
    store, _ = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    recs = doc["records"]
    n = {r["kind"]: i for i, r in enumerate(recs)}
    recs[n["party"]]["phone"] = "12345"
    recs[n["party"]]["id_number"] = "320102199001011233"
    recs[n["check"]]["items"][1]["position"] = 1
    recs[n["check"]]["price"] = "-1"
    recs[n["worklog"]]["scale_checks"][0]["verified_on"] = "2026-02-30"
    recs.append(dict(recs[n["market"]]))
    issues = _issues(target, doc, folder)
    assert any(f"records[{n['party']}].phone: " in i for i in issues)
    id_issue = next(i for i in issues if f"records[{n['party']}].id_number" in i)
    assert "320102199001011233" not in id_issue  # personal data stays out of messages
    assert f"records[{n['check']}].items[1].position: 必须大于上一行的位置" in issues
    assert f"records[{n['check']}].price: 不能为负数" in issues
    assert f"records[{n['worklog']}].scale_checks[0].verified_on: 不是有效的日期" in issues
    assert f"records[{len(recs) - 1}].id: 同一个市场已在records[{n['market']}]中出现" in issues


def test_attachment_files_must_be_there_and_intact(source, target, tmp_path):
    store, _ = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    index = next(n for n, r in enumerate(doc["records"]) if r["kind"] == "check")
    sha = doc["records"][index]["attachments"][0]["sha256"]
    issues = _issues(target, doc)
    assert issues == [(f"records[{index}].attachments[0].sha256: 文件{sha}不在本库中；"
                       "请用--attachments指定存放它的文件夹")]
    (folder / sha).write_bytes(b"something else")
    issues = _issues(target, doc, folder)
    assert "与其SHA-256不符" in issues[0]
    assert contents(target) == {}
    # A store's own attachments folder (files under <sha[:2]>/) works as the folder too.
    summary = transfer.import_document(target, doc, store.attachments_dir)
    assert summary.files == 1
    assert _problems(target) == []


def test_user_name_taken_by_another_inspector(source, target, tmp_path):
    store, _ = source
    out, folder, _ = _export(store, tmp_path)
    with target.write() as session:
        auth.first_setup(session, "别的局", "别", auth.NewInspector("张三", "zhang", "x" * 8))
    issues = _issues(target, transfer.load_document(out), folder)
    assert len(issues) == 1 and issues[0].endswith(".username: 用户名zhang属于本库中的另一名执法人员")


def test_a_newer_version_must_keep_the_attachments(source, target, tmp_path):
    store, _ = source
    out, folder, _ = _export(store, tmp_path)
    doc = transfer.load_document(out)
    transfer.import_document(target, doc, folder)
    index = next(n for n, r in enumerate(doc["records"]) if r["kind"] == "check")
    doc["records"][index]["version"] = 3
    del doc["records"][index]["attachments"]  # empty lists are left out
    issues = _issues(target, doc, folder)
    assert issues == [(f"records[{index}].attachments: 冲突：此版本缺少本库中已有的附件"
                       "（label.png）；未覆盖任何内容")]


def test_bad_json_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "inspector-records",\n "records": [1,, 2]}', encoding="utf-8")
    with pytest.raises(transfer.TransferError) as caught:
        transfer.load_document(bad)
    assert caught.value.message.endswith("不是有效的JSON：此处应有一个值（第2行第16列）。")
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(transfer.TransferError):
        transfer.load_document(latin)


def test_csv_has_a_bom_and_chinese_text(source, tmp_path):
    store, ids = source
    out = tmp_path / "checks.csv"
    assert transfer.export_table(store, "check", "csv", out) == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["ID", "检查时间", "市场"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["ID"] == ids["check"] and row["当事人"] == PARTY_NAME
    assert row["产品名称"] == PRODUCT and row["状态"] == "已完成" and row["结论"] == "不合格"
    assert row["统一社会信用代码"] == CREDIT_CODE and row["不合格项目"] == "CCC认证标志"
    assert row["商标"] == "'=HYPERLINK(1)"  # never run as a formula
    assert Decimal(row["数量"]) == Decimal("12.5")


def test_xlsx_opens_with_openpyxl(source, tmp_path):
    from openpyxl import load_workbook

    store, ids = source
    out = tmp_path / "seizures.xlsx"
    assert transfer.export_table(store, "seizure", "xlsx", out) == 1
    sheet = load_workbook(out, read_only=True).active
    header, row = [list(r) for r in sheet.iter_rows(values_only=True)]
    data = dict(zip(header, row, strict=True))
    assert data["ID"] == ids["seizure"] and data["当事人"] == PARTY_NAME
    assert data["措施"] == "查封" and data["物品数"] == 1
    assert data["执法人员"] == "张三 32010001; 李四 32010002"


def test_xlsx_keeps_formulas_as_text(source, tmp_path):
    from openpyxl import load_workbook

    store, _ = source
    out = tmp_path / "checks.xlsx"
    transfer.export_table(store, "check", "xlsx", out)
    sheet = load_workbook(out).active
    values = [c.value for c in sheet[2]]
    assert "=HYPERLINK(1)" in values
    brand = next(c for c in sheet[2] if c.value == "=HYPERLINK(1)")
    assert brand.data_type == "s"


def test_a_failed_export_leaves_no_file(source, tmp_path, monkeypatch):
    store, _ = source
    out = tmp_path / "x.json"
    out.write_text("old", encoding="utf-8")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transfer.canonical, "to_dict", boom)
    with pytest.raises(RuntimeError):
        transfer.export_json(store, ["check"], out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".x.json")] == []
