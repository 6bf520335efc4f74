"""The same SQL stages on Spark: identical subject views, rule cases and leads, order
included, on a real local session (one for the whole test run: ``spark_session``)."""

from __future__ import annotations

import math
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
import sqlglot
from sample_job import sample_config
from sqlglot import exp

from screening.backend import DuckDBBackend
from screening.backend.spark import SparkBackend, check_spark
from screening.errors import ConfigError
from screening.features.compile import view_queries
from screening.features.library import library
from screening.features.views import build_views
from screening.job import run_job
from screening.rules.load import load_rules
from screening.rules.testing import run_case

pytestmark = pytest.mark.spark
RULES = Path(__file__).resolve().parents[1] / "rules"
AS_OF = date(2026, 9, 30)


def _same_rows(left: pl.DataFrame, right: pl.DataFrame) -> None:
    """Equal, value for value (NaN equal to NaN), after the DECIMAL widths each engine
    picks for a sum or a union are set aside (the values must still be equal)."""
    assert left.columns == right.columns
    right = right.cast(dict(left.schema))
    assert left.height == right.height
    for mine, theirs in zip(left.rows(), right.rows(), strict=True):
        for a, b in zip(mine, theirs, strict=True):
            both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a)
            assert (both_nan and math.isnan(b)) or a == b, (mine, theirs)


def test_division_means_what_it_means_on_duckdb(spark_session: Any, tmp_path: Path) -> None:
    # DuckDB divides as IEEE doubles; Spark keeps DECIMAL quotients DECIMAL and fails on
    # a zero divisor: the Spark rewrite must give DuckDB's values, bit for bit.
    numbers = pl.DataFrame(
        {
            "amount": ["345450.00", "1.00", "0.00", "-3.50", None, "7.10"],
            "price": ["1000000.07", "3.00", "0.00", "0.00", "0.00", "0.00"],
            "cases": [7, 1, 0, -2, None, 5],
            "workers": [3, 0, 0, 0, 0, 2],
        }
    ).with_columns(pl.col("amount", "price").cast(pl.Decimal(18, 2)))
    text = (
        "SELECT amount / price AS share, cases / workers AS per_worker, "
        "amount / (cases / workers) AS nested FROM numbers ORDER BY cases NULLS LAST, amount"
    )
    query = sqlglot.parse_one(text, dialect="duckdb")
    assert isinstance(query, exp.Select)
    with duckdb.connect() as con:
        results = []
        for backend in (DuckDBBackend(con), SparkBackend(spark_session, str(tmp_path))):
            backend.register("numbers", numbers)
            results.append(backend.fetch(query))
    embedded, on_spark = results
    assert embedded.schema == on_spark.schema  # DOUBLE everywhere
    # the cases are real: -2 / 0 = -inf, 0 / 0 = NaN
    assert embedded["per_worker"].is_infinite().any() and embedded["per_worker"].is_nan().any()
    _same_rows(embedded, on_spark)


def _cases() -> list[tuple[str, int]]:
    """Each rule's first case that fires and first that does not: every rule's SQL on
    Spark at a few seconds a case (``screening rules test --engine spark`` runs them all)."""
    chosen = []
    for loaded in load_rules(RULES).rules:
        firing = [i for i, case in enumerate(loaded.rule.tests) if case.expect]
        silent = [i for i, case in enumerate(loaded.rule.tests) if not case.expect]
        chosen += [(loaded.rule.id, cases[0]) for cases in (firing, silent) if cases]
    return chosen


@pytest.mark.parametrize(("rule_id", "number"), _cases())
def test_rule_cases_pass_on_spark(spark_session: object, rule_id: str, number: int) -> None:
    loaded = next(r for r in load_rules(RULES).rules if r.rule.id == rule_id)
    case = loaded.rule.tests[number]
    on_spark = run_case(loaded, case, engine="spark")
    assert on_spark.passed, on_spark
    assert on_spark == run_case(loaded, case)


def test_the_sample_job_publishes_identical_leads_and_views(
    spark_session: Any, sample_db: Path, tmp_path: Path
) -> None:
    # Two copies of one ingested and resolved database (so the keyed hashes behind the
    # evidence fingerprints are the same), one job on each engine.
    embedded, on_spark = tmp_path / "duckdb.duckdb", tmp_path / "spark.duckdb"
    shutil.copy(sample_db, embedded)
    shutil.copy(sample_db, on_spark)
    first = run_job(sample_config(embedded))
    second = run_job(sample_config(on_spark).model_copy(update={"engine": "spark"}))
    assert first.leads.height > 50 and not first.scoring_reused and not second.scoring_reused
    assert second.leads.equals(first.leads)  # run ids, ranks, scores, hashes: all of it
    for table, order in (("lead_contributions", "lead_id, source"), ("lead_evidence", "ALL")):
        query = f"SELECT * FROM {table} ORDER BY {order}"
        frames = [
            duckdb.connect(str(db), read_only=True).sql(query).pl() for db in (embedded, on_spark)
        ]
        assert frames[0].height > 0 and frames[0].equals(frames[1]), table
    # The run's views were built on Spark, into the warehouse beside its database: each is
    # the embedded engine's, row for row.
    tables = tmp_path / "spark.duckdb.spark" / "tables"
    with duckdb.connect(str(embedded), read_only=True) as con:
        build_views(con, AS_OF)
        for table, _query in view_queries(library()):
            spark_session.read.parquet(str(tables / table)).createOrReplaceTempView(table)
            everything = exp.select("*").from_(table)
            ordered = everything.order_by(*DuckDBBackend(con).fetch(everything.limit(0)).columns)
            spark = SparkBackend(spark_session, str(tmp_path))
            _same_rows(DuckDBBackend(con).fetch(ordered), spark.fetch(ordered))


def test_spark_without_pyspark_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if it were not installed
    with pytest.raises(ConfigError, match=r"needs pyspark.*pip install -e '\.\[spark\]'"):
        check_spark()


def test_spark_without_java_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ConfigError, match=r"needs Java 17.*openjdk-17-jre-headless"):
        check_spark()
