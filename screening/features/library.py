"""The feature library: the vocabulary, the record sets and the subjects, loaded and checked.

Everything is known from the YAML and the canonical tables' declarations, never by running
SQL: each column of each record set and subject view, the relations a rule aggregate may
run over, and the **lineage** of every column (the canonical columns it is computed from),
which tells whether a rule can run on data that lacks a column
(:mod:`screening.features.coverage`). Every problem of every file is reported at once,
with file:line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlglot import exp

from screening.errors import RuleError
from screening.features.spec import (
    SUBJECTS,
    Feature,
    RecordSet,
    Relation,
    Subject,
    SubjectSpec,
)
from screening.features.vocabulary import (
    FEATURES_LIBRARY,
    VOCABULARY_FILE,
    Vocabulary,
    load_vocabulary,
)
from screening.ingest.canonical import PROVENANCE_COLUMNS, TABLES
from screening.resolve.links import ENTITY_COLUMNS, LINKS
from screening.rules.expressions import (
    AGGREGATES,
    SUBJECT,
    ExpressionProblem,
    parse_expression,
)
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

RECORDS_FILE = "records.yaml"
SUBJECTS_FOLDER = "subjects"
AS_OF = "as_of"  # the job's date, a parameter of every expression
PROVENANCE = ("source_file", "source_row")
Lineage = frozenset[str]  # canonical columns as "table.column"
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class CheckedRecordSet:
    name: str
    spec: RecordSet
    raw_columns: tuple[str, ...]  # of the table, in table order
    columns: tuple[str, ...]  # raw, entity, linked, derived
    where: exp.Expr
    masks: tuple[tuple[exp.Expr, tuple[str, ...]], ...]
    derived: dict[str, exp.Expr]
    lineage: dict[str, Lineage]

    @property
    def has_provenance(self) -> bool:
        return "source_file" in self.raw_columns


@dataclass(frozen=True)
class CheckedRelation:
    name: str
    spec: Relation
    source_kind: str  # "records" | "subject"
    columns: frozenset[str]  # of the related rows
    join: exp.Expr | None
    lineage: Lineage  # of the columns the relation is formed by
    forward: bool = True  # a link followed from its from-end (False: from its to-end)


@dataclass(frozen=True)
class CheckedFeature:
    spec: Feature
    tree: exp.Expr  # the expression, or the aggregate
    where: exp.Expr | None
    lineage: Lineage

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class CheckedSubject:
    spec: SubjectSpec
    path: Path
    records: CheckedRecordSet
    relations: dict[str, CheckedRelation]
    features: tuple[CheckedFeature, ...]
    anomaly_population: exp.Expr | None

    @property
    def name(self) -> Subject:
        return self.spec.subject

    @property
    def columns(self) -> tuple[str, ...]:
        """The subject view's columns: its features, then its record's provenance."""
        extra = PROVENANCE if self.records.has_provenance else ()
        return (*(f.name for f in self.features), *extra)

    def feature(self, name: str) -> CheckedFeature:
        return next(f for f in self.features if f.name == name)

    def lineage(self, column: str) -> Lineage:
        if column in PROVENANCE:
            return frozenset()
        return self.feature(column).lineage


@dataclass(frozen=True)
class FeatureLibrary:
    folder: Path
    vocabulary: Vocabulary
    records: dict[str, CheckedRecordSet]
    subjects: dict[Subject, CheckedSubject]
    fingerprint: str  # of every file the library was read from

    def view_table(self, subject: Subject) -> str:
        return view_table(subject)


def view_table(subject: Subject) -> str:
    return f"subject_{subject}"


def records_table(name: str) -> str:
    return f"records_{name}"


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str, hint: str = "") -> None:
        self.messages.append(f"{where}: {message}" + (f" — {hint}" if hint else ""))

    def raise_any(self, folder: Path) -> None:
        if self.messages:
            raise RuleError(
                "; ".join(self.messages),
                where=str(folder),
                hint=f"{len(self.messages)} problem(s) in the feature library; fix them all",
            )


def load_library(folder: Path, vocabulary: Vocabulary | None = None) -> FeatureLibrary:
    """Read and check the feature library in ``folder`` (with ``vocabulary`` instead of its
    own, when given); all problems raised together."""
    problems = _Problems()
    vocabulary = vocabulary or load_vocabulary(folder / VOCABULARY_FILE)
    records_doc = load_yaml(folder / RECORDS_FILE, error=RuleError)
    records: dict[str, CheckedRecordSet] = {}
    for name in records_doc.data or {}:
        spec = _validated(records_doc.within(name), RecordSet, problems)
        if spec is not None:
            records[name] = _check_records(name, spec, records_doc, vocabulary, problems)
    subjects: dict[Subject, CheckedSubject] = {}
    paths = {path.stem: path for path in sorted((folder / SUBJECTS_FOLDER).glob("*.yaml"))}
    for subject in SUBJECTS:  # in build order: a subject may relate to one built before it
        if subject not in paths:
            problems.add(str(folder / SUBJECTS_FOLDER), f"no {subject}.yaml")
            continue
        document = load_yaml(paths[subject], error=RuleError)
        subject_spec = _validated(document, SubjectSpec, problems)
        if subject_spec is None:
            continue
        if subject_spec.subject != subject:
            problems.add(document.where(("subject",)), f"{paths[subject].name} is not '{subject}'")
            continue
        checked = _SubjectChecker(
            subject_spec, paths[subject], document, records, subjects, vocabulary
        )
        subjects[subject] = checked.check(problems)
    problems.raise_any(folder)
    return FeatureLibrary(folder, vocabulary, records, subjects, _fingerprint(folder))


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.yaml")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def library() -> FeatureLibrary:
    """The feature library that ships with the engine (``features/``)."""
    return load_library(FEATURES_LIBRARY)


def _validated(document: YamlDocument, model: type[ModelT], problems: _Problems) -> ModelT | None:
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        for error in validation_errors(document, exc, model, error=RuleError):
            problems.add(error.where or str(document.path), error.message, error.hint or "")
        return None


# ----- record sets ---------------------------------------------------------------------


def _table_columns(table: str) -> tuple[str, ...]:
    if table == "entities":
        return ENTITY_COLUMNS
    return (
        *(name for name, _type in TABLES[table].sql_columns()),
        *(name for name, _type in PROVENANCE_COLUMNS),
    )


def _check_records(
    name: str,
    spec: RecordSet,
    document: YamlDocument,
    vocabulary: Vocabulary,
    problems: _Problems,
) -> CheckedRecordSet:
    def parse(text: str, at: tuple[str | int, ...], columns: Collection[str]) -> exp.Expr:
        try:
            return parse_expression(
                text, columns=columns, parameters={AS_OF}, vocabulary=vocabulary
            )
        except ExpressionProblem as problem:
            problems.add(document.where((name, *at)), problem.message, problem.hint)
            return exp.true()

    if spec.table != "entities" and spec.table not in TABLES:
        problems.add(
            document.where((name, "table")),
            f"no canonical table '{spec.table}'",
            f"tables: {', '.join(TABLES)}",
        )
        raw: tuple[str, ...] = ()
    else:
        raw = _table_columns(spec.table)
    lineage: dict[str, Lineage] = {c: frozenset({f"{spec.table}.{c}"}) for c in raw}
    for provenance in ("source_file", "source_row", "duplicate_of_row"):
        lineage[provenance] = frozenset()
    where = exp.and_(parse(spec.where, ("where",), raw), parse(spec.visible, ("visible",), raw))
    masks = []
    for number, mask in enumerate(spec.masks):
        when = parse(mask.when, ("masks", number, "when"), raw)
        for column in mask.columns:
            if column not in raw:
                problems.add(document.where((name, "masks", number)), f"no column '{column}'")
            else:
                lineage[column] = lineage[column] | _columns_of(when, lineage)
        masks.append((when, tuple(mask.columns)))
    columns = list(raw)
    for column, name_column in spec.entities.items():
        if name_column not in raw:
            problems.add(document.where((name, "entities", column)), f"no column '{name_column}'")
        lineage[column] = frozenset({f"{spec.table}.{name_column}"})
        columns.append(column)
    for column, linked in spec.linked.items():
        if linked.link not in LINKS:
            problems.add(
                document.where((name, "linked", column)),
                f"no record link '{linked.link}'",
                f"links: {', '.join(LINKS)}",
            )
        lineage[column] = frozenset() if linked.exception else frozenset({f"link.{linked.link}"})
        columns.append(column)
    derived: dict[str, exp.Expr] = {}
    for column, text in spec.columns.items():
        derived[column] = parse(text, ("columns", column), columns)
        lineage[column] = _columns_of(derived[column], lineage)
        columns.append(column)
    for column in spec.require:
        if column not in columns:
            problems.add(document.where((name, "require")), f"no column '{column}'")
    return CheckedRecordSet(name, spec, raw, tuple(columns), where, tuple(masks), derived, lineage)


def _columns_of(tree: exp.Expr, lineage: dict[str, Lineage], table: str | None = None) -> Lineage:
    """The canonical columns the columns in ``tree`` (of that qualifier) come from."""
    found: set[str] = set()
    for column in tree.find_all(exp.Column):
        if (column.table or None) == table:
            found |= lineage.get(column.name, frozenset())
    return frozenset(found)


# ----- subjects ------------------------------------------------------------------------


@dataclass
class _SubjectChecker:
    spec: SubjectSpec
    path: Path
    document: YamlDocument
    records: dict[str, CheckedRecordSet]
    built: dict[Subject, CheckedSubject]
    vocabulary: Vocabulary
    columns: dict[str, Lineage] = field(default_factory=dict)

    def check(self, problems: _Problems) -> CheckedSubject:
        self.problems = problems
        spec = self.spec
        base = self.records.get(spec.source)
        if base is None:
            self._add(
                ("from",), f"no record set '{spec.source}'", f"sets: {', '.join(self.records)}"
            )
            base = CheckedRecordSet(
                spec.source,
                RecordSet(zh="", en="", table="entities"),
                (),
                (),
                exp.true(),
                (),
                {},
                {},
            )
        if spec.key not in base.columns and base.columns:
            self._add(("key",), f"the record set has no column '{spec.key}'")
        self.base = base
        self.columns = {column: base.lineage.get(column, frozenset()) for column in base.columns}
        self.parameters = {AS_OF, *spec.parameters}
        relations = {
            name: self._relation(name, relation) for name, relation in spec.relations.items()
        }
        self.relations = relations
        features = []
        names: set[str] = set()
        for number, feature in enumerate(spec.features):
            if feature.name in names:
                self._add(("features", number, "name"), f"feature '{feature.name}' twice")
            names.add(feature.name)
            features.append(self._feature(number, feature))
            self.columns[feature.name] = features[-1].lineage
        if not features or features[0].name != "subject_key":
            self._add(("features",), "the first feature must be subject_key")
        elif not {c.name for c in features[0].tree.find_all(exp.Column)} <= set(base.columns):
            self._add(("features", 0), "subject_key must be computed from the record alone")
        for table, source in spec.evidence.items():
            if source != "self" and source not in relations:
                self._add(("evidence", table), f"no relation '{source}'")
        population = None
        if spec.anomaly is not None:
            population = self._parse(
                spec.anomaly.population,
                ("anomaly", "population"),
                set(self.columns),
                extra_parameters={"min_cases"},
            )
            seen: set[str] = set()
            for lens_name, lens in spec.anomaly.lenses.items():
                for key in ("features", "optional"):
                    for name in getattr(lens, key):
                        at = ("anomaly", "lenses", lens_name, key)
                        if name not in names:
                            self._add(at, f"no feature '{name}'")
                        elif name in seen:
                            self._add(at, f"'{name}' is named twice: put it in one lens, once")
                        seen.add(name)
        return CheckedSubject(spec, self.path, base, relations, tuple(features), population)

    def _relation(self, name: str, relation: Relation) -> CheckedRelation:
        at = ("relations", name)
        if relation.source in self.records:
            source = self.records[relation.source]
            kind, columns = "records", frozenset(source.columns)
            row_lineage = source.lineage
        elif relation.source in SUBJECTS and relation.source in self.built:
            subject = self.built[relation.source]
            kind, columns = "subject", frozenset(subject.columns)
            row_lineage = {c: subject.lineage(c) for c in subject.columns}
        else:
            self._add((*at, "from"), f"no record set or earlier subject '{relation.source}'")
            return CheckedRelation(name, relation, "records", frozenset(), None, frozenset())
        if (relation.join is None) == (relation.via is None):
            self._add(at, "a relation needs either 'join' or 'via'")
            return CheckedRelation(name, relation, kind, columns, None, frozenset())
        if relation.via is not None:
            if relation.via not in LINKS:
                self._add((*at, "via"), f"no record link '{relation.via}'", ", ".join(LINKS))
                return CheckedRelation(name, relation, kind, columns, None, frozenset())
            near, _far = LINKS[relation.via]
            return CheckedRelation(
                name,
                relation,
                kind,
                columns,
                None,
                frozenset({f"link.{relation.via}"}),
                forward=near == self.base.spec.table,
            )
        join = self._parse(
            relation.join or "",
            (*at, "join"),
            columns,
            aggregate=False,
            subject_columns=set(self.base.columns),
        )
        lineage = _columns_of(join, dict(row_lineage)) | _columns_of(
            join, self.base.lineage, SUBJECT
        )
        return CheckedRelation(name, relation, kind, columns, join, lineage)

    def _feature(self, number: int, feature: Feature) -> CheckedFeature:
        at = ("features", number)
        if (feature.expr is None) == (feature.aggregate is None):
            self._add(at, f"feature '{feature.name}' needs either 'expr' or 'aggregate'")
            return CheckedFeature(feature, exp.null(), None, frozenset())
        if feature.expr is not None:
            if feature.over or feature.where:
                self._add(at, "'over' and 'where' belong to an aggregate")
            tree = self._parse(feature.expr, (*at, "expr"), set(self.columns))
            return CheckedFeature(feature, tree, None, _columns_of(tree, self.columns))
        relation = self.relations.get(feature.over or "")
        if relation is None:
            self._add(
                (*at, "over"), f"an aggregate needs 'over', one of: {', '.join(self.relations)}"
            )
            return CheckedFeature(feature, exp.null(), None, frozenset())
        row = self._row_lineage(relation)
        tree = self._parse(
            feature.aggregate or "",
            (*at, "aggregate"),
            relation.columns,
            aggregate=True,
            subject_columns=set(self.columns),
        )
        if not isinstance(tree, tuple(AGGREGATES.values())):
            self._add((*at, "aggregate"), "an aggregate is one call, e.g. count(*) or sum(x)")
        where = None
        if feature.where is not None:
            where = self._parse(
                feature.where, (*at, "where"), relation.columns, subject_columns=set(self.columns)
            )
        lineage = relation.lineage
        for part in (tree, where):
            if part is not None:
                lineage |= _columns_of(part, row) | _columns_of(part, self.columns, SUBJECT)
        return CheckedFeature(feature, tree, where, lineage)

    def _row_lineage(self, relation: CheckedRelation) -> dict[str, Lineage]:
        if relation.source_kind == "records":
            return self.records[relation.spec.source].lineage
        subject = self.built[relation.spec.source]  # type: ignore[index]
        return {c: subject.lineage(c) for c in subject.columns}

    def _parse(
        self,
        text: str,
        at: tuple[str | int, ...],
        columns: Iterable[str],
        *,
        aggregate: bool = False,
        subject_columns: Collection[str] = (),
        extra_parameters: Collection[str] = (),
    ) -> exp.Expr:
        try:
            return parse_expression(
                text,
                columns=set(columns),
                parameters=self.parameters | set(extra_parameters),
                vocabulary=self.vocabulary,
                aggregate=aggregate,
                subject_columns=subject_columns,
            )
        except ExpressionProblem as problem:
            self._add(at, problem.message, problem.hint)
            return exp.null()

    def _add(self, at: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.problems.add(self.document.where(at), message, hint)
