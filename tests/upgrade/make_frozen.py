"""Make the frozen databases of tests/upgrade/frozen/: one per schema revision.

    PYTHONPATH=. python tests/upgrade/make_frozen.py            # every revision not yet frozen
    PYTHONPATH=. python tests/upgrade/make_frozen.py 0009       # (re)make one

A frozen database is what a store at revision N held: its tables exactly as migration N
left them, with rows of every kind of that revision (inspectors, markets, parties, stalls,
labeling checks with items and fields, seizures with officers, items, seals, documents,
transitions, testing periods and signatures, workstation logs with tests, re-weighs and
complaints, workstations, attachments, settings, known keys, sync batches, drafts), and
the history, audit chain and outbox that app kept for them. Once made, a frozen file is
never made again (it stands for stores in the field); a new revision gets a new file.

How: the sample rows are written once through today's models into a scratch store; for
revision N a new database is migrated to N, and the rows are copied into it column by
column, keeping only the tables and columns revision N has (under the names N gave them).
Their canonical content is then computed from the rows as stored, by the rule every
revision has used (canonical.py: columns but local keys and the password hash, "kind" set
to the entity's kind, child rows by position without their parent key, attachments, empty
values left out), and the history, audit chain and outbox are written from it.

The databases are stored gzipped (byte for byte the SQLite file, about 20 KB each instead
of 300-500 KB; an SQL dump is larger, 56 KB, and would not restore the file exactly). The
attachment files are in frozen/attachments/ (named by their SHA-256).
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Boolean, Numeric
from sqlalchemy import inspect as sa_inspect

from inspector_app.core import attachments, auth, records, settings
from inspector_app.core.audit import GENESIS, entry_hash
from inspector_app.core.canonical import compact, dumps, plain, sha256_text
from inspector_app.core.models import (
    AUDITED,
    AgencyBatch,
    AgencyConflict,
    AgencyRecord,
    AgencyVersion,
    CheckDraft,
    CheckField,
    CheckItem,
    CheckOfficer,
    Complaint,
    Decision,
    Instrument,
    KnownKey,
    LabelCheck,
    Market,
    Party,
    RapidTest,
    ReagentBatch,
    ScaleCheck,
    Seal,
    Seizure,
    SeizureDocNumber,
    SeizureDocument,
    SeizureItem,
    SeizureOfficer,
    SeizureSignature,
    SeizureTestingPeriod,
    SeizureTransition,
    Stall,
    SyncBatch,
    SyncReference,
    SyncReview,
    UTCDateTime,
    WorkLog,
    Workstation,
    WorkstationOperator,
)
from inspector_app.core.store import Store, alembic_config, migrate

HERE = Path(__file__).resolve().parent
FROZEN = HERE / "frozen"
ATTACHMENTS = FROZEN / "attachments"

# Columns a later revision renamed: (table, today's name) -> the name before (revision).
RENAMED = {("parties", "party_type"): ("kind", "0008")}
# Written by the app itself at every change: rebuilt here from the content.
BOOKKEEPING = {"history", "audit_log", "outbox", "sync_batch_entries", "alembic_version"}
_SKIP = {"pk", "password_hash"}
_SKIP_FK = {"check_id", "seizure_id", "worklog_id", "workstation_id"}

PHOTO = b"\x89PNG\r\n\x1a\n" + b"frozen label photo " * 40
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"frozen party signature " * 30
STROKES = json.dumps([[[10, 10], [40, 30], [80, 12]]]).encode()


def revisions() -> list[str]:
    """Every migration revision, oldest first (the chain is linear)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def frozen_path(revision: str) -> Path:
    return FROZEN / f"{revision}.sqlite.gz"


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


# --- the sample rows, written through today's models -------------------------------------


