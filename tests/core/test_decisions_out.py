"""The sync run posts the decisions made here: 200 sets sent_at, 409/422 are kept with their
reason and not sent again (a server played by httpx.MockTransport, which checks the
signature as the real one does)."""

from __future__ import annotations

import json

import httpx
import pytest
import review_rows
from sqlalchemy import select

from inspector_app.core import device_key
from inspector_app.core.agency import review
from inspector_app.core.models import Decision
from inspector_app.core.sync import agent, credentials, decisions_out, state
from sync import decisions

URL = "https://sync.example"


class Server:
    def __init__(self, public):
        self.public = public
        self.posted: list[dict] = []
        self.answers: list[tuple[int, dict]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/decisions":
            envelope = json.loads(request.content)
            decisions.verify(self.public, envelope)  # raises on a bad signature
            self.posted.append(envelope)
            status, body = self.answers.pop(0) if self.answers else (
                200, {"id": envelope["decision"]["id"], "status": "stored"})
            return httpx.Response(status, json=body)
        if request.url.path == "/v1/pull":
            return httpx.Response(200, json={"changes": [], "cursor": 0, "more": False})
        return httpx.Response(404, json={"detail": "not here"})


@pytest.fixture
def sup(store, monkeypatch):
    monkeypatch.setenv(credentials.ENV_NO_KEYRING, "1")
    review_rows.make_supervisor(store)
    from inspector_app.core import settings

    with store.write() as session:
        device = settings.device_id(session)
        state.SERVER_URL.set(session, URL)
        state.ENROLLED_DEVICE.set(session, device)
    credentials.save(store.data_dir, URL, device, "secret")
    server = Server(device_key.load_or_create(store.data_dir).public_key())
    return store, server


def run(store, server):
    return agent.SyncAgent(store, agent.Options(attempts=1),
                           transport=httpx.MockTransport(server), sleep=lambda s: None).run()


def test_sent_once_then_marked(sup):
    store, server = sup
    with store.write() as session:
        rid, _ = review_rows.add_record(session)
    made = review.decide(store, "check", rid, "return", "请补充照片", user="张三")
    report = run(store, server)
    assert report.ok, report.error
    assert [e["decision"]["id"] for e in server.posted] == [made["id"]]
    with store.read() as session:
        assert session.get(Decision, made["id"]).sent_at is not None
    run(store, server)
    assert len(server.posted) == 1  # not sent again


def test_refusals_are_kept_with_their_reason_and_not_retried(sup):
    store, server = sup
    with store.write() as session:
        stale, _ = review_rows.add_record(session)
        fine, _ = review_rows.add_record(session)
    first = review.decide(store, "check", stale, "approve", user="张三")
    second = review.decide(store, "check", fine, "reject", "检验不合格", user="张三")
    server.answers = [(409, {"detail": "the record changed on the server: version 3"})]
    report = run(store, server)
    assert report.ok, report.error
    with store.read() as session:
        assert session.get(Decision, first["id"]).sent_at is None
        assert session.get(Decision, second["id"]).sent_at is not None
        refused = review.refused_decisions(session)
        assert refused[first["id"]]["status"] == 409
        assert "version 3" in refused[first["id"]]["reason"]
        shown = review.review_of(session, "check", stale)["comments"]
        assert "version 3" in shown[0]["refused"]
        assert decisions_out.unsent(session) == []
    run(store, server)
    assert len(server.posted) == 2  # the refused one is not posted again


def test_an_unreachable_server_leaves_it_unsent(sup):
    store, server = sup
    with store.write() as session:
        rid, _ = review_rows.add_record(session)
    made = review.decide(store, "check", rid, "approve", user="张三")
    server.answers = [(503, {"detail": "busy"})]
    report = run(store, server)
    assert report.error and not report.ok
    with store.read() as session:
        assert session.get(Decision, made["id"]).sent_at is None
        assert review.refused_decisions(session) == {}
    run(store, server)
    with store.read() as session:
        assert session.scalar(select(Decision.sent_at)) is not None
