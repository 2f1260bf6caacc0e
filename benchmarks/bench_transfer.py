"""Records import (issue 12): 10,000 labeling checks, with the parties, stalls and other
reference entities they need, exported from a demo store and imported into an empty one,
beside the pre-rewrite importer (`inspector_app/core/transfer.py` of commit 15b8c39,
loaded from git into a module of its own) on the same file in the same run.

Each import runs in a process of its own, which reports its wall time and its peak RSS
(before the import and at its end). Without git, the baseline is the issue's figure
(37 s for 10,000 checks), labelled as such, with no memory figure.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import INSPECTOR, benchmark, result

ROOT = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "15b8c39"
ISSUE_SECONDS = 37.0  # issue 12: 10,000 checks in 37 s


def _old_source(target: Path) -> Path | None:
    """The pre-rewrite transfer.py written to `target`, or None without git."""
    try:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:inspector_app/core/transfer.py"],
            capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    target.write_text(found.stdout, encoding="utf-8")
    return target


def _run_child(which: str, doc: Path, files: Path, store: Path, old: Path | None) -> dict:
    env = {**os.environ, "INSPECTOR_NO_KEYRING": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, __file__, which, str(doc), str(files), str(store)]
    if old is not None:
        args.append(str(old))
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@benchmark("transfer_import_10k")
def transfer_import_10k(ctx) -> dict:
    """10,000 checks imported, records/s (baseline: the pre-rewrite importer, same run)."""
    os.environ["INSPECTOR_NO_KEYRING"] = "1"
    from inspector_app.core import transfer
    from inspector_app.core.store import Store

    n = 1000 if ctx.quick else 10_000
    folder = ctx.tmp / "transfer-demo"
    subprocess.run([*INSPECTOR, "--data-dir", str(folder), "demo", "--records", str(n)],
                   check=True, stdout=subprocess.DEVNULL)
    doc, files = ctx.tmp / "transfer-checks.json", ctx.tmp / "transfer-files"
    source = Store(folder)
    counts = transfer.export_json(source, ["check"], doc, files)
    source.close()
    checks = counts["check"]

    new = _run_child("new", doc, files, ctx.tmp / "transfer-new", None)
    old_path = _old_source(ctx.tmp / "transfer_15b8c39.py")
    if old_path is not None:
        old = _run_child("old", doc, files, ctx.tmp / "transfer-old", old_path)
        base_seconds, label = old["seconds"], f"the importer of {BASELINE_COMMIT}, same run"
    else:
        old = {}
        base_seconds = ISSUE_SECONDS * checks / 10_000
        label = "issue 12's figure (37 s for 10,000), not measured"
    rate, base_rate = checks / new["seconds"], checks / base_seconds
    print(f"  transfer_import_10k: {checks} checks ({sum(counts.values()) - checks - counts.get('attachments', 0)} "
          f"reference entities, {doc.stat().st_size / 1e6:.1f} MB)", flush=True)
    print(f"    rewrite:  {new['seconds']:.1f} s, {rate:.0f} records/s, peak RSS "
          f"{new['rss_peak_mb']:.0f} MB ({new['rss_peak_mb'] - new['rss_before_mb']:+.0f} MB "
          "during the import)", flush=True)
    if old:
        print(f"    baseline: {old['seconds']:.1f} s, {base_rate:.0f} records/s, peak RSS "
              f"{old['rss_peak_mb']:.0f} MB ({old['rss_peak_mb'] - old['rss_before_mb']:+.0f} "
              f"MB during the import) [{label}]", flush=True)
    else:
        print(f"    baseline: {base_seconds:.1f} s, {base_rate:.0f} records/s [{label}]",
              flush=True)
    return result(rate, "rec/s", ">= 4x the pre-rewrite importer (baseline: its rec/s)",
                  rate >= 4 * base_rate, baseline=base_rate, records=checks,
                  seconds=new["seconds"], baseline_seconds=base_seconds, baseline_label=label,
                  rss_peak_mb=new["rss_peak_mb"], rss_before_mb=new["rss_before_mb"],
                  baseline_rss_peak_mb=old.get("rss_peak_mb"),
                  baseline_rss_before_mb=old.get("rss_before_mb"))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child(argv: list[str]) -> None:
    """Import `doc` into a new store at `store` (the rewrite, or the old module) and print
    {seconds, rss_before_mb, rss_peak_mb, created} as JSON."""
    which, doc, files, store_dir = argv[:4]
    from inspector_app.core import audit
    from inspector_app.core.store import Store

    if which == "old":
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            f"inspector_app.core._transfer_{BASELINE_COMMIT}", argv[4])
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    else:
        from inspector_app.core import transfer as module
    # The schema validators are made before: they are not the import's memory.
    if which == "old":
        module._validators()
    else:
        import ijson  # noqa: F401

        from inspector_app.core.transfer import fileformat

        fileformat._validators()
        fileformat._quick()
    store = Store(Path(store_dir))
    before = _rss_mb()
    start = time.perf_counter()
    if which == "old":
        summary = module.import_document(store, module.load_document(Path(doc)), Path(files))
    else:
        summary = module.import_file(store, Path(doc), Path(files))
    seconds = time.perf_counter() - start
    peak = _rss_mb()
    with store.read() as session:
        problems = audit.verify(session, store.attachment_path)
    store.close()
    if problems:
        raise SystemExit(f"audit.verify after the {which} import: {problems[:3]}")
    print(json.dumps({"seconds": seconds, "rss_before_mb": before, "rss_peak_mb": peak,
                      "created": summary.total("created")}))


if __name__ == "__main__":
    _child(sys.argv[1:])
