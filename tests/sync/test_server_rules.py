"""The server refuses (422) a batch holding a seizure or a check that breaks the rules the
app enforces, naming each such record with its reasons, and stores nothing of it."""

from __future__ import annotations

import uuid

from synchelpers import CHECK_OFFICERS, FAILED_ITEM, enrol_fake, record, server_versions

from sync.server import service

OFFICER = {"inspector_id": "11111111-1111-4111-8111-111111111111", "name": "张三",
           "cert_no": "32010001", "position": 1}


def _bad_seizure(rid: str):
    """An extended seizure with one officer, a 45-day term and a 60-day extension."""
    at = "2026-11-20T02:00:00.000000Z"
    return record("seizure", rid, 1, state="extended", officers=[OFFICER], term_days=45,
                  extension_days=60, number="示例市监强制〔2026〕07-0001号", issued_at=at,
                  started_at=at, transitions=[
                      {"position": 1, "from_state": "draft", "to_state": "issued", "at": at,
                       "reason": ""},
                      {"position": 2, "from_state": "issued", "to_state": "extended",
                       "at": "2026-11-25T02:00:00.000000Z", "reason": "送检",
                       "approver": "局长"}])


def test_a_seizure_breaking_the_rules_is_refused_with_its_reasons(app_client):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    rid = str(uuid.uuid4())
    before = service.details(db)
    body = dev.batch([record("check"), _bad_seizure(rid)])
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 422
    answer = r.json()
    assert "nothing of this batch was stored" in answer["detail"]
    [refused] = answer["refused"]
    assert (refused["position"], refused["kind"], refused["id"], refused["number"]) == (
        1, "seizure", rid, "示例市监强制〔2026〕07-0001号")
    problems = refused["problems"]
    assert any(p.startswith("officers：") and "2名以上" in p for p in problems)
    assert any(p.startswith("term_days：") and "45日" in p for p in problems)
    assert any(p.startswith("extension_days：") and "60日" in p for p in problems)
    assert service.details(db) == before
    assert server_versions(db) == []
    # The same device goes on: a batch without the seizure is applied.
    body = dev.batch([record("check"), record("seizure")], seq=1)
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 200 and r.json()["applied"] == 2


def test_a_final_check_with_one_officer_is_refused_with_its_reasons(app_client):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    rid = str(uuid.uuid4())
    before = service.details(db)
    lone = record("check", rid, status="final", officers=CHECK_OFFICERS[:1])
    body = dev.batch([record("check"), lone])
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 422
    answer = r.json()
    assert "breaks the rules the app enforces" in answer["detail"]
    assert "nothing of this batch was stored" in answer["detail"]
    [refused] = answer["refused"]
    assert (refused["position"], refused["kind"], refused["id"], refused["version"],
            refused["reason"]) == (1, "check", rid, 1, "breaks_rules")
    assert refused["problems"] == [("officers：检查须由至少2名执法人员进行（行政处罚法第四十二条），"
                                    "请选择第二执法人员。")]
    assert service.details(db) == before
    assert server_versions(db) == []
    # The same check with its second officer is applied, and so is a draft with one.
    draft = record("check", status="draft", outcome="pending", officers=CHECK_OFFICERS[:1])
    body = dev.batch([record("check", rid, status="final"), draft], seq=1)
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 200 and r.json()["applied"] == 2
    assert len(server_versions(db)) == 2


