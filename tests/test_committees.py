"""Arbitration committees read from case numbers: the list of committees as they write
themselves (features/names.yaml, ``case_number_committees``) before the city-and-district
rule, hard negatives, an analyst's edit, a bad list refused, and the place deciding
between namesakes in a real resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
from names_edits import refused
from resolve_world import add_arbitrations, registry_world

from screening.committees import committee_place
from screening.identifiers import is_valid_uscc, make_uscc
from screening.resolve.link import resolve
from screening.resolve.name_vocabulary import name_vocabulary
from screening.store import Store


@pytest.mark.parametrize(
    ("committee", "place"),
    [
        ("深龙劳人仲", "440307"),  # 龙岗, though 龙华 begins with 龙 as well
        ("深华劳人仲", "440309"),  # 龙华 by its second character
        ("深龙华劳人仲", "440309"),  # 龙华 by its short name (the rule)
        ("深龙岗劳人仲", "440307"),
        ("深劳人仲", "440300"),  # the city's own committee
        ("深福劳人仲", "440304"),
        ("惠阳劳人仲", "441303"),  # the district's name alone, no city abbreviation
        ("惠劳人仲", "441300"),  # not 惠阳 cut short: 惠州's own committee
        ("东劳人仲", "441900"),  # 东莞's 仲裁院 (东劳人仲院虎门庭案字…)
        ("莞劳人仲", "441900"),
        ("佛三水劳人仲", "440607"),  # a committee the list does not hold: the rule
        # Hard negatives: nothing placed.
        ("深X劳人仲", None),  # no committee of 深圳 is written so
        ("汕潮劳人仲", None),  # 潮阳 or 潮南: ambiguous
        ("龙劳人仲", None),  # 龙岗, 龙华 or 龙门: no city named
        ("京劳人仲", None),  # not a Guangdong city
        ("深龙劳人仲案", None),  # the case number's text after the committee
        ("深圳市龙岗区人民法院", None),  # a court, not a committee
    ],
)
def test_committee_places(committee: str, place: str | None) -> None:
    found = committee_place(committee)
    assert (found.code if found else None) == place


def test_every_listed_committee_has_an_example() -> None:
    # An example per committee, so that removing or mistyping one fails the file's load.
    lists = name_vocabulary().lists.case_number_committees
    named = {example.name for example in lists.examples}
    assert sorted(set(lists.committees) - named) == []


def test_without_the_list_the_rule_cannot_tell_longgang_from_longhua() -> None:
    vocabulary = name_vocabulary()
    bare = vocabulary.replaced("case_number_committees", committees={})
    assert committee_place("深龙劳人仲", bare) is None  # 龙岗 or 龙华
    assert committee_place("惠阳劳人仲", bare) is None  # 惠 + a district 阳… none
    assert committee_place("东劳人仲", bare) is None
    found = committee_place("深龙华劳人仲", bare)
    assert found is not None and found.code == "440309"


def test_an_analyst_adds_a_committee() -> None:
    vocabulary = name_vocabulary()
    committees = {**vocabulary.committees, "江新劳人仲": "440705"}  # 新会区
    edited = vocabulary.replaced("case_number_committees", committees=committees)
    found = committee_place("江新劳人仲", edited)
    assert found is not None and found.name == "新会区"
    # The rule alone reads 江新 as 新会 too; 深龙 stays 龙岗's in the edited list.
    placed = committee_place("深龙劳人仲", edited)
    assert placed is not None and placed.code == "440307"


def test_a_bad_committee_is_refused_with_its_line(tmp_path: Path) -> None:
    path, message, line_of = refused(
        tmp_path,
        lambda text: text.replace('深龙劳人仲: "440307"', '深龙劳人仲: "110101"').replace(
            '深华劳人仲: "440309"', '深华劳仲: "440309"'
        ),
    )
    assert f"{path}:{line_of('深龙劳人仲: ')}: '110101' is no city or district of Guangdong" in (
        message
    )
    assert f"{path}:{line_of('深华劳仲: ')}: '深华劳仲' is no committee's abbreviation" in message


# Namesakes in 龙岗 and 龙华: only the committee's place can tell which one a row means.
TWINS = [
    (
        "深圳市龙岗区宏达建筑劳务有限公司",
        make_uscc("440307", "MA5DQ2LW"),
        "深圳市龙岗区龙城街道1号",
    ),
    (
        "深圳市龙华区宏达建筑劳务有限公司",
        make_uscc("440309", "MA5F4K5E"),
        "深圳市龙华区观澜街道2号",
    ),
]


def test_the_committee_tells_namesakes_in_longgang_and_longhua_apart(tmp_path: Path) -> None:
    case_numbers = [
        "深龙劳人仲案〔2024〕7号",  # 龙岗
        "深华劳人仲案〔2024〕8号",  # 龙华
        "深龙华劳人仲案〔2024〕9号",  # 龙华, written out
        "深X劳人仲案〔2024〕10号",  # no committee known: neither twin
        "汕潮劳人仲案〔2024〕11号",  # ambiguous, and in 汕头 besides: neither twin
    ]
    assert all(is_valid_uscc(uscc) for _, uscc, _ in TWINS)
    db = registry_world(tmp_path, TWINS, [])
    add_arbitrations(db, "宏达建筑劳务有限公司", case_numbers)
    with Store.open(db) as store:
        resolve(store)
        links = store.con.execute(
            """SELECT entity_id, method FROM mentions
               WHERE source_table = 'arbitrations' ORDER BY source_row"""
        ).fetchall()
    longgang, longhua = (f"C-{uscc}" for _, uscc, _ in TWINS)
    assert links[0] == (longgang, "exact")
    assert links[1] == (longhua, "exact")
    assert links[2] == (longhua, "exact")
    assert [entity not in (longgang, longhua) for entity, _ in links[3:]] == [True, True]