def _fill(store: Store) -> None:
    with store.write() as s:
        boss = auth.first_setup(s, "示例市市场监督管理局", "示例", auth.NewInspector(
            "张三", "zhang", "demo1234", "32010001", "supervisor"))
        actor = records.Actor(settings.device_id(s), boss.id)
        second = auth.add_inspector(s, actor, auth.NewInspector("李四", "li", "demo5678",
                                                                "32010002"))
        market = records.create(s, Market(name="东门农副产品批发市场", address="东门路88号",
                                           district="东城区"), actor)
        person = records.create(s, Party(
            name="𠮷祥日杂商行", party_type="individual", credit_code="92320102MA1MXXXX0X",
            id_number="320102199001011232", phone="13812345678", legal_rep="吉祥",
            licence_name="营业执照", address="东门市场A-101"), actor)
        firm = records.create(s, Party(name="示例电器有限公司", party_type="enterprise",
                                       credit_code="91320102MA1MXXXX06"), actor)
        stall = records.create(s, Stall(market_id=market.id, number="A-101",
                                        party_id=person.id, business="日用百货"), actor)
        check = records.create(s, LabelCheck(
            checked_at=at(20), market_id=market.id, stall_id=stall.id, party_id=person.id,
            product_name="电热水壶", category="家用电器", brand="美的", spec_model="1.7L",
            batch_no="20260101", manufacturer="某电器厂", barcode="6901234567892",
            quantity=Decimal("12.500"), unit="台", price=Decimal("39.90"), form_id="appliance",
            form_version=1, outcome="nonconforming", measure="seizure", status="final",
            remarks="标签缺少厂址",
            items=[CheckItem(position=1, item_key="cert", label="产品质量检验合格证明",
                             result="pass"),
                   CheckItem(position=2, item_key="ccc", label="CCC认证标志", result="fail",
                             legal_basis="产品质量法第二十七条", note="未加施CCC认证标志")],
            fields=[CheckField(position=1, field_key="made_on", label="生产日期",
                               value="2026-01-01", display="2026年1月1日")],
            officers=[CheckOfficer(position=1, inspector_id=boss.id, name="张三",
                                   cert_no="32010001"),
                      CheckOfficer(position=2, inspector_id=second.id, name="李四",
                                   cert_no="32010002")]), actor)
        attachments.attach(store, s, check, actor, PHOTO, "photo", "label.png", "image/png")
        records.create(s, LabelCheck(checked_at=at(21), market_id=market.id,
                                     party_id=firm.id, product_name="电饭煲", status="draft",
                                     outcome="pending"), actor)
        seizure = records.create(s, Seizure(
            state="issued", number="示例市监强制〔2026〕1号", started_at=at(20, 3),
            issued_at=at(20, 4), market_id=market.id, party_id=person.id, measure="seal",
            place="东门市场A-101摊位", suspected_violation="涉嫌销售未经强制性产品认证的产品",
            legal_basis="产品质量法第十八条第一款第(四)项", custody_place="本局仓库",
            custodian="李四", onsite_record="现场检查发现电热水壶12台未加施CCC标志。",
            source_check_id=check.id, record_ended_at=at(20, 4), party_notified=True,
            party_statement="无异议", contact_phone="13812345678",
            frozen_block=json.dumps({"party": "𠮷祥日杂商行"}, ensure_ascii=False),
            officers=[SeizureOfficer(position=1, inspector_id=boss.id, name="张三",
                                     cert_no="32010001"),
                      SeizureOfficer(position=2, inspector_id=second.id, name="李四",
                                     cert_no="32010002")],
            items=[SeizureItem(position=1, name="电热水壶", spec="1.7L", unit="台",
                               quantity=Decimal(12), remark="未拆封")],
            seals=[Seal(position=1, number="示例封〔2026〕00001-1", location="仓库门")],
            documents=[SeizureDocument(position=1, kind="decision",
                                       number="示例市监强制〔2026〕1号", issued_at=at(20, 4),
                                       content_sha256="ab" * 32)],
            transitions=[SeizureTransition(position=1, from_state="draft", to_state="issued",
                                           at=at(20, 4), inspector_id=boss.id,
                                           reason="", approver="王局长", ground=None)],
            testing_periods=[SeizureTestingPeriod(position=1, start_date="2026-11-22",
                                                  end_date="2026-11-25",
                                                  description="送检CCC认证核查",
                                                  declared_at=at(22))],
            ), actor)
        sig = attachments.store_bytes(store, SIGNATURE)
        strokes = attachments.store_bytes(store, STROKES)
        attachments.attach(store, s, seizure, actor, SIGNATURE, "signature:party",
                           "party.png", "image/png")
        attachments.attach(store, s, seizure, actor, STROKES, "strokes:party",
                           "party.json", "application/json")
        seizure.signatures.append(SeizureSignature(
            position=1, role="party", signer="吉祥", status="signed", png_sha256=sig,
            strokes_sha256=strokes, signed_at=at(20, 4)))
        seizure.signatures.append(SeizureSignature(
            position=2, role="officer", signer="张三", officer_id=boss.id, status="refused",
            signed_at=at(20, 4)))
        records.update(s, seizure, actor, expected_version=seizure.version)
        s.add(SeizureDocNumber(number="示例市监强制〔2026〕1号", segment="", year=2026, seq=1,
                               kind="decision", seizure_id=seizure.id, allocated_at=at(20, 4)))
        station = records.create(s, Workstation(
            name="东门市场快检室", market_id=market.id, address="东门市场北门", phone="025-1234",
            operators=[WorkstationOperator(position=1, name="李四", inspector_id=second.id,
                                           cert_no="JY001", active=True)],
            instruments=[Instrument(position=1, number="YQ-01", name="农药残留速测仪",
                                    cert_no="JD2026-01", verified_on="2026-01-05",
                                    valid_until="2027-01-04", test_items="农药残留",
                                    active=True)],
            reagents=[ReagentBatch(position=1, test_item="农药残留", batch_no="R20261101",
                                   expires_on="2027-05-01", name="酶抑制法试剂")]), actor)
        records.create(s, WorkLog(
            market_id=market.id, workstation_id=station.id, log_date="2026-11-20",
            operator_name="李四", opened_at=at(20, 0), closed_at=at(20, 9), status="closed",
            summary="今日快速检测2批次",
            tests=[RapidTest(position=1, sample_no="KJ2026112001", product_name="小白菜",
                             test_item="农药残留", value=Decimal("12.3"), unit="%",
                             limit_value="50", conclusion="negative", tested_at=at(20, 1),
                             instrument_no="YQ-01", reagent_batch="R20261101"),
                   RapidTest(position=2, sample_no="KJ2026112002", product_name="韭菜",
                             test_item="农药残留", value=Decimal(61), unit="%",
                             limit_value="50", conclusion="positive", tested_at=at(20, 2),
                             follow_up="已下架并启动标签检查", linked_check_id=check.id)],
            scale_checks=[ScaleCheck(position=1, kind="reweigh", instrument_name="公平秤",
                                     claimed_weight=Decimal("1.5"),
                                     actual_weight=Decimal("1.45"), result="fail",
                                     product_name="苹果", checked_at=at(20, 3))],
            complaints=[Complaint(position=1, received_at=at(20, 1), complainant="王五",
                                  phone="13900001111", content="短斤少两", category="complaint",
                                  handler="李四")]), actor)
        s.add(CheckDraft(id="draft-1", inspector_id=boss.id, form_id="appliance",
                         form_version=1, content=json.dumps({"product_name": "正在录入的产品"},
                                                            ensure_ascii=False),
                         updated_at=at(23)))
        s.add(KnownKey(key_id="0123456789abcdef", public_key="A" * 43,
                       device_id=actor.device_id, agency="示例市市场监督管理局", source="own",
                       added_at=at(19)))
        s.add(SyncBatch(id="batch-1", seq=1, created_at=at(20, 10), records=1,
                        body=b"\x1f\x8b frozen", signature="s" * 86, state="acked",
                        attempts=1, acked_at=at(20, 11), receipt="{}"))
        s.add(SyncReference(kind="market", item_id="m-server", version=1,
                            content=json.dumps({"name": "西门市场"}, ensure_ascii=False),
                            received_at=at(20, 11)))
        s.add(SyncReview(id="review-1", kind="check", record_id=check.id, version=1,
                         decision="approved", note="同意", reviewer="王科长",
                         decided_at=at(21), received_at=at(21, 3)))
        # Revision 0013: a supervisor's tables (one of each; an inspector's store has none).
        other = "11111111-2222-4333-8444-555555555555"
        s.add(AgencyBatch(id="agency-batch-1", device_id=other, key_id="fedcba9876543210",
                          seq=1, body=b"x\x9c frozen", body_sha256="b" * 64,
                          signature="s" * 86, records=1, source="file",
                          imported_at=at(21, 4)))
        s.add(AgencyVersion(kind="check", record_id="agency-check-1", version=1,
                            base_version=0, content=b"x\x9c frozen", content_sha256="c" * 64,
                            device_id=other, batch_id="agency-batch-1", position=0,
                            received_at=at(21, 4)))
        s.add(AgencyRecord(kind="check", record_id="agency-check-1", version=1,
                           content_sha256="c" * 64, device_id=other, owner_device_id=other,
                           author_id="", inspector="王五", market_id="", market="东门市场",
                           day="2026-11-21", state="final", result="nonconforming",
                           category="food", title="饼干", deadline="", report_due="",
                           positives=0, review_state="pending", conflicts=1,
                           updated_at=at(21, 4)))
        s.add(AgencyConflict(kind="check", record_id="agency-check-1", version=1,
                             content_sha256="d" * 64, current_version=1,
                             current_sha256="c" * 64, reason="same_version", device_id=other,
                             batch_id="agency-batch-1", created_at=at(21, 4)))
        s.add(Decision(id="decision-1", kind="check", record_id="agency-check-1", version=1,
                       action="return", text="请补充批号", by="王科长", decided_at="2026-11-21T05:00:00Z",
                       device_id=actor.device_id, key_id="0123456789abcdef", body="{}",
                       signature="s" * 86, received_at=at(21, 5)))


