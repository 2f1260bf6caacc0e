"""Helpers of the sync tests: a server thread, hand-made devices, real client stores."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class ServerThread:
    """The real server (uvicorn) on a loopback port, in a thread of the test process."""

    def __init__(self, data_dir: Path, url: str, **config):
        import uvicorn

        from sync.server.app import ServerConfig, create_app

        self.data_dir = data_dir
        self.config = ServerConfig(data_dir=data_dir, database_url=url, **config)
        self.app = create_app(self.config)
        self.db = self.app.state.db
        ucfg = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="error",
                              access_log=False, proxy_headers=False)
        self.server = uvicorn.Server(ucfg)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, ssl: dict | None = None) -> ServerThread:
        if ssl:
            for k, v in ssl.items():
                setattr(self.server.config, k, v)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        scheme = "https" if ssl else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.db.dispose()


# --- a device made by hand (server tests) ------------------------------------------------


@dataclass
class FakeDevice:
    device_id: str
    key: object
    credential: str
    seq: int = 0

    @property
    def key_id(self) -> str:
        from sync import protocol

        return protocol.key_id_of(protocol.public_key_b64(self.key))

    def headers(self, body: bytes | None = None, key=None) -> dict[str, str]:
        from sync import protocol

        h = {"X-Device-Id": self.device_id, "Authorization": f"Bearer {self.credential}"}
        if body is not None:
            h["X-Signature"] = protocol.sign_batch(key or self.key, body)
            h["Content-Type"] = "application/octet-stream"
        return h

    def batch(self, records, seq: int | None = None, batch_id: str | None = None):
        from sync import protocol

        if seq is None:
            self.seq += 1
            seq = self.seq
        b = protocol.Batch(batch_id or str(uuid.uuid4()), self.device_id, self.key_id, seq,
                           protocol.utc_now_text(), records)
        return protocol.encode_batch(b)


CHECK_OFFICERS = [
    {"position": 1, "inspector_id": "11111111-1111-4111-8111-111111111111", "name": "张三",
     "cert_no": "32010001"},
    {"position": 2, "inspector_id": "22222222-2222-4222-8222-222222222222", "name": "李四",
     "cert_no": "32010002"}]
FAILED_ITEM = {"position": 1, "item_key": "cert", "label": "产品质量检验合格证明",
               "legal_basis": "产品质量法第二十七条", "result": "fail", "note": "无合格证"}


def record(kind: str = "check", rid: str | None = None, version: int = 1,
           base: int | None = None, **fields):
    """A record version whose content is valid for the record schema (`fields` override)."""
    from sync import protocol

    rid = rid or str(uuid.uuid4())
    content = valid_content(kind) | {"id": rid, "version": version}
    if kind == "check":  # a final conforming check, as the check rules allow one
        content |= {"product_name": "电热水壶", "outcome": "conforming", "measure": "",
                    "officers": CHECK_OFFICERS}
    if kind == "seizure":  # a draft, as the seizure rules allow one (record_rules)
        content |= {"state": "draft", "term_days": 30}
    return protocol.make_record(kind, rid, version, content | fields, base)


def valid_content(kind: str) -> dict:
    """The required fields of `kind`, each with a value its schema accepts."""
    from sync.server import validation

    defs = validation.schema()["$defs"]

    def value(node: dict):
        while "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[1]]
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return node["enum"][-1]
        if node.get("type") == "integer":
            return node.get("minimum", 0)
        if node.get("type") == "boolean":
            return False
        pattern = node.get("pattern", "")
        if "[0-9a-f]{8}-" in pattern:
            return "00000000-0000-4000-8000-000000000000"
        if "T[0-9]{2}" in pattern:
            return "2026-11-25T08:00:00.000000Z"
        if pattern.startswith("^[0-9]{4}-"):
            return "2026-11-25"
        if pattern.startswith("^-?(0|"):
            return "0"
        if "[0-9a-f]{64}" in pattern:
            return "0" * 64
        if pattern:
            return "a"
        return ""

    schema = defs[kind]
    return {name: value(schema["properties"][name]) for name in schema["required"]}


def enrol_fake(db, client=None, inspector: str = "张三", *, role: str = "inspector",
               agency: str = "") -> FakeDevice:
    """Enrol a hand-made device: through the API when `client` is given."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sync import protocol
    from sync.server import service

    code = service.new_enrolment(db, inspector, agency, role)
    key = Ed25519PrivateKey.generate()
    device_id = str(uuid.uuid4())
    if client is not None:
        r = client.post("/v1/enroll", json={"code": code, "device_id": device_id,
                                            "public_key": protocol.public_key_b64(key)})
        assert r.status_code == 200, r.text
        credential = r.json()["credential"]
    else:
        credential = service.enrol(db, code, device_id, protocol.public_key_b64(key)).credential
    return FakeDevice(device_id, key, credential)


