"""The QR code on every seizure document: a compact signed payload, and reading it back.

The payload is UTF-8 text of fields joined by ``|`` (readable by any phone scanner)::

    INSP1|D|<number>|<agency>|<YYYYMMDD>|<party hash>|<item count>|<content sha256>|<key id>|<signature>

* kind: D decision, L list, R on-site record, S seal strips, E extension, X release;
* party hash: the first 9 bytes of SHA-256 of the party's name (NFC), base64url;
* content sha256: of the document's canonical content (see `documents.content`), base64url;
* key id: the signing device's key (`device_key.key_id`), whose public key the store
  trusts (`known_keys`);
* signature: Ed25519 over the UTF-8 bytes of everything before the last ``|``, base64url.

The codes are made and read with zxing-cpp (C++): `matrix` gives the modules, which the
PDF draws as vector rectangles; PDF pages are rasterised with pypdfium2 (through
`core.pdf.raster`). Nothing here touches the store. (qrcode, pure Python, makes the same symbol in some 30 ms of CPU
against zxing-cpp's 2 ms, which made a batch of notices 1.6 times as slow: it is only the
tests' independent encoder.)
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from inspector_app.core import device_key

MAGIC = "INSP1"
SEP = "|"
KIND_CODES = {"decision": "D", "list": "L", "record": "R", "seals": "S", "extension": "E",
              "release": "X"}
CODE_KINDS = {v: k for k, v in KIND_CODES.items()}
_FIELDS = 10


class Unreadable(ValueError):
    """Text that is not a (complete) payload of this app."""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def party_hash(name: str) -> str:
    norm = unicodedata.normalize("NFC", (name or "").strip())
    return b64(hashlib.sha256(norm.encode("utf-8")).digest()[:9])


@dataclass(frozen=True)
class Payload:
    kind: str  # decision / list / record / seals / extension / release
    number: str
    agency: str
    issued: date
    party_hash: str
    item_count: int
    content_sha256: str  # hex
    key_id: str
    signature: bytes = b""

    def body(self) -> str:
        """Everything the signature covers."""
        for value in (self.number, self.agency):
            if SEP in value:
                raise ValueError(f"{SEP!r} may not appear in a document number or agency name")
        return SEP.join([
            MAGIC, KIND_CODES[self.kind], self.number, self.agency,
            self.issued.strftime("%Y%m%d"), self.party_hash, str(self.item_count),
            b64(bytes.fromhex(self.content_sha256)), self.key_id,
        ])

    def text(self) -> str:
        return self.body() + SEP + b64(self.signature)


def sign(payload: Payload, key: Ed25519PrivateKey) -> Payload:
    if payload.key_id != device_key.key_id(key):
        raise ValueError("the payload names another key")
    signature = key.sign(payload.body().encode("utf-8"))
    return Payload(**{**payload.__dict__, "signature": signature})


def parse(text: str) -> Payload:
    """The payload in `text`; raise `Unreadable` (with an English reason) if it is not one."""
    text = (text or "").strip()
    if not text.startswith(MAGIC + SEP):
        raise Unreadable("not an Inspector document code")
    parts = text.split(SEP)
    if len(parts) < _FIELDS:
        raise Unreadable("incomplete code (truncated)")
    if len(parts) > _FIELDS:
        raise Unreadable("malformed code (too many fields)")
    _magic, code, number, agency, day, phash, count, sha, kid, sig = parts
    if code not in CODE_KINDS:
        raise Unreadable("unknown document kind")
    try:
        issued = date(int(day[:4]), int(day[4:6]), int(day[6:8])) \
            if len(day) == 8 and day.isascii() and day.isdigit() else None
    except ValueError:
        issued = None
    if issued is None:
        raise Unreadable("malformed issue date")
    if not (count.isascii() and count.isdigit()):
        raise Unreadable("malformed item count")
    try:
        digest = unb64(sha)
        signature = unb64(sig)
        unb64(phash)
    except ValueError:
        raise Unreadable("malformed code (bad encoding)") from None
    if len(digest) != 32:
        raise Unreadable("malformed content hash")
    if len(signature) != 64:
        raise Unreadable("incomplete code (truncated signature)")
    if len(kid) != 16 or any(c not in "0123456789abcdef" for c in kid):
        raise Unreadable("malformed key id")
    payload = Payload(CODE_KINDS[code], number, agency, issued, phash, int(count),
                      digest.hex(), kid, signature)
    if payload.body() != text.rsplit(SEP, 1)[0]:  # e.g. full-width digits read as numbers
        raise Unreadable("malformed code (not in its canonical form)")
    return payload


def signature_ok(payload: Payload, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(payload.signature, payload.body().encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- the symbol --------------------------------------------------------------------------


def matrix(text: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), without quiet zone: the smallest version that
    holds `text` (UTF-8) at error correction M. The one place codes are made."""
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    view = memoryview(image)
    rows, cols = view.shape
    raw = bytes(view)
    return [[raw[r * cols + c] < 128 for c in range(cols)] for r in range(rows)]


# --- reading codes from images and PDFs ---------------------------------------------------


def _texts(results) -> list[str]:
    out = []
    for r in results:
        try:
            text = bytes(r.bytes).decode("utf-8")
        except UnicodeDecodeError:
            text = r.text
        if text not in out:
            out.append(text)
    return out


def decode_image(image) -> list[str]:
    """The text of every QR code in a PIL image (photo, scan or rendered page)."""
    import zxingcpp

    gray = image.convert("L")
    found = _texts(zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode))
    if not found:  # a blurry photo: try a sharper binariser, then a smaller image
        found = _texts(zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode,
                                              binarizer=zxingcpp.Binarizer.GlobalHistogram))
    if not found and max(gray.size) > 2400:
        small = gray.copy()
        small.thumbnail((2000, 2000))
        found = _texts(zxingcpp.read_barcodes(small, formats=zxingcpp.BarcodeFormat.QRCode))
    return found


def pdf_page_images(data: bytes, dpi: int = 200):
    """Each page of a PDF as a PIL image."""
    from inspector_app.core.pdf import raster

    return raster.page_images(data, dpi)


def decode_pdf(data: bytes) -> list[str]:
    found: list[str] = []
    for image in pdf_page_images(data):
        texts = decode_image(image)
        for t in texts:
            if t not in found:
                found.append(t)
    return found


def decode_file(path: Path) -> list[str]:
    """Codes in a PDF or an image file (PNG, JPEG ...). Raise OSError/ValueError if unreadable."""
    data = Path(path).read_bytes()
    if data[:5] == b"%PDF-":
        return decode_pdf(data)
    import io

    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data))
    image = ImageOps.exif_transpose(image)  # phone photos
    return decode_image(image)
