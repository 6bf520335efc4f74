"""The cell cleaning that ingest's speed rests on gives what the plain forms give."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from screening.ingest.cells import (
    CJK_SYMBOLS,
    CLEAN,
    CONTROL,
    CONTROL_CHARACTERS,
    NARROW,
    WIDE,
    cleaned,
    nfkc,
)
from screening.ingest.cells import uppercase as fast_uppercase
from screening.ingest.load import _hash_identifiers
from screening.ingest.manifest import DEFAULT_DATE_FORMATS
from screening.ingest.parse import _dates, masked

# Text as agencies type it: ASCII, CJK, full-width forms, compatibility ideographs,
# circled numbers, combining accents, ideographic spaces and other whitespace.
typed_text = st.text(
    alphabet=st.one_of(
        st.characters(max_codepoint=0x7F),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
        st.sampled_from("㈱①Ⅷﬁ丽豈\u0301\u3000\u00a0\u2028é가ßǅﬀ\u0345ⓐ"),
        st.sampled_from(WIDE + list(CJK_SYMBOLS) + list("\t\n\r\x00\x1b\x1f\x7f")),
        st.characters(exclude_categories=["Cs"]),  # text, so no lone surrogates
    ),
    max_size=12,
)


@given(st.lists(st.one_of(st.none(), typed_text), max_size=40))
def test_nfkc_normalises_exactly_like_normalising_every_cell(cells: list[str | None]) -> None:
    frame = pl.DataFrame({"raw": cells}, schema={"raw": pl.String})
    fast = frame.select(nfkc(pl.col("raw"))).to_series()
    plain = frame.select(pl.col("raw").str.normalize("NFKC")).to_series()
    assert fast.to_list() == plain.to_list()


@given(st.lists(st.one_of(st.none(), typed_text), max_size=40))
def test_cleaning_gives_what_every_step_on_every_cell_gives(cells: list[str | None]) -> None:
    frame = pl.DataFrame({"raw": cells}, schema={"raw": pl.String})
    raw = pl.col("raw")
    for spaces, plain in (
        (" ", raw.str.normalize("NFKC").str.replace_all(r"\s+", " ").str.strip_chars()),
        ("", raw.str.normalize("NFKC").str.replace_all(r"\s+", "")),
    ):
        fast = frame.select(cleaned(raw, spaces=spaces).alias("c")).unnest("c")
        expected = frame.select(
            plain.replace("", None).alias(CLEAN),
            raw.str.contains(CONTROL_CHARACTERS).fill_null(False).alias(CONTROL),
        )
        assert fast.to_dicts() == expected.to_dicts()


@given(st.lists(st.one_of(st.none(), typed_text), max_size=40))
def test_uppercase_converts_exactly_like_converting_every_cell(cells: list[str | None]) -> None:
    frame = pl.DataFrame({"raw": cells}, schema={"raw": pl.String})
    fast = frame.select(fast_uppercase(pl.col("raw"))).to_series()
    assert fast.to_list() == frame.select(pl.col("raw").str.to_uppercase()).to_series().to_list()


def _composes_with_what_precedes(character: str) -> bool:
    """Whether some character's canonical decomposition ends in ``character`` (it may then
    compose with the character before it), or it is a Hangul vowel or final consonant."""
    return character in _SECOND_OF_A_PAIR or "\u1161" <= character <= "\u11c2"


_SECOND_OF_A_PAIR = {
    chr(int(parts[1], 16))
    for code in range(0x110000)
    if (parts := unicodedata.decomposition(chr(code)).split())
    and not parts[0].startswith("<")
    and len(parts) == 2
}


def test_the_nfkc_table_holds_only_characters_that_never_compose() -> None:
    # NFKC of text made of these is the concatenation of each character's NFKC: none has
    # a combining class, none can compose with its neighbour, nor can what it maps to.
    assert [unicodedata.normalize("NFKC", wide) for wide in WIDE] == NARROW
    table = [*map(chr, range(0x80)), *WIDE, *NARROW, *CJK_SYMBOLS, "一", "鿿"]
    for character in table:
        assert unicodedata.combining(character) == 0, hex(ord(character))
        assert not _composes_with_what_precedes(character), hex(ord(character))
    for symbol in CJK_SYMBOLS:  # counted as plain text: unchanged by every cleaning step
        assert unicodedata.normalize("NFKC", symbol) == symbol
        assert not symbol.isspace() and symbol.upper() == symbol == symbol.lower()


dates_as_typed = st.one_of(
    st.dates(min_value=date(1899, 1, 1), max_value=date(2200, 12, 31)).map(
        lambda day: day.strftime(
            "%Y-%m-%d" if day.day % 3 == 0 else "%Y/%m/%d" if day.day % 3 == 1 else "%Y年%m月%d日"
        )
    ),
    st.text(alphabet="0123456789-/年月日. ", max_size=12),
)


@given(st.lists(st.one_of(st.none(), dates_as_typed), max_size=40))
def test_dates_are_read_by_the_first_format_that_reads_them(texts: list[str | None]) -> None:
    formats = list(DEFAULT_DATE_FORMATS)
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    text = pl.col("text")
    fast = frame.select(_dates(frame.get_column("text"), formats=formats).alias("date"))
    every = frame.select(pl.coalesce(text.str.to_date(f, strict=False) for f in formats))
    # As days since 1970: polars reads year 0, which Python's dates cannot hold.
    days = [fast.to_series().cast(pl.Int32), every.to_series().cast(pl.Int32)]
    assert days[0].to_list() == days[1].to_list()


@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789X", max_size=24)), max_size=30))
def test_masking_keeps_six_and_four_characters_of_long_numbers(numbers: list[str | None]) -> None:
    frame = pl.DataFrame({"number": numbers}, schema={"number": pl.String})
    got = frame.select(masked(pl.col("number"))).to_series().to_list()
    expected = [
        None
        if number is None
        else number[:6] + "*" * (len(number) - 10) + number[-4:]
        if len(number) >= 10
        else "*" * len(number)
        for number in numbers
    ]
    assert got == expected


def test_identifier_hashes_are_keyed_blake2b_of_each_number() -> None:
    key = bytes(range(32))
    numbers = ["11010519491231002X", None, "440104198001010011", "11010519491231002X"]
    frame = pl.DataFrame({"applicant_hash": numbers, "other": [1, 2, 3, 4]})
    hashed = _hash_identifiers(frame, key)
    expected = [
        None if n is None else hashlib.blake2b(n.encode(), key=key, digest_size=16).hexdigest()
        for n in numbers
    ]
    assert hashed.get_column("applicant_hash").to_list() == expected
    assert hashed.columns == frame.columns
    other_key = _hash_identifiers(frame, bytes(32)).get_column("applicant_hash")
    assert other_key[0] != expected[0]  # the key matters: no dictionary attack without it