def test_a_check_whose_outcome_and_measure_break_the_rules_is_refused(app_client):
    dev = enrol_fake(app_client.db, app_client)
    no_cert = [CHECK_OFFICERS[0], CHECK_OFFICERS[1] | {"cert_no": ""}]
    checks = [
        # Non-conforming against a passed checklist, no reason given, no measure.
        record("check", outcome="nonconforming", officers=no_cert,
               items=[FAILED_ITEM | {"result": "pass"}]),
        # A conforming product seized.
        record("check", status="draft", outcome="conforming", measure="seizure"),
        # Seized with no quantity on hand.
        record("check", outcome="nonconforming", measure="seizure", items=[FAILED_ITEM])]
    body = dev.batch(checks)
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 422
    refused = r.json()["refused"]
    assert [x["position"] for x in refused] == [0, 1, 2]
    assert refused[0]["problems"] == [
        "officers：执法人员李四没有执法证号，检查须由持有执法证的执法人员进行。",
        "outcome_override_reason：结论与检查项目得出的不同：请说明理由。",
        "measure：产品不合格：请选择处理措施。"]
    assert refused[1]["problems"] == ["measure：产品合格，无需责令改正或查封扣押。"]
    assert len(refused[2]["problems"]) == 1
    assert refused[2]["problems"][0].startswith("measure：")
    assert "2 more records refused" in r.json()["detail"]
    # Given the reason, a quantity and a unit, the same checks are applied.
    fixed = [record("check", checks[0].id, outcome="nonconforming", measure="correct",
                    outcome_override_reason="标签缺失生产日期",
                    items=[FAILED_ITEM | {"result": "pass"}]),
             record("check", checks[1].id, status="draft", outcome="conforming"),
             record("check", checks[2].id, outcome="nonconforming", measure="seizure",
                    items=[FAILED_ITEM], quantity="12", unit="台")]
    body = dev.batch(fixed, seq=1)
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 200 and r.json()["applied"] == 3


SCALE = {"position": 1, "kind": "reweigh", "stall_no": "A-101", "instrument_name": "公平秤",
         "model": "", "serial_no": "", "cert_no": "", "verified_on": "", "valid_until": "",
         "result": "pass", "claimed_weight": "1.5", "actual_weight": "1.5"}
COMPLAINT = {"position": 1, "received_at": "2026-11-25T02:00:00.000000Z", "complainant": "王",
             "phone": "", "stall_no": "A-101", "content": "缺斤短两", "status": "closed",
             "follow_up": "已退款"}


def test_a_worklog_breaking_the_row_rules_is_refused_with_its_reasons(app_client):
    dev = enrol_fake(app_client.db, app_client)
    rid = str(uuid.uuid4())
    bad = record("worklog", rid, status="open", scale_checks=[
        SCALE | {"actual_weight": "0"},
        {k: v for k, v in SCALE.items() if not k.endswith("_weight")}
        | {"position": 2, "kind": "verification", "stall_no": ""}],
        complaints=[COMPLAINT | {"follow_up": " "}])
    body = dev.batch([bad])
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 422
    [refused] = r.json()["refused"]
    assert (refused["kind"], refused["id"], refused["reason"]) == ("worklog", rid,
                                                                   "breaks_rules")
    assert refused["problems"] == [
        "scale_checks[0].actual_weight：重量必须大于0千克。",
        "scale_checks[1].stall_no：请填写摊位号或计量器具出厂编号。",
        "complaints[0].follow_up：办结前请先填写处理情况。"]
    assert server_versions(app_client.db) == []
    good = record("worklog", rid, status="open", scale_checks=[SCALE],
                  complaints=[COMPLAINT])
    body = dev.batch([good], seq=1)
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 200 and r.json()["applied"] == 1


def test_a_forged_document_signature_is_refused(app_client):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    content = record("seizure").content
    content["documents"] = [{"position": 1, "kind": "decision", "number": "X-07-0001",
                             "issued_at": "2026-11-20T02:00:00.000000Z",
                             "content_sha256": "0" * 64, "key_id": "0123456789abcdef",
                             "signature": "A" * 86}]
    from sync import protocol

    rec = protocol.make_record("seizure", content["id"], 1, content)
    body = dev.batch([rec])
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 422
    [refused] = r.json()["refused"]
    assert any("0123456789abcdef" in p and "documents[0].key_id" in p
               for p in refused["problems"])
    assert server_versions(db) == []


def test_the_server_rules_import_no_desktop_models_and_no_qt():
    import subprocess
    import sys

    code = ("import sys; from sync.server import validation; "
            "validation.rule_problems('seizure', {}, {}); "
            "validation.rule_problems('check', {'status': 'final'}, {}); "
            "validation.rule_problems('worklog', {'complaints': [{}]}, {}); "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', "
            "'inspector_app.core.models', 'inspector_app.core.store'))]; print(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