# --- copying the rows into a database of revision N --------------------------------------


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def _tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'search_%' ORDER BY name")]


def old_name(table: str, column: str, revision: str, order: list[str]) -> str:
    """The name `column` of `table` had at `revision`."""
    renamed = RENAMED.get((table, column))
    if renamed and order.index(revision) < order.index(renamed[1]):
        return renamed[0]
    return column


def _copy_rows(src: sqlite3.Connection, dst: sqlite3.Connection, revision: str,
               order: list[str]) -> None:
    have = set(_tables(dst))
    # attachments last: only those of entities this revision has
    for table in sorted(_tables(src), key=lambda t: (t == "attachments", t)):
        if table in BOOKKEEPING or table not in have:
            continue
        theirs = set(_columns(dst, table))
        pairs = [(c, old_name(table, c, revision, order)) for c in _columns(src, table)]
        pairs = [(c, o) for c, o in pairs if o in theirs]
        rows = src.execute(f'SELECT {", ".join(c for c, _ in pairs)} FROM "{table}"').fetchall()
        if table == "attachments":  # no attachment of an entity this revision lacks
            ids = {k: _ids(dst, cls.__tablename__) for k, cls in AUDITED.items()}
            kind_at = [c for c, _ in pairs].index("record_kind")
            id_at = [c for c, _ in pairs].index("record_id")
            rows = [r for r in rows if r[id_at] in ids.get(r[kind_at], set())]
        marks = ", ".join("?" * len(pairs))
        dst.executemany(f'INSERT INTO "{table}" ({", ".join(o for _, o in pairs)}) '
                        f"VALUES ({marks})", rows)


