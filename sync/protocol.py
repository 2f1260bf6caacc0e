"""The sync protocol shared by the desktop client and the central server.

A **batch** is one device's bounded list of record versions, in its per-device sequence:

    {"v": 1, "type": "batch", "batch_id": UUID, "device_id": UUID, "key_id": hex16,
     "seq": n (1, 2, 3 ... per device), "created_at": ISO-8601 UTC,
     "records": [{"kind": "check", "id": UUID, "version": 3, "base": 2,
                  "sha256": hex64 of the canonical content, "content": {...}}, ...]}

It travels as canonical JSON (sorted keys, no whitespace, UTF-8), compressed with zlib; the
device signs the compressed bytes with its Ed25519 key (`signing_input`), so the server
keeps and re-verifies exactly the bytes that were signed. Over HTTP the body is the
compressed bytes and the signature goes in the `X-Signature` header (base64url).

A **batch file** (for a USB stick, when there is no network) holds several such batches
and is signed as a whole by the same device key:

    {"format": "inspector-batches", "v": 1, "manifest": {...}, "sig": base64url}

where the manifest names the device, its key and each batch's body (base64) and signature.

A **receipt** is what the server answers for a batch; the same batch sent again gets the
same receipt. Nothing here imports the desktop app or the server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from sync import versions
from sync.canonical_json import dumps  # the one canonical JSON (protocol.dumps to callers)

VERSION = 1
BATCH_DOMAIN = b"INSPECTOR-BATCH-1\x00"
FILE_DOMAIN = b"INSPECTOR-BATCH-FILE-1\x00"
FILE_FORMAT = "inspector-batches"

# Bounds. The client keeps each batch well inside them; the server refuses anything above.
# Every limit is checked before the JSON is parsed, so that parsing costs at most about
# MAX_JSON_BYTES plus ~100 bytes per token of memory (Python objects are ~25x bigger than
# the JSON text of `[{},{},...]`). The client cuts batches at 4 MiB of content.
MAX_RECORDS_PER_BATCH = 1000
MAX_BODY_BYTES = 8 * 1024 * 1024  # compressed, as sent
MAX_JSON_BYTES = 8 * 1024 * 1024  # decompressed (a zip bomb stops inflating here)
MAX_JSON_TOKENS = 1_000_000  # JSON values and keys in one batch (see `json_tokens`)
MAX_RECORD_BYTES = 1024 * 1024  # canonical content of one record version
MAX_FILE_BYTES = 512 * 1024 * 1024  # a batch file read from disk by the operator
MAX_FILE_TOKENS = 200_000  # a file is a manifest of base64 bodies: few tokens per batch
MAX_INT = 2**31 - 1  # sequence numbers, versions, cursors: a 32-bit database integer

KIND_RE = re.compile(r"^[a-z][a-z_]{0,15}$")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")
ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,36}$")


class ProtocolError(ValueError):
    """A batch, file or message that does not follow the protocol (an HTTP 4xx)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# --- canonical JSON, hashes, encodings -------------------------------------------------


def canonical_bytes(data: Any) -> bytes:
    return dumps(data).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_sha256(content: dict[str, Any]) -> str:
    return sha256_hex(canonical_bytes(content))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    if not isinstance(text, str) or len(text) > 2 * MAX_FILE_BYTES:
        raise ProtocolError("bad base64 value")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ProtocolError("bad base64 value") from exc


def utc_now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return b64e(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def key_id_of(public_b64: str) -> str:
    return hashlib.sha256(load_public_key(public_b64).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)).hexdigest()[:16]


def load_public_key(text: str) -> Ed25519PublicKey:
    raw = b64d(text)
    if len(raw) != 32:
        raise ProtocolError("a public key is 32 bytes (Ed25519, base64url)")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise ProtocolError("not an Ed25519 public key") from exc


def is_uuid(text: Any) -> bool:
    if not isinstance(text, str) or len(text) != 36:
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


