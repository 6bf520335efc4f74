"""Loading a folder of rule files: every problem of every rule, located to file:line.

``load_rules`` never stops at the first problem: an analyst fixing rules wants the whole
list at once (``screening rules check``). Errors make a rule unusable; warnings (a draft
rule, a file named unlike its id) do not.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from sqlglot import exp

from screening.errors import RuleError
from screening.features.library import FeatureLibrary, library
from screening.ingest.canonical import PROVENANCE_COLUMNS, TABLES
from screening.rules.expressions import ExpressionProblem, parse_expression
from screening.rules.model import EvidenceTable, Rule, value_problem
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    where: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}" + (
            f" — {self.hint}" if self.hint else ""
        )


@dataclass
class LoadedRule:
    """A valid rule with its checked expressions."""

    rule: Rule
    path: Path
    condition: exp.Expr
    bands: list[exp.Expr]
    aggregate_filters: dict[str, exp.Expr]
    where: str = ""  # file:line of the condition, for errors found when the rule runs


@dataclass
class RuleSet:
    rules: list[LoadedRule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def by_id(self, rule_id: str) -> LoadedRule:
        for loaded in self.rules:
            if loaded.rule.id == rule_id:
                return loaded
        known = [loaded.rule.id for loaded in self.rules]
        close = difflib.get_close_matches(rule_id, known, n=1)
        raise RuleError(
            f"no rule {rule_id}",
            hint=f"did you mean {close[0]}?" if close else f"known rules: {', '.join(known)}",
        )

    def raise_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise RuleError(
                first.message + more,
                where=first.where,
                hint=first.hint or "run `screening rules check` for the full list",
            )


def load_rules(directory: Path, features: FeatureLibrary | None = None) -> RuleSet:
    """Every ``*.yaml`` rule under ``directory``, in file-name order, with all problems;
    expressions are checked against ``features`` (default: the library's)."""
    features = features or library()
    result = RuleSet()
    if not directory.is_dir():
        result.problems.append(
            Problem("error", str(directory), "no such rule folder", "check the rules path")
        )
        return result
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        loaded, problems = load_rule(path, features)
        result.problems.extend(problems)
        if loaded is None:
            continue
        if loaded.rule.id in seen:
            result.problems.append(
                Problem(
                    "error",
                    f"{path}:1",
                    f"rule id {loaded.rule.id} is also used by {seen[loaded.rule.id]}",
                    "give each rule its own id",
                )
            )
            continue
        seen[loaded.rule.id] = path
        result.rules.append(loaded)
    return result


def load_rule(
    path: Path, features: FeatureLibrary | None = None
) -> tuple[LoadedRule | None, list[Problem]]:
    try:
        document = load_yaml(path, error=RuleError)
    except RuleError as error:
        return None, [Problem("error", error.where or str(path), error.message, error.hint or "")]
    try:
        rule = Rule.model_validate(document.data)
    except ValidationError as exc:
        located = validation_errors(document, exc, Rule, error=RuleError)
        return None, [
            Problem("error", e.where or str(path), e.message, e.hint or "") for e in located
        ]
    checker = _Checker(rule, document, features or library())
    loaded = checker.check(path)
    return (None if checker.failed else loaded), checker.problems


class _Checker:
    """The checks pydantic cannot make: expressions, names, test rows."""

    def __init__(self, rule: Rule, document: YamlDocument, features: FeatureLibrary) -> None:
        self.rule = rule
        self.document = document
        self.subject = features.subjects[rule.subject]
        self.vocabulary = features.vocabulary
        self.problems: list[Problem] = []

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def check(self, path: Path) -> LoadedRule:
        rule = self.rule
        expected = rule.id.lower().replace("-", "_") + ".yaml"
        if path.name != expected:
            self._add("warning", (), f"the file of rule {rule.id} is usually named {expected}")
        if rule.status == "draft":
            self._add("warning", ("status",), "a draft rule is checked and tested, not run")
        parameters = set(rule.parameters)
        filters = {
            name: self._expression(
                aggregate.where, ("aggregates", name, "where"), self._relation(name), parameters
            )
            for name, aggregate in rule.aggregates.items()
        }
        visible = set(self.subject.columns) | set(rule.aggregates)
        condition = self._expression(rule.condition, ("condition",), visible, parameters)
        bands = [
            self._expression(band.when, ("score", "bands", number, "when"), visible, parameters)
            for number, band in enumerate(rule.score.bands)
        ]
        for number, table in enumerate(rule.evidence):
            if table not in self.subject.spec.evidence:
                tables = sorted(self.subject.spec.evidence)
                self._add(
                    "error",
                    ("evidence", number),
                    f"evidence on subject '{rule.subject}' cannot come from {table}",
                    f"it can come from {', '.join(tables)}",
                )
        for number, case in enumerate(rule.tests):
            self._test_rows(number, case.rows)
            for name, value in case.parameters.items():
                at = ("tests", number, "parameters", name)
                if name not in parameters:
                    self._add(
                        "error",
                        at,
                        f"the rule has no parameter {name!r}",
                        _did_you_mean(name, parameters),
                    )
                elif problem := value_problem(rule.parameters[name], value):
                    self._add("error", at, f"parameter {name!r} {problem}")
        used = {
            node.name
            for tree in (condition, *bands, *filters.values())
            for node in tree.find_all(exp.Placeholder)
        }
        for name in sorted(parameters - used) if not self.failed else ():
            self._add(
                "warning",
                ("parameters", name),
                f"parameter {name!r} is not used by any expression",
                f"use it as ${name}, or remove it",
            )
        return LoadedRule(
            rule, path, condition, bands, filters, self.document.where(("condition",))
        )

    def _relation(self, name: str) -> set[str]:
        aggregate = self.rule.aggregates[name]
        relations = self.subject.relations
        if aggregate.over not in relations:
            self._add(
                "error",
                ("aggregates", name, "over"),
                f"subject '{self.rule.subject}' has no related {aggregate.over}",
                f"related rows: {', '.join(relations)}",
            )
            return set()
        known = set(relations[aggregate.over].columns)
        if aggregate.function == "count" and aggregate.column is not None:
            self._add("error", ("aggregates", name, "column"), "count takes no column")
        if aggregate.function != "count" and aggregate.column not in known:
            self._add(
                "error",
                ("aggregates", name, "column"),
                f"{aggregate.function} needs a column of {aggregate.over}",
                f"one of {', '.join(sorted(known))}",
            )
        return known

    def _expression(
        self, text: str, at: tuple[str | int, ...], columns: set[str], parameters: set[str]
    ) -> exp.Expr:
        try:
            return parse_expression(
                text, columns=columns, parameters=parameters, vocabulary=self.vocabulary
            )
        except ExpressionProblem as problem:
            self._add("error", at, problem.message, problem.hint)
            return exp.false()

    def _test_rows(
        self, number: int, rows: Mapping[EvidenceTable, list[dict[str, object]]]
    ) -> None:
        for table, records in rows.items():
            known = {name for name, _type in TABLES[table].sql_columns()}
            known -= {name for name, _type in PROVENANCE_COLUMNS}
            for index, record in enumerate(records):
                for column in record:
                    if column not in known:
                        self._add(
                            "error",
                            ("tests", number, "rows", table, index, column),
                            f"{table} has no column '{column}'",
                            _did_you_mean(column, known),
                        )

    def _add(
        self, severity: Severity, at: tuple[str | int, ...], message: str, hint: str = ""
    ) -> None:
        self.problems.append(Problem(severity, self.document.where(at), message, hint))


def _did_you_mean(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean '{close[0]}'?" if close else ""