def _ids(con: sqlite3.Connection, table: str) -> set[str]:
    if table not in _tables(con):
        return set()
    return {r[0] for r in con.execute(f'SELECT id FROM "{table}"')}


# --- canonical content from stored rows ---------------------------------------------------


def _types() -> dict[tuple[str, str], object]:
    """(table, column) -> today's column type, for turning stored values into content."""
    from inspector_app.core.models import Base

    return {(t.name, c.name): c.type for t in Base.metadata.tables.values() for c in t.columns}


def _value(kind_of, raw):
    """A stored value as the app loads it (then `plain` gives its canonical form)."""
    if raw is None:
        return None
    if isinstance(kind_of, UTCDateTime):
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    if isinstance(kind_of, Boolean):
        return bool(raw)
    if isinstance(kind_of, Numeric):
        return Decimal(str(raw)).quantize(Decimal(1).scaleb(-kind_of.scale))
    return raw


def _row_dict(con, table, where, args, skip, types, revision, order) -> list[dict]:
    cols = _columns(con, table)
    today = {old_name(t, c, revision, order): c for (t, c) in RENAMED if t == table}
    out = []
    for row in con.execute(f'SELECT * FROM "{table}" WHERE {where}', args):
        data = {}
        for name, raw in zip(cols, row, strict=True):
            if name not in skip:
                data[name] = plain(_value(types.get((table, today.get(name, name))), raw))
        out.append(data)
    return out


def content(con: sqlite3.Connection, kind: str, record_id: str, revision: str,
            order: list[str]) -> dict:
    """The canonical content of one entity, from the rows of a database at `revision`."""
    cls = AUDITED[kind]
    types = _types()
    have = set(_tables(con))
    data = _row_dict(con, cls.__tablename__, "id = ?", (record_id,), _SKIP, types,
                     revision, order)[0]
    data["kind"] = kind  # (before 0008 this hid the party's own "kind" column)
    for rel in sa_inspect(cls).relationships:
        if not rel.uselist:
            continue
        child = rel.mapper.local_table.name
        if child not in have:
            continue
        fk = next(iter(rel.remote_side)).name
        rows = _row_dict(con, child, f"{fk} = ? ORDER BY position", (record_id,),
                         _SKIP | _SKIP_FK, types, revision, order)
        data[rel.key] = rows
    atts = con.execute("SELECT id, sha256, role, filename, mime, size FROM attachments "
                       "WHERE record_kind = ? AND record_id = ? ORDER BY role, sha256, id",
                       (kind, record_id)).fetchall()
    data["attachments"] = [dict(zip(("id", "sha256", "role", "filename", "mime", "size"), a,
                                    strict=True)) for a in atts]
    return compact(data)


