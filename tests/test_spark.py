"""The same SQL stages on Spark: identical subject views, rule cases and leads, order
included, on a real local session (one for the whole test run: ``spark_session``)."""

from __future__ import annotations

import math
import shutil
import sys
from collections.abc import Iterator
from dataclasses import astuple
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
from screening.backend import spark as spark_backend
from screening.backend.spark import SparkBackend, check_spark
from screening.backend.spark_ingest import JOB_GROUP
from screening.backend.spark_pairs import scoring_on_spark, spark_pair_scorer
from screening.backend.spark_parse import spark_mapper
from screening.config import JobConfig, ModelSettings, load_config
from screening.errors import ConfigError, ResolveError
from screening.features.compile import view_queries
from screening.features.library import library
from screening.features.views import build_views
from screening.ingest.load import plan_inputs
from screening.ingest.manifest import load_manifest
from screening.job import RESOLVE_INPUTS, run_job
from screening.model.anomaly import score_employers
from screening.model.features import employer_features
from screening.resolve.bulk import mapping_with, parse_in_bulk
from screening.resolve.matcher import Matcher
from screening.resolve.parses import NAME_PARSES, REGISTRY_PARSES
from screening.resolve.registry import read_registry, registry_targets
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


@pytest.mark.parametrize("storage", ["folder", "cluster"])
def test_the_warehouse_copies_a_table_once_per_data_version(
    spark_session: Any, tmp_path: Path, storage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A job's re-run on the same data (same data hash) reads the warehouse's copies of the
    # stored tables instead of copying them again; other data is copied again. A cluster's
    # storage (a URI: file:// stands in for hdfs:// or s3a://) is written by Spark, two
    # rows at a time here, so that a copy is made of several batches.
    monkeypatch.setattr(spark_backend, "COPY_BATCH_ROWS", 2)
    warehouse = tmp_path.as_uri() if storage == "cluster" else str(tmp_path)
    count = exp.select("count(*) AS n").from_("numbers")
    with duckdb.connect() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(5)")
        con.execute("CREATE TABLE nothing AS SELECT range AS n FROM range(0)")
        spark = SparkBackend(spark_session, warehouse)
        spark.load(con, ["nothing"], "data-1")
        assert spark.fetch(exp.select("count(*) AS n").from_("nothing"))["n"].item() == 0
        spark.load(con, ["numbers"], "data-1")
        con.execute("INSERT INTO numbers VALUES (99)")  # so that a copy shows
        spark.load(con, ["numbers"], "data-1")
        assert spark.fetch(count)["n"].item() == 5  # data-1's copy, read again
        spark.load(con, ["numbers"], "data-2")
        assert spark.fetch(count)["n"].item() == 6
        con.execute("INSERT INTO numbers VALUES (100)")
        spark.load(con, ["numbers"])  # no version: always copied
        assert spark.fetch(count)["n"].item() == 7
        assert spark.fetch(exp.select("sum(n) AS n").from_("numbers"))["n"].item() == 209
    if storage == "folder":
        assert not (tmp_path / "versions" / "numbers").exists()


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


def _both_engines(
    spark_session: Any, config: JobConfig, database: Path, tmp_path: Path
) -> tuple[Path, Path]:
    """The job of ``config`` on two copies of one ingested and resolved ``database`` (so
    the keyed hashes behind the evidence fingerprints are the same), on each engine. The
    Spark copy forgets its resolve and its stored parses, so that the job resolves again,
    taking every name apart on Spark, and that it ingested its last file, so that the job
    reads that file again, on Spark's executors (the last: its rows go back where they
    were, at the end of their tables). Mentions, entities, record links, leads,
    contributions and evidence must be identical, order included. Returns the two
    databases (DuckDB's, Spark's)."""
    embedded, on_spark = tmp_path / "duckdb.duckdb", tmp_path / "spark.duckdb"
    shutil.copy(database, embedded)
    shutil.copy(database, on_spark)
    last = plan_inputs(load_manifest(config.manifest, data=config.data))[-1].relative
    with duckdb.connect(str(on_spark)) as con:
        con.execute("DELETE FROM settings WHERE key = ?", [RESOLVE_INPUTS])
        for table in (NAME_PARSES, REGISTRY_PARSES):
            con.execute(f"DELETE FROM {table}")
        con.execute("DELETE FROM ingested_files WHERE file = ?", [last])
    first = run_job(config.model_copy(update={"database": embedded}))
    tracker = spark_session.sparkContext.statusTracker()
    jobs = set(tracker.getJobIdsForGroup(JOB_GROUP))
    second = run_job(config.model_copy(update={"database": on_spark, "engine": "spark"}))
    assert [item.file for item in second.ingest.files if item.status == "loaded"] == [last]
    assert len(set(tracker.getJobIdsForGroup(JOB_GROUP)) - jobs) == 1  # read on the executors
    assert first.resolve.mentions == second.resolve.mentions > 0
    assert not first.scoring_reused and not second.scoring_reused
    assert first.leads.height > 50 and second.leads.equals(first.leads)  # ranks, hashes: all
    with duckdb.connect(str(on_spark), read_only=True) as con:
        parsed = con.execute(f"SELECT count(*) FROM {NAME_PARSES}").fetchall()
    assert parsed[0][0] > 0  # the names were taken apart again, on Spark
    ordered = (
        ("mentions", "ALL"),
        ("entities", "entity_id"),
        ("record_links", "ALL"),
        ("lead_contributions", "lead_id, source"),
        ("lead_evidence", "ALL"),
    )
    for table, order in ordered:
        query = f"SELECT * FROM {table} ORDER BY {order}"
        frames = [
            duckdb.connect(str(db), read_only=True).sql(query).pl() for db in (embedded, on_spark)
        ]
        assert frames[0].height > 0 and frames[0].equals(frames[1]), table
    return embedded, on_spark


def test_the_sample_job_publishes_identical_leads_and_views(
    spark_session: Any, sample_db: Path, tmp_path: Path
) -> None:
    embedded, _on_spark = _both_engines(
        spark_session, sample_config(sample_db), sample_db, tmp_path
    )
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


def test_a_medium_job_publishes_identical_leads(
    spark_session: Any, medium_db: tuple[Path, Path], tmp_path: Path
) -> None:
    # A generated medium world (~315,000 extract rows, ~600 leads): the engines must agree
    # where ties, NaNs and DECIMAL widths are many, not only on the small sample.
    world, database = medium_db
    embedded, _on_spark = _both_engines(
        spark_session, load_config(world / "job.yaml"), database, tmp_path
    )
    with duckdb.connect(str(embedded), read_only=True) as con:
        counted = con.execute("SELECT count(*) FROM leads").fetchall()
    assert counted[0][0] > 500


def test_names_are_taken_apart_on_spark_as_here(
    spark_session: Any, small_batches: None, sample_db: Path
) -> None:
    # The resolver's own per-chunk parsers, run by Spark's executors: the same frames,
    # in the same order, persons and registry rows without an address included.
    with duckdb.connect(str(sample_db), read_only=True) as con:
        names = [row[0] for row in con.execute("SELECT DISTINCT name FROM mentions").fetchall()]
        registry = con.execute("SELECT company_name, address FROM registry").fetchall()
    registry.append(("佛山市南海区宏达建筑工程有限公司", None))
    here = parse_in_bulk(names, registry)
    with mapping_with(spark_mapper(spark_session)):
        there = parse_in_bulk(names, registry)
    assert here[0]["is_person"].any() and here[1]["address"].is_null().any()
    assert there[0].equals(here[0]) and there[1].equals(here[1])


def test_fuzzy_pairs_are_blocked_and_scored_on_spark_as_here(
    spark_session: Any, small_batches: None, sample_db: Path
) -> None:
    # Blocking as a join on Spark, each pair scored on the executors by the resolver's own
    # scorer, batch by batch, and each name's best candidates kept by a window: the same
    # candidates, scores and links, in the same order; a refused pair refused there too.
    with duckdb.connect(str(sample_db), read_only=True) as con:
        registry = read_registry(con)
        names = [row[0] for row in con.execute("SELECT DISTINCT name FROM mentions").fetchall()]
    parsed, registry_parsed = parse_in_bulk(names, list(registry.select("name", "address").rows()))
    matcher = Matcher(registry_targets(registry, registry_parsed))
    queries = parsed.filter(~pl.col("is_person")).drop("is_person").with_row_index("query")
    first = matcher.decide(
        queries, pl.DataFrame(schema={"text": pl.String, "entity_id": pl.String})
    )
    one = first.fuzzy.join(queries.select("query", "text"), on="query").row(0, named=True)
    refused = pl.DataFrame({"text": [one["text"]], "entity_id": [one["entity_id"]]})
    here = matcher.decide(queries, refused)
    with scoring_on_spark(spark_session):
        there = matcher.decide(queries, refused)
    assert here.fuzzy["query"].n_unique() > 500 and here.fuzzy.height < first.fuzzy.height
    for mine, theirs in zip(astuple(here), astuple(there), strict=True):
        assert theirs.equals(mine)


def test_an_executor_with_another_scorer_is_refused(spark_session: Any) -> None:
    other = spark_pair_scorer(spark_session, fingerprint="0123456789abcdef")
    keys = pl.DataFrame(
        {"query": [0], "block_city": [None], "block": ["d|宏达建筑"]},
        schema={"query": pl.UInt32, "block_city": pl.String, "block": pl.String},
    )
    with pytest.raises(ResolveError, match="differs from the driver's"):
        other(keys, keys.rename({"query": "target"}), lambda pairs: pairs, 5)


def test_an_executor_with_another_parser_is_refused(spark_session: Any) -> None:
    # Executors parse with the package and vocabulary installed where they run: one that
    # is not the driver's must fail the job, not link names otherwise.
    other = spark_mapper(spark_session, fingerprint="0123456789abcdef")
    with mapping_with(other), pytest.raises(ResolveError, match="differs from the driver's"):
        parse_in_bulk(["佛山市南海区宏达建筑工程有限公司"], [])


@pytest.fixture
def small_batches(spark_session: Any) -> Iterator[None]:
    """Arrow batches of 97 rows: Python on the executors sees many batches, not one."""
    key = "spark.sql.execution.arrow.maxRecordsPerBatch"
    before = spark_session.conf.get(key)
    spark_session.conf.set(key, "97")
    yield
    spark_session.conf.set(key, before)


def test_employers_are_scored_on_spark_as_here(
    spark_session: Any, small_batches: None, medium_db: tuple[Path, Path], tmp_path: Path
) -> None:
    # The model is fit on the driver and scores every employer on the executors, batch by
    # batch: the same scores, outliers and explanations, to the bit.
    settings = ModelSettings(max_leads=100_000)  # every outlier, not only the top 100
    with duckdb.connect(str(medium_db[1]), read_only=True) as con:
        build_views(con, AS_OF)
        employers = employer_features(con, AS_OF, settings)
    here = score_employers(employers, settings)
    there = score_employers(
        employers, settings, SparkBackend(spark_session, str(tmp_path)).map_rows
    )
    assert employers.frame.height > 1000 and here.flagged.height > 100
    assert there.flagged.equals(here.flagged)


def test_spark_without_pyspark_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if it were not installed
    with pytest.raises(ConfigError, match=r"needs pyspark.*pip install -e '\.\[spark\]'"):
        check_spark()


def test_spark_without_java_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ConfigError, match=r"needs Java 17.*openjdk-17-jre-headless"):
        check_spark()