def signed_decision(dev: FakeDevice, kind: str, record_id: str, version: int, sha256: str,
                    action: str, text: str = "", by: str = "王科长", **extra) -> dict:
    """A decision envelope signed by a hand-made (supervisor's) device."""
    from sync import decisions

    return decisions.sign(dev.key, decisions.make(
        kind=kind, record_id=record_id, version=version, sha256=sha256, action=action,
        text=text, by=by, device_id=dev.device_id, key_id=dev.key_id, **extra))


def legacy_review(db, kind: str, record_id: str, decision: str, note: str = "",
                  reviewer: str = "") -> None:
    """An unsigned review as the server's admin command made them before signed decisions
    (its row and feed entry): devices still pull those."""
    from sync.server import service
    from sync.server.models import CurrentRecord, Review, utcnow

    with db.write() as session:
        cur = session.get(CurrentRecord, (kind, record_id))
        review = Review(id=str(uuid.uuid4()), kind=kind, record_id=record_id,
                        version=cur.version, decision=decision, note=note, reviewer=reviewer,
                        decided_at=utcnow())
        session.add(review)
        service.add_feed(session, cur.owner_device_id, "review", {
            "id": review.id, "kind": kind, "record_id": record_id, "version": cur.version,
            "decision": decision, "note": note, "reviewer": reviewer,
            "decided_at": service.protocol_time(review.decided_at)})


# --- a real client store ---------------------------------------------------------------


class ClientDevice:
    """An Inspector store with an inspector signed in, and helpers to make records."""

    def __init__(self, path: Path):
        from inspector_app.core import auth, records, settings
        from inspector_app.core.store import Store

        self.path = path
        self.store = Store(path)
        with self.store.write() as session:
            inspector = auth.first_setup(
                session, "示例市市场监督管理局", "示例",
                auth.NewInspector("张三", "zhang", "demo1234", "32010001", "supervisor"))
            self.actor = records.Actor(settings.device_id(session), inspector.id)
            self.device_id = self.actor.device_id

    def add_checks(self, n: int, prefix: str = "电热水壶") -> list[str]:
        from inspector_app.core import records
        from inspector_app.core.models import LabelCheck

        ids = []
        now = datetime.now(UTC)
        with self.store.write() as session:
            for i in range(n):
                obj = LabelCheck(checked_at=now, product_name=f"{prefix}{i}", brand="美的",
                                 category="家用电器")
                records.create(session, obj, self.actor, now=now)
                ids.append(obj.id)
        return ids

    def edit_check(self, record_id: str, **changes) -> int:
        return self.edit_checks([record_id], **changes)[0]

    def edit_checks(self, record_ids: list[str], **changes) -> list[int]:
        """A new version of each record, all in one transaction."""
        from inspector_app.core import records
        from inspector_app.core.models import LabelCheck

        versions = []
        with self.store.write() as session:
            for record_id in record_ids:
                obj = session.get(LabelCheck, record_id)
                for k, v in changes.items():
                    setattr(obj, k, v)
                records.update(session, obj, self.actor, expected_version=obj.version)
                versions.append(obj.version)
        return versions

    def attach(self, record_id: str, data: bytes, role: str = "photo") -> str:
        from inspector_app.core import attachments
        from inspector_app.core.models import LabelCheck

        with self.store.write() as session:
            obj = session.get(LabelCheck, record_id)
            att = attachments.attach(self.store, session, obj, self.actor, data, role,
                                     "photo.jpg", "image/jpeg")
            return att.sha256

    def enroll(self, server: ServerThread, **kw) -> dict:
        from inspector_app.core.sync import agent
        from sync.server import service

        code = service.new_enrolment(server.db, "张三")
        return agent.enroll(self.store, server.url, code, **kw)

    def pending(self) -> int:
        from inspector_app.core import queries

        with self.store.read() as session:
            return queries.pending_sync(session)

    def versions(self) -> set[tuple[str, str, int, str]]:
        """(kind, id, version, sha256) of every version this store made."""
        from sqlalchemy import select

        from inspector_app.core import canonical
        from inspector_app.core.models import History

        with self.store.read() as session:
            return {(h.kind, h.record_id, h.version, canonical.sha256_text(h.content))
                    for h in session.scalars(select(History))}

    def close(self) -> None:
        self.store.close()


def server_versions(db, device_id: str | None = None) -> list[tuple[str, str, int, str]]:
    from sqlalchemy import select

    from sync.server.models import RecordVersion

    with db.read() as session:
        q = select(RecordVersion.kind, RecordVersion.record_id, RecordVersion.version,
                   RecordVersion.content_sha256)
        if device_id:
            q = q.where(RecordVersion.device_id == device_id)
        return [tuple(r) for r in session.execute(q)]


def fast_options(**kw):
    from inspector_app.core.sync.agent import Options

    return Options(**({"attempts": 4, "backoff_base": 0.01, "backoff_cap": 0.05,
                       "timeout": 10.0} | kw))




def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and a server certificate for 127.0.0.1 it signed: (ca, cert, key)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Inspector test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                 x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_path, cert_path, key_path
