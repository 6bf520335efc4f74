"""The columnar parser (screening.resolve.name_columns, behind bulk's chunk parsers) gives
what the per-name parser gives, bit for bit: names built from the vocabulary's words, the
gazetteer's names, brackets of every style, full-width characters, person notes, branches
and noise, compared chunk against one name at a time."""

from __future__ import annotations

import sys

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.gazetteer import LEVELS, load_gazetteer
from screening.resolve import bulk, name_columns
from screening.resolve.bulk import PARTS_SCHEMA, REGISTRY_SCHEMA, _name_chunk, _registry_chunk
from screening.resolve.name_vocabulary import name_vocabulary
from screening.resolve.names import (
    NameParts,
    is_person_text,
    normalise,
    places_by_sound,
    take_apart_text,
)
from screening.resolve.sound import sounds


def _by_level(codes: tuple[str, ...]) -> list[str | None]:
    found: list[str | None] = [None] * len(LEVELS)
    for code in codes:
        place = load_gazetteer().by_code(code)
        assert place is not None
        found[LEVELS.index(place.level)] = code
    return found


def _company(parts: NameParts) -> list[object]:
    return [
        *_by_level(parts.places),
        parts.trade,
        parts.industry,
        parts.legal_form,
        parts.branch,
        sounds(parts.core),
    ]


def _one_by_one(names: list[str]) -> pl.DataFrame:
    """What bulk parsed before it had columns: each name in Python."""
    rows = []
    for name in names:
        text = normalise(name)
        if is_person_text(text):
            rows.append([text, True, *[None] * (len(PARTS_SCHEMA) - 2)])
        else:
            rows.append([text, False, *_company(take_apart_text(text))])
    return pl.DataFrame(rows, schema=PARTS_SCHEMA, orient="row")


