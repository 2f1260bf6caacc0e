"""Attachment uploads on SQLite and PostgreSQL: staged per device, abandoned halves expire,
a per-device quota."""

from __future__ import annotations

import os
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from synchelpers import enrol_fake

from sync import protocol
from sync.server import blobs as blobs_module
from sync.server.app import ServerConfig, create_app
from sync.server.models import Blob

DATA = bytes(range(256)) * 400  # 102,400 bytes
SHA = protocol.sha256_hex(DATA)


@pytest.fixture
def make_client(tmp_path, database_url):
    made = []

    def make(**config) -> TestClient:
        data_dir = tmp_path / "server"
        data_dir.mkdir(exist_ok=True)
        app = create_app(ServerConfig(data_dir=data_dir, database_url=database_url, **config))
        client = TestClient(app).__enter__()
        client.db, client.blobs = app.state.db, app.state.blobs
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)
        client.db.dispose()


def _put(client, dev, data: bytes, offset: int = 0, total: int | None = None,
         sha: str = SHA):
    return client.put(f"/v1/attachments/{sha}", content=data, headers=dev.headers(),
                      params={"offset": offset, "total": len(DATA) if total is None else total})


def _offset(client, dev, sha: str = SHA) -> int:
    return client.get(f"/v1/attachments/{sha}", headers=dev.headers()).json()["offset"]


def _blob_rows(client) -> dict[str, str | None]:
    with client.db.read() as session:
        return dict(session.execute(select(Blob.sha256, Blob.device_id)).all())


def test_a_wrong_upload_by_one_device_does_not_block_another(make_client):
    client = make_client()
    a, b = enrol_fake(client.db, client, "张三"), enrol_fake(client.db, client, "李四")
    # A: wrong bytes of the right length (thrown away), then an abandoned half.
    wrong = _put(client, a, b"x" * len(DATA))
    assert wrong.status_code == 422 and "hash" in wrong.json()["detail"]
    assert _put(client, a, DATA[:50_000]).json() == {"sha256": SHA, "offset": 50_000,
                                                      "complete": False}
    # B sees only its own progress, and A's upload still in progress (its lock held by a
    # request that has not ended) does not make B wait.
    assert client.post("/v1/attachments/missing", json={"sha256": [SHA]},
                       headers=b.headers()).json() == {"missing": [{"sha256": SHA,
                                                                    "offset": 0}]}
    held = client.blobs.begin(SHA, a.device_id, 50_000, len(DATA), lambda staged: 1 << 40)
    try:
        assert _put(client, b, DATA[:30_000]).json()["offset"] == 30_000
        # B's own wrong bytes are thrown away; A's half is untouched.
        bad = _put(client, b, b"y" * (len(DATA) - 30_000), offset=30_000)
        assert bad.status_code == 422
        assert _offset(client, b) == 0 and _offset(client, a) == 50_000
        done = _put(client, b, DATA)
        assert done.status_code == 200 and done.json()["complete"]
    finally:
        held.close()
    path = client.blobs.path(SHA)
    assert path.read_bytes() == DATA
    assert _blob_rows(client) == {SHA: b.device_id}
    # For A, the attachment is now complete: nothing more to send.
    assert _put(client, a, DATA[50_000:], offset=50_000).json()["complete"]
    assert client.post("/v1/attachments/missing", json={"sha256": [SHA]},
                       headers=a.headers()).json() == {"missing": []}


def test_abandoned_partial_uploads_expire(make_client):
    client = make_client(partial_max_age=3600)
    a, b = enrol_fake(client.db, client, "张三"), enrol_fake(client.db, client, "李四")
    assert _put(client, a, DATA[:40_000]).json()["offset"] == 40_000
    part = client.blobs.partial(SHA, a.device_id)
    assert part.stat().st_size == 40_000
    # Two hours later (an old modification time): the half reads as empty...
    old = time.time() - 7200
    os.utime(part, (old, old))
    assert _offset(client, a) == 0
    # ...and the next upload, by any device, sweeps it away (the sweep runs at upload
    # time, at most every SWEEP_EVERY seconds: the clock is moved on past that).
    real = client.blobs.clock
    client.blobs.clock = lambda: real() + blobs_module.SWEEP_EVERY + 1
    other = b"another photo"
    r = _put(client, b, other, total=len(other), sha=protocol.sha256_hex(other))
    assert r.json()["complete"]
    assert not part.exists()
    # A resuming at its old offset is told to start again; then it completes.
    again = _put(client, a, DATA[40_000:], offset=40_000)
    assert again.status_code == 409 and again.json()["offset"] == 0
    assert _put(client, a, DATA).json()["complete"]


def test_a_recent_partial_upload_is_kept_by_the_sweep(make_client):
    client = make_client(partial_max_age=3600)
    a = enrol_fake(client.db, client)
    _put(client, a, DATA[:10_000])
    assert client.blobs.sweep(force=True) == 0
    assert _offset(client, a) == 10_000


def test_per_device_attachment_quota(make_client):
    client = make_client(attachment_quota=150_000)
    a, b = enrol_fake(client.db, client, "张三"), enrol_fake(client.db, client, "李四")
    assert _put(client, a, DATA).json()["complete"]  # 102,400 of 150,000
    big = os.urandom(60_000)
    big_sha = protocol.sha256_hex(big)
    over = _put(client, a, big, total=len(big), sha=big_sha)
    assert over.status_code == 413 and "quota" in over.json()["detail"]
    assert not client.blobs.partial(big_sha, a.device_id).exists()
    assert not client.blobs.has(big_sha) and big_sha not in _blob_rows(client)
    # Unfinished uploads count too: with 40,000 bytes sent of a 45,000 one, 7,600 remain.
    mid = os.urandom(45_000)
    mid_sha = protocol.sha256_hex(mid)
    assert _put(client, a, mid[:40_000], total=len(mid), sha=mid_sha).json()["offset"] == \
        40_000
    small = os.urandom(8_000)
    refused = _put(client, a, small, total=len(small), sha=protocol.sha256_hex(small))
    assert refused.status_code == 413
    assert _put(client, a, mid[40_000:], offset=40_000, total=len(mid),
                sha=mid_sha).json()["complete"]
    # The quota is per device: B may store its own, and an attachment A stored already
    # costs B nothing.
    assert _put(client, b, big, total=len(big), sha=big_sha).json()["complete"]
    assert _put(client, b, DATA).json()["complete"]
    assert _blob_rows(client) == {SHA: a.device_id, mid_sha: a.device_id,
                                  big_sha: b.device_id}
