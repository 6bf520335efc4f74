"""Which rules (and anomaly features) the data can feed: no rule is ever silently dead.

Every column a rule reads has a lineage down to canonical columns and record links
(:mod:`screening.features.library`). An agency that does not send a column (no 生效日期, no
未履行金额) leaves that canonical column empty; a rule reading it then fires on fewer
subjects, or on none. For each rule this module lists the inputs that are empty in the
database and says whether the rule is

- **live**: every input has data;
- **partial**: some input is empty, yet the rule fired (it reads the column as optional,
  e.g. a remark);
- **dead**: some input is empty and the rule fired on nothing — it cannot do its job on
  these extracts, and the run says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Literal

import duckdb
from sqlglot import exp

from screening.backend import Backend, backend_of
from screening.features.library import FeatureLibrary, Lineage, library, view_table
from screening.rules.load import LoadedRule

Status = Literal["live", "partial", "dead"]


@dataclass(frozen=True)
class Coverage:
    name: str  # a rule id, or "ANOMALY:<feature>"
    status: Status
    missing: tuple[str, ...]  # empty inputs: "table.column" or "link.<name>"
    fired: int

    def describe(self) -> str:
        """A line for the run summary: DEP-MISSING dead — empty: deposits.actual_amount."""
        if not self.missing:
            return f"{self.name} {self.status}"
        return f"{self.name} {self.status} — empty: {', '.join(self.missing)}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def rule_inputs(loaded: LoadedRule, features: FeatureLibrary | None = None) -> Lineage:
    """The canonical columns and links a rule's condition, bands and aggregates read."""
    subject = (features or library()).subjects[loaded.rule.subject]
    own = set(loaded.rule.aggregates)
    found: set[str] = set()
    for tree in (loaded.condition, *loaded.bands):
        for column in tree.find_all(exp.Column):
            if column.name in own:
                continue
            found |= subject.lineage(column.name)
    for name, aggregate in loaded.rule.aggregates.items():
        relation = subject.relations[aggregate.over]
        found |= relation.lineage
        row_lineage = _row_lineage(features or library(), relation.spec.source)
        parts = [loaded.aggregate_filters[name].find_all(exp.Column)]
        for columns in parts:
            for column in columns:
                found |= row_lineage.get(column.name, frozenset())
        if aggregate.column is not None:
            found |= row_lineage.get(aggregate.column, frozenset())
    return frozenset(found)


def _row_lineage(features: FeatureLibrary, source: str) -> Mapping[str, Lineage]:
    if source in features.records:
        return features.records[source].lineage
    subject = features.subjects[source]  # type: ignore[index]
    return {c: subject.lineage(c) for c in subject.columns}


def empty_inputs(con: duckdb.DuckDBPyConnection, inputs: Iterable[str]) -> set[str]:
    """Of ``inputs`` ("table.column", "link.<name>"), those with no value in any row."""
    empty: set[str] = set()
    by_table: dict[str, list[str]] = {}
    for item in sorted(set(inputs)):
        table, column = item.split(".", 1)
        by_table.setdefault(table, []).append(column)
    for table, columns in by_table.items():
        if table == "link":
            counts = dict(
                con.execute("SELECT link, count(*) FROM record_links GROUP BY 1").fetchall()
            )
            empty |= {f"link.{c}" for c in columns if not counts.get(c)}
            continue
        filled = ", ".join(f"count({_quoted(c)})" for c in columns)
        # fetchall: a result left half-read would keep the connection busy (DuckDB 2).
        (row,) = con.execute(f"SELECT {filled} FROM {_quoted(table)}").fetchall()
        empty |= {f"{table}.{c}" for c, n in zip(columns, row, strict=True) if not n}
    return empty


def _quoted(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def rule_coverage(
    con: duckdb.DuckDBPyConnection,
    rules: Iterable[LoadedRule],
    fired: Mapping[str, int],
    features: FeatureLibrary | None = None,
) -> list[Coverage]:
    """Each rule's status on the data in ``con``, given how often it fired."""
    chosen = list(rules)
    inputs = {loaded.rule.id: rule_inputs(loaded, features) for loaded in chosen}
    empty = empty_inputs(con, set().union(*inputs.values()) if inputs else set())
    result = []
    for loaded in chosen:
        missing = tuple(sorted(inputs[loaded.rule.id] & empty))
        hits = fired.get(loaded.rule.id, 0)
        status: Status = "live" if not missing else "partial" if hits else "dead"
        result.append(Coverage(loaded.rule.id, status, missing, hits))
    return result


def feature_coverage(
    con: duckdb.DuckDBPyConnection,
    names: Iterable[str],
    features: FeatureLibrary | None = None,
    *,
    views: Backend | None = None,
) -> list[Coverage]:
    """The anomaly model's features: dead when the data leaves every value empty. The
    canonical tables are read on ``con``, the company view on ``views`` (default: ``con``)."""
    company = (features or library()).subjects["company"]
    chosen = list(names)
    lineage = {name: company.lineage(name) for name in chosen}
    empty = empty_inputs(con, set().union(*lineage.values()) if lineage else set())
    filled = dict.fromkeys(chosen, 0)
    if chosen:
        counts = exp.select(
            *(exp.Count(this=exp.column(n, quoted=True)).as_(n) for n in chosen)
        ).from_(view_table("company"))
        filled = backend_of(views or con).fetch(counts).row(0, named=True)
    result = []
    for name in chosen:
        missing = tuple(sorted(lineage[name] & empty))
        status: Status = "live" if not missing else "partial" if filled[name] else "dead"
        result.append(Coverage(f"ANOMALY:{name}", status, missing, int(filled[name])))
    return result
