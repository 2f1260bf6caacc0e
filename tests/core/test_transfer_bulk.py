"""A large records import is written in bulk: it leaves exactly the evidence that writing
each entity on its own through `records.save_version` leaves, or nothing at all."""

from __future__ import annotations

import copy
import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from cli_runner import inspector
from sample_records import PRODUCT, fill, snapshot, write_json

from inspector_app.core import audit, records, transfer
from inspector_app.core.models import AUDITED, Attachment, Inspector
from inspector_app.core.store import Store, utcnow
from inspector_app.core.transfer import writing
from inspector_app.core.transfer.fileformat import _children

TOTAL = 2000


@pytest.fixture
def big_file(tmp_path) -> tuple[Path, Path, dict]:
    """A records file of 2,000 entities: the sample store's reference entities and its
    check, copied with new ids (and attachment ids) and other product names."""
    source = Store(tmp_path / "source")
    fill(source)
    out, files = tmp_path / "check.json", tmp_path / "files"
    transfer.export_json(source, ["check"], out, files)
    source.close()
    doc = json.loads(out.read_text(encoding="utf-8"))
    check = next(r for r in doc["records"] if r["kind"] == "check")
    assert check.get("attachments")  # the copies have photos too
    while len(doc["records"]) < TOTAL:
        twin = copy.deepcopy(check)
        twin["id"] = str(uuid.uuid4())
        twin["product_name"] = f"{PRODUCT}{len(doc['records'])}"
        for att in twin["attachments"]:
            att["id"] = str(uuid.uuid4())
        twin["attachments"].sort(key=lambda a: (a["role"], a["sha256"], a["id"]))
        doc["records"].append(twin)
    return write_json(tmp_path / "big.json", doc), files, doc


def _one_by_one(store: Store, doc: dict, files: Path) -> None:
    """The file written entity by entity with `records.save_version`, the path of a
    version made in the app (after the same checks), in the importer's order."""
    issues, good = transfer.check_document(doc)
    assert issues == []
    source = transfer.AttachmentFiles(store, files)
    with store.write() as session:
        for kind in transfer.KIND_ORDER:
            for _index, rec in good:
                if rec["kind"] != kind:
                    continue
                for att in rec.get("attachments", []):
                    assert source.problem(att["sha256"], att["size"]) is None
                cls = AUDITED[kind]
                obj = writing._build(cls, rec)
                if isinstance(obj, Inspector):
                    obj.password_hash = transfer.UNUSABLE_PASSWORD
                for key in _children(cls):
                    child = getattr(cls, key).property.mapper.class_
                    setattr(obj, key, [writing._build(child, row) for row in rec.get(key, ())])
                for att in rec.get("attachments", []):
                    session.add(Attachment(record_kind=kind, record_id=rec["id"],
                                           created_at=utcnow(), **att))
                records.save_version(session, obj, "import")
        source.copy_in()


