"""Canonical JSON: the one rule for the text that is hashed and signed.

The desktop app's audit trail (History content, `inspector_app.core.canonical`), the sync
protocol (batches, batch files) and the central server all use `dumps` from here, so a
record hashes the same on every device and on the server. Keys sorted, no insignificant
whitespace, non-ASCII kept as is (UTF-8 when encoded). Changing this changes every hash.

This module imports nothing but the standard library: the server may import it without
the desktop app, and the desktop app without the server.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# One encoder made once: json.dumps with these arguments would make one per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            check_circular=False)


def dumps(data: Any) -> str:
    """Canonical JSON text of `data` (plain JSON values; never circular)."""
    return _ENCODER.encode(data)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(data: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of `data`, UTF-8 encoded."""
    return sha256_text(dumps(data))
