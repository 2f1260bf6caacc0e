"""The seizure workflow and every document, headless: the real `inspector` command in a
subprocess, on a demo store (`inspector demo`), read back with pdftotext.

Other work changes the documents' wording and layout, so the PDFs are checked for what the
record holds (numbers, names, dates), not for template sentences.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_runner import inspector

from inspector_app.core.demo.printable import signature

PASSWORD = "demo1234"  # of the demo team (core/demo/context.DEMO_PASSWORD)
PARTY = "𠮷祥水产店"  # outside the BMP: must come back from pdftotext as itself

DRAFT = {
    "party": {"name": PARTY, "kind": "individual", "address": "东门农副产品批发市场B区235号",
              "legal_rep": "吕小明", "id_number": "320102198506120034"},
    "officers": ["zhang", "li"], "measure": "detain",
    "place": "东门农副产品批发市场B区235号摊位", "suspected_violation": "销售失效、变质的产品",
    "legal_basis": "《中华人民共和国食品安全法》第一百一十条第（四）项", "term_days": 30,
    "custody_place": "示例市市场监督管理局物证室", "custodian": "王磊",
    "items": [{"name": "冷冻带鱼", "spec": "1kg/袋", "quantity": "12", "unit": "袋"},
              {"name": "冻虾仁", "quantity": 3.5, "unit": "千克"}],
    "seals": [{"number": "FT-0001", "location": "冷柜门"}],
    "onsite_record": "现场检查发现冷冻带鱼已过保质期。", "party_statement": "我不知道过期了。",
}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "data"
    result = inspector("--data-dir", folder, "demo", "--records", "20")
    assert result.code == 0, result.err
    return folder


@pytest.fixture
def store(demo_store, tmp_path, monkeypatch) -> Path:
    """A copy of the demo store, named by INSPECTOR_DATA_DIR, signed in as zhang."""
    folder = tmp_path / "store"
    shutil.copytree(demo_store, folder)
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(folder))
    monkeypatch.setenv("INSPECTOR_USER", "zhang")
    monkeypatch.setenv("INSPECTOR_PASSWORD", PASSWORD)
    return folder


@pytest.fixture
def pngs(tmp_path) -> dict[str, Path]:
    out = {}
    for who in ("zhang", "li", "party", "witness"):
        out[who] = tmp_path / f"{who}.png"
        out[who].write_bytes(signature(who)[0])
    return out


def ok(*args) -> str:
    result = inspector(*args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.out


def refused(*args) -> str:
    """The command fails with exit 2 and a message, never a traceback; returns stderr."""
    result = inspector(*args)
    assert result.code == 2, (result.out, result.err)
    assert result.err.startswith("错误：") or "错误" in result.err, result.err
    assert "Traceback" not in result.err
    return result.err


def new(tmp_path: Path, draft: dict | None = None) -> str:
    """A new draft; the second and later drafts of a test name the party made by the first."""
    path = tmp_path / "draft.json"
    if draft is None:
        draft = {**DRAFT, "party": PARTY} if path.exists() else DRAFT
    path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    seizure_id = ok("seizure", "new", "--json", path).strip()
    assert len(seizure_id) == 36
    return seizure_id


def show(seizure_id: str) -> dict:
    return json.loads(ok("seizure", "show", seizure_id, "--json"))


def sign_officers(seizure_id: str, pngs) -> None:
    ok("seizure", "sign", seizure_id, "--role", "officer", "--officer", "1",
       "--image", pngs["zhang"])
    ok("seizure", "sign", seizure_id, "--role", "officer", "--officer", "li",
       "--image", pngs["li"])


def issued(tmp_path, pngs) -> str:
    seizure_id = new(tmp_path)
    sign_officers(seizure_id, pngs)
    ok("seizure", "sign", seizure_id, "--role", "party", "--image", pngs["party"])
    ok("seizure", "approve", seizure_id, "--approver", "李局长")
    ok("seizure", "issue", seizure_id)
    return seizure_id


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def flat(text: str) -> str:
    return "".join(text.split())


def rows(folder: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(folder / "inspector.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def counts(folder: Path) -> tuple:
    return rows(folder, "select (select count(*) from seizures), (select count(*) from "
                        "parties), (select count(*) from seizure_signatures), (select "
                        "max(version) from seizures), (select count(*) from audit_log)")[0]


def notice(tmp_path: Path, seizure_id: str, kind: str) -> str:
    out = tmp_path / f"{kind}.pdf"
    ok("notice", seizure_id, "--kind", kind, "--out", out)
    verdict = inspector("verify", out)
    assert verdict.code == 0 and verdict.out.startswith("VALID"), verdict
    return flat(pdf_text(out))


# --- the whole workflow ----------------------------------------------------------------------


def test_a_full_headless_run(store, tmp_path, pngs):
    seizure_id = new(tmp_path)
    view = show(seizure_id)
    assert view["state"] == "draft" and view["party"]["name"] == PARTY
    assert [o["name"] for o in view["officers"]] == ["张三", "李娜"]
    assert [(i["name"], i["quantity"], i["unit"]) for i in view["items"]] == [
        ("冷冻带鱼", "12", "袋"), ("冻虾仁", "3.5", "千克")]
    assert any("张三" in p for p in view["problems"])  # not signed yet

    # Issuing before anyone signed is refused, naming who is missing; nothing changes.
    before = counts(store)
    err = refused("seizure", "issue", seizure_id)
    assert "张三" in err and "李娜" in err
    assert counts(store) == before and show(seizure_id)["documents"] == []

    sign_officers(seizure_id, pngs)
    assert PARTY in ok("seizure", "sign", seizure_id, "--role", "party",
                       "--image", pngs["party"])
    text = ok("seizure", "show", seizure_id)
    assert PARTY in text and "张三" in text
    # Signed, but not approved by the agency head (art. 18(一)): refused, nothing written.
    before = counts(store)
    refused("seizure", "issue", seizure_id)
    assert counts(store) == before and show(seizure_id)["state"] == "draft"
    started = show(seizure_id)["started_at"]
    assert "2099" in refused("seizure", "approve", seizure_id, "--approver", "李局长",
                             "--at", "2099-01-01T08:00")  # in the future
    ok("seizure", "approve", seizure_id, "--approver", "李局长", "--at", started[:16])
    view = show(seizure_id)
    assert view["approver"] == "李局长" and view["approved_at"] == started
    assert view["problems"] == []

    printed = ok("seizure", "issue", seizure_id)
    view = show(seizure_id)
    assert view["state"] == "issued"
    numbers = {d["kind"]: d["number"] for d in view["documents"]}
    assert set(numbers) == {"decision", "list", "record", "seals"}
    assert all(number in printed for number in numbers.values())
    signers = {(s["role"], s["signer"], s["status"]) for s in view["signatures"]}
    assert signers == {("officer", "张三", "signed"), ("officer", "李娜", "signed"),
                       ("party", PARTY, "signed")}

    for kind, number in numbers.items():
        text = notice(tmp_path, seizure_id, kind)
        assert flat(number) in text, kind
        # the 封条 names the seal, not the party
        assert ("FT-0001" if kind == "seals" else PARTY) in text, kind
    assert "冷冻带鱼" in notice(tmp_path, seizure_id, "list")

    # An extension of 45 days is refused and changes nothing; 30 days with the approver goes.
    before = counts(store)
    err = refused("seizure", "extend", seizure_id, "--days", "45", "--reason", "需送检验",
                  "--approver", "李局长")
    assert "45" in err and counts(store) == before
    assert show(seizure_id)["extension_days"] == 0
    ok("seizure", "extend", seizure_id, "--days", "30", "--reason", "需送检验",
       "--approver", "李局长")
    view = show(seizure_id)
    assert view["state"] == "extended" and view["extension_days"] == 30
    assert view["transitions"][-1]["approver"] == "李局长"
    extension = [d["number"] for d in view["documents"] if d["kind"] == "extension"]
    assert len(extension) == 1
    text = notice(tmp_path, seizure_id, "extension")
    assert flat(extension[0]) in text and PARTY in text

    refused("seizure", "extend", seizure_id, "--days", "5", "--reason", "再延",
            "--approver", "李局长")  # once only

    ok("seizure", "release", seizure_id, "--ground", "1", "--reason", "检验合格")
    view = show(seizure_id)
    assert view["state"] == "released" and view["transitions"][-1]["ground"] == "1"
    release = [d["number"] for d in view["documents"] if d["kind"] == "release"]
    text = notice(tmp_path, seizure_id, "release")
    assert flat(release[0]) in text and PARTY in text
    # A closed measure takes no further step.
    refused("seizure", "release", seizure_id, "--ground", "1")
    refused("seizure", "destroy", seizure_id, "--reason", "销毁")


def test_absent_party_and_refusing_party_need_a_witness(store, tmp_path, pngs):
    absent = new(tmp_path)
    ok("seizure", "sign", absent, "--role", "party", "--absent", "--witness", "钱七")
    ok("seizure", "approve", absent, "--approver", "李局长")
    sign_officers(absent, pngs)
    err = refused("seizure", "issue", absent)  # the witness has not signed
    assert "见证人" in err
    assert "钱七" in ok("seizure", "sign", absent, "--role", "witness",
                        "--image", pngs["witness"])
    ok("seizure", "issue", absent)
    ok("seizure", "confiscate", absent, "--reason", "依法没收")
    view = show(absent)
    assert view["state"] == "confiscated" and view["party_presence"] == "absent"
    assert view["transitions"][-1]["reason"] == "依法没收"
    assert ("witness", "钱七", "signed") in {(s["role"], s["signer"], s["status"])
                                             for s in view["signatures"]}

    refusing = new(tmp_path)
    sign_officers(refusing, pngs)
    ok("seizure", "sign", refusing, "--role", "party", "--refused", "--witness", "孙八")
    ok("seizure", "sign", refusing, "--role", "witness", "--image", pngs["witness"])
    ok("seizure", "approve", refusing, "--approver", "李局长")
    ok("seizure", "issue", refusing)
    view = show(refusing)
    assert view["party_presence"] == "refused" and view["witness_name"] == "孙八"
    assert ("party", PARTY, "refused") in {(s["role"], s["signer"], s["status"])
                                           for s in view["signatures"]}
    # The party's presence is part of the issued record now: it cannot be changed.
    before = counts(store)
    refused("seizure", "sign", refusing, "--role", "party", "--absent", "--witness", "某人")
    assert counts(store) == before


def test_testing_destroy_and_no_step_after(store, tmp_path, pngs):
    seizure_id = issued(tmp_path, pngs)
    issued_on = show(seizure_id)["issued_at"][:10]
    err = refused("seizure", "testing", seizure_id, "--start", issued_on)  # after issue only
    assert issued_on in err
    refused("seizure", "destroy", seizure_id, "--reason", "  ")  # a reason is needed
    ok("seizure", "destroy", seizure_id, "--reason", "依法销毁")
    view = show(seizure_id)
    assert view["state"] == "destroyed" and view["transitions"][-1]["reason"] == "依法销毁"
    assert view["testing_periods"] == []
    refused("seizure", "confiscate", seizure_id, "--reason", "依法没收")


def test_an_emergency_measure_is_reported_not_approved(store, tmp_path):
    seizure_id = new(tmp_path, {**DRAFT, "emergency": True})
    before = counts(store)
    refused("seizure", "approve", seizure_id, "--approver", "李局长")
    refused("seizure", "report-emergency", seizure_id, "--approver", " ")
    assert counts(store) == before
    ok("seizure", "report-emergency", seizure_id, "--approver", "李局长")
    report = show(seizure_id)["emergency_report"]
    assert report["approver"] == "李局长" and report["reported_at"] and not report["overdue"]
    assert show(seizure_id)["approver"] is None  # not a prior approval
    refused("seizure", "report-emergency", seizure_id, "--approver", "李局长")  # once


# --- refusals --------------------------------------------------------------------------------


def test_unknown_ids_are_refused(store, pngs):
    for args in (("seizure", "show", "nope"),
                 ("seizure", "sign", "nope", "--role", "party", "--image", pngs["party"]),
                 ("seizure", "extend", "nope", "--days", "3", "--reason", "r",
                  "--approver", "a"),
                 ("check", "print", "nope", "--out", "x.pdf")):
        assert "nope" in refused(*args), args


def test_writing_needs_a_signed_in_user(store, tmp_path, monkeypatch, pngs):
    seizure_id = new(tmp_path)
    before = counts(store)
    monkeypatch.setenv("INSPECTOR_PASSWORD", "wrong-password")
    refused("seizure", "sign", seizure_id, "--role", "party", "--image", pngs["party"])
    monkeypatch.delenv("INSPECTOR_PASSWORD")
    # No password and no terminal to type it at: refused, not waiting for input.
    assert "INSPECTOR_PASSWORD" in refused("seizure", "issue", seizure_id)
    monkeypatch.delenv("INSPECTOR_USER")
    assert "--user" in refused("seizure", "issue", seizure_id)
    monkeypatch.setenv("INSPECTOR_PASSWORD", PASSWORD)
    ok("seizure", "sign", seizure_id, "--user", "li", "--role", "party",
       "--image", pngs["party"])
    assert counts(store)[2] == before[2] + 1
    author = rows(store, f"select i.username from seizures s join inspectors i on "
                         f"i.id = s.author_id where s.id = '{seizure_id}'")
    assert author == [("li",)]


@pytest.mark.parametrize("draft, word", [
    ({**DRAFT, "term_days": 45}, "45"),
    ({**DRAFT, "colour": "red"}, "colour"),
    ({**DRAFT, "officers": ["zhang", "nobody"]}, "nobody"),
    ({**DRAFT, "party": "没有这个当事人"}, "没有这个当事人"),
    ({**DRAFT, "items": [{"name": "带鱼", "quantity": "很多"}]}, "1"),
    ({**DRAFT, "measure": "burn"}, "查封"),
    ({**DRAFT, "emergency": "yes"}, "emergency"),
])
def test_a_refused_draft_writes_nothing(store, tmp_path, draft, word):
    before = counts(store)  # the new party of DRAFT is not kept either
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    assert word in refused("seizure", "new", "--json", path)
    assert counts(store) == before


def test_bad_files_are_refused(store, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{\"party\": ", encoding="utf-8")
    assert "broken.json" in refused("seizure", "new", "--json", broken)
    assert "missing.json" in refused("seizure", "new", "--json", tmp_path / "missing.json")
    seizure_id = new(tmp_path)
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a not a png")
    before = counts(store)
    assert "fake.png" in refused("seizure", "sign", seizure_id, "--role", "party",
                                 "--image", fake)
    assert "当事人" in refused("seizure", "sign", seizure_id, "--role", "witness",
                               "--refused")  # only the party refuses
    assert counts(store) == before


# --- the other documents ----------------------------------------------------------------------


def test_check_print(store, tmp_path):
    checks = json.loads(ok("records", "list", "--kind", "check", "--json", "--limit", "3"))
    for check in checks:
        out = tmp_path / f"{check['id']}.pdf"
        ok("check", "print", check["id"], "--out", out)
        text = flat(pdf_text(out))
        assert check["product"] in text and check["party"] in text


def test_worklog_reports(store, tmp_path):
    listing = ok("worklog", "workstations")
    (station_id, name, day, operator), = rows(store, (
        "select w.id, w.name, l.log_date, l.operator_name from work_logs l join workstations "
        "w on w.id = l.workstation_id order by l.log_date desc limit 1"))
    assert station_id in listing and name in listing
    year, month, dom = (int(x) for x in day.split("-"))

    daily = tmp_path / "daily.pdf"
    ok("worklog", "daily", "--workstation", name, "--date", day, "--out", daily)
    text = flat(pdf_text(daily))
    assert name in text and operator in text
    assert f"{year}年{month}月{dom}日" in text or day in text

    monthly = tmp_path / "monthly.pdf"
    ok("worklog", "monthly", "--workstation", station_id, "--month", day[:7],
       "--out", monthly)
    text = flat(pdf_text(monthly))
    assert name in text and (f"{year}年{month}月" in text or day[:7] in text)

    assert "没有这个站" in refused("worklog", "daily", "--workstation", "没有这个站",
                                  "--date", day, "--out", tmp_path / "x.pdf")
    refused("worklog", "daily", "--date", day, "--out", tmp_path / "x.pdf")  # several
    refused("worklog", "monthly", "--workstation", name, "--month", "2026-13",
            "--out", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_the_party_signs_for_the_decision_after_issue(store, tmp_path, pngs):
    """The 决定书's 签收 line holds the receipt signature, never the 笔录's; before issue
    there is nothing to sign for."""
    draft = new(tmp_path)
    refused("seizure", "sign", draft, "--role", "decision_receipt", "--image", pngs["party"])
    seizure_id = issued(tmp_path, pngs)
    out = tmp_path / "before.pdf"
    ok("notice", seizure_id, "--kind", "decision", "--out", out)
    assert "（拒绝签名）" not in pdf_text(out)
    ok("seizure", "sign", seizure_id, "--role", "decision_receipt", "--refused",
       "--signer", "王五")
    ok("notice", seizure_id, "--kind", "decision", "--out", tmp_path / "after.pdf")
    after = flat(pdf_text(tmp_path / "after.pdf"))
    assert "拒绝签名" in after
    assert rows(store, "SELECT count(*) FROM seizure_signatures WHERE role = "
                      "'decision_receipt'") == [(1,)]