def _evidence(db: Path) -> dict[str, object]:
    """History, the audit chain, the outbox and the search index, row by row."""
    con = sqlite3.connect(db)
    try:
        def rows(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()
        return {
            "history": sorted(rows("SELECT kind, record_id, version, content FROM history")),
            "audit": rows("SELECT seq, at, kind, record_id, version, action, device_id, "
                          "author_id, content_sha256, prev_hash, entry_hash FROM audit_log "
                          "ORDER BY seq"),
            "outbox": rows("SELECT seq, kind, record_id, version, created_at, acked_at "
                           "FROM outbox ORDER BY seq"),
            "search": sorted(rows("SELECT d.kind, d.record_id, f.grams FROM search_check f "
                                  "JOIN search_docs d ON d.rowid = f.rowid")),
            "attachments": sorted(rows("SELECT id, record_kind, record_id, sha256, role, "
                                       "filename, mime, size FROM attachments")),
        }
    finally:
        con.close()


def test_a_bulk_import_leaves_the_evidence_of_one_by_one_writes(big_file, tmp_path):
    out, files, doc = big_file
    bulk = tmp_path / "bulk"
    Store(bulk).close()
    code, stdout, err = inspector("--lang", "en", "--data-dir", bulk, "records", "import",
                                  out, "--attachments", files)
    assert code == 0, err
    assert stdout.startswith(f"Imported {out}: {TOTAL} created, 0 updated, 0 unchanged.")
    code, stdout, err = inspector("--lang", "en", "--data-dir", bulk, "audit", "verify")
    assert code == 0, stdout + err

    single = Store(tmp_path / "single")
    _one_by_one(single, doc, files)
    with single.read() as session:
        assert audit.verify(session, single.attachment_path) == []
    single.close()

    found, expected = _evidence(bulk / "inspector.db"), _evidence(tmp_path / "single" /
                                                                  "inspector.db")
    # One history row, audit entry and outbox entry per version, in the same order.
    assert len(found["history"]) == len(found["audit"]) == len(found["outbox"]) == TOTAL
    assert {r[5] for r in found["audit"]} == {"import"}
    checks = TOTAL - sum(1 for r in doc["records"] if r["kind"] != "check")
    assert len(found["search"]) == checks
    for key in ("history", "audit", "outbox", "search"):
        assert found[key] == expected[key], key
    assert found["attachments"] == expected["attachments"]
    # The stored records read back as the file wrote them.
    with Store(bulk).read() as session:
        stored = {(obj.__kind__, obj.id): transfer.canonical.to_dict(obj, atts)
                  for cls in AUDITED.values() for obj, atts in transfer.iter_entities(
                      session, cls)}
    assert stored == {(r["kind"], r["id"]): r for r in doc["records"]}


@pytest.mark.parametrize("problem", ["schema", "conflict"])
def test_an_import_refused_at_its_last_entity_changes_nothing(big_file, tmp_path, problem):
    _out, files, doc = big_file
    target = tmp_path / "target"
    store = Store(target)  # a store in use: it holds the sample's entities and check
    transfer.import_file(store, tmp_path / "check.json", files)
    store.close()
    held = next(r for r in doc["records"] if r["kind"] == "check")
    last = doc["records"][-1]
    if problem == "schema":
        last["quantity"] = "twelve"
    else:  # the store holds this version of the last check, with other content
        last["id"], last["version"] = held["id"], held["version"]
    bad = write_json(tmp_path / "bad.json", doc)
    before = snapshot(target / "inspector.db")
    evidence = _evidence(target / "inspector.db")
    code, stdout, err = inspector("--lang", "en", "--data-dir", target, "records", "import",
                                  bad, "--attachments", files)
    assert code == 2 and stdout == ""
    lines = err.splitlines()
    assert lines[0] == f"{bad}: 1 problem found; nothing was imported."
    assert lines[1].startswith(f"  Refused: records[{TOTAL - 1}]: labeling check {last['id']}")
    assert lines[2].startswith(f"    records[{TOTAL - 1}]")
    assert snapshot(target / "inspector.db") == before
    assert _evidence(target / "inspector.db") == evidence
    assert not any(p.name.startswith(".incoming-") for p in target.rglob("*"))


def test_records_applied_in_a_session_are_audited_with_the_callers_action(tmp_path):
    source = Store(tmp_path / "source")
    fill(source)
    out, files = tmp_path / "all.json", tmp_path / "files"
    transfer.export_json(source, ["check", "seizure", "worklog"], out, files)
    source.close()
    entries = json.loads(out.read_text(encoding="utf-8"))["records"]
    store = Store(tmp_path / "target")
    bad = copy.deepcopy(entries)
    bad[-1]["version"] = "two"
    with pytest.raises(transfer.ImportRejected) as caught, store.write() as session:
        transfer.import_records(session, bad, transfer.AttachmentFiles(store, files),
                                action=audit.PULLED)
    assert [i.path for i in caught.value.issues] == [f"records[{len(bad) - 1}].version"]
    empty = snapshot(tmp_path / "target" / "inspector.db")
    assert empty["history"] == empty["audit_log"] == empty["outbox"] == 0

    with store.write() as session:
        summary = transfer.import_records(session, entries,
                                          transfer.AttachmentFiles(store, files),
                                          action=audit.PULLED)
    assert summary.total("created") == len(entries) and summary.files == 1
    found = _evidence(tmp_path / "target" / "inspector.db")
    assert {r[5] for r in found["audit"]} == {audit.PULLED}
    assert len(found["history"]) == len(entries) and found["outbox"] == []  # not sent back
    with store.read() as session:
        assert audit.verify(session, store.attachment_path) == []
    store.close()
