"""The domain's words as data: named, bilingual term sets that rules and features refer to.

A term set (``features/vocabulary.yaml``) says which words mean one thing in agency data —
the close methods that mean 终本, the remark phrases that mean the money was paid — and how
a text matches them: ``equals`` one term, ``contains`` one, or starts (``prefix``) or ends
(``suffix``) with one; a text that contains an ``unless`` phrase never matches (已履行 but
not 未履行). Each set carries examples that must and must not match; they run whenever the
vocabulary is loaded, so an analyst who edits a word sees at once what it changes.

An expression refers to a set with ``@name``: ``close_method IN @zb_close`` is true when the
close method matches the set, compiled to plain SQL (``IN`` or one anchored regular
expression) so no rule ever runs code of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlglot import exp

from screening.errors import RuleError
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

FEATURES_LIBRARY = Path(__file__).resolve().parents[2] / "features"
VOCABULARY_FILE = "vocabulary.yaml"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
Match = Literal["equals", "contains", "prefix", "suffix"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Examples(_Strict):
    match: list[str] = Field(min_length=1, description="texts the set must match")
    no_match: list[str] = Field(min_length=1, description="texts it must not match")


class TermSet(_Strict):
    """One named list of words and how a text matches it."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    match: Match = "contains"
    terms: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list, description="phrases that cancel a match")
    examples: Examples

    @field_validator("terms", "unless")
    @classmethod
    def _no_blank_terms(cls, value: list[str]) -> list[str]:
        if any(not term.strip() for term in value):
            raise ValueError("a term cannot be empty")
        if len(set(value)) != len(value):
            raise ValueError("a term is listed twice")
        return value

    def matches(self, text: str | None) -> bool:
        """Whether ``text`` matches, exactly as the compiled SQL decides (NULL: no)."""
        if text is None:
            return False
        if any(phrase in text for phrase in self.unless):
            return False
        if self.match == "equals":
            return text in self.terms
        if self.match == "prefix":
            return text.startswith(tuple(self.terms))
        if self.match == "suffix":
            return text.endswith(tuple(self.terms))
        return any(term in text for term in self.terms)

    def pattern(self) -> str:
        """The regular expression of a non-``equals`` set (RE2 syntax, as DuckDB reads it)."""
        # Longest first, so an alternation never stops at a shorter term inside a longer one.
        alternatives = "|".join(_escape(t) for t in sorted(self.terms, key=lambda t: (-len(t), t)))
        if self.match == "prefix":
            return f"^({alternatives})"
        if self.match == "suffix":
            return f"({alternatives})$"
        return alternatives

    def condition(self, value: exp.Expr) -> exp.Expr:
        """SQL that is true when ``value`` matches (NULL when it is NULL)."""
        if self.match == "equals":
            found: exp.Expr = exp.In(
                this=value, expressions=[exp.Literal.string(t) for t in self.terms]
            )
        else:
            found = exp.RegexpLike(this=value, expression=exp.Literal.string(self.pattern()))
        if not self.unless:
            return exp.paren(found)
        cancelled = exp.RegexpLike(
            this=value.copy(),
            expression=exp.Literal.string("|".join(_escape(t) for t in self.unless)),
        )
        return exp.paren(exp.and_(found, exp.not_(cancelled)))


def _escape(term: str) -> str:
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", term)


@dataclass(frozen=True)
class Vocabulary:
    path: Path
    sets: dict[str, TermSet]
    document: YamlDocument

    def __getitem__(self, name: str) -> TermSet:
        return self.sets[name]

    def where(self, name: str, *keys: str | int) -> str:
        return self.document.where((name, *keys))

    def terms(self, name: str) -> list[str]:
        """A set's terms, longest first (for code that strips them off a text)."""
        return sorted(self.sets[name].terms, key=lambda term: (-len(term), term))


def load_vocabulary(path: Path, *, check_examples: bool = True) -> Vocabulary:
    """Read and check a vocabulary file; every problem is raised at once with file:line.
    ``check_examples`` False skips running the examples (to see what else a change breaks)."""
    document = load_yaml(path, error=RuleError)
    if not isinstance(document.data, dict):
        raise RuleError("a vocabulary is a mapping of set names", where=document.where())
    problems: list[str] = []
    sets: dict[str, TermSet] = {}
    for name, body in document.data.items():
        if not NAME.match(str(name)):
            where = document.where((name,))
            problems.append(f"{where}: '{name}' is not a name: use lower_case_with_underscores")
            continue
        try:
            sets[str(name)] = TermSet.model_validate(body)
        except ValidationError as exc:
            problems += [
                str(p)
                for p in validation_errors(document.within(name), exc, TermSet, error=RuleError)
            ]
    vocabulary = Vocabulary(path, sets, document)
    if check_examples:
        problems += [str(problem) for problem in example_failures(vocabulary)]
    if problems:
        raise RuleError(
            "; ".join(problems),
            hint=f"{len(problems)} problem(s) in the vocabulary; fix them all and load again",
        )
    return vocabulary


@dataclass(frozen=True)
class ExampleFailure:
    where: str
    set_name: str
    text: str
    expected: bool

    def __str__(self) -> str:
        verb = "should match" if self.expected else "should not match"
        return f"{self.where}: example '{self.text}' {verb} @{self.set_name}"


def example_failures(vocabulary: Vocabulary) -> list[ExampleFailure]:
    """The examples of every set that do not behave as they say."""
    failures = []
    for name, term_set in vocabulary.sets.items():
        for expected, texts in (
            (True, term_set.examples.match),
            (False, term_set.examples.no_match),
        ):
            key = "match" if expected else "no_match"
            for index, text in enumerate(texts):
                if term_set.matches(text) != expected:
                    where = vocabulary.where(name, "examples", key, index)
                    failures.append(ExampleFailure(where, name, text, expected))
    return failures


@cache
def library_vocabulary() -> Vocabulary:
    """The vocabulary that ships with the engine (``features/vocabulary.yaml``)."""
    return load_vocabulary(FEATURES_LIBRARY / VOCABULARY_FILE)
