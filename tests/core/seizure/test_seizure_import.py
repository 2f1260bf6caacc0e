"""A seizure that arrives by `inspector records import` meets the rules the UI enforces,
and keeps its issuing device's signature: printed on another device, its QR code names
the issuing device and verifies; altered, it does not."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cli_runner import inspector
from sample_records import snapshot, write_json
from seizure_helpers import ISSUE_TIME

from inspector_app.core import device_key, settings, transfer
from inspector_app.core.seizure import numbering, qr
from inspector_app.core.store import Store
from inspector_app.core.sync import agent


def _extended(agency) -> str:
    from inspector_app.core.seizure import service

    sid = agency.issued()
    with agency.store.write() as s:
        service.extend(agency.store, s, agency.actor, sid, 20, "需送检验机构检验",
                       approver="局长", now=ISSUE_TIME + timedelta(days=5))
    return sid


def _export(store: Store, folder: Path) -> tuple[dict, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "records.json"
    transfer.export_json(store, ["seizure"], out, folder / "files")
    return json.loads(out.read_text(encoding="utf-8")), folder / "files"


def _seizure(doc: dict) -> tuple[int, dict]:
    return next((n, r) for n, r in enumerate(doc["records"]) if r["kind"] == "seizure")


def _target(tmp_path: Path, segment: str = "08") -> Store:
    """Another device of the same agency, with its own segment and no records."""
    store = Store(tmp_path / "b")
    with store.write() as s:
        settings.AGENCY_NAME.set(s, "示例市市场监督管理局")
        numbering.set_segment(s, segment)
    return store


def test_a_file_with_a_seizure_breaking_the_rules_is_refused_whole(agency, tmp_path):
    sid = _extended(agency)
    doc, files = _export(agency.store, tmp_path)
    n, rec = _seizure(doc)
    rec["officers"] = rec["officers"][:1]
    rec["signatures"] = [s for s in rec["signatures"] if s["role"] != "officer"
                         or s.get("officer_id") == rec["officers"][0]["inspector_id"]]
    rec["term_days"], rec["extension_days"] = 45, 60
    bad = write_json(tmp_path / "bad.json", doc)
    target = _target(tmp_path)
    target.close()
    before = snapshot(target.db_path)
    code, out, err = inspector("--data-dir", target.data_dir, "records", "import", bad,
                               "--attachments", files)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"{bad}：发现3个问题；未导入任何内容。"
    assert f"  已拒绝：records[{n}]：查封扣押 {sid}，文书编号 {rec['number']}" in lines
    reasons = lines[lines.index(
        f"  已拒绝：records[{n}]：查封扣押 {sid}，文书编号 {rec['number']}") + 1:]
    assert any(r.startswith(f"    records[{n}].officers: ") and "2名以上" in r
               for r in reasons)
    assert any(r.startswith(f"    records[{n}].term_days: ") and "45日" in r for r in reasons)
    assert any(r.startswith(f"    records[{n}].extension_days: ") and "60日" in r
               for r in reasons)
    assert snapshot(target.db_path) == before
    # The file as exported (the rules kept) imports.
    good = write_json(tmp_path / "good.json", _export(agency.store, tmp_path / "again")[0])
    code, out, err = inspector("--data-dir", target.data_dir, "records", "import", good,
                               "--attachments", tmp_path / "again" / "files")
    assert code == 0, err
    with target.read() as s:
        from inspector_app.core.seizure import service

        assert service.load(s, sid).term_days == 30


def _trust(store: Store, issuer: Store) -> str:
    """Store learns the issuing device's key, as a sync pull brings it."""
    key = device_key.load_or_create(issuer.data_dir)
    with issuer.read() as s:
        device = settings.device_id(s)
    with store.write() as s:
        agent.apply_change(s, {"type": "device_key", "data": {
            "key_id": device_key.key_id(key), "public_key": device_key.public_b64(key),
            "device_id": device, "agency": "示例市市场监督管理局"}})
    return device


