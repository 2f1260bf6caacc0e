"""Barcodes: GTIN-13 check digits, and reading an EAN-13 or a QR code from a photo."""

from __future__ import annotations

import pytest
from check_helpers import ean13_modules, ean13_photo, jpeg, qr_photo

from inspector_app.core.checks import barcode
from inspector_app.core.checks.photos import PhotoError
from inspector_app.core.validation import ValidationError


def test_gtin13_check_digit():
    assert barcode.check_gtin13("6901234567892") == "6901234567892"
    assert barcode.check_gtin13(" 690 1234 567892 ") == "6901234567892"
    with pytest.raises(ValidationError):
        barcode.check_gtin13("6901234567890")
    with pytest.raises(ValidationError):
        barcode.check_gtin13("690123456789")


def test_our_ean13_drawing_follows_the_standard():
    bits = ean13_modules("6901234567892")
    assert len(bits) == 95
    assert bits.startswith("101") and bits.endswith("101") and bits[45:50] == "01010"


@pytest.mark.parametrize("code", ["6901234567892", "4006381333931", "9787111213826"])
def test_an_ean13_is_read_from_a_photo(code):
    gtin, found = barcode.read_gtin(ean13_photo(code), "label.jpg")
    assert gtin == code
    assert found[0].format == "EAN-13"


def test_a_tilted_barcode_is_read_too():
    gtin, _found = barcode.read_gtin(ean13_photo("6901234567892", rotate=8))
    assert gtin == "6901234567892"


@pytest.mark.parametrize("text,gtin", [
    ("6901234567892", "6901234567892"),
    ("https://id.gs1.org/01/06901234567892/10/ABC123", "6901234567892"),
    ("(01)06901234567892(17)270101", "6901234567892"),
    ("https://example.com/product/42", None),
])
def test_a_qr_code_is_read_and_its_gtin_found(text, gtin):
    found_gtin, found = barcode.read_gtin(qr_photo(text))
    assert found and found[0].format == "QR code" and found[0].text == text
    assert found_gtin == gtin


def test_a_photo_without_a_barcode_gives_nothing():
    assert barcode.read_gtin(jpeg()) == (None, [])


def test_a_file_that_is_not_a_photo_is_refused():
    with pytest.raises(PhotoError):
        barcode.read_gtin(b"not a photo", "x.txt")


def test_gtin_from_text():
    assert barcode.gtin_from_text("6901234567892") == "6901234567892"
    assert barcode.gtin_from_text("6901234567890") is None
    assert barcode.gtin_from_text("0106901234567892") == "6901234567892"
    assert barcode.gtin_from_text("(01)16901234567899") is None  # a case code, not a GTIN-13
