"""Tests for inspector_app.core.validation (pure Python, no Qt)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from inspector_app.core import i18n
from inspector_app.core.validation import (
    CREDIT_CODE_ALPHABET,
    ValidationError,
    check_credit_code,
    check_gtin13,
    check_id_number,
    check_phone,
    credit_code_check_char,
    gtin13_check_digit,
    id_number_check_char,
    is_valid_credit_code,
    is_valid_gtin13,
    is_valid_id_number,
    is_valid_phone,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english():
    """Assert on the English source strings; put the previous language back afterwards."""
    previous = i18n.language()
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language(previous)


def error_of(check, value, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check(value, **kwargs)
    return info.value


# --------------------------------------------------------------------------
# Unified social credit code
# --------------------------------------------------------------------------

# Publicly listed codes whose check character was recomputed and verified.
REAL_CREDIT_CODES = [
    "91350100M000100Y43",  # the example code used in GB 32100-2015 explanations
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 腾讯 (Shenzhen) company code
    "91110108551385082Q",  # 小米科技有限责任公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
]


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_are_valid(code):
    assert check_credit_code(code) == code
    assert is_valid_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]


def test_credit_code_weights_match_the_standard():
    # GB 32100-2015 weights are 3**i mod 31.
    assert [pow(3, i, 31) for i in range(17)] == [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ]  # fmt: skip
    assert len(CREDIT_CODE_ALPHABET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_ALPHABET)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("91350100m000100y43", "91350100M000100Y43"),
        ("  91330100799655058b\n", "91330100799655058B"),
        ("9133 0100 7996 5505 8B", "91330100799655058B"),
        ("９１４４０３００７０８４６１１３６Ｔ", "91440300708461136T"),  # full-width IME input
    ],
)
def test_credit_code_is_normalized(raw, expected):
    assert check_credit_code(raw) == expected


@pytest.mark.parametrize("code", ["", "   ", None])
def test_credit_code_empty(code):
    err = error_of(check_credit_code, code)
    assert err.field == "credit_code"
    assert "Please enter" in err.message


@pytest.mark.parametrize(
    "code, count",
    [("91330100799655058", 17), ("91330100799655058BB", 19), ("330100400000000", 15)],
)
def test_credit_code_wrong_length(code, count):
    err = error_of(check_credit_code, code)
    assert "18 characters" in err.message
    assert f"you entered {count}" in err.message


@pytest.mark.parametrize(
    "code, char, position",
    [
        ("I1330100799655058B", "I", 1),
        ("9O330100799655058B", "O", 2),
        ("91330100799655058Z", "Z", 18),
        ("91330100799S55058B", "S", 12),
        ("9133010079965505V8", "V", 17),
        ("91330100799655058-", "-", 18),
    ],
)
def test_credit_code_illegal_character(code, char, position):
    err = error_of(check_credit_code, code)
    assert f"character {char} (position {position})" in err.message
    assert "I, O, Z, S or V" in err.message


def test_credit_code_lowercase_illegal_letter_is_reported_upper_case():
    err = error_of(check_credit_code, "9o330100799655058B")
    assert "character O (position 2)" in err.message


def test_credit_code_division_code_must_be_digits():
    body = "91A30100799655058"
    code = body + credit_code_check_char(body)  # checksum fine, division code not
    err = error_of(check_credit_code, code)
    assert "administrative division code" in err.message


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_credit_code_wrong_check_char(code):
    wrong = next(c for c in "0ABY" if c != code[17])
    err = error_of(check_credit_code, code[:17] + wrong)
    assert err.message == (
        "The check character of the unified social credit code is wrong. "
        "Please check every character again."
    )
    assert not is_valid_credit_code(code[:17] + wrong)


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_credit_code_any_single_character_change_is_detected(code):
    for i in range(17):
        choices = "0123456789" if 2 <= i < 8 else CREDIT_CODE_ALPHABET
        replacement = next(c for c in choices if c != code[i])
        altered = code[:i] + replacement + code[i + 1 :]
        assert not is_valid_credit_code(altered), altered


def test_credit_code_check_char_rejects_bad_input():
    with pytest.raises(ValidationError):
        credit_code_check_char("9133010079965505")  # 16 chars
    with pytest.raises(ValidationError):
        credit_code_check_char("9133010079965505I")


def test_credit_code_field_can_be_overridden():
    assert error_of(check_credit_code, "x", field="maker_code").field == "maker_code"


# --------------------------------------------------------------------------
# Resident ID number
# --------------------------------------------------------------------------


def make_id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


VALID_IDS = [
    "11010519491231002X",  # the classic GB 11643-1999 example
    make_id("44030419900307123"),
    make_id("32010620000229456"),  # leap day
]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers(number):
    assert check_id_number(number) == number
    assert is_valid_id_number(number)


def test_id_check_char_of_the_classic_example():
    assert id_number_check_char("11010519491231002") == "X"


def test_id_number_is_normalized():
    assert check_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert check_id_number("110105 19491231 002X") == "11010519491231002X"


@pytest.mark.parametrize(
    "number, count",
    [("110105491231002", 15), ("11010519491231002", 17), ("11010519491231002X1", 19)],
)
def test_id_number_wrong_length(number, count):
    err = error_of(check_id_number, number)
    assert err.field == "id_number"
    assert f"18 characters long (you entered {count})" in err.message


@pytest.mark.parametrize(
    "number", ["1101051949123100X2", "11010519491231O02X", "A1010519491231002X"]
)
def test_id_number_letter_in_first_17(number):
    assert "first 17 characters" in error_of(check_id_number, number).message


def test_id_number_bad_last_character():
    assert "last character" in error_of(check_id_number, "11010519491231002Y").message


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490100", "20230229", "00000101"])
def test_id_number_impossible_birth_date(birth):
    number = make_id("110105" + birth + "002")
    err = error_of(check_id_number, number)
    assert "birth date" in err.message
    assert "not a valid date" in err.message


def test_id_number_birth_date_in_the_future():
    number = make_id("11010529990101002")
    err = error_of(check_id_number, number)
    assert "in the future" in err.message
    # Relative to the given day: born tomorrow is future, born today is fine.
    today_id = make_id("11010520240615002")
    assert check_id_number(today_id, today=date(2024, 6, 15)) == today_id
    assert "future" in error_of(check_id_number, today_id, today=date(2024, 6, 14)).message


def test_id_number_wrong_check_char():
    err = error_of(check_id_number, "110105194912310021")
    assert err.message == (
        "The check character of the ID number is wrong. Please check every digit again."
    )


@pytest.mark.parametrize("number", VALID_IDS)
def test_id_number_any_single_digit_change_is_detected(number):
    for i in list(range(6)) + list(range(14, 17)):  # keep the birth date real
        altered = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        assert not is_valid_id_number(altered), altered


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check character
        make_id("11010519490230002"),  # impossible date
        make_id("11010520990101002"),  # future date
        "11010519491231002Y",  # bad last character
        "1101051949123100X2",
    ],
)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_id_number_message_never_contains_the_number(number, language):
    i18n.set_language(language)
    err = error_of(check_id_number, number)
    assert number not in err.message
    assert number[:17] not in err.message
    assert number[6:14] not in err.message  # nor the birth date
    assert number not in str(err)
    assert number not in repr(err.args)


def test_id_check_char_rejects_bad_input():
    with pytest.raises(ValidationError):
        id_number_check_char("1101051949123100")
    with pytest.raises(ValidationError):
        id_number_check_char("1101051949123100X")


# --------------------------------------------------------------------------
# GTIN-13
# --------------------------------------------------------------------------

VALID_GTINS = ["6901234567892", "4006381333931", "9787111544937"]


@pytest.mark.parametrize("code", VALID_GTINS)
def test_valid_gtin13(code):
    assert check_gtin13(code) == code
    assert is_valid_gtin13(code)
    assert gtin13_check_digit(code[:12]) == code[12]


def test_gtin13_normalized():
    assert check_gtin13(" 6 901234 567892 ") == "6901234567892"
    assert check_gtin13("690-1234-56789-2") == "6901234567892"


def test_gtin13_check_digit_zero():
    # sum % 10 == 0 must give check digit 0, not 10
    body = "000000000000"
    assert gtin13_check_digit(body) == "0"
    assert is_valid_gtin13(body + "0")


@pytest.mark.parametrize("code", VALID_GTINS)
def test_gtin13_wrong_check_digit(code):
    wrong = code[:12] + str((int(code[12]) + 1) % 10)
    err = error_of(check_gtin13, wrong)
    assert err.field == "gtin13"
    assert "check digit" in err.message


@pytest.mark.parametrize(
    "code, count", [("690123456789", 12), ("69012345678921", 14), ("12345678", 8)]
)
def test_gtin13_wrong_length(code, count):
    assert f"13 digits long (you entered {count})" in error_of(check_gtin13, code).message


@pytest.mark.parametrize("code", ["690123456789A", "69O1234567892", "6901234567892!"])
def test_gtin13_letters(code):
    assert "only digits" in error_of(check_gtin13, code).message


def test_gtin13_empty():
    assert "Please enter" in error_of(check_gtin13, "").message


def test_gtin13_check_digit_rejects_bad_input():
    with pytest.raises(ValidationError):
        gtin13_check_digit("69012345678")
    with pytest.raises(ValidationError):
        gtin13_check_digit("69012345678A")


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("010-12345678", "010-12345678"),
        ("021 5888 1234", "021-58881234"),
        ("0755-86013388", "0755-86013388"),
        ("(0755)86013388", "0755-86013388"),
        ("（0755）8601 3388", "0755-86013388"),
        ("0571-8765432", "0571-8765432"),  # 7-digit local number
        ("0755-86013388-123", "0755-86013388-123"),
        ("0755-86013388转123", "0755-86013388-123"),
        ("0755-86013388 转 8", "0755-86013388-8"),
        ("010-62345678 ext. 9", "010-62345678-9"),
        ("+86 10 62345678", "010-62345678"),
        ("+86 755 8601 3388", "0755-86013388"),
    ],
)
def test_valid_phone_numbers(raw, expected):
    assert check_phone(raw) == expected
    assert is_valid_phone(raw)


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "Please enter"),
        ("1381234567", "11 digits (you entered 10)"),
        ("138123456789", "11 digits (you entered 12)"),
        ("12812345678", "start with 13 to 19"),
        ("11012345678", "start with 13 to 19"),
        ("138abcd5678", "may contain only digits"),
        ("phone", "may contain only digits"),
        ("13812345678转12", "cannot have an extension"),
        ("+1 415 555 0123", "Only Chinese phone numbers"),
        ("62345678", "must start with the area code"),
        ("01162345678", "area code"),
        ("0012345678", "Only Chinese phone numbers"),
        ("0755-123456", "7 or 8 digits"),
        ("0755-860133881", "7 or 8 digits"),
        ("0755-06013388", "may not start with 0"),
    ],
)
def test_invalid_phone_numbers(raw, fragment):
    err = error_of(check_phone, raw)
    assert err.field == "phone"
    assert fragment in err.message
    assert not is_valid_phone(raw)


# --------------------------------------------------------------------------
# Translation
# --------------------------------------------------------------------------


def test_messages_are_translated_to_chinese_and_back():
    bad = "91330100799655058C"
    try:
        i18n.set_language("zh_CN")
        zh = error_of(check_credit_code, bad).message
        assert "校验码" in zh
        assert "统一社会信用代码" in zh
        assert "公民身份号码" in error_of(check_id_number, "123").message
        assert "商品条码" in error_of(check_gtin13, "6901234567893").message
        assert "手机号码" in error_of(check_phone, "1381234567").message
        assert "固定电话" in error_of(check_phone, "0755-123").message
        # placeholders are filled in the translated text as well
        assert "17" in error_of(check_credit_code, "91330100799655058").message

        i18n.set_language("en")
        en = error_of(check_credit_code, bad).message
        assert "check character" in en
        assert "校验码" not in en
    finally:
        i18n.set_language("zh_CN")


def test_every_message_has_a_zh_cn_translation_with_the_same_placeholders():
    babel_extract = pytest.importorskip("babel.messages.extract")
    pofile = pytest.importorskip("babel.messages.pofile")
    source = ROOT / "inspector_app" / "core" / "validation.py"
    msgids = {
        message
        for _, message, _, _ in babel_extract.extract_from_file(
            "python", str(source), keywords={"_": None}
        )
    }
    assert len(msgids) > 20
    po = ROOT / "resources" / "locale" / "zh_CN" / "LC_MESSAGES" / "inspector.po"
    with po.open("rb") as fh:
        catalog = pofile.read_po(fh)
    for msgid in msgids:
        message = catalog.get(msgid)
        assert message is not None and message.string, f"untranslated: {msgid!r}"
        placeholders = set(re.findall(r"\{\w+\}", msgid))
        assert set(re.findall(r"\{\w+\}", message.string)) == placeholders, msgid
