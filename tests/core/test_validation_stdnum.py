"""The check digits come from python-stdnum; where the standards accept more, the app does.

Each check character is also recomputed here from the standard's own formula, so a change
in the library (or a wrong mapping of its exceptions) shows."""

from __future__ import annotations

import random

import pytest
from stdnum import ean
from stdnum.cn import ric, uscc

from inspector_app.core import i18n
from inspector_app.core.validation import (
    CREDIT_CODE_ALPHABET,
    ValidationError,
    check_credit_code,
    check_gtin13,
    check_id_number,
    credit_code_check_char,
    gtin13_check_digit,
    id_number_check_char,
    is_valid_credit_code,
)


@pytest.fixture
def lang():
    previous = i18n.language()
    yield i18n.set_language
    i18n.set_language(previous)


def message(check, value, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        check(value, **kwargs)
    return info.value.message


# --- the standards' formulas, written out ------------------------------------------------


def gb32100_check(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def gb11643_check(first17: str) -> str:  # ISO 7064 MOD 11-2, weights 2^(17-i) mod 11
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def gtin13_check(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str(-total % 10)


def test_check_characters_agree_with_the_standards_formulas():
    rng = random.Random(13)
    for _ in range(500):
        body = (rng.choice("9Y5N1A") + rng.choice("123")
                + "".join(rng.choice("0123456789") for _ in range(6))
                + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9)))
        assert credit_code_check_char(body) == gb32100_check(body), body
        assert check_credit_code(body + gb32100_check(body)) == body + gb32100_check(body)
        digits17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_number_check_char(digits17) == gb11643_check(digits17), digits17
        digits12 = digits17[:12]
        assert gtin13_check_digit(digits12) == gtin13_check(digits12), digits12


# --- the credit code --------------------------------------------------------------------


def test_stdnums_example_credit_code_is_valid():
    assert check_credit_code("91110000600037341L") == "91110000600037341L"
    assert check_credit_code("9 1 110000 600037341l") == "91110000600037341L"


@pytest.mark.parametrize("first17", [
    "N2110105MA0000001",  # village collective economic organisation (农业农村 registration)
    "A1110000MB1234567",  # military public institution
    "Y1310115MC7654321",  # registered by another authority
])
def test_letter_registration_authority_is_accepted_though_stdnum_refuses_it(first17, lang):
    lang("en")
    code = first17 + credit_code_check_char(first17)
    assert not uscc.is_valid(code)  # stdnum wants digits in characters 1-8
    assert check_credit_code(code) == code
    wrong = code[:17] + next(c for c in "0AB" if c != code[17])
    assert "check character" in message(check_credit_code, wrong)
    assert not is_valid_credit_code(code[:2] + "A" + code[3:])  # division code: digits


# --- the ID number ----------------------------------------------------------------------


@pytest.mark.parametrize("first17", [
    "50010319800101123",  # Chongqing 渝中区: a municipality from 1997, born 1980
    "31011519800101123",  # Shanghai 浦东新区: from 1993, born 1980
    "44030719900101123",  # Shenzhen 龙岗区: from 1993, born 1990
])
def test_id_of_a_county_newer_than_its_holder_is_accepted(first17):
    """GB 11643 §6.1: the address code is the county of residence when the number was
    issued; stdnum's table of counties, checked against the birth year, refuses these."""
    number = first17 + id_number_check_char(first17)
    with pytest.raises(ric.InvalidComponent):
        ric.validate(number)
    assert check_id_number(number) == number


@pytest.mark.parametrize("number, expected", [
    ("11010519491231002X", None),
    ("110105194912310021", "The check character of the ID number is wrong."),  # checksum
    ("110105194902300025", "not a valid date"),  # 30 February: stdnum's InvalidComponent
    ("1101051949123100", "18 characters long (you entered 16)"),  # InvalidLength
    ("11010519491231O02X", "first 17 characters"),  # InvalidFormat
])
def test_id_number_messages_match_stdnums_verdicts(number, expected, lang):
    lang("en")
    assert ric.is_valid(number) == (expected is None)
    if expected is None:
        assert check_id_number(number) == number
    else:
        assert expected in message(check_id_number, number)


# --- the barcode ------------------------------------------------------------------------


@pytest.mark.parametrize("code, count", [
    ("96385074", 8),  # a valid EAN-8
    ("036000291452", 12),  # a valid UPC-A
    ("10614141000415", 14),  # a valid GTIN-14
])
def test_other_ean_lengths_stdnum_accepts_are_not_a_gtin13(code, count, lang):
    lang("en")
    assert ean.is_valid(code)
    assert f"13 digits long (you entered {count})" in message(check_gtin13, code)


# --- the user's language ----------------------------------------------------------------


@pytest.mark.parametrize("check, value, expected", [
    (check_credit_code, "91110000600037341A", "统一社会信用代码的校验码（第18位）不正确，请逐位核对。"),
    (check_credit_code, "91A10000600037341L", "统一社会信用代码第3至8位为登记管理机关行政区划码，必须是数字。"),
    (check_id_number, "110105194912310021", "公民身份号码的校验码（第18位）不正确，请逐位核对。"),
    (check_id_number, "110105194902300025", "公民身份号码中的出生日期（第7至14位）不是有效日期。"),
    (check_gtin13, "6901234567891", "商品条码（GTIN-13）的校验码（第13位）不正确，请逐位核对。"),
    (check_gtin13, "690123456789", "商品条码（GTIN-13）应为13位数字（您输入了12位）。"),
])
def test_stdnums_verdicts_reach_the_user_in_chinese(check, value, expected, lang):
    lang("zh_CN")
    assert message(check, value) == expected
