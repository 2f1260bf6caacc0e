"""Helpers of the check tests: a filled-in check, pictures (EXIF-rotated, truncated, bombs,
barcodes) made on the spot."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime

from PIL import Image, ImageDraw

from inspector_app.core import auth, records
from inspector_app.core.checks import rules
from inspector_app.core.checks.rules import Answer, CheckInput
from inspector_app.core.models import Inspector, Market
from inspector_app.forms import definitions

CHECKED_AT = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
# The second officer of the checks made here (`add_colleague` puts him in the store).
COLLEAGUE = "5e1c0a11-0000-4000-8000-000000000002"


def add_colleague(store, actor, name: str = "李四", cert_no: str = "32010002",
                  inspector_id: str = COLLEAGUE, username: str = "li") -> str:
    """A second officer in the store's roster (the signed-in one is 张三, 32010001)."""
    with store.write() as session:
        return records.create(session, Inspector(
            id=inspector_id, name=name, cert_no=cert_no, username=username,
            password_hash=auth.hash_password("demo5678")), actor).id


def make_market(store, actor, name: str = "东门批发市场") -> str:
    with store.write() as session:
        return records.create(session, Market(name=name), actor).id


def kettle(market_id: str | None, fail_ccc: bool = True, **changes) -> CheckInput:
    """A complete check of an electric kettle (electrical_ccc v1)."""
    defn = definitions.builtin().get("electrical_ccc", 1)
    data = rules.new_input(defn)
    data.market_id = market_id
    data.party_name = "𠮷祥商行"
    data.stall_number = "A-101"
    data.checked_at = CHECKED_AT
    data.second_officer_id = COLLEAGUE
    data.values.update(
        product_name="电热水壶", brand="美厨", spec_model="MC-1720", rating="220V~ 1800W",
        batch_no="20260115", manufacturer="佛山市美厨电器有限公司",
        manufacturer_address="广东省佛山市顺德区北滘镇", ccc_cert_no="2021010701234567",
        standard_code="GB 4706.19-2008", barcode="6901234567892", quantity="12", unit="台",
        price="89.50")
    for item in defn.applicable_items(data.values):
        data.answers[item.key] = Answer("pass")
    if fail_ccc:
        data.answers["ccc"] = Answer("fail", "")
        data.measure = "correct"
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def jpeg(size=(640, 480), colour="orange", orientation: int | None = None,
         quality: int = 85) -> bytes:
    """A JPEG whose left half is `colour` and right half blue (so turning shows)."""
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle([size[0] // 2, 0, size[0], size[1]], fill="blue")
    out = io.BytesIO()
    if orientation is None:
        image.save(out, "JPEG", quality=quality)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small PNG whose header claims `width` × `height` pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 4096)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


# EAN-13, drawn here rather than by a barcode library: L, G and R codes per digit, and the
# first digit's parity pattern for the left half.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
      "0110111", "0001011"]
_G = ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001",
      "0001001", "0010111"]
_R = ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100",
      "1001000", "1110100"]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG",
           "LGLGGL", "LGGLGL"]


def ean13_modules(code: str) -> str:
    first, left, right = int(code[0]), code[1:7], code[7:]
    bits = "101"
    for digit, parity in zip(left, _PARITY[first], strict=True):
        bits += (_L if parity == "L" else _G)[int(digit)]
    bits += "01010"
    bits += "".join(_R[int(d)] for d in right)
    return bits + "101"


def ean13_photo(code: str, module: int = 4, rotate: float = 0, noise: bool = True) -> bytes:
    """A JPEG 'photo' of an EAN-13 label on a grey background."""
    bits = ean13_modules(code)
    quiet = 11 * module
    width, height = len(bits) * module + 2 * quiet, 70 * module
    label = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(label)
    for n, bit in enumerate(bits):
        if bit == "1":
            x = quiet + n * module
            draw.rectangle([x, 5 * module, x + module - 1, height - 5 * module], fill=0)
    photo = Image.new("L", (width * 2, height * 3), 150)
    photo.paste(label, (width // 2, height))
    if rotate:
        photo = photo.rotate(rotate, expand=True, fillcolor=150)
    if noise:
        photo = Image.blend(photo, Image.effect_noise(photo.size, 20).convert("L"), 0.15)
    out = io.BytesIO()
    photo.convert("RGB").save(out, "JPEG", quality=88)
    return out.getvalue()


def qr_photo(text: str) -> bytes:
    import qrcode

    image = qrcode.make(text, box_size=6, border=4).convert("RGB")
    photo = Image.new("RGB", (image.width * 2, image.height * 2), (200, 190, 170))
    photo.paste(image, (image.width // 2, image.height // 3))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    return out.getvalue()
