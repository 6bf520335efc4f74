"""Derived columns: a canonical column an agency does not send, computed by a declared rule.

Some agencies leave out a column the engine needs but send what it follows from: an
arbitration committee without 生效日期 still sends how and when each case closed. The
library ``features/derivations.yaml`` says how each such column follows, with its legal
basis and parameters; a manifest asks for a derivation per source (``derive:``), never
implicitly, and only for a column it maps no header to.

A derivation's expression is checked by the same allow-list as a rule's condition
(:mod:`screening.rules.expressions`) over the target table's canonical columns, and
compiled to SQL that runs in DuckDB over the typed rows at ingest. Parameters enter the
SQL as literals built by sqlglot, never as spliced text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlglot import exp

from screening.errors import RuleError
from screening.features.vocabulary import FEATURES_LIBRARY, Vocabulary, library_vocabulary
from screening.ingest.canonical import (
    COMPANION_COLUMNS,
    PROVENANCE_COLUMNS,
    SQL_TYPES,
    TABLES,
    CanonicalTable,
)
from screening.rules.expressions import ExpressionProblem, parse_expression
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

DERIVATIONS_FILE = "derivations.yaml"
DIALECT = "duckdb"
Value = bool | int | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Strict):
    """A number (or word) a derivation uses, which a manifest may override."""

    default: Value
    unit: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    source: str | None = Field(None, description="where the default comes from")


class DerivationSpec(_Strict):
    table: Literal["registry", "projects", "deposits", "arbitrations", "enforcements"]
    column: str
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    legal_basis: str | None = None
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    expr: str = Field(min_length=1)


@dataclass(frozen=True)
class Derivation:
    """One checked derivation of the library."""

    name: str
    spec: DerivationSpec
    tree: exp.Expr  # vocabulary expanded; $parameters still placeholders
    inputs: tuple[str, ...]  # the canonical columns it reads, in table order
    where: str  # file:line of its definition

    @property
    def table(self) -> CanonicalTable:
        return TABLES[self.spec.table]

    def parameter_problems(self, overrides: dict[str, Value]) -> list[str]:
        """Why ``overrides`` do not fit the declared parameters ([] when they do)."""
        problems = []
        for name, value in overrides.items():
            declared = self.spec.parameters.get(name)
            if declared is None:
                close = difflib.get_close_matches(name, list(self.spec.parameters), n=1)
                known = ", ".join(self.spec.parameters) or "none"
                hint = f"did you mean '{close[0]}'?" if close else f"its parameters: {known}"
                problems.append(f"{self.name} has no parameter '{name}' ({hint})")
            elif not _same_kind(declared.default, value):
                problems.append(
                    f"{self.name}.{name} is {_kind_of(declared.default)} "
                    f"({declared.unit}), not {value!r}"
                )
        return problems

    def applied(self, overrides: dict[str, Value] | None = None) -> AppliedDerivation:
        """This derivation with its parameters fixed (defaults, then ``overrides``)."""
        values = {name: spec.default for name, spec in self.spec.parameters.items()}
        values.update(overrides or {})

        def substitute(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Placeholder):
                return exp.convert(values[node.name])
            return node

        kind = self.table.columns[self.spec.column]
        sql_type = SQL_TYPES.get(kind, "VARCHAR")
        expression = exp.cast(exp.paren(self.tree.copy().transform(substitute)), sql_type)
        return AppliedDerivation(self.spec.column, self.name, values, expression, self.inputs)


@dataclass(frozen=True)
class AppliedDerivation:
    """A derivation as one source of a manifest uses it: parameters fixed, SQL ready."""

    column: str
    derivation: str
    parameters: dict[str, Value]
    expression: exp.Expr  # CAST(… AS the column's type), over the table's columns
    inputs: tuple[str, ...]

    def record(self) -> dict[str, object]:
        """What identifies it: hashed into the source's spec, shown to people."""
        return {
            "column": self.column,
            "derivation": self.derivation,
            "parameters": self.parameters,
            "sql": self.expression.sql(dialect=DIALECT),
        }


@dataclass(frozen=True)
class DerivationLibrary:
    path: Path
    derivations: dict[str, Derivation]

    def __getitem__(self, name: str) -> Derivation:
        return self.derivations[name]


