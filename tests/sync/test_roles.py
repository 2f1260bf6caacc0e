"""Role checks on every endpoint of the server (SQLite and PostgreSQL).

The table below names, for EVERY route of the app, what a caller without credentials, an
inspector's device, a supervisor of the record's agency and a supervisor of another agency
get. A route added without an entry here fails `test_every_route_checks_the_callers_role`.
"""

from __future__ import annotations

import json
import uuid
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from synchelpers import enrol_fake, record, signed_decision

from sync import bulletins, protocol
from sync.server import service

AGENCY, OTHER = "示例市市场监督管理局", "另一县市场监督管理局"
CALLERS = ("none", "inspector", "supervisor", "other_supervisor")
PUBLIC = dict.fromkeys(CALLERS, 200)
ANY_DEVICE = {"none": 401, "inspector": 200, "supervisor": 200, "other_supervisor": 200}
INSPECTOR_ONLY = {"none": 401, "inspector": 200, "supervisor": 403, "other_supervisor": 403}
SUPERVISOR_OF_AGENCY = {"none": 401, "inspector": 403, "supervisor": 200,
                        "other_supervisor": 403}

# (method, path) -> what each caller gets
EXPECTED = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("POST", "/v1/enroll"): PUBLIC,  # the one-time code is the credential
    ("GET", "/v1/device"): ANY_DEVICE,
    ("POST", "/v1/batches"): INSPECTOR_ONLY,
    ("GET", "/v1/receipts"): INSPECTOR_ONLY,
    ("GET", "/v1/pull"): ANY_DEVICE,  # what each gets: test_pull_gives_each_role_its_own
    ("POST", "/v1/import"): PUBLIC,  # a batch file is vouched for by its signatures
    ("POST", "/v1/attachments/missing"): INSPECTOR_ONLY,
    ("GET", "/v1/attachments/missing"): INSPECTOR_ONLY,
    ("GET", "/v1/attachments/{sha256}"): INSPECTOR_ONLY,
    ("PUT", "/v1/attachments/{sha256}"): INSPECTOR_ONLY,
    # the record's owner (an inspector) or a supervisor of its agency: test_attachment_download
    ("GET", "/v1/attachments/{sha256}/content"): {"none": 401, "inspector": 200,
                                                  "supervisor": 200, "other_supervisor": 403},
    ("POST", "/v1/handovers"): INSPECTOR_ONLY,
    ("GET", "/v1/handovers"): ANY_DEVICE,
    ("GET", "/v1/batches/{batch_id}"): SUPERVISOR_OF_AGENCY,
    ("POST", "/v1/decisions"): SUPERVISOR_OF_AGENCY,
    ("POST", "/v1/bulletins"): SUPERVISOR_OF_AGENCY,
    ("GET", "/bulletins"): PUBLIC,
    ("GET", "/bulletins/{bulletin_id}.json"): PUBLIC,
    ("GET", "/bulletins/{bulletin_id}"): PUBLIC,
}


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers walked."""
    out = set()

    def walk(routes, prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI >= 0.165
            if included is not None:
                walk(included.routes, prefix + route.include_context.prefix)
                continue
            for method in getattr(route, "methods", None) or ():
                if method != "HEAD":
                    out.add((method, prefix + route.path))

    walk(app.routes, "")
    return out


class World:
    """An agency with an inspector (and a colleague), its supervisor, and a supervisor of
    another agency; the inspector has synced a batch."""

    def __init__(self, client):
        self.client, db = client, client.db
        self.devs = {
            "inspector": enrol_fake(db, None, "张三", agency=AGENCY),
            "supervisor": enrol_fake(db, None, "王科长", role="supervisor", agency=AGENCY),
            "other_supervisor": enrol_fake(db, None, "赵科长", role="supervisor",
                                           agency=OTHER),
        }
        self.colleague = enrol_fake(db, None, "李四", agency=AGENCY)
        self.batch_file = None
        ins = self.devs["inspector"]
        self.photo = b"photo of records[0]"
        self.photo_sha = protocol.sha256_hex(self.photo)
        self.records = [record("check", attachments=[{
            "id": str(uuid.uuid4()), "sha256": self.photo_sha, "role": "photo",
            "filename": "p.jpg", "mime": "image/jpeg", "size": len(self.photo)}])]
        self.records += [record("check") for _ in range(2)]
        body = ins.batch(self.records)
        self.batch_id = json.loads(zlib.decompress(body))["batch_id"]
        assert client.post("/v1/batches", content=body, headers=ins.headers(body)).json()[
            "status"] == "applied"
        assert client.put(f"/v1/attachments/{self.photo_sha}", content=self.photo,
                          params={"offset": 0, "total": len(self.photo)},
                          headers=ins.headers()).json()["complete"]
        self.next_record = 1  # records[0] for decisions, the others handed over
        sup = self.devs["supervisor"]
        self.bulletin_id = self.post_bulletin(sup, AGENCY).json()["id"]

    def headers(self, caller: str) -> dict[str, str]:
        return self.devs[caller].headers() if caller in self.devs else {}

    def post_bulletin(self, dev, agency):
        b = bulletins.make(agency=agency, period_from="2026-11-01", period_to="2026-11-30",
                           items=[{"product": "电热水壶", "result": "conforming"}],
                           by="王科长", device_id=dev.device_id, key_id=dev.key_id)
        return self.client.post("/v1/bulletins", json=bulletins.sign(dev.key, b),
                                headers=dev.headers())

    def call(self, method: str, path: str, caller: str):
        c, h = self.client, self.headers(caller)
        dev = self.devs.get(caller) or self.devs["inspector"]
        if (method, path) == ("POST", "/v1/enroll"):
            code = service.new_enrolment(c.db, "新人", AGENCY)
            return c.post(path, json={"code": code, "device_id": str(uuid.uuid4()),
                                      "public_key": protocol.public_key_b64(
                                          Ed25519PrivateKey.generate())})
        if (method, path) == ("POST", "/v1/batches"):
            body = dev.batch([record("check")])
            return c.post(path, content=body, headers=h | ({"X-Signature": protocol.sign_batch(
                dev.key, body)} if h else {}))
        if (method, path) == ("GET", "/v1/receipts"):
            return c.get(path, headers=h)
        if (method, path) == ("POST", "/v1/import"):
            if self.batch_file is None:  # the same file each time: the same receipts
                ins = self.devs["inspector"]
                body = ins.batch([record("check")], seq=100)
                entry = protocol.FileBatch(json.loads(zlib.decompress(body))["batch_id"], 100,
                                           body, protocol.sign_batch(ins.key, body))
                self.batch_file = protocol.encode_file(ins.key, ins.device_id, ins.key_id,
                                                       [entry])
            return c.post(path, content=self.batch_file)
        if path == "/v1/attachments/missing":
            if method == "POST":
                return c.post(path, json={"sha256": ["0" * 64]}, headers=h)
            return c.get(path, headers=h)
        if path == "/v1/attachments/{sha256}/content":
            return c.get(f"/v1/attachments/{self.photo_sha}/content", headers=h)
        if path == "/v1/attachments/{sha256}":
            data = f"photo of {caller}".encode()
            sha = protocol.sha256_hex(data)
            if method == "GET":
                return c.get(f"/v1/attachments/{sha}", headers=h)
            return c.put(f"/v1/attachments/{sha}", params={"offset": 0, "total": len(data)},
                         content=data, headers=h)
        if (method, path) == ("POST", "/v1/handovers"):
            r = self.records[self.next_record]
            if caller == "inspector":
                self.next_record += 1
            return c.post(path, json={"kind": "check", "record_id": r.id,
                                      "to_device_id": self.colleague.device_id,
                                      "reason": "调岗"}, headers=h)
        if path == "/v1/batches/{batch_id}":
            return c.get(f"/v1/batches/{self.batch_id}", headers=h)
        if path == "/v1/decisions":
            r = self.records[0]
            env = signed_decision(dev, "check", r.id, r.version, r.sha256, "approve")
            return c.post(path, json=env, headers=h)
        if path == "/v1/bulletins":
            return self.post_bulletin(dev, AGENCY) if h else c.post(path, json={})
        if path.startswith("/bulletins/"):
            return c.get(path.replace("{bulletin_id}", self.bulletin_id))
        if method == "GET":
            return c.get(path, headers=h)
        raise AssertionError(f"no request made for {method} {path}")


def test_every_route_checks_the_callers_role(app_client):
    routes = app_routes(app_client.app)
    unknown = routes - set(EXPECTED)
    assert not unknown, f"routes without a role check in this test: {sorted(unknown)}"
    assert set(EXPECTED) <= routes, f"gone: {sorted(set(EXPECTED) - routes)}"
    world = World(app_client)
    got = {}
    for method, path in sorted(routes):
        # The inspector last: what it may do (a handover) changes what the others see.
        for caller in ("none", "supervisor", "other_supervisor", "inspector"):
            response = world.call(method, path, caller)
            got[(method, path, caller)] = response.status_code
            if response.status_code >= 400:
                detail = response.json()["detail"]
                assert isinstance(detail, str) and len(detail) > 10, (method, path, caller)
    wrong = {key: status for key, status in got.items()
             if status != EXPECTED[key[:2]][key[2]]}
    assert not wrong, f"unexpected statuses: {wrong}"


def test_role_refusals_say_why(app_client):
    world = World(app_client)
    sup, other = world.devs["supervisor"], world.devs["other_supervisor"]
    body = sup.batch([record("check")])
    refused = app_client.post("/v1/batches", content=body, headers=sup.headers(body))
    assert refused.status_code == 403 and "does not create records" in refused.json()["detail"]
    # A supervisor's batch file is refused the same way, without credentials.
    entry = protocol.FileBatch(json.loads(zlib.decompress(body))["batch_id"], 1, body,
                               protocol.sign_batch(sup.key, body))
    as_file = app_client.post("/v1/import", content=protocol.encode_file(
        sup.key, sup.device_id, sup.key_id, [entry]))
    assert as_file.status_code == 403 and "does not create records" in as_file.json()["detail"]
    ins = world.devs["inspector"]
    nope = app_client.get(f"/v1/batches/{world.batch_id}", headers=ins.headers())
    assert nope.status_code == 403 and "supervisor" in nope.json()["detail"]
    foreign = app_client.get(f"/v1/batches/{world.batch_id}", headers=other.headers())
    assert foreign.status_code == 403 and "another agency" in foreign.json()["detail"]
    r = world.records[0]
    env = signed_decision(other, "check", r.id, r.version, r.sha256, "approve")
    decided = app_client.post("/v1/decisions", json=env, headers=other.headers())
    assert decided.status_code == 403 and "another agency" in decided.json()["detail"]
    published = world.post_bulletin(other, AGENCY)
    assert published.status_code == 403 and "own agency" in published.json()["detail"]


def test_pull_gives_each_role_its_own(app_client):
    world = World(app_client)
    ins, sup, other = (world.devs[c] for c in ("inspector", "supervisor", "other_supervisor"))
    colleague = world.colleague
    body = colleague.batch([record("check")])
    app_client.post("/v1/batches", content=body, headers=colleague.headers(body))
    r = world.records[0]
    env = signed_decision(sup, "check", r.id, r.version, r.sha256, "return", "补拍照片")
    assert app_client.post("/v1/decisions", json=env, headers=sup.headers()).status_code == 200

    def changes(dev):
        page = app_client.get("/v1/pull", headers=dev.headers()).json()
        return page["changes"]

    def of_type(dev, kind):
        return [c["data"] for c in changes(dev) if c["type"] == kind]

    # The supervisor: every batch of its agency, in applied order, and the decision.
    batches = of_type(sup, "batch")
    assert [b["device_id"] for b in batches] == [ins.device_id, colleague.device_id]
    assert batches[0] == {"batch_id": world.batch_id, "device_id": ins.device_id, "seq": 1,
                          "records": 3, "body_sha256": batches[0]["body_sha256"]}
    assert of_type(sup, "decision") == [env]
    # The inspector: the decision on its own record, no batch, nothing of its colleague's.
    assert of_type(ins, "batch") == [] and of_type(ins, "decision") == [env]
    assert of_type(colleague, "decision") == [] and of_type(colleague, "batch") == []
    # Another agency's supervisor: none of this agency's batches or decisions.
    assert of_type(other, "batch") == [] and of_type(other, "decision") == []
    # Device keys name their inspector and role, for every device.
    keys = {k["device_id"]: k for k in of_type(ins, "device_key")}
    assert keys[sup.device_id]["role"] == "supervisor"
    assert keys[sup.device_id]["inspector"] == "王科长"
    assert keys[ins.device_id]["role"] == "inspector"
    # A supervisor enrolled after all this still gets every batch of the agency.
    late = enrol_fake(app_client.db, app_client, "新科长", role="supervisor", agency=AGENCY)
    assert [b["batch_id"] for b in of_type(late, "batch")] == [b["batch_id"] for b in batches]


def test_a_supervisor_fetches_a_batch_exactly_as_signed(app_client):
    world = World(app_client)
    sup = world.devs["supervisor"]
    got = app_client.get(f"/v1/batches/{world.batch_id}", headers=sup.headers())
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/octet-stream"
    ins = world.devs["inspector"]
    assert got.headers["X-Device-Id"] == ins.device_id and got.headers["X-Seq"] == "1"
    assert got.headers["X-Key-Id"] == ins.key_id
    # Verified on the supervisor's side with the same functions the server uses.
    protocol.verify_batch_signature(ins.key.public_key(), got.headers["X-Signature"],
                                    got.content)
    batch = protocol.decode_batch(got.content)
    assert [r.id for r in batch.records] == [r.id for r in world.records]
    assert app_client.get(f"/v1/batches/{uuid.uuid4()}",
                          headers=sup.headers()).status_code == 404
    assert app_client.get("/v1/batches/nonsense", headers=sup.headers()).status_code == 404
    # A batch after a gap waits: not in the feed, not fetched.
    waiting = ins.batch([record("check")], seq=5)
    app_client.post("/v1/batches", content=waiting, headers=ins.headers(waiting))
    wid = json.loads(zlib.decompress(waiting))["batch_id"]
    early = app_client.get(f"/v1/batches/{wid}", headers=sup.headers())
    assert early.status_code == 409 and "waits" in early.json()["detail"]


@pytest.mark.parametrize("role", ["inspector", "supervisor"])
def test_enrolment_answers_the_role(app_client, role):
    code = service.new_enrolment(app_client.db, "王科长", AGENCY, role)
    r = app_client.post("/v1/enroll", json={
        "code": code, "device_id": str(uuid.uuid4()),
        "public_key": protocol.public_key_b64(Ed25519PrivateKey.generate())})
    assert r.status_code == 200 and r.json()["role"] == role
    assert r.json()["agency"] == AGENCY


def test_attachment_download(app_client):
    """The photo of a record: its owner and its agency's supervisors get the bytes; a
    colleague of the same agency, until the record is handed to it, does not."""
    world = World(app_client)
    ins, sup, colleague = world.devs["inspector"], world.devs["supervisor"], world.colleague
    url = f"/v1/attachments/{world.photo_sha}/content"
    for dev in (ins, sup):
        got = app_client.get(url, headers=dev.headers())
        assert got.status_code == 200 and got.content == world.photo
    refused = app_client.get(url, headers=colleague.headers())
    assert refused.status_code == 403 and "may read" in refused.json()["detail"]
    # An attachment no record names, and a malformed name.
    assert app_client.get(f"/v1/attachments/{'1' * 64}/content",
                          headers=sup.headers()).status_code == 403
    assert app_client.get("/v1/attachments/nonsense/content",
                          headers=sup.headers()).status_code == 422
    r = world.records[0]
    moved = app_client.post("/v1/handovers", json={
        "kind": "check", "record_id": r.id, "to_device_id": colleague.device_id,
        "reason": "调岗"}, headers=ins.headers())
    assert moved.status_code == 200, moved.text
    assert app_client.get(url, headers=colleague.headers()).content == world.photo
    assert app_client.get(url, headers=ins.headers()).status_code == 403
    # The new owner was fed the record's current version, content and hash included.
    fed = [c["data"] for c in app_client.get("/v1/pull", headers=colleague.headers())
           .json()["changes"] if c["type"] == "record"]
    assert [(f["id"], f["version"], f["sha256"], f["device_id"]) for f in fed] == [
        (r.id, 1, r.sha256, ins.device_id)]
    assert protocol.sha256_hex(protocol.dumps(fed[0]["content"]).encode()) == r.sha256
