"""Foundation benchmarks: demo data, search, cold start, memory (with a 100,000-record store)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from common import benchmark, median, percentile, result

HERE = Path(__file__).resolve().parent


@benchmark("demo_records")
def demo_records(ctx) -> dict:
    """`inspector demo --records N` on an empty data folder."""
    ctx.store_dir()
    limit = 60.0 * ctx.records / 100_000
    return result(ctx.demo_seconds, "s", f"<= {limit:.1f} s for {ctx.records} of each kind",
                  ctx.demo_seconds <= limit, records=ctx.records)


def _sample_queries(session, n: int) -> list[str]:
    """2-character substrings of real names in the store (Chinese characters only)."""
    from sqlalchemy import text

    rng = random.Random(7)
    names = [r[0] for r in session.execute(text(
        "SELECT product_name FROM label_checks UNION SELECT name FROM parties "
        "UNION SELECT name FROM markets"))]
    grams = sorted({name[i:i + 2] for name in names for i in range(len(name) - 1)
                    if all("\u4e00" <= ch <= "\u9fff" for ch in name[i:i + 2])})
    return rng.sample(grams, min(n, len(grams)))


@benchmark("search_2char_p95")
def search_2char(ctx) -> dict:
    """Record-list search by a 2-character Chinese substring: ordered ids of every match."""
    from sqlalchemy import text

    from inspector_app.core import queries
    from inspector_app.core.store import Store

    store = Store(ctx.store_dir())
    with store.read() as session:
        words = _sample_queries(session, 30 if ctx.quick else 100)
        times, base, hits = [], [], []
        for word in words:
            for kind in ("check", "seizure", "worklog"):
                t = time.perf_counter()
                ids = queries.list_ids(session, kind, queries.Filter(text=word))
                times.append((time.perf_counter() - t) * 1000)
                hits.append(len(ids))
            # Baseline: a plain LIKE scan of one column (what the bigram index replaces).
            t = time.perf_counter()
            session.execute(text("SELECT id FROM label_checks WHERE product_name LIKE :q"),
                            {"q": f"%{word}%"}).all()
            base.append((time.perf_counter() - t) * 1000)
    store.close()
    p95 = percentile(times, 95)
    return result(p95, "ms", "p95 <= 30 ms", p95 <= 30, baseline=percentile(base, 95),
                  queries=len(times), median_hits=median(hits), max_hits=max(hits))


def _start_seconds(args: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Seconds from spawning `args` to its "shown" line, and to its exit, for each run."""
    shown, done = [], []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        first = None
        for line in proc.stdout:
            if first is None and line.startswith("shown"):
                first = time.perf_counter() - t
        proc.wait(timeout=60)
        if proc.returncode != 0 or first is None:
            raise RuntimeError(f"start failed (exit {proc.returncode})")
        shown.append(first)
        done.append(time.perf_counter() - t)
    return shown, done


@benchmark("cold_start")
def cold_start(ctx) -> dict:
    """Spawn to main window shown (painted, event loop idle), beside a bare QMainWindow.

    Also reported: the app's whole run to the sign-in dialog over the window, with the
    100,000-record store opened (`ready_s`), which the bare window has no counterpart of."""
    runs = 3 if ctx.quick else 7
    bare, _ = _start_seconds([sys.executable, str(HERE / "bare_qt.py")], runs)
    app, ready = _start_seconds([sys.executable, "-m", "inspector_app", "--data-dir",
                                 str(ctx.store_dir()), "--quit-when-shown"], runs)
    value, base = median(app), median(bare)
    return result(value, "s", "median <= 1.0 s and <= 3x bare", value <= 1.0 and value <= 3 * base,
                  baseline=base, ready_s=median(ready))


@benchmark("main_window_rss")
def main_window_rss(ctx) -> dict:
    """Resident memory of the signed-in main window showing each record list."""
    proc = subprocess.run(
        [sys.executable, str(HERE / "window_memory.py"), str(ctx.store_dir())],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    rss_mb = float(proc.stdout.split()[-1])
    return result(rss_mb, "MB", "<= 300 MB", rss_mb <= 300)
