"""docs/documents.md's field tables, checked against the printed documents: every document of
the full test record is printed and every text its table quotes is found through pdftotext."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from full_record import full_record
from test_seizure_documents import notice, pdf_text

from inspector_app.core.seizure import documents, service

DOC = Path(__file__).resolve().parents[3] / "docs" / "documents.md"


def field_table(kind: str) -> list[tuple[str, list[str]]]:
    """(template field, quoted texts) of each row of `kind`'s table."""
    rows, inside = [], False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):  # any heading ends the table (other documents follow)
            inside = line.startswith(f"## {kind} ")
            continue
        if inside and line.startswith("|") and not line.startswith(("|---", "| 模板栏目")):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows.append((cells[0], re.findall(r"`([^`]+)`", cells[1])))
    return rows


@pytest.mark.parametrize("kind", documents.KINDS)
def test_every_row_of_the_field_table_is_printed(agency, tmp_path, kind):
    rows = field_table(kind)
    assert len(rows) >= 7, kind  # the table is there
    sid = full_record(agency)
    text = "".join(pdf_text(notice(agency, sid, kind), tmp_path))
    assert "场所/设施/财物" not in text and "查封/扣押" not in text and "[" not in text
    assert "人民法院人民法院" not in text
    with agency.store.read() as s:
        snap = service.snapshot(s, service.load(s, sid))
    for name, quoted in rows:
        assert quoted, name
        for want in quoted:
            if want.startswith("如有批准："):  # printed exactly when the approval is recorded
                assert (want[5:] in text) is bool(snap.approver), (kind, name, want)
            elif want.startswith("不印："):
                assert want[3:] not in text, (kind, name, want)
            else:
                assert re.sub(r"\s+", "", want) in text, (kind, name, want)
