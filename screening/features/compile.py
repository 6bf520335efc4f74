"""The feature library to SQL: every record set and subject view as one query, built as a
sqlglot tree and emitted in the backend's dialect at the end.

A record set is one select over its canonical table (masks as ``CASE WHEN``, entities and
links joined, first copies kept by a window). A subject view is a chain of layers: each
layer adds the features whose inputs the layers before it hold — expressions over the
subject's columns, and aggregates over a relation as one grouped subquery per relation,
left-joined to the subject (the related rows grouped by their side of the join where
that is one equality, else the subjects joined to them and grouped by key). A feature's
column is ``f__<name>`` inside the chain, so a feature may share its name with a record
column; the view names it plainly.

Parameters stay parameters: ``$as_of`` and each subject's ``$<subject>__<name>``, bound
when the statements run (:func:`parameters`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlglot import exp

from screening.features.library import (
    AS_OF,
    PROVENANCE,
    CheckedFeature,
    CheckedRecordSet,
    CheckedRelation,
    CheckedSubject,
    FeatureLibrary,
    records_table,
    view_table,
)
from screening.resolve.links import LINKS
from screening.rules.expressions import SUBJECT

DIALECT = "duckdb"
KEY = "__key"
Resolve = Callable[[exp.Column], exp.Expr]


def internal(name: str) -> str:
    return f"f__{name}"


def _rewrite(tree: exp.Expr, column: Resolve, parameter: Callable[[str], str]) -> exp.Expr:
    def visit(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            return column(node)
        if isinstance(node, exp.Placeholder):
            return exp.Placeholder(this=parameter(node.name))
        return node

    return tree.copy().transform(visit)


def _plain(name: str) -> str:
    return name


def _subject_parameter(subject: str) -> Callable[[str], str]:
    return lambda name: name if name == AS_OF else f"{subject}__{name}"


# ----- record sets ---------------------------------------------------------------------


def record_set_query(records: CheckedRecordSet) -> exp.Select:
    spec = records.spec

    def raw(node: exp.Column) -> exp.Expr:
        return exp.column(node.name, table="t")

    masked = {column: when for when, columns in records.masks for column in columns}
    select: list[exp.Expr] = []
    for column in records.raw_columns:
        value: exp.Expr = exp.column(column, table="t")
        if column in masked:
            when = _rewrite(masked[column], raw, _plain)
            value = exp.Case().when(when, value)
        select.append(value.as_(column))
    query = exp.select(*select).from_(exp.to_table(spec.table).as_("t"))
    for number, (column, name_column) in enumerate(spec.entities.items()):
        alias = f"m{number}"
        query = query.join(
            exp.to_table("mentions").as_(alias),
            on=exp.and_(
                exp.column("source_table", table=alias).eq(exp.Literal.string(spec.table)),
                exp.column("role", table=alias).eq(exp.Literal.string(name_column)),
                *_same_row(alias, "t"),
            ),
            join_type="left",
        )
        query = query.select(exp.column("entity_id", table=alias).as_(column))
    for number, (column, linked) in enumerate(spec.linked.items()):
        link, target = f"l{number}", f"x{number}"
        query = query.join(
            exp.to_table("record_links").as_(link),
            on=exp.and_(
                exp.column("link", table=link).eq(exp.Literal.string(linked.link)),
                exp.column("from_file", table=link).eq(exp.column("source_file", table="t")),
                exp.column("from_row", table=link).eq(exp.column("source_row", table="t")),
            ),
            join_type="left",
        ).join(
            exp.to_table(LINKS[linked.link][1]).as_(target),
            on=exp.and_(
                exp.column("source_file", table=target).eq(exp.column("to_file", table=link)),
                exp.column("source_row", table=target).eq(exp.column("to_row", table=link)),
            ),
            join_type="left",
        )
        query = query.select(exp.column(linked.column, table=target).as_(column))
    query = query.where(_rewrite(records.where, raw, _plain))
    if spec.first_per:
        first = exp.Window(
            this=exp.RowNumber(),
            partition_by=[exp.column(c, table="t") for c in spec.first_per],
            order=exp.Order(
                expressions=[exp.Ordered(this=exp.column(c, table="t")) for c in PROVENANCE]
            ),
        )
        query = query.qualify(first.eq(exp.Literal.number(1)))
    if not spec.columns and not spec.require:
        return query
    derived: dict[str, exp.Expr] = {}

    def inner(node: exp.Column) -> exp.Expr:
        if node.name in derived:
            return derived[node.name].copy()  # an earlier derived column, inlined
        return exp.column(node.name, table="r")

    for column, tree in records.derived.items():
        derived[column] = _rewrite(tree, inner, _plain)
    outer = exp.select(exp.Star(), *(tree.as_(c) for c, tree in derived.items())).from_(
        query.subquery("r")
    )
    for column in spec.require:
        value = derived.get(column, exp.column(column, table="r"))
        outer = outer.where(exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())))
    return outer


def _same_row(alias: str, other: str) -> list[exp.Expr]:
    return [exp.column(c, table=alias).eq(exp.column(c, table=other)) for c in PROVENANCE]


# ----- subjects ------------------------------------------------------------------------


@dataclass
class _Layer:
    expressions: list[tuple[str, exp.Expr]] = field(default_factory=list)
    aggregates: dict[str, list[CheckedFeature]] = field(default_factory=dict)


class _SubjectCompiler:
    def __init__(self, subject: CheckedSubject) -> None:
        self.subject = subject
        self.parameter = _subject_parameter(subject.name)
        self.available: dict[str, int] = dict.fromkeys(subject.records.columns, 0)
        self.defined: set[str] = set()  # features declared so far

    def name_of(self, column: str) -> str:
        """The chain's column for a subject column: a feature declared so far, or a record
        column."""
        return internal(column) if column in self.defined else column

    def query(self) -> exp.Select:
        layers: list[_Layer] = []
        for feature in self.subject.features:
            refs = self._subject_refs(feature)
            layer = 1 + max((self.available[self.name_of(r)] for r in refs), default=0)
            while len(layers) < layer:
                layers.append(_Layer())
            if feature.spec.expr is not None:
                tree = _rewrite(
                    feature.tree,
                    lambda c: exp.column(self.name_of(c.name), table="p"),
                    self.parameter,
                )
                layers[layer - 1].expressions.append((internal(feature.name), tree))
            else:
                over = feature.spec.over or ""
                # The aggregate reads the subject as it stood before this feature.
                measure = self._measure(feature)
                layers[layer - 1].aggregates.setdefault(over, []).append(
                    CheckedFeature(feature.spec, measure, None, feature.lineage)
                )
            self.defined.add(feature.name)
            self.available[internal(feature.name)] = layer
        ctes: list[tuple[str, exp.Select]] = [
            ("layer0", exp.select("*").from_(records_table(self.subject.records.name)))
        ]
        for number, adding in enumerate(layers, start=1):
            ctes.append((f"layer{number}", self._layer(f"layer{number - 1}", adding)))
        view = exp.select(
            *(exp.column(internal(f.name)).as_(f.name) for f in self.subject.features),
            *(exp.column(c) for c in self.subject.columns if c in PROVENANCE),
        ).from_(ctes[-1][0])
        for name, cte in ctes:
            view = view.with_(name, as_=cte)
        # Unordered, like the record sets: whoever reads a view orders what it reads
        # (rules, the model, ranking), and sorting millions of wide rows cost seconds.
        return view

    def _subject_refs(self, feature: CheckedFeature) -> set[str]:
        if feature.spec.expr is not None:
            return {c.name for c in feature.tree.find_all(exp.Column)}
        parts = [feature.tree, feature.where]
        relation = self.subject.relations[feature.spec.over or ""]
        parts.append(relation.join)
        return {
            c.name
            for part in parts
            if part is not None
            for c in part.find_all(exp.Column)
            if c.table == SUBJECT
        }

    def _measure(self, feature: CheckedFeature) -> exp.Expr:
        def column(node: exp.Column) -> exp.Expr:
            if node.table == SUBJECT:
                return exp.column(self.name_of(node.name), table="s")
            return exp.column(node.name, table="r")

        measure = _rewrite(feature.tree, column, self.parameter)
        if feature.where is not None:
            where = _rewrite(feature.where, column, self.parameter)
            measure = exp.Filter(this=measure, expression=exp.Where(this=where))
        return measure

    def _layer(self, previous: str, layer: _Layer) -> exp.Select:
        everything = exp.Column(this=exp.Star(), table=exp.to_identifier("p"))
        query = exp.select(everything).from_(exp.to_table(previous).as_("p"))
        for name, tree in layer.expressions:
            query = query.select(tree.as_(name))
        for number, (relation_name, measures) in enumerate(layer.aggregates.items()):
            alias = f"a{number}"
            relation = self.subject.relations[relation_name]
            grouped, subject_side = self._grouped(previous, relation, measures)
            query = query.join(
                grouped.subquery(alias),
                on=exp.column(KEY, table=alias).eq(subject_side),
                join_type="left",
            )
            for feature in measures:
                value: exp.Expr = exp.column(internal(feature.name), table=alias)
                default = _default(feature)
                if default is not None:
                    value = exp.func("coalesce", value, default)
                query = query.select(value.as_(internal(feature.name)))
        return query

    def _grouped(
        self, previous: str, relation: CheckedRelation, measures: list[CheckedFeature]
    ) -> tuple[exp.Select, exp.Expr]:
        """The aggregates over one relation, grouped, and what of the subject (``p``) the
        group's ``__key`` is joined to.

        When the relation is one equality between a record expression and a subject
        expression, and no measure reads the subject, the related rows are grouped by
        their own side of it: every subject whose side equals a group's key gets that
        group's aggregates, as it would by joining the subjects first and grouping by
        their key (subjects are unique by key), without joining millions of subjects to
        their rows. Otherwise the subjects are joined to the rows and grouped by key.
        """

        def aggregates(key: exp.Expr) -> exp.Select:
            return exp.select(
                key.as_(KEY), *(feature.tree.as_(internal(feature.name)) for feature in measures)
            )

        sides = _equality_sides(relation)
        reads_subject = any(
            column.table == "s"
            for feature in measures
            for column in feature.tree.find_all(exp.Column)
        )
        if sides is not None and not reads_subject:
            record_side, subject_side = sides
            record_key = _rewrite(
                record_side, lambda c: exp.column(c.name, table="r"), self.parameter
            )
            on_subject = _rewrite(
                subject_side, lambda c: exp.column(self.name_of(c.name), table="p"), self.parameter
            )
            source = exp.to_table(_source_table(relation)).as_("r")
            return aggregates(record_key).from_(source).group_by(record_key.copy()), on_subject
        key = self.subject.spec.key
        grouped = _join_relation(
            aggregates(exp.column(key, table="s")).from_(exp.to_table(previous).as_("s")),
            relation,
            lambda name: exp.column(self.name_of(name), table="s"),
            self.parameter,
        ).group_by(exp.column(key, table="s"))
        return grouped, exp.column(key, table="p")


def _equality_sides(relation: CheckedRelation) -> tuple[exp.Expr, exp.Expr] | None:
    """(record side, subject side) of a relation joined by one equality between an
    expression of the related rows and one of the subject; None for any other join."""
    if relation.spec.via is not None or not isinstance(relation.join, exp.EQ):
        return None

    def side(tree: exp.Expr) -> str | None:
        tables = {column.table == SUBJECT for column in tree.find_all(exp.Column)}
        return None if len(tables) != 1 else ("subject" if tables == {True} else "record")

    left, right = relation.join.this, relation.join.expression
    if (side(left), side(right)) == ("record", "subject"):
        return left, right
    if (side(left), side(right)) == ("subject", "record"):
        return right, left
    return None


def _default(feature: CheckedFeature) -> exp.Expr | None:
    value = feature.spec.default
    if value is None:
        aggregate = feature.tree.this if isinstance(feature.tree, exp.Filter) else feature.tree
        return exp.Literal.number(0) if isinstance(aggregate, exp.Count) else None
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    return exp.Literal.number(value)


def _source_table(relation: CheckedRelation) -> str:
    if relation.source_kind == "subject":
        return view_table(relation.spec.source)  # type: ignore[arg-type]
    return records_table(relation.spec.source)


def _join_relation(
    query: exp.Select,
    relation: CheckedRelation,
    subject_column: Callable[[str], exp.Expr],
    parameter: Callable[[str], str],
) -> exp.Select:
    """``query`` (whose subject alias is ``s``) joined to the related rows as ``r``."""
    source = exp.to_table(_source_table(relation)).as_("r")
    if relation.spec.via is not None:
        # A link is followed from whichever end the subject's record is.
        near, far = ("from", "to") if relation.forward else ("to", "from")
        return query.join(
            exp.to_table("record_links").as_("l"),
            on=exp.and_(
                exp.column("link", table="l").eq(exp.Literal.string(relation.spec.via)),
                exp.column(f"{near}_file", table="l").eq(exp.column("source_file", table="s")),
                exp.column(f"{near}_row", table="l").eq(exp.column("source_row", table="s")),
            ),
        ).join(
            source,
            on=exp.and_(
                exp.column("source_file", table="r").eq(exp.column(f"{far}_file", table="l")),
                exp.column("source_row", table="r").eq(exp.column(f"{far}_row", table="l")),
            ),
        )
    assert relation.join is not None

    def column(node: exp.Column) -> exp.Expr:
        if node.table == SUBJECT:
            return subject_column(node.name)
        return exp.column(node.name, table="r")

    return query.join(source, on=_rewrite(relation.join, column, parameter))


def subject_query(subject: CheckedSubject) -> exp.Select:
    return _SubjectCompiler(subject).query()


def _subject_key(subject: CheckedSubject) -> exp.Expr:
    """The subject key computed from the record (alias ``s``)."""
    return _rewrite(
        subject.features[0].tree,
        lambda c: exp.column(c.name, table="s"),
        _subject_parameter(subject.name),
    )


def related_rows(subject: CheckedSubject, relation_name: str, *columns: exp.Expr) -> exp.Select:
    """``subject_key`` of each subject beside ``columns`` of each of its related rows
    (qualified ``r``): the base of evidence and of rules' own aggregates."""
    query = exp.select(_subject_key(subject).as_("subject_key"), *columns).from_(
        exp.to_table(records_table(subject.records.name)).as_("s")
    )
    relation = subject.relations[relation_name]
    return _join_relation(
        query,
        relation,
        lambda name: exp.column(name, table="s"),
        _subject_parameter(subject.name),
    )


