"""The name vocabulary (features/names.yaml): its examples hold, a bad file is refused with
file:line, no listed word is dead — removing any legal form, branch suffix, short form,
person note, committee abbreviation or form of a company kind fails an example — and polars
writes short forms out as the Python does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from names_edits import LIBRARY, refused

from screening.errors import RuleError
from screening.resolve import parses
from screening.resolve.matcher import _full_industry, _written_out
from screening.resolve.name_vocabulary import (
    NAMES_FILE,
    NameLists,
    NameVocabulary,
    example_failures,
    load_name_vocabulary,
    name_vocabulary,
)
from screening.resolve.names import take_apart

ABSENT = "（此词已删除）"  # a one-word list cannot be empty: a word no name has stands for none


def test_the_shipped_examples_hold() -> None:
    vocabulary = name_vocabulary()
    assert example_failures(vocabulary) == []
    examples = sum(len(getattr(vocabulary.lists, name).examples) for name in NameLists.model_fields)
    assert examples > 100
    assert len(vocabulary.short_forms) >= 15


def _without(vocabulary: NameVocabulary, list_name: str, word: str) -> NameVocabulary:
    listed = getattr(vocabulary.lists, list_name)
    if list_name == "industry_short_forms":
        return vocabulary.replaced(
            list_name, forms={k: v for k, v in listed.forms.items() if k != word}
        )
    if list_name == "company_kinds":
        kinds = {kind: [f for f in forms if f != word] for kind, forms in listed.kinds.items()}
        return vocabulary.replaced(list_name, kinds=kinds)
    if list_name == "case_number_cities":
        return vocabulary.replaced(
            list_name, cities={k: v for k, v in listed.cities.items() if k != word}
        )
    terms = [term for term in listed.terms if term != word] or [ABSENT]
    return vocabulary.replaced(list_name, terms=terms)


def _mutations() -> list[tuple[str, str]]:
    lists = name_vocabulary().lists
    mutations = [
        (name, word)
        for name in (
            "legal_forms",
            "branch_suffixes",
            "person_notes",
            "group_word",
            "committee_mark",
        )
        for word in getattr(lists, name).terms
    ]
    mutations += [("industry_short_forms", short) for short in lists.industry_short_forms.forms]
    mutations += [("case_number_cities", code) for code in lists.case_number_cities.cities]
    mutations += [
        ("company_kinds", form) for forms in lists.company_kinds.kinds.values() for form in forms
    ]
    return mutations


@pytest.mark.parametrize(("list_name", "word"), _mutations())
def test_removing_any_word_fails_an_example(list_name: str, word: str) -> None:
    mutated = _without(name_vocabulary(), list_name, word)
    assert example_failures(mutated), (
        f"no example of the file needs '{word}' ({list_name}): add one"
    )


def test_polars_writes_short_forms_out_as_python_does() -> None:
    vocabulary = name_vocabulary()
    names = [
        example.name
        for name in NameLists.model_fields
        for example in getattr(vocabulary.lists, name).examples
    ]
    names += [
        f"佛山市宏达{short}{tail}有限公司"
        for short in vocabulary.short_forms
        for tail in ("", "科技")
    ]
    names += ["佛山市宏达人力资源人力有限公司", "汽配汽配", "佛山市宏达建筑劳务有限公司三水分公司"]
    parts = [take_apart(name) for name in names]
    frame = pl.DataFrame(
        {
            "trade": [p.trade for p in parts],
            "industry": [p.industry for p in parts],
            "branch": [p.branch for p in parts],
        }
    ).with_columns(**_written_out(vocabulary), full_industry=_full_industry(vocabulary))
    assert frame["full_core"].to_list() == [p.full_core() for p in parts]
    assert frame["generic"].to_list() == [p.generic() for p in parts]
    generic = [p.full_core() if p.generic() else vocabulary.write_out(p.industry) for p in parts]
    assert frame["full_industry"].to_list() == generic


def test_a_bad_file_is_refused_with_every_problem_and_its_line(tmp_path: Path) -> None:
    path, message, line_of = refused(
        tmp_path,
        lambda text: (
            text.replace("    汽配: 汽车配件", "    汽配: 汽车零件")  # 零件 is no industry word
            .replace("班组长, 个人", "班组长, 项目部, 个人")  # 部 marks an organisation
            .replace('"441900": 莞', '"441999": 莞')  # no such city
            .replace("{name: 余有洋, person: 余有洋}", "{name: 余有洋, person: 余有}")
        ),
    )
    text = LIBRARY.read_text(encoding="utf-8")
    assert f"{path}:{line_of('汽配: 汽车零件')}: the full form '汽车零件'" in message
    assert "the note '项目部' holds an organisation mark" in message
    assert f"{path}:{line_of('441999')}: '441999' is no city" in message
    # The examples run once the lists agree.
    path.write_text(text.replace("{name: 余有洋, person: 余有洋}", "{name: 余有洋, person: 余有}"))
    with pytest.raises(RuleError, match=r"names.yaml:\d+: example '余有洋': person should be"):
        load_name_vocabulary(path)


def test_an_unknown_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / NAMES_FILE
    text = LIBRARY.read_text(encoding="utf-8").replace("person_notes:", "person_note:")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        load_name_vocabulary(path)
    assert "unknown key 'person_note'" in str(raised.value)
    assert "did you mean 'person_notes'" in str(raised.value)
    assert "missing required key 'person_notes'" in str(raised.value)


def test_changing_the_file_changes_the_parse_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / NAMES_FILE
    path.write_text(
        LIBRARY.read_text(encoding="utf-8")
        .replace("    钢构: 钢结构\n", "")
        .replace("    - {name: 佛山市宏达钢构有限公司, full_core: 宏达钢结构}\n", ""),
        encoding="utf-8",
    )
    edited = load_name_vocabulary(path)
    assert "钢构" not in edited.short_forms
    assert parses.parsing_fingerprint(edited) != parses.parser_fingerprint()
    assert parses.parsing_fingerprint(name_vocabulary()) == parses.parser_fingerprint()


def test_features_list_shows_the_name_lists(tmp_path: Path) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "screening", "features", "list", "names"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "3000"},
        check=True,
    )
    shown_words = ("industry_short_forms", "汽配→汽车配件", "person_notes", "包工头", "440600 佛")
    shown_words += (
        "case_number_committees",
        "深龙劳人仲 440307",
        "股份有限公司: 股份有限公司/股份公司",
    )
    for shown in shown_words:
        assert shown in listed.stdout, shown


def test_a_kind_of_company_names_only_legal_forms_and_each_once(tmp_path: Path) -> None:
    path, message, line_of = refused(
        tmp_path,
        lambda text: text.replace(
            "股份有限公司: [股份有限公司, 股份公司, 股份]",
            "股份有限公司: [股份有限公司, 有限公司, 股分]",
        ),
    )
    assert f"{path}:{line_of('股分]')}: '股分' is not one of legal_forms" in message
    assert "'有限公司' says two kinds of company" in message