def _registry_one_by_one(rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    parsed = []
    for name, address in rows:
        parts = take_apart_text(normalise(name))
        located, _rest = load_gazetteer().region_prefix(normalise(address or ""))
        addressed = _by_level(tuple(place.code for place in located))
        parsed.append([parts.text, is_person_text(parts.text), *_company(parts), *addressed])
    return pl.DataFrame(parsed, schema=REGISTRY_SCHEMA, orient="row")


def _pieces() -> list[str]:
    """What names are made of: the vocabulary's words, the gazetteer's names (and words
    that sound like them), characters of trade names and persons, brackets and noise."""
    words = name_vocabulary()
    places = load_gazetteer().places()
    sounding = [place.short_name for found in places_by_sound().values() for place in found]
    return sorted(
        {
            *words.industry_tokens,
            *words.legal_forms,
            *words.branch_suffixes,
            *words.person_notes,
            *words.lists.organisation_marks.terms,
            words.group_word,
            *(place.name for place in places),
            *(place.short_name for place in places),
            *sounding[::7],
            *"宏达信汇鑫泰舜德顺新会容洲张王李陈三第二号",
            *"()（）【】〔〕",
            *" \u3000·•、,，.。-—_'\"“”`\t",
            *"ＡＢｃ１２３ＡB",
            "有限公司",
            "()",
        }
    )


def _misspelt_districts() -> list[str]:
    """A city, then one of its districts spelt with other characters of the same sound
    (佛山舜德 for 佛山顺德)."""
    gazetteer = load_gazetteer()
    by_sound: dict[str, list[str]] = {}
    for code in range(0x4E00, 0xA000):
        by_sound.setdefault(sounds(chr(code)), []).append(chr(code))
    spelt = []
    for place in gazetteer.places("district"):
        city = gazetteer.by_code(place.parent_code or "")
        if city is None or not place.code.startswith("44"):
            continue
        others = [[c for c in by_sound[sounds(ch)] if c != ch] or [ch] for ch in place.short_name]
        pick = int(place.code) % 7
        spelt.append(city.short_name + "".join(chars[pick % len(chars)] for chars in others))
    return sorted(spelt)


_PIECES = _pieces()
_piece = st.sampled_from(_PIECES) | st.characters(exclude_categories=("Cs",))
_words = name_vocabulary()
_guangdong = sorted(
    {
        name
        for p in load_gazetteer().places()
        if p.code.startswith("44")
        for name in (p.name, p.short_name)
    }
)
# Shaped as company names are: regions, perhaps a city and a misspelt district, trade name, industry
# words, legal form, perhaps a branch.
_company_name = st.tuples(
    st.lists(st.sampled_from(_guangdong), max_size=2).map("".join),
    st.sampled_from(["", *_misspelt_districts()]),
    st.lists(st.sampled_from(list("宏达信汇鑫泰容洲新会")), min_size=0, max_size=3).map("".join),
    st.lists(st.sampled_from(_words.industry_tokens), max_size=2).map("".join),
    st.sampled_from(["", *_words.legal_forms]),
    st.sampled_from(["", *_words.branch_suffixes]),
).map("".join)
_name = _company_name | st.lists(_piece, min_size=0, max_size=9).map("".join)


@settings(max_examples=40)
@given(st.lists(_name, min_size=1, max_size=40))
def test_names_in_columns_are_taken_apart_as_one_by_one(names: list[str]) -> None:
    assert _name_chunk(names).equals(_one_by_one(names))


@settings(max_examples=25)
@given(st.lists(st.tuples(_name, st.none() | _name), min_size=1, max_size=40))
def test_registry_rows_in_columns_are_taken_apart_as_one_by_one(
    rows: list[tuple[str, str | None]],
) -> None:
    assert _registry_chunk(rows).equals(_registry_one_by_one(rows))


def test_the_hard_cases_by_hand() -> None:
    names = [
        "佛山市(三水)宏达建筑劳务有限公司",  # a region in brackets
        "宏达(广州)建筑有限公司",  # one after the trade name
        "广州(新)科技有限公司",  # words in brackets are kept
        "茂名市(化州)(源诚)建材有限公司",  # two pairs: the per-name parser
        "宏达建筑劳务有限公司三水分公司",  # a branch
        "广东舜德宏达电器有限公司",  # a misspelt district
        "江门市信汇建工有限公司",  # sounds like a district, but is the trade name
        "张三(包工头)",
        "(包工头)张三",
        "张三包工头",
        "王老板",
        "南海汽配",
        "建洲建设",
        "骏祥实业股份",
        "꟱宏达有限公司",  # U+A7F1: unassigned in Python's Unicode, polars may know it
        "",
    ]
    assert _name_chunk(names).equals(_one_by_one(names))


def test_normalising_in_columns_matches_python() -> None:
    # Every character of the BMP, one in 17 beyond it (every one is slow for CI).
    codes = [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, sys.maxunicode + 1, 17)]
    characters = [chr(code) for code in codes]
    got = name_columns.normalised(pl.Series(characters, dtype=pl.String)).to_list()
    assert got == [normalise(character) for character in characters]
    # The noise pattern spells out Python's whitespace from the BMP alone.
    assert not [code for code in range(0x10000, sys.maxunicode + 1) if chr(code).isspace()]


def test_an_empty_chunk_has_the_columns() -> None:
    assert _name_chunk([]).schema == pl.Schema(PARTS_SCHEMA)
    assert _registry_chunk([]).schema == pl.Schema(REGISTRY_SCHEMA)


def test_names_in_many_chunks_come_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of three, taken apart by two threads: each name's parts stay on its row.
    monkeypatch.setattr(bulk, "CHUNK", 3)
    names = [f"佛山市宏{digit}建筑有限公司" for digit in "一二三四五六七八九十"] + ["张三", ""]
    registry = [(name, "佛山市南海区桂城街道") for name in names]
    parsed, registry_parsed = bulk.parse_in_bulk(names, registry)
    assert parsed.drop("name").equals(_one_by_one(names))
    assert parsed.get_column("name").to_list() == names
    assert registry_parsed.drop("name", "address").equals(_registry_one_by_one(registry))
