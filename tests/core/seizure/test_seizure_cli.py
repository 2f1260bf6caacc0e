"""`inspector verify`, `inspector notice`, `inspector seizure-due`, `inspector doc-segment`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from inspector_app import cli_seizure
from inspector_app.core.seizure import qr, service


def run(data_dir: Path, *argv: str) -> int:
    """Through a parser built like the main CLI's: subcommands with `func`, and --data-dir."""
    parser = argparse.ArgumentParser(prog="inspector")
    parser.add_argument("--data-dir", dest="data_dir", type=Path, default=None)
    cli_seizure.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["--data-dir", str(data_dir), *argv])
    return args.func(args)


def test_notice_then_verify_the_pdf_and_a_page_image(agency, tmp_path, capsys):
    sid = agency.issued(items=20)
    out = tmp_path / "out" / "decision.pdf"
    assert run(agency.store.data_dir, "notice", sid, "--kind", "decision", "--out",
               str(out)) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    capsys.readouterr()
    assert run(agency.store.data_dir, "verify", str(out)) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("VALID 有效") and "示例市监强制〔2025〕07-0001号" in printed
    assert "𠮷祥日杂商行" in printed and "20" in printed
    page = tmp_path / "scan.png"
    next(qr.pdf_page_images(out.read_bytes(), dpi=150)).save(page)
    assert run(agency.store.data_dir, "verify", str(page)) == 0


@pytest.mark.parametrize("kind", ["list", "record", "seals"])
def test_notice_kinds(agency, tmp_path, kind):
    sid = agency.issued(items=3)
    out = tmp_path / f"{kind}.pdf"
    assert run(agency.store.data_dir, "notice", sid, "--kind", kind, "--out", str(out)) == 0
    assert run(agency.store.data_dir, "verify", str(out)) == 0


def test_verify_raw_text_valid_and_altered(agency, capsys):
    sid = agency.issued(items=2)
    with agency.store.write() as s:
        seizure = service.load(s, sid)
        text = service.payload_for(agency.store, s, seizure, "decision",
                                   service.snapshot(s, seizure))
    assert run(agency.store.data_dir, "verify", text) == 0
    capsys.readouterr()
    assert run(agency.store.data_dir, "verify", text.replace("|2|", "|3|")) == 1
    assert capsys.readouterr().out.startswith("INVALID 无效: 签名无效")
    assert run(agency.store.data_dir, "verify", text[:50]) == 1


def test_notice_errors_are_messages_not_tracebacks(agency, tmp_path, capsys):
    sid = agency.issued()
    assert run(agency.store.data_dir, "notice", "no-such-id", "--out",
               str(tmp_path / "x.pdf")) == 2
    assert "no-such-id" in capsys.readouterr().err
    assert run(agency.store.data_dir, "notice", sid, "--kind", "release", "--out",
               str(tmp_path / "x.pdf")) == 2
    assert capsys.readouterr().err.strip()
    assert not (tmp_path / "x.pdf").exists()


def test_due_and_segment(agency, capsys):
    agency.issued()
    assert run(agency.store.data_dir, "seizure-due") == 0
    out = capsys.readouterr().out
    assert "示例市监强制〔2025〕07-0001号" in out
    assert run(agency.store.data_dir, "doc-segment") == 0
    assert capsys.readouterr().out.strip() == "07"
    assert run(agency.store.data_dir, "doc-segment", "12") == 0
    assert run(agency.store.data_dir, "doc-segment", "bad segment") == 2
    capsys.readouterr()
    assert run(agency.store.data_dir, "doc-segment") == 0
    assert capsys.readouterr().out.strip() == "12"


def test_commands_work_in_a_parser_like_the_main_cli(agency, capsys):
    """--data-dir from a parent parser, after the command, dispatched through `handler`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="inspector", parents=[common])
    cli_seizure.add_commands(parser.add_subparsers(dest="command", required=True),
                             parents=[common])
    args = parser.parse_args(["doc-segment", "--data-dir", str(agency.store.data_dir)])
    assert args.handler(args) == 0
    assert capsys.readouterr().out.strip() == "07"
