"""What the 审核 page shows of a record's content: names instead of ids (the id kept as
evidence beside or in the tooltip), a translated label for every field, times in the
record's own time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from inspector_app.core.agency import review
from inspector_app.core.models import AgencyRecord, KnownKey

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
KEY = re.compile(r"^[a-z_]+$")  # an untranslated key such as created_offset
NO_NAME = "（本机没有其名称记录）"


def _page(qtbot, window):
    page = window.pages["review"]
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    page.state.setCurrentIndex(page.state.findData(None))  # every review state
    qtbot.waitUntil(lambda: not page.busy())
    return page


def _select(qtbot, page, row: int) -> tuple[str, str]:
    index = page.model.index(row, 1)
    page.table.scrollTo(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.table.visualRect(index).center())
    qtbot.waitUntil(lambda: not page.busy())
    assert page.current == page.model.key(row)
    return page.current


def _content(window, kind, record_id) -> dict:
    with window.store.read() as session:
        record = session.get(AgencyRecord, (kind, record_id))
        return review.content(session, kind, record_id, record.version,
                              record.content_sha256)


def _names(window) -> tuple[dict[str, str], dict[str, str]]:
    """inspector id -> name (from the records' facts), device id -> its inspector."""
    with window.store.read() as session:
        inspectors = {r.author_id: r.inspector for r in session.query(AgencyRecord)}
        devices = {k.device_id: k.inspector for k in session.query(KnownKey)}
    return inspectors, devices


def _in_zone(raw: str, offset: int) -> str:
    moment = datetime.fromisoformat(raw).astimezone(UTC) + timedelta(minutes=offset)
    hours = f"UTC+{offset // 60}" if offset >= 0 else f"UTC-{-offset // 60}"
    return f"{moment:%Y-%m-%d %H:%M} ({hours})"


def test_the_conflict_view_names_people_markets_and_devices(qtbot, supervisor_window):
    window = supervisor_window
    page = _page(qtbot, window)
    row = next(r for r in range(page.model.rowCount()) if page.model.value(r, "conflicts"))
    kind, record_id = _select(qtbot, page, row)
    qtbot.mouseClick(page.conflict_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.conflict_dialog is not None
                    and page.conflict_dialog.isVisible())
    dialog, table = page.conflict_dialog, page.conflict_dialog.table
    content = _content(window, kind, record_id)
    inspectors, devices = _names(window)

    shown = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    for key in shown:  # every field by its translated name, no bare key
        assert not any(KEY.match(part) for part in key.split(" · ")), key

    def cell(label: str):
        return table.item(shown[label], 1)

    author = cell("修改人")
    assert author.text() == inspectors[content["author_id"]] != ""
    assert author.toolTip() == content["author_id"]  # the id stays at hand: evidence
    device = cell("设备")
    assert device.text() == (f"{devices[content['device_id']]}（设备 "
                             f"{content['device_id'][:8]}）")
    assert device.toolTip() == content["device_id"]
    with window.store.read() as session:
        market = session.get(AgencyRecord, (kind, record_id)).market
    assert cell("市场").text() == market != ""
    for n, officer in enumerate(content["officers"], 1):
        item = cell(f"执法人员 · {n} · 执法人员")
        assert item.text() == officer["name"] and item.toolTip() == officer["inspector_id"]
    # Ids no table of this store names say so instead of passing for a name.
    assert cell("当事人").text() == content["party_id"] + NO_NAME
    for r in range(table.rowCount()):
        for c in range(1, table.columnCount()):
            text = table.item(r, c).text()
            assert not UUID.search(text) or text.endswith(NO_NAME), (r, c, text)

    # Times in the zone the record was made in, not this computer's or UTC.
    offset = content["created_offset"]
    assert cell("检查时间").text() == _in_zone(content["checked_at"], offset)
    assert cell("检查时间").text().endswith("(UTC+8)")
    assert "时区" not in shown and "标识" not in shown  # the zone is in the times; id hidden
    dialog.reject()


def test_the_record_detail_names_what_it_refers_to_with_translated_labels(
        qtbot, supervisor_window):
    window = supervisor_window
    page = _page(qtbot, window)
    inspectors, devices = _names(window)
    seen = set()
    for row in range(page.model.rowCount()):
        kind = page.model.value(row, "kind")
        if kind in seen:
            continue
        seen.add(kind)
        kind, record_id = _select(qtbot, page, row)
        content = _content(window, kind, record_id)
        lines = [line.strip() for line in page.detail.toPlainText().splitlines()
                 if line.strip()]
        for line in lines:
            assert not KEY.match(line), (kind, line)  # no untranslated key
            for found in UUID.findall(line):  # an id only as the evidence beside a name
                assert (line.startswith("记录编号") or f"({found})" in line
                        or line.endswith(NO_NAME)), (kind, line)
        after = {lines[n]: lines[n + 1] for n in range(len(lines) - 1)}
        author = content["author_id"]
        assert after["修改人"] == f"{inspectors[author]} ({author})"
        assert after["设备"].startswith(devices[content["device_id"]] + "（设备 ")
        assert after["创建时间"] == _in_zone(content["created_at"], content["created_offset"])
        assert "created_offset" not in page.detail.toPlainText()
    assert seen == {"check", "seizure", "worklog"}


def test_a_party_the_agency_tables_name_is_shown_by_name(qtbot, supervisor_window):
    window = supervisor_window
    page = _page(qtbot, window)
    row = next(r for r in range(page.model.rowCount())
               if page.model.value(r, "kind") == "check")
    kind, record_id = page.model.key(row)
    party_id = _content(window, kind, record_id)["party_id"]
    with window.store.write() as session:  # the party's own record, as a sync brings it
        session.add(AgencyRecord(
            kind="party", record_id=party_id, version=1, content_sha256="0" * 64,
            device_id="d", owner_device_id="d", title="永盛日化商行", state="",
            review_state="approved", conflicts=0, updated_at=datetime.now(UTC)))
    _select(qtbot, page, row)
    lines = [line.strip() for line in page.detail.toPlainText().splitlines()]
    assert lines[lines.index("当事人") + 1] == f"永盛日化商行 ({party_id})"