def evidence_query(subject: CheckedSubject, source: str) -> exp.Select:
    """(subject_key, source_file, source_row) of the records behind each subject: its own
    (``self``) or a relation's."""
    if source == "self":
        return exp.select(
            _subject_key(subject).as_("subject_key"),
            *(exp.column(c, table="s") for c in PROVENANCE),
        ).from_(exp.to_table(records_table(subject.records.name)).as_("s"))
    return related_rows(subject, source, *(exp.column(c, table="r") for c in PROVENANCE))


# ----- all of it -----------------------------------------------------------------------


def view_queries(library: FeatureLibrary) -> list[tuple[str, exp.Select]]:
    """(table, query) of every record set, then every subject view, in build order."""
    queries = [(records_table(name), record_set_query(r)) for name, r in library.records.items()]
    queries += [(view_table(name), subject_query(s)) for name, s in library.subjects.items()]
    return queries


def view_statements(library: FeatureLibrary) -> list[tuple[str, str]]:
    """(table, DuckDB SQL) of every record set, then every subject view, in build order."""
    return [
        (table, query.sql(dialect=DIALECT, pretty=True)) for table, query in view_queries(library)
    ]


def parameters(library: FeatureLibrary, as_of: date) -> dict[str, object]:
    values: dict[str, object] = {AS_OF: as_of}
    for name, subject in library.subjects.items():
        for parameter, spec in subject.spec.parameters.items():
            values[f"{name}__{parameter}"] = spec.default
    return values
