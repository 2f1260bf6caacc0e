"""One canonical JSON for the desktop app, the protocol and the server; hashes unchanged.

The expected hashes were computed with the three copies this function replaced
(`inspector_app.core.canonical.dumps`, `sync.protocol.dumps`, the encoder of
`inspector_app.core.demo.bulk`, and `seizure.documents.content_sha256`'s json.dumps),
which all agreed on these samples.
"""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app.core import canonical
from inspector_app.core.demo import bulk
from sync import canonical_json, protocol

ROOT = Path(__file__).resolve().parents[2]

SAMPLES = [
    {"kind": "check", "id": "0b6f1c1e-6a0e-4a53-9d4e-2b7f0b1f6a01", "version": 3,
     "product_name": "电热水壶", "brand": "美的", "checked_at": "2026-11-25T08:00:00.000000Z",
     "price": "12.50", "outcome": "conforming",
     "items": [{"item_key": "k1", "label": "中文标明产品名称", "result": "pass"},
               {"item_key": "k0", "label": "生产者名称和地址", "result": "fail", "note": "无地址"}],
     "attachments": [{"id": "a1", "sha256": "ab" * 32, "role": "photo", "filename": "照片.jpg",
                      "mime": "image/jpeg", "size": 300000}]},
    {"kind": "seizure", "id": "s1", "version": 1, "party_name": "𠮷祥日杂商行",
     "text": "line\nbreak\ttab \"quote\" back\\slash \u2028 sep \x7f del \x01 ctl é",
     "n": -2, "big": 2**53 + 1, "f": 0.1, "t": True, "no": False, "null": None, "empty": [],
     "nested": {"z": [1, 2, {"b": 1, "a": 2}], "a": {}}},
    {"b": [{"z": 1, "a": "𠮷\n\"x\\\u2028\x7f\x01"}, {"z": -2, "a": ""}],
     "a": None, "c": True, "f": False, "d": "12.5", "é": [], "kind": "check"},
    [], "", "纯文本", 0, 1.5e300,
]
OLD_HASHES = [
    "0285b0c991f22688267f0e20cf6daa8fb55de3d426d9e2cc92dfa1a2548f37e8",
    "54bfbe625a94d6acee6bdd10d8e4d07f2fe328efdb6a043bb8694526cca96795",
    "6b9fd12d26b4a1861db4e11c4692619ad1e1d228bf935fd535febd078b7e0356",
    "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
    "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
    "3f834ea6dae21a14ceb8847223429253890f72f049ff51ad17e7a901325f64f0",
    "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9",
    "ba5b9d007ed3bac3aed4e53fff4395ec6e034ab008e90969287e3b8860c31b12",
]


@pytest.mark.parametrize(("sample", "expected"), list(zip(SAMPLES, OLD_HASHES, strict=True)))
def test_hashes_are_those_of_the_old_copies(sample, expected):
    text = canonical_json.dumps(sample)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == expected
    assert canonical.sha256_text(canonical.dumps(sample)) == expected
    assert protocol.sha256_hex(protocol.canonical_bytes(sample)) == expected
    if isinstance(sample, dict):
        assert canonical.content_hash(sample) == expected
        assert protocol.content_sha256(sample) == expected


def test_batch_and_record_hashes_are_unchanged():
    rec = protocol.make_record("check", "r1", 2, {"kind": "check", "id": "r1", "version": 2,
                                                  "product_name": "电热水壶", "price": "12.50"})
    batch = protocol.Batch("11111111-2222-3333-4444-555555555555",
                           "66666666-7777-8888-9999-000000000000", "0123456789abcdef", 7,
                           "2026-11-25T08:00:00.000000Z", [rec])
    assert rec.sha256 == "33c06bd96ec2bebe4692c514f9d30a1550c1623750f45b258df0ab35950e0536"
    assert hashlib.sha256(protocol.canonical_bytes(batch.as_dict())).hexdigest() == \
        "5fe695ace1504df807dc9998e811b3f7afe25035552cf1c7cbf9f8a21e90ec39"
    # History content that is not canonical text is hashed in its canonical form.
    text = protocol.make_record("check", "r1", 1, '{"version":1, "kind":"check","id":"r1"}')
    assert text.sha256 == "e078b76bc3741a7e7a5524ef17ae0b8b6e3fa6710593ae85f673f5b968990d65"


def test_there_is_one_implementation():
    assert canonical.dumps is canonical_json.dumps
    assert protocol.dumps is canonical_json.dumps
    assert canonical.content_hash is canonical_json.content_hash
    assert not hasattr(bulk, "_ENCODER")
    # No other json.dumps(..., sort_keys=True, separators=(",", ":")) in the shipped code.
    copies = []
    for folder in ("inspector_app", "sync"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in ("dumps", "JSONEncoder"):
                    keys = {k.arg for k in node.keywords}
                    if {"sort_keys", "separators"} <= keys:
                        copies.append(str(path.relative_to(ROOT)))
    assert copies == ["sync/canonical_json.py"], copies


def test_the_server_side_imports_neither_qt_nor_the_desktop_app():
    code = ("import sys\n"
            "import sync.server.app, sync.server.cli, sync.protocol, sync.canonical_json\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'inspector_app'))]\n"
            "print(bad)\n"
            "sys.exit(1 if bad else 0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