# --- batches ---------------------------------------------------------------------------


@dataclass
class Record:
    kind: str
    id: str
    version: int
    base: int
    sha256: str
    content: dict[str, Any]
    size: int = 0  # bytes of canonical content (set when decoded)
    text: str = ""  # the canonical content itself (set when decoded)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "version": self.version, "base": self.base,
                "sha256": self.sha256, "content": self.content}


@dataclass
class Batch:
    batch_id: str
    device_id: str
    key_id: str
    seq: int
    created_at: str
    records: list[Record] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"v": VERSION, "type": "batch", "batch_id": self.batch_id,
                "device_id": self.device_id, "key_id": self.key_id, "seq": self.seq,
                "created_at": self.created_at,
                "records": [r.as_dict() for r in self.records]}


def make_record(kind: str, record_id: str, version: int, content: dict[str, Any] | str,
                base: int | None = None) -> Record:
    """A record version for a batch; `content` may be canonical JSON text (History.content)."""
    if isinstance(content, str):
        text = content
        content = json.loads(content)
        digest = sha256_hex(text.encode("utf-8"))
        if dumps(content) != text:  # not canonical after all: hash the canonical form
            digest = content_sha256(content)
    else:
        digest = content_sha256(content)
    return Record(kind, record_id, version, versions.base_of(version) if base is None
                  else base, digest, content)


def encode_batch(batch: Batch) -> bytes:
    """The compressed canonical bytes of a batch (what is signed, sent and stored)."""
    return zlib.compress(canonical_bytes(batch.as_dict()), 6)


def signing_input(body: bytes) -> bytes:
    return BATCH_DOMAIN + body


def sign_batch(key: Ed25519PrivateKey, body: bytes) -> str:
    return b64e(key.sign(signing_input(body)))


def verify_signature(public: Ed25519PublicKey, signature_b64: str, message: bytes) -> None:
    try:
        signature = b64d(signature_b64)
    except ProtocolError as exc:
        raise ProtocolError("the signature is not valid base64url", 401) from exc
    if len(signature) != 64:
        raise ProtocolError("an Ed25519 signature is 64 bytes", 401)
    try:
        public.verify(signature, message)
    except InvalidSignature as exc:
        raise ProtocolError("the signature does not verify with the device's key", 401) from exc


def verify_batch_signature(public: Ed25519PublicKey, signature_b64: str, body: bytes) -> None:
    verify_signature(public, signature_b64, signing_input(body))


def decompress(body: bytes, limit: int = MAX_JSON_BYTES) -> bytes:
    """zlib-inflate `body`, refusing more than `limit` bytes of output."""
    try:
        inflater = zlib.decompressobj()
        out = inflater.decompress(body, limit)
        if inflater.unconsumed_tail:
            raise ProtocolError("the batch is larger than allowed once decompressed", 413)
        if not inflater.eof:
            raise ProtocolError("the batch is truncated (incomplete zlib stream)")
        if inflater.unused_data:
            raise ProtocolError("unexpected bytes after the compressed batch")
    except zlib.error as exc:
        raise ProtocolError("the batch is not zlib-compressed data") from exc
    return out


