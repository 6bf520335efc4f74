"""Rules to SQL: one query per subject for all its rules, parameters bound.

Each rule's checked expressions are rewritten on the syntax tree, never as text: a column
becomes the subject view's (``s.column``) or the rule's own aggregate, and a parameter
``$name`` becomes ``$<rule>__name`` so that two rules may both have a ``horizon_days``.
Values travel separately, as named parameters. The query is a sqlglot tree, emitted in the
backend's dialect when it runs (``sql`` is its DuckDB text, as ``rules explain`` shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from screening.features.compile import related_rows
from screening.features.library import FeatureLibrary, library, view_table
from screening.features.spec import Subject
from screening.rules.load import LoadedRule

Overrides = dict[str, dict[str, Any]]  # rule id -> parameter -> value


@dataclass(frozen=True)
class CompiledQuery:
    subject: Subject
    rule_ids: tuple[str, ...]
    sql: str  # the tree as DuckDB SQL
    parameters: dict[str, Any]
    tree: exp.Select


def slug(rule_id: str) -> str:
    return rule_id.lower().replace("-", "_")


def compile_subject(
    subject: Subject,
    rules: list[LoadedRule],
    overrides: Overrides | None = None,
    features: FeatureLibrary | None = None,
) -> CompiledQuery:
    """One row per subject on which at least one rule fires: its key, then per rule
    ``<ID>`` (did it fire) and ``<ID>:score``."""
    features = features or library()
    chosen = [loaded for loaded in rules if loaded.rule.subject == subject]
    overrides = overrides or {}
    select: list[exp.Expr] = [exp.column("subject_key", table="s")]
    fired: list[exp.Expr] = []
    parameters: dict[str, Any] = {}
    query = exp.select().from_(exp.to_table(view_table(subject)).as_("s"))
    for number, loaded in enumerate(chosen):
        rule = loaded.rule
        prefix = slug(rule.id)
        values = {name: p.default for name, p in rule.parameters.items()}
        values.update(overrides.get(rule.id, {}))
        parameters.update({f"{prefix}__{name}": value for name, value in values.items()})
        aggregates: dict[str, exp.Expr] = {}
        for name, aggregate in rule.aggregates.items():
            alias = f"a{number}_{name}"
            query = query.join(
                _aggregate_query(features, subject, prefix, name, loaded).subquery(alias),
                on=exp.column("subject_key", table="s").eq(exp.column("subject_key", table=alias)),
                join_type="left",
            )
            value: exp.Expr = exp.column(name, table=alias)
            if aggregate.function in ("count", "sum"):
                value = exp.func("coalesce", value, exp.Literal.number(0))
            aggregates[name] = value
        condition = _rewrite(loaded.condition, prefix, aggregates, table="s")
        condition = exp.func("coalesce", exp.paren(condition), exp.false())
        fired.append(exp.column(rule.id, quoted=True))
        select.append(condition.as_(rule.id, quoted=True))
        select.append(_score(loaded, prefix, aggregates).as_(f"{rule.id}:score", quoted=True))
    # Conditions are evaluated once, in the inner query; the outer keeps the rows that fired.
    query = exp.select("*").from_(query.select(*select).subquery("flags"))
    if fired:
        query = query.where(exp.or_(*fired))
    query = query.order_by("subject_key")
    # Only the parameters the query names: DuckDB refuses a value it has no place for (a
    # rule may declare a parameter that none of its expressions uses).
    used = {node.name for node in query.find_all(exp.Placeholder)}
    return CompiledQuery(
        subject,
        tuple(loaded.rule.id for loaded in chosen),
        query.sql(dialect="duckdb", pretty=True),
        {name: value for name, value in parameters.items() if name in used},
        query,
    )


def _aggregate_query(
    features: FeatureLibrary, subject: Subject, prefix: str, name: str, loaded: LoadedRule
) -> exp.Select:
    """The rule's own aggregate over the subject's related rows (``r``), per subject key."""
    aggregate = loaded.rule.aggregates[name]
    where = _rewrite(loaded.aggregate_filters[name], prefix, {}, table="r")
    if aggregate.function == "count":
        measure: exp.Expr = exp.Count(this=exp.Star())
    else:
        measure = exp.func(aggregate.function, exp.column(str(aggregate.column), table="r"))
    filtered = exp.Filter(this=measure, expression=exp.Where(this=where))
    rows = related_rows(features.subjects[subject], aggregate.over, filtered.as_(name))
    return rows.group_by(exp.Literal.number(1))


def _score(loaded: LoadedRule, prefix: str, aggregates: dict[str, exp.Expr]) -> exp.Expr:
    scoring = loaded.rule.score
    weight = exp.Literal.number(scoring.weight)
    if not scoring.bands:
        return weight
    case = exp.Case()
    for band, tree in zip(scoring.bands, loaded.bands, strict=True):
        case = case.when(
            _rewrite(tree, prefix, aggregates, table="s"), exp.Literal.number(band.factor)
        )
    return exp.Mul(this=weight, expression=exp.paren(case.else_(exp.Literal.number(1))))


def _rewrite(
    tree: exp.Expr, prefix: str, aggregates: dict[str, exp.Expr], *, table: str | None
) -> exp.Expr:
    def visit(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            if node.name in aggregates:
                return aggregates[node.name].copy()
            return exp.column(node.name, table=table)
        if isinstance(node, exp.Placeholder):
            return exp.Placeholder(this=f"{prefix}__{node.name}")
        return node

    return tree.copy().transform(visit)
