"""parties made before 0008 get a new version whose content names their type

Before 0008 a party's enterprise/individual column was hidden behind the entity kind in
its canonical content, so the audit trail hashed parties without their type. Since 0008
the type is part of the content, and such a party no longer matched its last audit entry
("changed outside the app"). Its old versions stay as they are; this adds the next
version, with the type, recorded in the history and the audit chain (action "migrate").

The new version is the same on every device: it keeps the party's own device and times,
so a copy pulled from another device gets exactly the version its owner makes. Only the
owner queues it for sync (the server takes a record's versions from its owner alone).

Only a party whose row still matches its last recorded version is given one: a party
really changed outside the app is left for `inspector audit verify` to report.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import json
from datetime import UTC, datetime

from alembic import op

from inspector_app.core.audit import GENESIS, entry_hash
from sync.canonical_json import dumps, sha256_text

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TEXT = ("name", "credit_code", "licence_name", "address", "legal_rep", "id_number", "phone")


def upgrade() -> None:
    conn = op.get_bind()
    row = conn.exec_driver_sql("SELECT value FROM settings WHERE key = 'device_id'").first()
    device = json.loads(row[0]) if row else None
    now = datetime.now(UTC)
    at_text = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # canonical.plain
    stored_at = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # how the models store a UTC time
    parties = conn.exec_driver_sql(
        "SELECT id, version, party_type, device_id, " + ", ".join(_TEXT) +
        " FROM parties ORDER BY created_at, id").all()
    for party in parties:
        record_id, version, party_type, party_device = party[0], party[1], party[2], party[3]
        texts = dict(zip(_TEXT, party[4:], strict=True))
        last = conn.exec_driver_sql(
            "SELECT h.content, a.content_sha256 FROM history h JOIN audit_log a ON "
            "a.kind = h.kind AND a.record_id = h.record_id AND a.version = h.version "
            "WHERE h.kind = 'party' AND h.record_id = ? AND h.version = ? "
            "ORDER BY a.seq DESC LIMIT 1", (record_id, version)).first()
        if last is None or sha256_text(last[0]) != last[1]:
            continue
        content = json.loads(last[0])
        if "party_type" in content or not party_type or \
                any(content.get(k) != v for k, v in texts.items() if v is not None):
            continue
        content.update(party_type=party_type, version=version + 1)
        text = dumps(content)
        digest = sha256_text(text)
        tail = conn.exec_driver_sql(
            "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").first()
        seq, head = (tail[0], tail[1]) if tail else (0, GENESIS)
        by = device or party_device
        new_hash = entry_hash(head, seq + 1, at_text, "party", record_id, version + 1,
                              "migrate", by, None, digest)
        conn.exec_driver_sql(
            "UPDATE parties SET version = ? WHERE id = ?",
            (version + 1, record_id))
        conn.exec_driver_sql(
            "INSERT INTO history (kind, record_id, version, content) VALUES ('party', ?, ?, ?)",
            (record_id, version + 1, text))
        conn.exec_driver_sql(
            "INSERT INTO audit_log (seq, at, kind, record_id, version, action, device_id, "
            "author_id, content_sha256, prev_hash, entry_hash) "
            "VALUES (?, ?, 'party', ?, ?, 'migrate', ?, NULL, ?, ?, ?)",
            (seq + 1, stored_at, record_id, version + 1, by, digest, head, new_hash))
        if party_device and party_device != device:
            continue
        conn.exec_driver_sql(
            "INSERT INTO outbox (kind, record_id, version, created_at) VALUES ('party', ?, ?, ?)",
            (record_id, version + 1, stored_at))


def downgrade() -> None:
    pass  # versions are never taken back: the records keep them
