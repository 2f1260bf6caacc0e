"""The server refuses (422) a batch holding a seizure that breaks the rules the app
enforces, naming each such record with its reasons, and stores nothing of it."""

from __future__ import annotations

import uuid

from synchelpers import enrol_fake, record, server_versions

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
            "bad = [m for m in sys.modules if m.startswith(('PySide6', "
            "'inspector_app.core.models', 'inspector_app.core.store'))]; print(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
