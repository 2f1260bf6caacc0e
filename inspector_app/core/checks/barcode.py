"""Product barcodes: GTIN-13 entry and reading an EAN-13 or QR code from a photo.

Decoding uses zxing-cpp on a Pillow image; the photo is opened with the same checks as any
photo of a check (`photos._open_checked`: no bombs, no truncated files). A QR code may carry
a GTIN too: as its plain 13 digits, as a GS1 element string "(01)0...", or in a GS1 Digital
Link URL ".../01/0.../...". No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import Image

from inspector_app.core import validation
from inspector_app.core.checks import photos
from inspector_app.core.i18n import _

DECODE_SIDE = 2400  # long side the photo is decoded at (zxing also tries smaller)


@dataclass(frozen=True)
class Decoded:
    format: str  # "EAN-13" or "QR code"
    text: str
    gtin: str | None  # a valid GTIN-13 found in it


def check_gtin13(text: str) -> str:
    """The 13 digits of a valid GTIN-13; raises validation.ValidationError."""
    return validation.check_gtin13(text, field="barcode")


_GS1_AI01 = re.compile(r"(?:^|\(01\)|^01|/01/)(\d{14})(?!\d)")


def gtin_from_text(text: str) -> str | None:
    """The GTIN-13 a barcode's text carries, if it carries a valid one."""
    value = text.strip()
    if validation.is_valid_gtin13(value):
        return re.sub(r"[\s-]", "", value)
    for match in _GS1_AI01.finditer(value):
        gtin14 = match.group(1)
        if gtin14.startswith("0") and validation.is_valid_gtin13(gtin14[1:]):
            return gtin14[1:]
    return None


def decode_image(image: Image.Image) -> list[Decoded]:
    import zxingcpp

    wanted = (zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.QRCode)
    gray = image.convert("L")
    try:
        results = zxingcpp.read_barcodes(gray, formats=list(wanted))
    except TypeError:  # zxing-cpp before 3.1 takes the formats or-ed together
        results = zxingcpp.read_barcodes(gray, formats=wanted[0] | wanted[1])
    found = []
    for result in results:
        text = result.text or ""
        ean = result.format == zxingcpp.BarcodeFormat.EAN13
        found.append(Decoded("EAN-13" if ean else "QR code", text, gtin_from_text(text)))
    # EAN-13 first: it is the product's own number.
    found.sort(key=lambda d: (d.format != "EAN-13", d.gtin is None))
    return found


def decode_bytes(data: bytes, name: str = "") -> list[Decoded]:
    """Barcodes in a photo's bytes; raises photos.PhotoError for a file that is no photo."""
    image, _mime, _size = photos._open_checked(data, name or _("The file"), DECODE_SIDE)
    image = photos.upright(image)
    if max(image.size) > DECODE_SIDE:
        image.thumbnail((DECODE_SIDE, DECODE_SIDE))
    return decode_image(image)


def read_gtin(data: bytes, name: str = "") -> tuple[str | None, list[Decoded]]:
    """(the GTIN-13 read from a photo or None, everything decoded)."""
    found = decode_bytes(data, name)
    return next((d.gtin for d in found if d.gtin), None), found
