"""A rule's own test cases, run for real: rows into a fresh DuckDB file, entity resolution,
the subject views as of the case's date, the rule's compiled query.

A case passes when the rule fires on exactly the subjects it expects (none for a negative
case). Test rows name canonical columns; the companions ingest would add (a USCC's status,
an ID number's hash) are derived, so a case stays short.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from screening.backend import Backend
from screening.backend.engine import open_engine
from screening.config import Engine
from screening.features.library import FeatureLibrary, library
from screening.features.views import build_views
from screening.identifiers import is_valid_uscc
from screening.ingest.canonical import TABLES, Kind
from screening.resolve.link import resolve
from screening.rules.load import LoadedRule
from screening.rules.model import RuleTest
from screening.rules.run import fire
from screening.store import Store, insert_frame


@dataclass(frozen=True)
class CaseResult:
    rule_id: str
    case: str
    expected: tuple[str, ...]
    found: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.expected == self.found


def run_tests(
    loaded: LoadedRule, features: FeatureLibrary | None = None, *, engine: Engine = "duckdb"
) -> list[CaseResult]:
    return [run_case(loaded, case, features, engine=engine) for case in loaded.rule.tests]


def run_case(
    loaded: LoadedRule,
    case: RuleTest,
    features: FeatureLibrary | None = None,
    *,
    engine: Engine = "duckdb",
) -> CaseResult:
    """Run one case with ``features`` (default: the library's; the rule must have been
    loaded with the same), its views and rule on ``engine`` (Spark: this process's
    session, or a local one)."""
    features = features or library()
    with (
        tempfile.TemporaryDirectory(prefix="screening-rule-test-") as folder,
        Store.open(Path(folder) / "case.duckdb") as store,
    ):
        for table, records in case.rows.items():
            insert_frame(store.con, table, _table_frame(table, records))
        resolve(store, vocabulary=features.vocabulary)
        with open_engine(
            engine, store.con, warehouse=folder, features=features, materialise=False
        ) as views:
            found = fired_subjects(views, loaded, case.as_of, case.parameters, features)
    return CaseResult(loaded.rule.id, case.name, tuple(sorted(case.expect)), found)


def fired_subjects(
    views: Backend,
    loaded: LoadedRule,
    as_of: date,
    parameters: Mapping[str, object],
    features: FeatureLibrary | None = None,
) -> tuple[str, ...]:
    build_views(views, as_of, features)
    hits = fire(views, [loaded], {loaded.rule.id: dict(parameters)}, features)
    return tuple(sorted(hits.get_column("subject_key").to_list()))


def _table_frame(table: str, records: list[dict[str, object]]) -> pl.DataFrame:
    """The records as the canonical table's rows, with derived companion columns."""
    rows = []
    for number, record in enumerate(records, start=2):
        row: dict[str, object] = {"source_file": f"tests/{table}", "source_row": number}
        for column, kind in TABLES[table].columns.items():
            value = record.get(column)
            row[column] = value
            row.update(_companions(column, kind, value, record))
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def _companions(column: str, kind: Kind, value: object, record: dict[str, object]) -> dict:
    given = {k: v for k, v in record.items() if k.startswith(f"{column}_")}
    text = None if value is None else str(value)
    derived: dict[str, object] = {}
    if kind is Kind.USCC:
        derived[f"{column}_status"] = (
            "missing" if text is None else "valid" if is_valid_uscc(text) else "invalid"
        )
    elif kind is Kind.ID_NUMBER:
        derived[f"{column}_hash"] = text
        derived[f"{column}_status"] = "missing" if text is None else "valid"
    elif kind is Kind.PARTY_CODE:
        is_company = text is not None and is_valid_uscc(text)
        derived[f"{column}_kind"] = None if text is None else "uscc" if is_company else "id_number"
        derived[f"{column}_hash"] = None if text is None or is_company else text
        derived[f"{column}_status"] = "missing" if text is None else "valid"
    return {**derived, **given}
