"""Migration 0012 (check officers): checks made before it keep their content and audit hashes,
name no officers (the second officer is empty), print who saved them, and get their two
officers when saved again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from check_helpers import COLLEAGUE, add_colleague, kettle
from pdf_lines import flat, page_texts

from inspector_app.core import audit, auth, records, settings
from inspector_app.core.checks import documents, service
from inspector_app.core.checks.service import CheckInvalid
from inspector_app.core.models import AuditEntry, LabelCheck, Market
from inspector_app.core.store import Store, current_revisions, migrate, schema_revisions
from inspector_app.forms import definitions


def test_checks_made_before_0012_upgrade_intact(tmp_path):
    store = Store(tmp_path / "s", upgrade=False)
    migrate(store.write_engine, "0011")
    with store.write() as s:
        me = auth.first_setup(s, "示例市市场监督管理局", "示例",
                              auth.NewInspector("张三", "zhang", "demo1234", "32010001"))
        actor = records.Actor(settings.device_id(s), me.id)
        market = records.create(s, Market(name="东门批发市场"), actor)
        check = records.create(s, LabelCheck(
            checked_at=datetime(2026, 3, 2, 2, 30, tzinfo=UTC), market_id=market.id,
            product_name="电热水壶", status="draft",
            officers=[]), actor)  # set, so the model never reads the table 0011 lacks
        check_id = check.id
    with store.read() as s:
        hashes = [e.content_sha256 for e in s.query(AuditEntry).order_by(AuditEntry.seq)]
    store.close()

    upgraded = Store(tmp_path / "s")
    try:
        assert current_revisions(upgraded.engine) == schema_revisions()[0]
        with upgraded.read() as s:
            assert audit.verify(s, upgraded.attachment_path) == []
            assert [e.content_sha256 for e in s.query(AuditEntry)
                    .order_by(AuditEntry.seq)] == hashes
            old = service.load(s, check_id)
            assert old.officers == []
            assert service.input_of(s, old, None).second_officer_id is None
            pdf = documents.check_pdf(s, upgraded, check_id, definitions.builtin())
        raw = flat("".join(page_texts(pdf, tmp_path, raw=True)))
        assert "检查人员：张三执法证号：32010001签名：" in raw
        assert raw.count("检查人员：") == 1
        # saved again, it is finished only with a second officer
        add_colleague(upgraded, actor)
        with pytest.raises(CheckInvalid) as caught, upgraded.write() as s:
            service.save(s, actor, kettle(market.id, second_officer_id=None), final=True,
                         check_id=check_id, expected_version=1, store=upgraded)
        assert "第二执法人员" in caught.value.problems["second_officer"]
        with upgraded.write() as s:
            saved = service.save(s, actor, kettle(market.id), final=True, check_id=check_id,
                                 expected_version=1, store=upgraded)
        with upgraded.read() as s:
            assert [o.inspector_id for o in service.load(s, check_id).officers] == [
                me.id, COLLEAGUE]
            assert saved.version == 2 and audit.verify(s, upgraded.attachment_path) == []
    finally:
        upgraded.close()
