"""Demo data keeps the rules the app enforces: every bulk seizure past draft carries the
on-site signatures (行政强制法 art. 18), keeps the issue, term, extension and release rules,
every check and log keeps its record rules, and a whole demo store goes through `records export` and
`records import` into another store (the real `inspector` command in a subprocess)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from cli_runner import inspector
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import inspector_app
from inspector_app.core import auth, demo
from inspector_app.core.checks import record_rules as check_rules
from inspector_app.core.demo.context import LOCAL
from inspector_app.core.models import Attachment, Party, Seizure
from inspector_app.core.seizure import rules
from inspector_app.core.store import Store
from inspector_app.core.worklog import record_rules as worklog_rules

NOW = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 09:30 in China: the morning after
ROOT = Path(inspector_app.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    """A demo store of 400 records of each kind, with the signed printable seizures."""
    folder = tmp_path_factory.mktemp("demo-rules") / "data"
    store = Store(folder)
    try:
        demo.generate(store, 400, now=NOW)
        PRINTABLE.update(demo.printable_seizures(store))
    finally:
        store.close()
    return folder


PRINTABLE: set[str] = set()  # the seizures made through the service


def _seizures(store: Store) -> list[tuple[Seizure, Party | None, list[Attachment]]]:
    with store.read() as session:
        atts: dict[str, list[Attachment]] = {}
        for att in session.scalars(select(Attachment).where(
                Attachment.record_kind == "seizure")):
            atts.setdefault(att.record_id, []).append(att)
        parties = {p.id: p for p in session.scalars(select(Party))}
        seizures = session.scalars(select(Seizure).options(
            selectinload(Seizure.officers), selectinload(Seizure.items),
            selectinload(Seizure.transitions), selectinload(Seizure.signatures),
            selectinload(Seizure.testing_periods))).all()
        session.expunge_all()
    return [(s, parties.get(s.party_id), atts.get(s.id, [])) for s in seizures]


def test_every_seizure_past_draft_carries_the_signatures(demo_folder):
    store = Store(demo_folder)
    try:
        seizures = _seizures(store)
    finally:
        store.close()
    presence: Counter[str] = Counter()
    for seizure, _party, _atts in seizures:
        if seizure.state == rules.DRAFT:
            continue
        presence[seizure.party_presence] += 1
        officers = [(o.inspector_id, o.name) for o in seizure.officers]
        assert rules.signature_problems(seizure.party_presence, seizure.witness_name,
                                        officers, seizure.signatures) == [], seizure.id
    # Mostly the party signs; some refuse (a witness signs), a few are absent.
    issued = sum(presence.values())
    assert issued > 300
    assert presence["present"] > 0.8 * issued
    assert presence["refused"] > presence["absent"] > 0


def test_demo_signatures_have_the_shape_the_workflow_gives(demo_folder):
    """As `seizure.service.add_signature` stores them: each signature's PNG and strokes
    are attachments of the seizure, with the same roles, names and types as those of the
    printable seizures (signed through the service); a refusal has none."""
    store = Store(demo_folder)
    try:
        seizures = _seizures(store)
        shas = set()
        shapes: dict[str, set[tuple]] = {"bulk": set(), "service": set()}
        for seizure, _party, atts in seizures:
            by_sha = {}
            for att in atts:
                by_sha.setdefault(att.sha256, []).append(att)
                shas.add(att.sha256)
            source = "service" if seizure.id in PRINTABLE else "bulk"
            assert len(atts) == 2 * sum(s.status == "signed" for s in seizure.signatures)
            for sig in seizure.signatures:
                assert [s.position for s in seizure.signatures].count(sig.position) == 1
                if sig.status == "refused":
                    assert sig.role == "party" and sig.png_sha256 is None
                    assert sig.strokes_sha256 is None and sig.signer
                    continue
                assert sig.status == "signed" and sig.signer
                assert seizure.started_at <= sig.signed_at <= seizure.issued_at
                assert (sig.officer_id is not None) == (sig.role == "officer")
                for sha, kind in ((sig.png_sha256, "signature"), (sig.strokes_sha256,
                                                                 "strokes")):
                    found = [a for a in by_sha[sha] if a.role == f"{kind}:{sig.role}"]
                    assert found, (seizure.id, sig.role, kind)
                    shapes[source].update((a.role, a.filename, a.mime) for a in found)
                    assert all(a.size == store.attachment_path(sha).stat().st_size
                               for a in found)
        assert shapes["bulk"] and shapes["service"] <= shapes["bulk"]
        # A few shared files, not one per signature.
        assert len(shas) < 60
        with store.read() as session:
            assert session.scalar(select(func.count()).select_from(Attachment)) > 1000
    finally:
        store.close()


def test_bulk_seizures_keep_the_issue_term_and_extension_rules(demo_folder):
    store = Store(demo_folder)
    try:
        seizures = _seizures(store)
    finally:
        store.close()
    extended = released = late = unreported = 0
    for seizure, party, _atts in seizures:
        now = datetime.now(UTC) if seizure.id in PRINTABLE else NOW  # made at the real time
        assert seizure.started_at <= now and seizure.updated_at <= now
        rules.check_term(seizure.term_days)
        rules.check_officers(seizure.officers)
        if seizure.emergency_reported_at is not None:
            # reported within its 24 hours, or later with the reason for the delay
            assert seizure.emergency_reported_at <= seizure.updated_at
            assert seizure.emergency_approver
            status = rules.emergency_status(seizure, seizure.emergency_reported_at)
            late += status.late
            assert not status.late or seizure.emergency_report_reason, seizure.id
            assert status.late == (seizure.emergency_reported_at > seizure.started_at
                                   + timedelta(hours=24))
        elif seizure.emergency and seizure.id not in PRINTABLE:
            unreported += rules.emergency_status(seizure, NOW).overdue
        if seizure.state == rules.DRAFT:
            continue
        # Everything issuing asks, at the time it was issued.
        assert rules.issue_problems(seizure, party, now=seizure.issued_at) == [], seizure.id
        steps = seizure.transitions
        assert [t.position for t in steps] == list(range(1, len(steps) + 1))
        assert steps[0].at == seizure.issued_at
        assert all(t.at <= now for t in steps)
        assert sum(t.to_state == rules.EXTENDED for t in steps) <= 1
        state = SimpleNamespace(state=rules.ISSUED, extension_days=0,
                                issued_at=seizure.issued_at, term_days=seizure.term_days,
                                testing_periods=seizure.testing_periods)
        for t in steps[1:]:
            today = rules.local_date(t.at, LOCAL)
            if t.to_state == rules.EXTENDED:
                extended += 1
                assert rules.check_extension(state, seizure.extension_days, t.reason,
                                             today, LOCAL, approver=t.approver
                                             ) == seizure.extension_days
                assert t.approver
                state.extension_days = seizure.extension_days
            else:
                released += 1
                rules.check_close(state, t.to_state, t.reason, t.ground, today, LOCAL)
            if seizure.emergency:  # extended or confirmed only once reported (art. 19)
                reported = seizure.emergency_reported_at
                rules.check_emergency_reported(rules.emergency_deadline(
                    seizure.started_at, reported if reported and reported <= t.at else None,
                    seizure.emergency_report_reason, t.at), t.to_state)
            state.state = t.to_state
        assert state.state == seizure.state
        assert seizure.extension_days == (state.extension_days or 0)
    assert extended and released
    assert late and unreported  # for the dashboard: a late report and an overdue one


def test_a_demo_store_verifies_and_imports_into_a_set_up_store(demo_folder, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the command runs this checkout's code
    code, out, err = inspector("--data-dir", demo_folder, "audit", "verify")
    assert code == 0, out + err
    export, files = tmp_path / "all.json", tmp_path / "files"
    code, out, err = inspector("--data-dir", demo_folder, "records", "export", "--kind",
                               "all", "--format", "json", "--out", export,
                               "--attachments", files)
    assert code == 0, out + err
    # Every demo check and log keeps the rules the central server applies to synced ones.
    checks = [r for r in json.loads(export.read_text(encoding="utf-8"))["records"]
              if r["kind"] == "check"]
    assert len(checks) >= 400
    assert {r["id"]: check_rules.check_issues(r) for r in checks
            if check_rules.check_issues(r)} == {}
    logs = [r for r in json.loads(export.read_text(encoding="utf-8"))["records"]
            if r["kind"] == "worklog"]
    assert logs and {r["id"]: worklog_rules.worklog_issues(r) for r in logs
                     if worklog_rules.worklog_issues(r)} == {}
    fresh = tmp_path / "fresh"
    store = Store(fresh)
    try:
        with store.write() as session:
            auth.first_setup(session, "另一市市场监督管理局", "另一",
                             auth.NewInspector("周敏", "zhoumin", "demo1234", "33010001",
                                               "supervisor"))
    finally:
        store.close()
    code, out, err = inspector("--lang", "en", "--data-dir", fresh, "records", "import",
                               export, "--attachments", files)
    assert code == 0, out + err
    assert "seizure: 403 created" in out
    code, out, err = inspector("--data-dir", fresh, "audit", "verify")
    assert code == 0, out + err
    # The copy holds every signature of the original.
    store = Store(fresh)
    try:
        with store.read() as session:
            signed = session.scalar(select(func.count()).select_from(Attachment))
    finally:
        store.close()
    original = Store(demo_folder)
    try:
        with original.read() as session:
            assert signed == session.scalar(select(func.count()).select_from(Attachment))
    finally:
        original.close()
