"""Realistic Simplified-Chinese demo data, written fast and with full evidence.

`generate(store, n)` adds markets with their workstations, stalls, parties and (if
needed) a team of inspectors, then `n` records of each kind: labeling checks, seizures and
workstation logs, spread over the last two years. It is meant for demonstrations, training
and load tests: 100,000 of each kind (300,000 records with about 3.5 million parts) take
well under a minute on two CPUs. `printable_seizures(store)` adds a few seizures made
through the real workflow, signed, with notices to print and verify.

Demo data goes into an empty store or one that holds demo data already (a second run adds
more); a store with other records is refused with `DemoError`, so that made-up records
never mix with real evidence.

Evidence: every audited row gets exactly what `records.create` would have written (see
`bulk`), so `audit.verify` passes on a demo store. The records keep the rules the app
enforces: every seizure past draft carries its on-site signatures (行政强制法 art. 18), as
`seizure.service.add_signature` stores them, with PNG and stroke files shared from a few
dozen in the store's attachments, so a demo store exports and imports into another store.

Speed: nothing goes through the ORM (`bulk`); secondary indexes of the bulk tables are
dropped and built again at the end (in the transaction); records are indexed for search
batch by batch; and with two or more CPUs the records are made in a worker process while
this one writes them (`worker`).

Deterministic for a given seed, `now`, device and store: every random choice comes from
`random.Random(seed)`, in the worker process or not. Record ids are drawn from it too, set
apart by a key made from the device id and the store's audit chain (`context.id_key`), so
two stores on two devices, or two runs on one store, never share an id. Personal data (ID
numbers, phones) is made up, but valid by the checksum rules, so the forms accept it.

The modules: `vocabulary` (the words), `bulk` (the writer), `context` (what a run shares),
`reference` (team, markets, parties, stalls), `stations` (workstations), `checks`,
`seizures`, `worklogs` (the records), `build` (plan and order), `worker` (the worker
process) and `printable` (seizures through the real workflow).
"""

from __future__ import annotations

import logging
import os
import random
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime

from sqlalchemy import text
from sqlalchemy.orm import Session

from inspector_app.core import audit, settings
from inspector_app.core.demo.build import build_records, make_plan
from inspector_app.core.demo.bulk import DEFER_INDEXES, DbSink, Timer, Writer, drop_indexes
from inspector_app.core.demo.context import (
    DAYS,
    DEMO_PASSWORD,
    DOC_SEGMENT,
    LOCAL,
    Ctx,
    doc_segment,
    id_key,
)
from inspector_app.core.demo.printable import printable_seizures, setup_signatures
from inspector_app.core.demo.reference import (
    setup_inspectors,
    setup_markets,
    setup_numbers,
    setup_stalls,
)
from inspector_app.core.demo.stations import setup_stations
from inspector_app.core.demo.worker import WorkerFailed, build_in_worker
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import RECORD_KINDS
from inspector_app.core.records import Actor
from inspector_app.core.store import Store, utcnow

log = logging.getLogger(__name__)

__all__ = ["DAYS", "DEMO_PASSWORD", "LAST_TIMINGS", "DemoError", "generate",
           "printable_seizures"]

#: Seconds spent in each phase of the last `generate` call (for profiling).
LAST_TIMINGS: dict[str, float] = {}
#: Set on a store once demo data is in it: more may be added then.
DEMO_STORE = settings.Option("demo_store", False, bool, N_("The store holds demo data"),
                             user_editable=False)


