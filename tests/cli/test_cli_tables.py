"""The tables of `inspector` line up when cells hold Chinese (two terminal cells a character)
and other text, piped (plain text, what scripts read) and on a terminal (rich, run under a
pseudo-terminal); progress bars show on a terminal only.

Every test runs the real installed `inspector` command (cli_runner), as a user would.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_runner import inspector, on_terminal
from rich.cells import cell_len
from sample_records import PARTY_NAME, PRODUCT, fill

from inspector_app.core import records, settings
from inspector_app.core.i18n import _
from inspector_app.core.models import LabelCheck
from inspector_app.core.store import Store

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PRODUCTS = ["Acme kettle 2000", "不锈钢电水壶（1.5L）", "𠮷祥牌 mixer", "e\u0301clair toaster"]
CATEGORIES = ["home appliances", "家用电器", "小家电", "kitchen"]


@pytest.fixture
def folder():
    path = Path(os.environ["INSPECTOR_DATA_DIR"])
    store = Store(path)
    ids = fill(store)
    with store.write() as session:
        actor = records.Actor(settings.device_id(session), ids["inspector"])
        for product, category in zip(PRODUCTS, CATEGORIES, strict=True):
            records.create(session, LabelCheck(
                checked_at=datetime(2026, 11, 21, 3, 0, tzinfo=UTC), product_name=product,
                category=category, brand="美的"), actor)
    store.close()
    return path


def _column(line: str, text: str) -> int:
    """The terminal column where (the last) `text` starts in `line`."""
    return cell_len(line[:line.rindex(text)])


def _assert_lined_up(lines: list[str]) -> None:
    header = lines[0]
    assert set(lines[1]) <= {"-", " "}  # the dashes under the header
    # The check of sample_records has a Chinese market, stall and party; the added ones
    # have none, so their products start at another character offset, at the same column.
    products = [*PRODUCTS, PRODUCT]
    rows = {p: next(ln for ln in lines[2:] if p in ln) for p in products}
    assert len({rows[p].index(p) for p in products}) > 1
    for name, values in ((_("Product"), products), (_("Category"), [*CATEGORIES, "家用电器"])):
        where = {_column(rows[p], v) for p, v in zip(products, values, strict=True)}
        assert where == {_column(header, name)}, (name, where, lines)
    assert _column(rows[PRODUCT], PARTY_NAME) == _column(header, _("Party"))


def test_a_piped_table_lines_up_wide_characters_in_plain_text(folder):
    code, out, err = inspector("records", "list", "--kind", "check")
    assert code == 0 and err == ""
    assert "\x1b" not in out  # no escape codes when piped
    lines = out.splitlines()
    assert lines[-1] == "共5条记录。"
    assert all(line == line.rstrip() for line in lines)
    _assert_lined_up(lines[:-1])
    assert len(lines) == 2 + 5 + 1  # one line a record, however long


def test_on_a_terminal_the_table_is_drawn_by_rich_and_lines_up(folder):
    code, out, _err = on_terminal("records", "list", "--kind", "check")
    assert code == 0
    assert "\x1b[1m" in out  # a bold header: drawn for a terminal
    lines = [ANSI.sub("", line).rstrip() for line in out.splitlines()]
    assert lines[-1] == "共5条记录。"
    _assert_lined_up(lines[:-1])
    assert all(cell_len(line) <= 250 for line in lines)


def test_on_a_narrow_terminal_long_cells_wrap_within_it(folder):
    code, out, _err = on_terminal("records", "list", "--kind", "check", columns=90)
    lines = [ANSI.sub("", line).rstrip() for line in out.splitlines()]
    assert code == 0 and all(cell_len(line) <= 90 for line in lines), lines
    assert len(lines) > 2 + 5 + 1  # some rows took more than one line


def test_progress_bar_on_a_terminal_only(folder, tmp_path):
    target = tmp_path / "all.json"
    code, out, err = on_terminal("records", "export", "--kind", "all", "--format", "json", "--out",
                          str(target), stdout_tty=False)
    assert code == 0 and target.stat().st_size > 0
    assert "正在导出" in ANSI.sub("", err) and "\x1b[" in err  # the bar, drawn and wiped
    assert "\x1b" not in out and "正在导出" not in out
    code, out, err = inspector("records", "export", "--kind", "all", "--format", "json",
                               "--out", str(tmp_path / "again.json"))
    assert code == 0 and err == "" and "\x1b" not in out  # piped: no bar at all


def test_seizure_due_and_workstation_lists_line_up(tmp_path):
    demo = tmp_path / "demo"
    assert inspector("--data-dir", demo, "demo", "--records", "30").code == 0
    code, out, err = inspector("--data-dir", demo, "seizure-due")
    assert code == 0 and err == "" and "\x1b" not in out
    header, dashes, *rows = out.splitlines()
    assert len(rows) >= 3 and set(dashes) <= {"-", " "}
    ids = [re.search(r"[0-9a-f-]{36}$", row).group(0) for row in rows]
    states = [_(label) for label in ("Issued", "Extended", "Draft")]
    assert {_column(row, sid) for row, sid in zip(rows, ids, strict=True)} == \
        {_column(header, "ID")}
    assert {_column(row, next(s for s in states if f"  {s}  " in row)) for row in rows} == \
        {_column(header, _("State"))}
    # Counted in characters the ID column moves; only a width-aware layout lines it up.
    assert len({row.index(sid) for row, sid in zip(rows, ids, strict=True)}) > 1
    code, out, _err = inspector("--data-dir", demo, "worklog", "workstations")
    header, _dashes, *rows = out.splitlines()
    where = _column(header, _("Market"))
    assert code == 0 and len(rows) >= 2
    assert {_column(row, re.split(r"\s{2,}", row)[-1]) for row in rows} == {where}, rows
