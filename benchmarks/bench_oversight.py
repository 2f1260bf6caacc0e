"""Supervisor oversight: the dashboard over 1,000,000 agency records, and the streamed
XLSX export of 1,000,000 rows (beside the same rows written as CSV in the same run).

The supervisor's store is filled with AgencyRecord rows straight in SQL (the importer's
speed is another benchmark): 60 % final/draft checks, 15 % seizures, 25 % work logs, over
40 markets, 60 inspectors, 12 categories and two years.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from common import benchmark, median, result

FULL_ROWS = 1_000_000
_STORES: dict[int, Path] = {}
TODAY = date(2026, 12, 1)


def fill(db_path: Path, n: int, seed: int = 12) -> None:
    """`n` AgencyRecord rows in the store at `db_path` (made by Store beforehand)."""
    rng = random.Random(seed)
    markets = [(str(uuid.UUID(int=rng.getrandbits(128))), f"示例第{i + 1}市场")
               for i in range(40)]
    inspectors = [f"检查员{i + 1:02d}" for i in range(60)]
    categories = [f"品类{i + 1:02d}" for i in range(12)]
    start = TODAY - timedelta(days=730)
    days = [(start + timedelta(days=d)).isoformat() for d in range(731)]
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    # Indexes are made after the rows (far quicker than kept up row by row).
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                          "tbl_name = 'agency_records' AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        con.execute(f'DROP INDEX "{name}"')
    sql = ("INSERT INTO agency_records (kind, record_id, version, content_sha256, device_id,"
           " owner_device_id, author_id, inspector, market_id, market, day, state, result,"
           " category, title, deadline, report_due, positives, review_state, conflicts,"
           " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    sha = "0" * 64
    dev = "d" * 36
    batch = []
    for i in range(n):
        m_id, m_name = markets[rng.randrange(40)]
        insp = inspectors[rng.randrange(60)]
        day = days[rng.randrange(731)]
        r = rng.random()
        deadline = report_due = ""
        positives = 0
        result_ = category = ""
        if r < 0.60:
            kind = "check"
            state = "final" if rng.random() < 0.9 else "draft"
            result_ = "nonconforming" if rng.random() < 0.12 else "conforming"
            category = categories[rng.randrange(12)]
            title = f"产品{i}"
        elif r < 0.75:
            kind = "seizure"
            state = "issued" if rng.random() < 0.05 else "released"
            d = date.fromisoformat(day)
            deadline = (d + timedelta(days=30)).isoformat()
            if rng.random() < 0.01:
                report_due = f"{day}T12:00:00"
            title = f"查封{i}"
        else:
            kind = "worklog"
            state = "closed"
            positives = 1 if rng.random() < 0.05 else 0
            title = f"工作日志{day}"
        batch.append((kind, str(uuid.UUID(int=rng.getrandbits(128))), 1, sha, dev, dev, "",
                      insp, m_id, m_name, day, state, result_, category, title, deadline,
                      report_due, positives, "pending", 0, "2026-12-01 00:00:00.000000"))
        if len(batch) >= 50_000:
            con.executemany(sql, batch)
            batch.clear()
    con.executemany(sql, batch)
    con.commit()
    for _name, sql in indexes:
        con.execute(sql)
    con.commit()
    con.execute("ANALYZE")
    con.close()


def agency_store(ctx, n: int) -> Path:
    if n not in _STORES:
        from inspector_app.core.store import Store

        folder = ctx.tmp / f"agency-{n}"
        store = Store(folder)
        store.close()
        fill(folder / "inspector.db", n)
        _STORES[n] = folder
    return _STORES[n]


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@benchmark("oversight_dashboard")
def bench_dashboard(ctx):
    from inspector_app.core.agency import oversight
    from inspector_app.core.store import Store

    n = 20_000 if ctx.quick else FULL_ROWS
    folder = agency_store(ctx, n)
    store = Store(folder)
    with store.read() as s:  # a fresh store: the first open, then the filter changes
        open_s = _timed(lambda: (oversight.markets(s), oversight.inspectors(s),
                                 oversight.figures(s, today=TODAY)))
    with store.read() as s:
        markets = oversight.markets(s)
        inspectors = oversight.inspectors(s)
        changes = [oversight.Filters(market_id=markets[3][0]),
                   oversight.Filters(inspector=inspectors[7]),
                   oversight.Filters(day_from="2026-11-01", day_to="2026-11-30"),
                   oversight.Filters(day_from="2026-01-01", day_to="2026-12-31",
                                     market_id=markets[5][0], inspector=inspectors[2]),
                   oversight.Filters(day_from="2026-07-01", day_to="2026-09-30")]
        times = [_timed(lambda f=f: oversight.figures(s, f, today=TODAY)) for f in changes]
        lists = [_timed(lambda k=k: oversight.records(s, k, today=TODAY, limit=200))
                 for k in ("seizures_expiring", "emergency_unreported",
                           f"nc_market:{markets[0][0]}", "positive_worklogs")]
    store.close()
    worst = max(times)
    return result(open_s, "s", "open ≤ 2 s; each filter change ≤ 300 ms",
                  open_s <= 2.0 and worst <= 0.3, rows=n,
                  filter_change_max_ms=round(worst * 1000, 1),
                  filter_change_median_ms=round(median(times) * 1000, 1),
                  records_list_max_ms=round(max(lists) * 1000, 1))


_EXPORT_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from inspector_app.core.agency import export
from inspector_app.core.store import Store
folder, fmt, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
store = Store(Path(folder))
start = time.perf_counter()
n = export.export_records(store, fmt, out)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
rss = usage.ru_maxrss / 1024
print(json.dumps({"rows": n, "seconds": seconds, "peak_rss_mb": rss,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "bytes": out.stat().st_size}))
"""


def _export(folder: Path, fmt: str, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _EXPORT_CHILD, str(folder), fmt, str(out)],
                          check=True, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    return json.loads(done.stdout.strip().splitlines()[-1])


@benchmark("oversight_export_xlsx")
def bench_export(ctx):
    n = 20_000 if ctx.quick else FULL_ROWS
    folder = agency_store(ctx, n)
    csv_run = _export(folder, "csv", ctx.tmp / "agency.csv")
    xlsx_run = _export(folder, "xlsx", ctx.tmp / "agency.xlsx")
    assert xlsx_run["rows"] == csv_run["rows"] == n, (xlsx_run, csv_run)
    ok = xlsx_run["seconds"] <= 90 and xlsx_run["peak_rss_mb"] <= 300
    return result(xlsx_run["seconds"], "s", "1,000,000 rows XLSX ≤ 90 s, memory ≤ 300 MB",
                  ok, baseline=csv_run["seconds"], rows=n,
                  xlsx_peak_rss_mb=round(xlsx_run["peak_rss_mb"], 1),
                  xlsx_cpu_s=round(xlsx_run["cpu_seconds"], 1),
                  csv_cpu_s=round(csv_run["cpu_seconds"], 1),
                  csv_peak_rss_mb=round(csv_run["peak_rss_mb"], 1),
                  xlsx_mb=round(xlsx_run["bytes"] / 1e6, 1),
                  csv_mb=round(csv_run["bytes"] / 1e6, 1))
