"""The words names are read with, as data: ``features/names.yaml``, loaded and checked.

Legal forms, branch suffixes, the group word, industry words and their short forms (汽配 for
汽车配件), organisation marks, the notes clerks add to a person's name (张三(包工头)), and
the case-number abbreviations of the arbitration committees: each a bilingual list an
analyst can edit without Python. Each list carries examples of names and how they must be
taken apart; they run whenever the file is loaded, and a bad file is refused with every
problem at once, each with file:line.

:class:`NameVocabulary` is the loaded file with what the parser needs worked out once (the
lists longest first, the regular expressions); :func:`name_vocabulary` is the one that
ships with the engine, read once per process (a Spark executor reads it itself).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from screening.errors import RuleError
from screening.gazetteer import load_gazetteer
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

# Beside features/vocabulary.yaml (not imported from there: Spark executors that take
# names apart need not import sqlglot).
FEATURES_LIBRARY = Path(__file__).resolve().parents[2] / "features"
NAMES_FILE = "names.yaml"
MIN_TRADE = 2  # characters of trade name a name keeps before its industry words
WORD_END = "|"  # ends each industry word of a word sequence (no name holds it)
# The expectations an example may state (see the header of features/names.yaml).
EXPECTATIONS = (
    "trade",
    "industry",
    "full_core",
    "legal_form",
    "branch",
    "place",
    "generic",
    "person",
    "committee",
    "kind",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NameExample(_Strict):
    """A name and what taking it apart must give; only the keys written are checked."""

    name: str = Field(min_length=1)
    trade: str | None = None
    industry: str | None = None
    full_core: str | None = None
    legal_form: str | None = None
    branch: str | None = None
    place: str | None = None
    generic: bool | None = None
    person: str | None = None
    committee: str | None = None
    kind: str | None = None

    def expected(self) -> dict[str, Any]:
        """The expectations written out (a ``null`` written is an expectation too)."""
        return {key: getattr(self, key) for key in EXPECTATIONS if key in self.model_fields_set}


def _distinct_words(value: list[str]) -> list[str]:
    if any(not word.strip() or word != word.strip() for word in value):
        raise ValueError("a word cannot be empty or have spaces around it")
    if len(set(value)) != len(value):
        twice = sorted({word for word in value if value.count(word) > 1})
        raise ValueError(f"listed twice: {', '.join(twice)}")
    return value


class WordList(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    terms: list[str] = Field(min_length=1)
    examples: list[NameExample] = Field(min_length=1)

    _distinct = field_validator("terms")(_distinct_words)


class OneWord(WordList):
    terms: list[str] = Field(min_length=1, max_length=1)


class ShortForms(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    forms: dict[str, str] = Field(min_length=1)
    examples: list[NameExample] = Field(min_length=1)


class CompanyKinds(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    kinds: dict[str, list[str]] = Field(min_length=1)
    examples: list[NameExample] = Field(min_length=1)


class CaseNumberCities(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    cities: dict[str, str] = Field(min_length=1)
    examples: list[NameExample] = Field(min_length=1)


class CaseNumberCommittees(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    committees: dict[str, str] = Field(min_length=1)
    examples: list[NameExample] = Field(min_length=1)


class NameLists(_Strict):
    """The whole of ``features/names.yaml``."""

    legal_forms: WordList
    company_kinds: CompanyKinds
    group_word: OneWord
    branch_suffixes: WordList
    industry_words: WordList
    industry_short_forms: ShortForms
    organisation_marks: WordList
    person_notes: WordList
    committee_mark: OneWord
    case_number_cities: CaseNumberCities
    case_number_committees: CaseNumberCommittees


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda word: (-len(word), word)))


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(map(re.escape, words))


class NameVocabulary:
    """The name lists as the parser uses them: longest first, patterns compiled once.

    Read-only by convention; hashed by identity (parses are cached per vocabulary)."""

    def __init__(
        self, lists: NameLists, path: Path, document: YamlDocument, fingerprint: str
    ) -> None:
        self.lists, self.path, self.document = lists, path, document
        self.fingerprint = fingerprint  # of the file's bytes: parses depend on it
        self.legal_forms = _longest_first(lists.legal_forms.terms)
        self.legal_form_set = frozenset(self.legal_forms)
        self.legal_form_lengths = sorted({len(form) for form in self.legal_forms}, reverse=True)
        # Each legal form that says a kind of company → that kind (公司法 第七条).
        self.kind_of_form = {
            form: kind for kind, forms in lists.company_kinds.kinds.items() for form in forms
        }
        self.branch_suffixes = _longest_first(lists.branch_suffixes.terms)
        self.person_notes = _longest_first(lists.person_notes.terms)
        forms = lists.industry_short_forms.forms
        self.industry_tokens = _longest_first([*lists.industry_words.terms, *forms])
        # What each token stands for written out: itself, or a short form's full form.
        self.written_out = tuple(forms.get(token, token) for token in self.industry_tokens)
        alternation = _alternation(self.industry_tokens)
        self.tokens = re.compile(alternation)
        # The same, as the whole words it is, each followed by a bar (建工 → 建筑|工程|): a
        # full form is made of industry words (consistency_problems).
        self.word_sequences = tuple(
            "".join(f"{word}{WORD_END}" for word in self.tokens.findall(full))
            for full in self.written_out
        )
        self.only_tokens = re.compile(f"^(?:{alternation})+$")
        # The longest run of industry words ending a name, leaving MIN_TRADE characters.
        self.industry_tail = re.compile(f"^(.{{{MIN_TRADE},}}?)((?:{alternation})+)$")
        self.organisation_marks = re.compile(
            _alternation(_longest_first(lists.organisation_marks.terms))
        )

    @property
    def group_word(self) -> str:
        return self.lists.group_word.terms[0]

    @property
    def committee_mark(self) -> str:
        return self.lists.committee_mark.terms[0]

    @property
    def city_abbreviations(self) -> dict[str, str]:
        """Gazetteer city code → its abbreviation in case numbers."""
        return self.lists.case_number_cities.cities

    @property
    def committees(self) -> dict[str, str]:
        """A committee as case numbers write it (深龙劳人仲) → its place's code."""
        return self.lists.case_number_committees.committees

    @property
    def short_forms(self) -> dict[str, str]:
        return self.lists.industry_short_forms.forms

    def company_kind(self, legal_form: str) -> str | None:
        """The kind of company a legal form says (股份公司 → 股份有限公司), the group word
        aside (集团有限公司 → 有限责任公司); None for a form that says none (公司)."""
        return self.kind_of_form.get(legal_form.removeprefix(self.group_word))

    def where(self, *keys: str | int) -> str:
        return self.document.where(keys)

    def write_out(self, words: str) -> str:
        """Industry words with every short form written out in full (汽配 → 汽车配件); a
        short form inside a longer word (人力 in 人力资源) is left alone."""
        if not words:
            return words
        forms = self.short_forms
        return self.tokens.sub(lambda match: forms.get(match.group(), match.group()), words)

    def replaced(self, list_name: str, **update: Any) -> NameVocabulary:
        """This vocabulary with one list changed (for tests and what-ifs); not re-checked."""
        changed = getattr(self.lists, list_name).model_copy(update=update)
        lists = self.lists.model_copy(update={list_name: changed})
        return NameVocabulary(lists, self.path, self.document, self.fingerprint + "*")


