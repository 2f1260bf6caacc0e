"""Images of the first page of every printed document, from a demo-like store.

    python packaging/document_pages.py [OUT_DIR] [--records N]

Builds a store in a temporary folder (the demo agency, `demo.generate` records and the
seizures `demo.printable_seizures` makes through the real workflow), takes one seizure
through its receipt, extension and release, and prints: the six seizure documents, the
检查记录 (core/checks/documents.check_pdf) and the workstation daily and monthly reports
(core/worklog/reports.py). The first page of each goes to OUT_DIR/<kind>.png
(pdftoppm -r 60; default OUT_DIR docs/documents).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEIZURE_KINDS = ("record", "decision", "list", "seals", "extension", "release")


def build(data_dir: Path, records: int) -> dict[str, bytes]:
    """The PDF of every document kind, from a fresh demo store in `data_dir`."""
    from sqlalchemy import func, select

    from inspector_app.core import auth, demo, settings
    from inspector_app.core import records as rec
    from inspector_app.core.checks import documents as check_documents
    from inspector_app.core.demo.printable import signature
    from inspector_app.core.models import LabelCheck, Party, RapidTest, WorkLog
    from inspector_app.core.seizure import documents, service
    from inspector_app.core.store import Store, utcnow
    from inspector_app.core.worklog import reports
    from inspector_app.forms import definitions

    store = Store(data_dir)
    pdfs: dict[str, bytes] = {}
    try:
        with store.write() as s:
            if auth.needs_setup(s):
                auth.first_setup(s, "示例市市场监督管理局", "示例", auth.NewInspector(
                    "张三", "zhang", "demo1234", "32010001", "supervisor"))
        demo.generate(store, records, seed=1)
        sid = demo.printable_seizures(store, issued=1, drafts=0)[0]
        with store.write() as s:
            seizure = service.load(s, sid)
            actor = rec.Actor(settings.device_id(s), seizure.officers[0].inspector_id)
            party = s.get(Party, seizure.party_id)
            signer = party.legal_rep or party.name
            issued = seizure.issued_at
        png, strokes = signature(signer)
        with store.write() as s:  # the party signs for the decision
            service.add_signature(store, s, actor, sid, documents.DECISION_RECEIPT, signer,
                                  png=png, strokes=strokes)
        for kind in ("record", "decision", "list", "seals"):
            with store.write() as s:
                pdfs[kind] = service.notice_pdf(store, s, sid, kind)
        later = max(utcnow(), issued) + timedelta(minutes=5)
        with store.write() as s:
            service.extend(store, s, actor, sid, 15, "需送检验机构检验", approver="局长",
                           now=later)
        with store.write() as s:
            service.close(store, s, actor, sid, "released", "经检验，产品符合强制性标准",
                          ground="1", now=later + timedelta(minutes=5))
        for kind in ("extension", "release"):
            with store.write() as s:
                pdfs[kind] = service.notice_pdf(store, s, sid, kind)
        with store.write() as s:
            check_id = s.scalars(select(LabelCheck.id).where(LabelCheck.party_id.is_not(None))
                                 .order_by(LabelCheck.created_at.desc()).limit(1)).first()
            pdfs["check-record"] = check_documents.check_pdf(s, store, check_id,
                                                      definitions.registry_for(s))
            # the day and workstation with the most rapid tests
            log = s.scalars(select(WorkLog).join(RapidTest).group_by(WorkLog.id)
                            .order_by(func.count(RapidTest.pk).desc()).limit(1)).first()
            day = date.fromisoformat(log.log_date)
            pdfs["daily-report"] = reports.daily_report(s, day, log.workstation_id)
            pdfs["monthly-report"] = reports.monthly_report(s, day.year, day.month,
                                                     log.workstation_id)
    finally:
        store.close()
    return pdfs


def first_page_png(pdf: bytes, out: Path, tmp: Path) -> None:
    source = tmp / (out.stem + ".pdf")
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(out.with_suffix(""))], check=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "documents"))
    parser.add_argument("--records", type=int, default=60)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = build(Path(tmp) / "data", args.records)
        for kind, pdf in pdfs.items():
            target = out / f"{kind}.png"
            first_page_png(pdf, target, Path(tmp))
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