def test_printed_on_another_device_the_code_is_the_issuers(agency, tmp_path):
    sid = _extended(agency)
    doc, files = _export(agency.store, tmp_path)
    target = _target(tmp_path)
    device_a = _trust(target, agency.store)
    target.close()
    src = write_json(tmp_path / "a.json", doc)
    code, _, err = inspector("--data-dir", target.data_dir, "records", "import", src,
                             "--attachments", files)
    assert code == 0, err
    for kind in ("decision", "extension"):
        pdf = tmp_path / f"{kind}.pdf"
        code, _, err = inspector("--data-dir", target.data_dir, "notice", sid, "--kind", kind,
                                 "--out", pdf)
        assert code == 0, err
        [text] = qr.decode_pdf(pdf.read_bytes())
        payload = qr.parse(text)
        key_a = device_key.key_id(device_key.load_or_create(agency.store.data_dir))
        assert payload.key_id == key_a  # A's key, never B's
        key_b = device_key.key_id(device_key.load_or_create(target.data_dir))
        assert key_b != key_a
        code, out, _ = inspector("--data-dir", target.data_dir, "verify", pdf)
        assert code == 0 and out.startswith("VALID 有效"), out
        assert device_a in out
        # The same code altered: INVALID.
        code, out, _ = inspector("--data-dir", target.data_dir, "verify",
                                 text.replace("|示例市市场监督管理局|", "|示例市市场监督管理局 |"))
        assert code == 1 and out.startswith("INVALID 无效")


def test_an_altered_record_is_refused_or_not_printed(agency, tmp_path):
    sid = _extended(agency)
    doc, files = _export(agency.store, tmp_path)
    target = _target(tmp_path)
    _trust(target, agency.store)
    target.close()
    n, rec = _seizure(doc)
    # The party's name in the frozen block is what the signature covers: refused on import.
    frozen = json.loads(rec["frozen_block"])
    frozen["party"]["name"] = "别人商行"
    rec["frozen_block"] = json.dumps(frozen, ensure_ascii=False, sort_keys=True)
    bad = write_json(tmp_path / "bad.json", doc)
    code, _, err = inspector("--data-dir", target.data_dir, "records", "import", bad,
                             "--attachments", files)
    assert code == 2 and f"records[{n}].documents[0].signature" in err
    # The place is covered by the content hash: imported, but it does not print.
    doc, files = _export(agency.store, tmp_path / "again")
    n, rec = _seizure(doc)
    rec["place"] = "别处"
    changed = write_json(tmp_path / "changed.json", doc)
    assert inspector("--data-dir", target.data_dir, "records", "import", changed,
                     "--attachments", files).code == 0
    code, _, err = inspector("--data-dir", target.data_dir, "notice", sid, "--kind",
                             "decision", "--out", tmp_path / "x.pdf")
    assert code == 2 and "不一致" in err, err
    assert not (tmp_path / "x.pdf").exists()


def test_a_document_without_its_issuers_signature_is_not_signed_here(agency, tmp_path):
    sid = _extended(agency)
    doc, files = _export(agency.store, tmp_path)
    for d in _seizure(doc)[1]["documents"]:  # as a document issued before signatures kept
        d.pop("key_id"), d.pop("signature")
    target = _target(tmp_path)
    target.close()
    src = write_json(tmp_path / "a.json", doc)
    assert inspector("--data-dir", target.data_dir, "records", "import", src,
                     "--attachments", files).code == 0
    code, _, err = inspector("--data-dir", target.data_dir, "notice", sid, "--kind",
                             "decision", "--out", tmp_path / "x.pdf")
    assert code == 2 and "由另一台设备作出，记录中没有该设备的签名" in err, err
    assert not (tmp_path / "x.pdf").exists()


def test_an_import_checks_the_prior_approval_and_the_emergency_report(agency, tmp_path):
    """The rules of arts. 18 and 19 hold for a record that arrives from outside too."""
    from inspector_app.core.seizure import record_rules

    _extended(agency)
    doc, _files = _export(agency.store, tmp_path)
    _n, rec = _seizure(doc)
    assert record_rules.seizure_issues(rec) == []
    unapproved = dict(rec, approver=None, approved_at=None)
    assert any("批准" in e.message for e in record_rules.seizure_issues(unapproved))
    # Taken as an emergency measure and extended without its 24-hour report: refused.
    emergency = dict(rec, emergency=True, approver=None, approved_at=None)
    issues = record_rules.seizure_issues(emergency)
    assert len(issues) == 1 and "未在二十四小时内报告" in issues[0].message, issues
    # Reported late without a reason: refused; with the reason: accepted.
    late = (ISSUE_TIME + timedelta(hours=30)).isoformat()
    reported = dict(emergency, emergency_reported_at=late, emergency_approver="局长")
    assert [e.field for e in record_rules.seizure_issues(reported)] == [
        "emergency_report_reason"]
    explained = dict(reported, emergency_report_reason="当晚无法联系负责人")
    assert record_rules.seizure_issues(explained) == []