def _write_trail(con: sqlite3.Connection, revision: str, order: list[str]) -> None:
    """History, audit chain and outbox for every entity, as the app writes them."""
    entries = []
    for kind, cls in AUDITED.items():
        for (record_id,) in con.execute(f'SELECT id FROM "{cls.__tablename__}"') \
                if cls.__tablename__ in _tables(con) else []:
            entries.append((kind, record_id, content(con, kind, record_id, revision, order)))
    entries.sort(key=lambda e: (e[2]["created_at"], e[0], e[1]))
    seq, head = 0, GENESIS
    for kind, record_id, data in entries:
        versions = [data]
        if data["version"] > 1:  # the earlier versions: as first made, before the last change
            first = {k: v for k, v in data.items() if k != "attachments"}
            first.update(version=1, updated_at=data["created_at"],
                         updated_offset=data["created_offset"])
            versions = [compact(first), data]
        for n, version in enumerate(versions):
            seq += 1
            text = dumps(version)
            digest = sha256_text(text)
            action = "create" if n == 0 else "update"
            new_head = entry_hash(head, seq, version["updated_at"], kind, record_id,
                                  version["version"], action, version["device_id"],
                                  version.get("author_id"), digest)
            stored_at = version["updated_at"].replace("T", " ").rstrip("Z")
            con.execute("INSERT INTO history (kind, record_id, version, content) "
                        "VALUES (?, ?, ?, ?)", (kind, record_id, version["version"], text))
            con.execute("INSERT INTO audit_log (seq, at, kind, record_id, version, action, "
                        "device_id, author_id, content_sha256, prev_hash, entry_hash) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (seq, stored_at, kind, record_id, version["version"], action,
                         version["device_id"], version.get("author_id"), digest, head,
                         new_head))
            con.execute("INSERT INTO outbox (kind, record_id, version, created_at, acked_at) "
                        "VALUES (?, ?, ?, ?, ?)", (kind, record_id, version["version"],
                                                   stored_at,
                                                   stored_at if seq == 1 else None))
            head = new_head
    if "sync_batch_entries" in _tables(con):
        con.execute("INSERT INTO sync_batch_entries (outbox_seq, batch_id) "
                    "VALUES (1, 'batch-1')")


def make(revision: str, scratch: Path, order: list[str]) -> Path:
    target = frozen_path(revision)
    work = scratch / f"at-{revision}"
    store = Store(work, upgrade=False)
    migrate(store.write_engine, revision)
    store.close()
    src = sqlite3.connect(scratch / "head" / "inspector.db")
    dst = sqlite3.connect(work / "inspector.db")
    try:
        dst.execute("BEGIN")
        _copy_rows(src, dst, revision, order)
        _write_trail(dst, revision, order)
        dst.commit()
    finally:
        src.close()
        dst.close()
    if "search_docs" in _tables_with_search(work / "inspector.db"):
        from inspector_app.core import search

        engine_store = Store(work, upgrade=False)
        with engine_store.write_engine.begin() as conn:
            for kind in search.KINDS:
                search.reindex(conn, kind)
        engine_store.close()
    con = sqlite3.connect(work / "inspector.db")
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("VACUUM")
    con.close()
    FROZEN.mkdir(parents=True, exist_ok=True)
    with open(work / "inspector.db", "rb") as src, open(target, "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as dst:
        shutil.copyfileobj(src, dst)
    return target


def unpack(revision: str, data_dir: Path) -> Path:
    """The frozen store of `revision` as a data folder (database and attachment files)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with gzip.open(frozen_path(revision), "rb") as src, \
            open(data_dir / "inspector.db", "wb") as dst:
        shutil.copyfileobj(src, dst)
    for path in ATTACHMENTS.iterdir():
        target = data_dir / "attachments" / path.name[:2] / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return data_dir


def _tables_with_search(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    finally:
        con.close()


def main(argv: list[str]) -> int:
    order = revisions()
    wanted = argv or [r for r in order if not frozen_path(r).exists()]
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        head = Store(scratch / "head")
        _fill(head)
        head.close()
        ATTACHMENTS.mkdir(parents=True, exist_ok=True)
        for path in (scratch / "head" / "attachments").glob("*/*"):
            shutil.copyfile(path, ATTACHMENTS / path.name)
        for revision in wanted:
            path = make(revision, scratch, order)
            print(f"{path.relative_to(HERE.parents[1])}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
