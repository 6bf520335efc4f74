"""USCC and resident-ID checks: published codes, property tests, masking."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.identifiers import (
    USCC_ALPHABET,
    CodeStatus,
    id_number_check_char,
    is_valid_id_number,
    is_valid_uscc,
    make_uscc,
    mask_id_number,
    mask_personal_numbers,
    mask_phone,
    org_code_check_char,
    uscc_check_char,
    uscc_status,
)
from screening.ingest.parse import id_number_is_valid, uscc_is_valid

# Codes printed on the business licences of well-known companies, and the GB 32100 example.
PUBLISHED_USCCS = [
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91350100M000100Y43",  # GB 32100-2015 appendix example
    "91512081MA62K0260E",
]

uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", PUBLISHED_USCCS)
def test_published_codes_are_valid(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_status(f"  {code} ") is CodeStatus.VALID


@pytest.mark.parametrize(
    "code",
    [
        "9144030071526726XH",  # wrong check character
        "9144030071526726X",  # 17 characters
        "9144030071526726XGG",  # 19 characters
        "9144030O71526726XG",  # letter O is not in the alphabet
        "9144030071526726xg",  # lower case is not how codes are issued
        "914403007152672IXG",  # I is excluded too
    ],
)
def test_malformed_codes_are_invalid(code: str) -> None:
    assert not is_valid_uscc(code)
    assert uscc_status(code) is CodeStatus.INVALID


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_blank_code_is_missing(raw: str | None) -> None:
    assert uscc_status(raw) is CodeStatus.MISSING


@given(uscc_bodies)
def test_appending_the_check_character_always_validates(body: str) -> None:
    assert is_valid_uscc(body + uscc_check_char(body))


@given(uscc_bodies, st.integers(0, 16), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_is_detected(body: str, position: int, replacement: str) -> None:
    code = body + uscc_check_char(body)
    changed = code[:position] + replacement + code[position + 1 :]
    assert is_valid_uscc(changed) == (changed == code)


@given(uscc_bodies, st.integers(0, 15))
def test_adjacent_transpositions_are_detected(body: str, position: int) -> None:
    code = body + uscc_check_char(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert is_valid_uscc(swapped) == (swapped == code)


@given(
    st.sampled_from(["440604", "440605", "440606", "110105"]),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)
def test_made_codes_embed_a_valid_organisation_code(area: str, org_body: str) -> None:
    code = make_uscc(area, org_body)
    assert is_valid_uscc(code)
    assert code[2:8] == area
    assert code[16] == org_code_check_char(org_body)


def test_organisation_code_known_value() -> None:
    # 华为's organisation code 19220382-1 (GB 11714), embedded in its USCC.
    assert org_code_check_char("19220382") == "1"


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_published_id_numbers_are_valid(number: str) -> None:
    assert is_valid_id_number(number)
    assert is_valid_id_number(number.lower())


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16))
def test_id_number_detects_single_digit_errors(body: str, position: int) -> None:
    number = body + id_number_check_char(body)
    wrong_digit = str((int(number[position]) + 1) % 10)
    assert not is_valid_id_number(number[:position] + wrong_digit + number[position + 1 :])


def test_masks_hide_birth_date_and_subscriber_number() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    text = "申请人张三（身份证11010519491231002X，电话13812345678）"
    masked = mask_personal_numbers(text)
    assert "19491231" not in masked and "1234" not in masked
    assert masked == "申请人张三（身份证110105********002X，电话138****5678）"


@given(
    st.lists(
        st.one_of(uscc_bodies.map(lambda body: body + uscc_check_char(body)), st.text(max_size=20)),
        max_size=30,
    )
)
def test_vectorised_checks_agree_with_the_scalar_ones(codes: list[str]) -> None:
    values = [*PUBLISHED_USCCS, "11010519491231002X", *codes]
    result = pl.DataFrame({"code": values}).select(
        uscc_is_valid(pl.col("code")).fill_null(False).alias("uscc"),
        id_number_is_valid(pl.col("code")).fill_null(False).alias("id"),
    )
    assert result["uscc"].to_list() == [is_valid_uscc(code) for code in values]
    # The vectorised ID check also demands a plausible birth date, so it is the stricter.
    assert all(
        is_valid_id_number(code) for code, ok in zip(values, result["id"], strict=True) if ok
    )
    assert result["id"][len(PUBLISHED_USCCS)]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话+8613812345678", "电话138****5678"),
        ("8613812345678", "138****5678"),
        ("0086 13812345678", "138****5678"),
        ("手机138 1234 5678。", "手机138****5678。"),
        ("138-1234-5678", "138****5678"),
        ("老身份证440607800101123", "老身份证440607*****1123"),
        ("得分 1.14906900635", "得分 1.14906900635"),  # a decimal, not a phone
    ],
)
def test_personal_numbers_are_masked_in_every_written_form(text: str, masked: str) -> None:
    assert mask_personal_numbers(text) == masked


def test_masking_twice_changes_nothing() -> None:
    once = mask_personal_numbers("电话+86 138-1234-5678，身份证440607199001011234")
    assert mask_personal_numbers(once) == once
    assert mask_phone(mask_phone("13812345678")) == "138****5678"


# ----- python-stdnum as an independent oracle ------------------------------------------
# stdnum.cn.ric also looks the area code up in its own table, and stdnum.cn.uscc wants the
# first 8 characters to be digits; ours do neither (area codes change; letters such as N
# for farmers' co-operatives are real), so where stdnum is stricter only one way is asserted.

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
id_numbers = st.builds(
    lambda area, year, month, day, sequence, check: (
        lambda first17: first17 + (id_number_check_char(first17) if check is None else check)
    )(f"{area}{year:04d}{month:02d}{day:02d}{sequence:03d}"),
    st.integers(100000, 899999).map(str),
    st.integers(1900, 2099),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 999),
    st.one_of(st.none(), st.sampled_from("0123456789X")),
)


@given(id_numbers)
def test_id_number_check_agrees_with_python_stdnum(number: str) -> None:
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    try:
        ric.get_birth_date(number)
        real_date = True
    except ValidationError:
        real_date = False
    expected = real_date and ric.calc_check_digit(number) == number[17]
    assert is_valid_id_number(number) == expected
    try:
        stdnum_valid = ric.is_valid(number)
    except KeyError:  # stdnum 2.x: an area code missing from its table escapes is_valid
        stdnum_valid = False
    if stdnum_valid:  # stdnum knows the area: then it is valid for us too
        assert is_valid_id_number(number)
    vectorised = pl.DataFrame({"code": [number]}).select(id_number_is_valid(pl.col("code")))
    assert vectorised.item() == expected


def test_impossible_birth_dates_are_invalid() -> None:
    for date_part in ("19901301", "19900230", "19900431", "19900100", "17991231"):
        first17 = "110105" + date_part + "002"
        assert not is_valid_id_number(first17 + id_number_check_char(first17)), date_part


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
    st.one_of(st.none(), st.sampled_from(USCC_ALPHABET)),
)
def test_uscc_check_agrees_with_python_stdnum(head: str, body: str, check: str | None) -> None:
    from stdnum.cn import uscc

    code = head + body + (uscc_check_char(head + body) if check is None else check)
    assert is_valid_uscc(code) == uscc.is_valid(code)
    vectorised = pl.DataFrame({"code": [code]}).select(uscc_is_valid(pl.col("code")))
    assert vectorised.item() == uscc.is_valid(code)


@given(uscc_bodies, st.sampled_from(USCC_ALPHABET))
def test_every_code_python_stdnum_accepts_is_valid(body: str, check: str) -> None:
    from stdnum.cn import uscc

    code = body + check
    if uscc.is_valid(code):
        assert is_valid_uscc(code)
