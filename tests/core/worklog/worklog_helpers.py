"""A store with a workstation and an open shift, for the workstation-log tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from inspector_app.core import auth, records, settings
from inspector_app.core.models import WorkLog
from inspector_app.core.worklog import demo, service
from inspector_app.core.worklog.entry import EntryContext

# A fixed morning in the machine's local zone (the log's day follows it).
NOW = datetime(2026, 5, 12, 9, 30).astimezone()
TODAY = NOW.date()


@dataclass
class Station:
    store: object
    actor: records.Actor
    workstation_id: str
    market_id: str
    log_id: str

    def log(self, session) -> WorkLog:
        return service.load(session, self.log_id)

    def ctx(self, now: datetime = NOW) -> EntryContext:
        with self.store.read() as s:
            return service.entry_context(s, service.load(s, self.log_id), now)

    def version(self) -> int:
        with self.store.read() as s:
            return service.load(s, self.log_id).version


def make_station(store, now: datetime = NOW) -> Station:
    with store.write() as s:
        inspector = auth.first_setup(
            s, "示例市市场监督管理局", "示例",
            auth.NewInspector("张三", "zhang", "demo1234", "32010001", "supervisor"))
        actor = records.Actor(settings.device_id(s), inspector.id)
        st = demo.make_station(s, actor, now.date())
        opened = now - timedelta(hours=5)
        wl = service.open_shift(s, actor, "李四", st.workstation_id, now=opened)
    return Station(store, actor, st.workstation_id, st.market_id, wl.id)


def history_versions(store, log_id: str) -> int:
    with store.read() as s:
        return s.execute(text(
            "SELECT count(*) FROM history WHERE kind = 'worklog' AND record_id = :id"),
            {"id": log_id}).scalar_one()


def pesticide(product: str, rate: str, stall: str = "A01", **more: str) -> dict[str, str]:
    return {"product_name": product, "test_item": "农药残留", "value": rate,
            "stall_no": stall, **more}


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()