class DemoError(Exception):
    """Demo data cannot go into this store; `message` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_demo_store(session: Session) -> bool:
    """Marked as one, or made before the mark: its ledger has demo document numbers."""
    return DEMO_STORE.get(session) or session.execute(text(
        "SELECT 1 FROM seizure_doc_numbers WHERE segment LIKE :demo LIMIT 1"),
        {"demo": f"{DOC_SEGMENT}%"}).first() is not None


def _use_worker(records: int) -> bool:
    if WORKER is not None:
        return WORKER
    return (records >= WORKER_MIN_RECORDS and (os.cpu_count() or 1) > 1
            and not getattr(sys, "frozen", False))  # a frozen app cannot run `-c`


def _truncate_wal(store: Store) -> None:
    """Give back the disk space of the write-ahead log, which grew to the size of the data.

    The commit has checkpointed it already; this only truncates the file, and is skipped
    when a reader still needs it.
    """
    import sqlite3

    try:
        con = sqlite3.connect(store.db_path, timeout=0.5, isolation_level=None)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    except sqlite3.Error as exc:  # pragma: no cover - busy: the log is reused instead
        log.info("the write-ahead log was not truncated: %s", exc)


# --- the entry point --------------------------------------------------------------------

#: Most SQLite page cache (KiB) to use while writing; within it, enough for the whole new
#: data, so that pages are not spilled to the log and read back again and again as the
#: indexes grow. The store's own setting is restored after.
CACHE_KIB = 4 << 20


def _cache_kib(records: int) -> int:
    wanted = (64 << 10) + 32 * records  # about 25 KiB of database per record and kind
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        physical = 16 << 20
    return min(wanted, CACHE_KIB, physical // 4)

#: Whether to build records in a worker process: None decides by size and machine.
WORKER: bool | None = None
WORKER_MIN_RECORDS = 20000


def generate(store: Store, records: int, actor: Actor | None = None, seed: int = 1,
             progress: Callable[[int, int], None] | None = None, *,
             now: datetime | None = None) -> dict[str, int]:
    """Add demo reference data and `records` records of each kind to `store`.

    Refused with `DemoError` when the store holds records and no demo data (nothing is
    written then). Existing markets, workstations and inspectors are reused (the demo team, password `DEMO_PASSWORD`, is
    added only when fewer than two officers with certificate numbers exist); parties and
    stalls are added. With `actor`, every row is made by that actor; without, by this
    device, each record authored by its inspector. `progress(done, total)` is called
    between batches. `now` (default: the current time) ends the two years the records
    span; with the same seed and `now` the data is the same. Returns how many rows of each
    kind were added.
    """
    if records < 0:
        raise ValueError("records must not be negative")
    timer = Timer()
    now = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(seed)
    total = 3 * records
    counts: dict[str, int] = {}
    with store.write() as session:
        conn = session.connection()
        old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size = {-_cache_kib(records)}")
        sink = DbSink(conn, timer)
        try:
            existing = {kind: conn.exec_driver_sql(
                f"SELECT count(*) FROM {model.__tablename__}").scalar()
                for kind, model in RECORD_KINDS.items()}
            if any(existing.values()) and not _is_demo_store(session):
                raise DemoError(_(
                    "This store already holds records that are not demo data: demo data is "
                    "only added to an empty store or a demo store, so that it never mixes "
                    "with real records. Choose another data folder."))
            DEMO_STORE.set(session, True)
            device = actor.device_id if actor else settings.device_id(session)
            chain = audit.last_entry(session)
            writer = Writer(audit.Chain(*chain), timer, sink)
            today = now.astimezone(LOCAL).date()
            ctx = Ctx(rng=rng, rnd=rng.random, now=now, today=today, device=device,
                       actor_author=actor.inspector_id if actor else None,
                       use_actor=actor is not None, writer=writer,
                       id_key=id_key(device, chain, seed), doc_segment=doc_segment(device),
                       sign_rng=random.Random(f"{seed} signatures"))
            ctx.abbr = settings.AGENCY_ABBR.get(session) or ctx.abbr
            ctx.pattern = settings.DOC_NUMBER_PATTERN.get(session)
            ctx.contact_phone = f"025-{rng.randint(52000000, 86999999)}"
            setup_numbers(ctx, conn)
            ctx.day_start = [
                datetime.combine(today - timedelta(days=d), dtime(0), LOCAL).astimezone(UTC)
                for d in range(DAYS + 2)]

            counts["inspector"] = setup_inspectors(ctx, conn)
            if records:
                setup_signatures(ctx, store)
            counts["market"], used_slots = setup_markets(ctx, conn, records)
            counts["party"], counts["stall"] = setup_stalls(ctx, conn, records)
            counts["workstation"] = setup_stations(ctx, conn, seed)
            timer.lap("reference")
            writer.flush()

            sink.search = True  # the records, as they come
            plan = make_plan(ctx, records, used_slots)
            # Rebuilding the indexes pays off when the new rows outnumber the old ones.
            indexes: list[str] = []
            if DEFER_INDEXES and records >= 1000 and 3 * records >= sum(existing.values()):
                indexes = drop_indexes(conn)
            timer.lap("plan")

            result = None
            if _use_worker(records):
                try:
                    made, result = build_in_worker(ctx, plan, sink, timer, progress, total)
                except WorkerFailed as exc:
                    if exc.started:
                        raise
                    # Nothing was written, and our generator has not moved: build here.
                    log.warning("building the demo data in this process: %s", exc)
            if result is not None:
                table_counts = result["counts"]
                worker_timings = result["timings"]
            else:
                def chunk_done(made: dict[str, int]) -> None:
                    if progress:
                        progress(sum(made.values()), total)

                made = build_records(ctx, plan, chunk_done)
                table_counts, worker_timings = writer.counts, {}
            for sql in indexes:
                conn.exec_driver_sql(sql)
            timer.lap("indexes")

        finally:
            sink.close()
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(old_cache)}")
    timer.lap("commit")
    _truncate_wal(store)
    timer.lap("checkpoint")
    LAST_TIMINGS.clear()
    LAST_TIMINGS.update(timer.report())
    LAST_TIMINGS.update({f"worker:{k}": v for k, v in worker_timings.items()})
    log.info("demo data: %s in %s", made,
             {k: round(v, 2) for k, v in LAST_TIMINGS.items() if ":" not in k})
    counts.update(made)
    for name, table in (("check_item", "check_items"), ("seizure_item", "seizure_items"),
                        ("seal", "seals"), ("rapid_test", "rapid_tests"),
                        ("scale_check", "scale_checks"), ("complaint", "complaints")):
        counts[name] = table_counts.get(table, 0)
    if progress:
        progress(total, total)
    return counts