def _int(value: Any, name: str, low: int = 0, high: int = MAX_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProtocolError(f"{name} must be an integer in [{low}, {high}]")
    return value


def json_tokens(raw: bytes) -> int:
    """An upper bound of the keys and values in the JSON text `raw` (each but the first
    follows one of `{[,:`), counted at C speed without parsing it."""
    return raw.count(b",") + raw.count(b":") + raw.count(b"{") + raw.count(b"[") + 1


# Text no record holds: C0 controls but tab, newline and return; DEL and C1 controls;
# lone surrogates; the non-characters U+FFFE and U+FFFF.
BAD_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same, escaped in JSON text: a quick filter (an escaped backslash before "u0000", or
# a valid escaped surrogate pair, also matches; the decoded strings decide).
_BAD_ESCAPE_RE = re.compile(rb"\\u(?:00[01]|007[fF]|00[89]|[dD][89a-fA-F]|[fF]{3}[eEfF])")


def parse_json(raw: bytes, max_tokens: int, what: str = "the batch") -> Any:
    """Parse UTF-8 JSON text within a token budget; bad text is refused with a reason."""
    if json_tokens(raw) > max_tokens:
        raise ProtocolError(f"{what} holds too many JSON values (at most {max_tokens})", 413)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{what} is not valid UTF-8 text") from exc
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"{what} is not valid JSON") from exc
    if BAD_TEXT_RE.search(text) or _BAD_ESCAPE_RE.search(raw):
        where = bad_text_path(data)
        if where is not None:
            raise ProtocolError(f"{what} holds a NUL, control character or lone surrogate "
                                f"at {where or 'its top level'}")
    return data


def bad_text_path(node: Any, path: str = "") -> str | None:
    """The path of the first key or string holding bad text (BAD_TEXT_RE), or None."""
    if isinstance(node, str):
        return path if BAD_TEXT_RE.search(node) else None
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if BAD_TEXT_RE.search(key):
                return here
            found = bad_text_path(value, here)
            if found is not None:
                return found
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found = bad_text_path(value, f"{path}[{n}]")
            if found is not None:
                return found
    return None


def decode_batch(body: bytes, verify_content: bool = True) -> Batch:
    """Parse and validate a batch body (signature checked separately)."""
    if len(body) > MAX_BODY_BYTES:
        raise ProtocolError("the batch is larger than allowed", 413)
    data = parse_json(decompress(body), MAX_JSON_TOKENS)
    if not isinstance(data, dict):
        raise ProtocolError("a batch is a JSON object")
    if data.get("v") != VERSION or data.get("type") != "batch":
        raise ProtocolError(f"unsupported batch format (expected v={VERSION}, type=batch)")
    for name in ("batch_id", "device_id"):
        if not is_uuid(data.get(name)):
            raise ProtocolError(f"{name} must be a UUID")
    if not isinstance(data.get("key_id"), str) or not KEY_ID_RE.match(data["key_id"]):
        raise ProtocolError("key_id must be 16 hex digits")
    seq = _int(data.get("seq"), "seq", 1)
    created = data.get("created_at")
    if not isinstance(created, str) or len(created) > 40:
        raise ProtocolError("created_at must be a time")
    items = data.get("records")
    if not isinstance(items, list):
        raise ProtocolError("records must be a list")
    if len(items) > MAX_RECORDS_PER_BATCH:
        raise ProtocolError(f"a batch holds at most {MAX_RECORDS_PER_BATCH} records", 413)
    records = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise ProtocolError(f"record {n} is not an object")
        kind, rid, content = item.get("kind"), item.get("id"), item.get("content")
        if not isinstance(kind, str) or not KIND_RE.match(kind):
            raise ProtocolError(f"record {n}: bad kind")
        if not isinstance(rid, str) or not ID_RE.match(rid):
            raise ProtocolError(f"record {n}: bad id")
        version = _int(item.get("version"), f"record {n}: version", 1)
        base = _int(item.get("base"), f"record {n}: base", 0)
        if base >= version:
            raise ProtocolError(f"record {n}: base must be lower than version")
        sha = item.get("sha256")
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise ProtocolError(f"record {n}: sha256 must be 64 hex digits")
        if not isinstance(content, dict):
            raise ProtocolError(f"record {n}: content must be an object")
        if content.get("id", rid) != rid or content.get("version", version) != version or \
                content.get("kind", kind) != kind:
            raise ProtocolError(f"record {n}: content does not match its kind, id or version")
        try:
            text = dumps(content)
            canonical = text.encode("utf-8")
        except UnicodeError as exc:  # e.g. a lone surrogate escaped in the JSON
            raise ProtocolError(f"record {n}: content is not valid Unicode") from exc
        if len(canonical) > MAX_RECORD_BYTES:
            raise ProtocolError(f"record {n}: content is larger than allowed "
                                f"({MAX_RECORD_BYTES} bytes)", 413)
        if verify_content and sha256_hex(canonical) != sha:
            raise ProtocolError(f"record {n}: content does not match its sha256")
        records.append(Record(kind, rid, version, base, sha, content, len(canonical),
                              text))
    return Batch(data["batch_id"], data["device_id"], data["key_id"], seq, created, records)


# --- batch files -----------------------------------------------------------------------


@dataclass
class FileBatch:
    batch_id: str
    seq: int
    body: bytes
    signature: str


def encode_file(key: Ed25519PrivateKey, device_id: str, key_id: str,
                batches: list[FileBatch]) -> bytes:
    manifest = {
        "device_id": device_id, "key_id": key_id, "created_at": utc_now_text(),
        "batches": [{"batch_id": b.batch_id, "seq": b.seq, "body": b64e(b.body),
                     "sig": b.signature, "sha256": sha256_hex(b.body)} for b in batches],
    }
    sig = b64e(key.sign(FILE_DOMAIN + canonical_bytes(manifest)))
    return canonical_bytes({"format": FILE_FORMAT, "v": VERSION, "manifest": manifest,
                            "sig": sig})


@dataclass
class BatchFile:
    device_id: str
    key_id: str
    batches: list[FileBatch]
    manifest: dict[str, Any]
    signature: str


def decode_file(data: bytes, limit: int = MAX_FILE_BYTES) -> BatchFile:
    """Parse a batch file (its signature is checked by `verify_file`)."""
    if len(data) > limit:
        raise ProtocolError("the batch file is larger than allowed", 413)
    if not data.lstrip()[:1] == b"{":
        raise ProtocolError("not an Inspector batch file (not JSON)")
    doc = parse_json(data, MAX_FILE_TOKENS, "the batch file")
    if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
        raise ProtocolError("not an Inspector batch file")
    if doc.get("v") != VERSION:
        raise ProtocolError(f"unsupported batch file version (expected {VERSION})")
    manifest, sig = doc.get("manifest"), doc.get("sig")
    if not isinstance(manifest, dict) or not isinstance(sig, str):
        raise ProtocolError("the batch file has no manifest or signature")
    if not is_uuid(manifest.get("device_id")):
        raise ProtocolError("device_id must be a UUID")
    if not isinstance(manifest.get("key_id"), str) or not KEY_ID_RE.match(manifest["key_id"]):
        raise ProtocolError("key_id must be 16 hex digits")
    entries = manifest.get("batches")
    if not isinstance(entries, list):
        raise ProtocolError("the batch file lists no batches")
    batches = []
    for n, e in enumerate(entries):
        if not isinstance(e, dict) or not is_uuid(e.get("batch_id")) or \
                not isinstance(e.get("sig"), str) or not isinstance(e.get("body"), str):
            raise ProtocolError(f"batch {n} of the file is malformed")
        body = b64d(e["body"])
        if e.get("sha256") != sha256_hex(body):
            raise ProtocolError(f"batch {n} of the file does not match its sha256")
        batches.append(FileBatch(e["batch_id"], _int(e.get("seq"), "seq", 1), body, e["sig"]))
    return BatchFile(manifest["device_id"], manifest["key_id"], batches, manifest, sig)


def verify_file(public: Ed25519PublicKey, bf: BatchFile) -> None:
    verify_signature(public, bf.signature, FILE_DOMAIN + canonical_bytes(bf.manifest))


# --- receipts --------------------------------------------------------------------------

APPLIED = "applied"
WAITING = "waiting"


def receipt_ok(receipt: dict[str, Any]) -> bool:
    """True when the receipt acknowledges the batch as applied on the server."""
    return receipt.get("status") == APPLIED