def load_derivations(path: Path, vocabulary: Vocabulary | None = None) -> DerivationLibrary:
    """Read and check a derivation library; every problem is raised at once with file:line.

    Each expression is also bound by DuckDB against an empty typed table, so a type mistake
    (a date plus a name) is found here, not in the middle of an ingest.
    """
    vocabulary = vocabulary or library_vocabulary()
    document = load_yaml(path, error=RuleError)
    if not isinstance(document.data, dict):
        raise RuleError("a derivation library is a mapping of names", where=document.where())
    problems: list[str] = []
    derivations: dict[str, Derivation] = {}
    for name in document.data:
        checked = _check(str(name), document, vocabulary, problems)
        if checked is not None:
            derivations[checked.name] = checked
    if derivations:
        problems += _binding_problems(list(derivations.values()))
    if problems:
        raise RuleError(
            "; ".join(problems),
            hint=f"{len(problems)} problem(s) in the derivations; fix them all and load again",
        )
    return DerivationLibrary(path, derivations)


def _check(
    name: str, document: YamlDocument, vocabulary: Vocabulary, problems: list[str]
) -> Derivation | None:
    try:
        spec = DerivationSpec.model_validate(document.data[name])
    except ValidationError as exc:
        located = validation_errors(document.within(name), exc, DerivationSpec, error=RuleError)
        problems += [str(problem) for problem in located]
        return None
    table = TABLES[spec.table]
    if spec.column not in table.columns:
        close = difflib.get_close_matches(spec.column, list(table.columns), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"columns: {', '.join(table.columns)}"
        problems.append(
            f"{document.where((name, 'column'))}: '{spec.column}' is not a column of "
            f"{table.name} ({hint})"
        )
        return None
    if table.columns[spec.column] in COMPANION_COLUMNS:
        problems.append(
            f"{document.where((name, 'column'))}: {table.name}.{spec.column} is an identifier "
            "with check columns beside it; derive plain columns only"
        )
        return None
    # A derivation never reads the column it fills: it runs only where that column is empty.
    readable = [column for column in table.columns if column != spec.column]
    try:
        tree = parse_expression(
            spec.expr,
            columns=readable,
            parameters=list(spec.parameters),
            vocabulary=vocabulary,
            set_values=True,
        )
    except ExpressionProblem as problem:
        problems.append(f"{document.where((name, 'expr'))}: {problem.message} ({problem.hint})")
        return None
    used = {column.name for column in tree.find_all(exp.Column)}
    inputs = tuple(column for column in table.columns if column in used)
    return Derivation(name, spec, tree, inputs, document.where((name,)))


def _binding_problems(derivations: list[Derivation]) -> list[str]:
    problems = []
    with duckdb.connect() as con:
        for table in {d.spec.table for d in derivations}:
            columns = [*TABLES[table].sql_columns(), *PROVENANCE_COLUMNS]
            body = ", ".join(f"{name} {sql.split()[0]}" for name, sql in columns)
            con.execute(f"CREATE TABLE {table} ({body})")
        for derivation in derivations:
            query = exp.select(derivation.applied().expression).from_(derivation.spec.table)
            try:
                con.execute(query.sql(dialect=DIALECT)).fetchall()
            except duckdb.Error as error:
                first = str(error).splitlines()[0]
                problems.append(f"{derivation.where}: {derivation.name} does not compute: {first}")
    return problems


def _same_kind(default: Value, value: Value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int):  # days, months: a whole number
        return isinstance(value, int)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, str)


def _kind_of(default: Value) -> str:
    if isinstance(default, bool):
        return "true/false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    return "text"


def derived_select(
    table: CanonicalTable, applied: list[AppliedDerivation], relation: str
) -> exp.Select:
    """SELECT every column of ``relation`` (typed rows of ``table``), the derived ones
    computed, each step over the previous one so a derivation may read an earlier one's
    column."""
    names = [name for name, _sql in table.sql_columns()] + [n for n, _ in PROVENANCE_COLUMNS]
    source: exp.Expr = exp.to_table(relation)
    query = exp.select(*names).from_(source)
    for step, item in enumerate(applied):
        projections = [
            item.expression.copy().as_(name) if name == item.column else exp.column(name)
            for name in names
        ]
        query = exp.select(*projections).from_(query.subquery(f"step_{step}"))
    return query


@cache
def library_derivations() -> DerivationLibrary:
    """The derivations that ship with the engine (``features/derivations.yaml``)."""
    return load_derivations(FEATURES_LIBRARY / DERIVATIONS_FILE)
