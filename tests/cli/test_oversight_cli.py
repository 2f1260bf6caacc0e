"""`inspector oversight`, `inspector export-list` and `inspector bulletin make`, run as a
supervisor runs them, on a store holding the agency's records."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import agency_sample as sample
import pytest
from cli_runner import inspector


@pytest.fixture
def folder():
    path = Path(os.environ["INSPECTOR_DATA_DIR"])
    sample.fill(path).close()
    return path


def test_oversight_json_gives_every_figure(folder):
    code, out, err = inspector("oversight", "--json", "--lang", "zh_CN")
    assert code == 0, err
    fig = json.loads(out)
    assert fig["seizures"] == {"running": 3, "expiring": 1, "overdue": 1}
    assert fig["emergency"] == {"unreported": 1, "late": 1}
    assert fig["rapid_tests"] == {"worklogs": 1, "positives": 2}
    assert fig["checks"] == {"checked": 3, "nonconforming": 1}
    assert [(r["label"], r["checked"], r["nonconforming"]) for r in fig["rates"]["market"]] \
        == [("东门市场", 2, 1), ("西门市场", 1, 0)]


def test_filters_and_the_table(folder):
    code, out, err = inspector("oversight", "--market", "西门市场", "--from", "2026-11-01",
                               "--to", "2026-11-30", "--lang", "zh_CN")
    assert code == 0, err
    assert "已超期的查封扣押：1" in out and "已完成的检查：1" in out
    assert "不合格的检查：0" in out and "西门市场" in out and "东门市场" not in out
    code, out, _err = inspector("oversight", "--inspector", "张三", "--json")
    assert json.loads(out)["checks"] == {"checked": 2, "nonconforming": 1}


def test_list_the_records_behind_a_figure(folder):
    code, out, err = inspector("oversight", "--list", "seizures_overdue", "--lang", "zh_CN")
    assert code == 0, err
    assert "查封〔2026〕12号" in out and "查封〔2026〕11号" not in out
    assert "共1条记录。" in out
    code, out, _err = inspector("oversight", "--list", "emergency_late", "--lang", "zh_CN")
    assert "报告截止" in out and "查封〔2026〕14号" in out and "已送达" in out
    code, out, _err = inspector("oversight", "--list", f"nc_market:{sample.M1}", "--json")
    assert [r["title"] for r in json.loads(out)] == ["酱油"]


def test_bad_input_gets_a_clear_message(folder):
    code, _out, err = inspector("oversight", "--market", "北门市场", "--lang", "zh_CN")
    assert code == 2 and "没有名为北门市场的市场" in err and "Traceback" not in err
    code, _out, err = inspector("oversight", "--list", "nonsense", "--lang", "zh_CN")
    assert code == 2 and "nonsense" in err and "Traceback" not in err
    code, _out, err = inspector("oversight", "--from", "2026-12-01", "--to", "2026-11-01",
                                "--lang", "zh_CN")
    assert code == 2 and "开始日期晚于结束日期" in err


def test_export_list_csv_and_xlsx(folder, tmp_path):
    out_csv = tmp_path / "queue.csv"
    code, out, err = inspector("export-list", "--format", "csv", "--out", out_csv,
                               "--review-state", "pending", "--kind", "check",
                               "--lang", "zh_CN")
    assert code == 0, err
    assert f"已写入{out_csv}：4条记录。" in out
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["记录类型", "记录编号", "版本", "标题"]
    assert sorted(r[3] for r in rows[1:]) == sorted(["酱油", "菜籽油", "草稿产品", "白砂糖"])
    out_xlsx = tmp_path / "nc.xlsx"
    code, _out, err = inspector("export-list", "--format", "xlsx", "--out", out_xlsx,
                               "--figure", "nonconforming", "--lang", "zh_CN")
    assert code == 0, err
    assert [r[3] for r in sample.xlsx_rows(out_xlsx)[1:]] == ["酱油"]
    code, _out, err = inspector("export-list", "--format", "csv", "--out",
                                tmp_path / "none" / "x.csv", "--lang", "zh_CN")
    assert code == 2 and "不存在" in err


def test_bulletin_make_writes_the_pdf_without_personal_data(folder, tmp_path):
    pdf = tmp_path / "公告.pdf"
    code, out, err = inspector("bulletin", "make", "--from", "2026-11-01", "--to",
                               "2026-11-30", "--pdf", pdf, "--json", tmp_path / "b.json",
                               "--lang", "zh_CN")
    assert code == 0, err
    assert "检查2批次，不合格1批次" in out
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                          capture_output=True).stdout.decode()
    flat = "".join(text.split())
    assert "监督抽查结果公告" in flat and "酱油" in flat and "菜籽油" in flat
    assert "海天" in flat and "金龙鱼" in flat and "不合格" in flat  # cells wrap: see core test
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["totals"] == {"checked": 2, "conforming": 1, "nonconforming": 1}
    assert data["items"][0]["seller"] == "东门市场 A-12 号摊位"
    for personal in sample.PERSONAL:
        assert personal not in flat and personal not in json.dumps(data, ensure_ascii=False)


def test_bulletin_make_refuses_a_bad_period(folder, tmp_path):
    code, _out, err = inspector("bulletin", "make", "--from", "2026-11-30", "--to",
                                "2026-11-01", "--pdf", tmp_path / "x.pdf", "--lang", "zh_CN")
    assert code == 2 and "开始日期晚于结束日期" in err
    assert not (tmp_path / "x.pdf").exists()