def load_name_vocabulary(path: Path, *, check_examples: bool = True) -> NameVocabulary:
    """Read and check a name vocabulary file; every problem is raised at once with file:line.
    ``check_examples`` False skips running the examples."""
    document = load_yaml(path, error=RuleError)
    if not isinstance(document.data, dict):
        raise RuleError("the name vocabulary is a mapping of list names", where=document.where())
    try:
        lists = NameLists.model_validate(document.data)
    except ValidationError as exc:
        invalid = validation_errors(document, exc, NameLists, error=RuleError)
        raise RuleError(
            "; ".join(map(str, invalid)),
            hint=f"{len(invalid)} problem(s) in the name vocabulary; fix them all and load again",
        ) from None
    fingerprint = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    vocabulary = NameVocabulary(lists, path, document, fingerprint)
    problems = consistency_problems(vocabulary)
    if check_examples and not problems:
        problems += [str(failure) for failure in example_failures(vocabulary)]
    if problems:
        raise RuleError(
            "; ".join(problems),
            hint=f"{len(problems)} problem(s) in the name vocabulary; fix them all and load again",
        )
    return vocabulary


def consistency_problems(vocabulary: NameVocabulary) -> list[str]:
    """What the lists must agree on beyond their shapes, each with file:line."""
    lists, where = vocabulary.lists, vocabulary.where
    problems: list[str] = []
    industry = set(lists.industry_words.terms)
    only_industry = re.compile(f"^(?:{_alternation(_longest_first(industry))})+$")
    for short, full in lists.industry_short_forms.forms.items():
        at = where("industry_short_forms", "forms", short)
        if short in industry:
            problems.append(f"{at}: '{short}' is both a short form and an industry word")
        if len(short) < 2 or short == full:
            problems.append(f"{at}: '{short}' is no short form of '{full}'")
        if not only_industry.match(full):
            problems.append(
                f"{at}: the full form '{full}' is not made of industry words: add them to "
                "industry_words, so a name written in full is taken apart alike"
            )
    forms = set(lists.legal_forms.terms)
    seen: set[str] = set()
    for kind, kind_forms in lists.company_kinds.kinds.items():
        for index, form in enumerate(kind_forms):
            at = where("company_kinds", "kinds", kind, index)
            if form not in forms:
                problems.append(f"{at}: '{form}' is not one of legal_forms")
            if form in seen:
                problems.append(f"{at}: '{form}' says two kinds of company")
            seen.add(form)
    marks = vocabulary.organisation_marks
    for index, note in enumerate(lists.person_notes.terms):
        if marks.search(note):
            problems.append(
                f"{where('person_notes', 'terms', index)}: the note '{note}' holds an "
                "organisation mark, so no name with it could be a person's"
            )
    gazetteer = load_gazetteer()
    for code, abbreviation in lists.case_number_cities.cities.items():
        place = gazetteer.by_code(code)
        if place is None or place.level != "city":
            problems.append(
                f"{where('case_number_cities', 'cities', code)}: '{code}' is no city of the "
                "gazetteer (screening/data/gazetteer.csv)"
            )
        if not abbreviation.strip():
            problems.append(f"{where('case_number_cities', 'cities', code)}: empty abbreviation")
    mark = lists.committee_mark.terms[0]
    for committee, code in lists.case_number_committees.committees.items():
        at = where("case_number_committees", "committees", committee)
        if not committee.endswith(mark) or committee == mark:
            problems.append(
                f"{at}: '{committee}' is no committee's abbreviation: it should be a place's "
                f"abbreviation followed by {mark}"
            )
        place = gazetteer.by_code(code)
        if place is None or place.level not in ("city", "district") or not code.startswith("44"):
            problems.append(
                f"{at}: '{code}' is no city or district of Guangdong in the gazetteer "
                "(screening/data/gazetteer.csv)"
            )
    return problems


@dataclass(frozen=True)
class ExampleFailure:
    where: str
    name: str
    key: str
    expected: object
    found: object

    def __str__(self) -> str:
        return (
            f"{self.where}: example '{self.name}': {self.key} should be {self.expected!r}, "
            f"is {self.found!r}"
        )


def example_failures(vocabulary: NameVocabulary) -> list[ExampleFailure]:
    """The examples of every list that are not taken apart as they say."""
    from screening.resolve.names import read_example  # the parser reads with this module

    failures = []
    for list_name in NameLists.model_fields:
        for index, example in enumerate(getattr(vocabulary.lists, list_name).examples):
            found = read_example(example.name, vocabulary)
            for key, expected in example.expected().items():
                if found[key] != expected:
                    at = vocabulary.where(list_name, "examples", index)
                    failures.append(ExampleFailure(at, example.name, key, expected, found[key]))
    return failures


@cache
def name_vocabulary() -> NameVocabulary:
    """The name vocabulary that ships with the engine (``features/names.yaml``)."""
    return load_name_vocabulary(FEATURES_LIBRARY / NAMES_FILE)
