"""Migration 0005: a log made before it keeps its rows, and its new columns are empty."""

from __future__ import annotations

import sqlite3

from inspector_app.core.store import Store, current_revisions, migrate, schema_revisions
from inspector_app.core.worklog import service


def test_logs_made_before_0005_upgrade_intact(tmp_path):
    store = Store(tmp_path, upgrade=False)
    migrate(store.write_engine, "0003")
    store.close()
    con = sqlite3.connect(tmp_path / "inspector.db")
    now = "2025-03-01 02:00:00.000000"
    common = f"1, '{now}', 480, '{now}', 480, 'dev-1', NULL"
    con.executescript(f"""
        INSERT INTO work_logs (id, version, created_at, created_offset, updated_at,
            updated_offset, device_id, author_id, status, market_id, log_date, operator_name,
            opened_at, closed_at, summary)
            VALUES ('w1', {common}, 'open', NULL, '2025-03-01', '李四', '{now}', NULL, '');
        INSERT INTO rapid_tests (worklog_id, position, sample_no, category, product_name,
            stall_no, test_item, method, value, unit, limit_value, conclusion, tester,
            tested_at, instrument_no, reagent_batch)
            VALUES ('w1', 1, '20250301-001', '蔬菜', '青菜', 'A01', '农药残留', '', 52.5, '%',
            '50', 'positive', '李四', '{now}', 'YQ-01', 'NC1');
        INSERT INTO scale_checks (worklog_id, position, kind, stall_no, instrument_name, model,
            serial_no, cert_no, verified_on, valid_until, claimed_weight, actual_weight, result)
            VALUES ('w1', 1, 'reweigh', 'A12', '公平秤', '', '', '', '', '', 1.5, 1.42, 'fail');
        INSERT INTO complaints (worklog_id, position, received_at, complainant, phone,
            stall_no, content, status, follow_up)
            VALUES ('w1', 1, '{now}', '陈先生', '', 'A12', '短斤缺两', 'open', '');
    """)
    con.commit()
    before = con.execute("SELECT * FROM rapid_tests").fetchall()
    con.close()

    upgraded = Store(tmp_path)
    assert current_revisions(upgraded.engine) == schema_revisions()[0]
    with upgraded.read() as s:
        wl = service.load(s, "w1")
        assert wl.workstation_id is None
        t = wl.tests[0]
        assert (t.retest_of, t.follow_up, t.linked_check_id, t.linked_seizure_id) == (
            None, None, None, None)
        assert t.conclusion == "positive" and str(t.value) == "52.500"
        sc = wl.scale_checks[0]
        assert (sc.checked_at, sc.product_name, sc.note) == (None, None, None)
        assert service.difference(sc) * 1000 == -80
        c = wl.complaints[0]
        assert (c.category, c.handler, c.closed_at) == (None, None, None)
        assert service.awaiting_retest(wl) == [t]
    upgraded.close()
    con = sqlite3.connect(tmp_path / "inspector.db")
    after = con.execute("SELECT * FROM rapid_tests").fetchall()
    con.close()
    assert [row[: len(before[0])] for row in after] == before
    assert all(v is None for v in after[0][len(before[0]):])
