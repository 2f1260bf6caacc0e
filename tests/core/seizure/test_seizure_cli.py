"""`inspector verify`, `inspector notice`, `inspector seizure-due`, `inspector doc-segment`,
run as the real `inspector` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import Result, inspector

from inspector_app.core.seizure import qr, service


def run(data_dir: Path, *argv: str) -> Result:
    return inspector("--data-dir", data_dir, *argv)


def test_notice_then_verify_the_pdf_and_a_page_image(agency, tmp_path):
    sid = agency.issued(items=20)
    out = tmp_path / "out" / "decision.pdf"
    assert run(agency.store.data_dir, "notice", sid, "--kind", "decision", "--out",
               str(out)).code == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    code, printed, _ = run(agency.store.data_dir, "verify", str(out))
    assert code == 0
    assert printed.startswith("VALID 有效") and "示例市监强制〔2025〕07-1号" in printed
    assert "𠮷祥日杂商行" in printed and "20" in printed
    page = tmp_path / "scan.png"
    next(qr.pdf_page_images(out.read_bytes(), dpi=150)).save(page)
    assert run(agency.store.data_dir, "verify", str(page)).code == 0


@pytest.mark.parametrize("kind", ["list", "record", "seals"])
def test_notice_kinds(agency, tmp_path, kind):
    sid = agency.issued(items=3)
    out = tmp_path / f"{kind}.pdf"
    assert run(agency.store.data_dir, "notice", sid, "--kind", kind, "--out",
               str(out)).code == 0
    assert run(agency.store.data_dir, "verify", str(out)).code == 0


def test_verify_raw_text_valid_and_altered(agency):
    sid = agency.issued(items=2)
    with agency.store.write() as s:
        seizure = service.load(s, sid)
        text = service.payload_for(agency.store, s, seizure, "decision",
                                   service.snapshot(s, seizure))
    assert run(agency.store.data_dir, "verify", text).code == 0
    code, out, _ = run(agency.store.data_dir, "verify", text.replace("|2|", "|3|"))
    assert code == 1 and out.startswith("INVALID 无效: 签名无效")
    assert run(agency.store.data_dir, "verify", text[:50]).code == 1


def test_notice_errors_are_messages_not_tracebacks(agency, tmp_path):
    sid = agency.issued()
    code, _, err = run(agency.store.data_dir, "notice", "no-such-id", "--out",
                       str(tmp_path / "x.pdf"))
    assert code == 2 and err == "错误：没有编号为 no-such-id 的查封扣押记录。\n"
    code, _, err = run(agency.store.data_dir, "notice", sid, "--kind", "release", "--out",
                       str(tmp_path / "x.pdf"))
    assert code == 2 and err.startswith("错误：") and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()


def test_due_and_segment(agency):
    agency.issued()
    code, out, _ = run(agency.store.data_dir, "seizure-due")
    assert code == 0 and "示例市监强制〔2025〕07-1号" in out
    assert run(agency.store.data_dir, "doc-segment") == (0, "07\n", "")
    assert run(agency.store.data_dir, "doc-segment", "12").code == 0
    code, _, err = run(agency.store.data_dir, "doc-segment", "bad segment")
    assert code == 2 and err.startswith("错误：")
    assert run(agency.store.data_dir, "doc-segment").out == "12\n"


def test_data_dir_after_the_command(agency):
    assert inspector("doc-segment", "--data-dir", agency.store.data_dir) == (0, "07\n", "")


def test_due_names_an_emergency_measure_not_reported_within_24_hours(agency):
    sid = agency.issued(emergency=True)  # taken in 2025, never reported
    code, out, _ = run(agency.store.data_dir, "seizure-due")
    line = next(ln for ln in out.splitlines() if sid in ln)
    assert code == 0 and "紧急措施未在二十四小时内报告" in line and "请补报并说明逾期理由" in line
