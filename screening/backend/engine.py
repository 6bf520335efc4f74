"""The engine a job's SQL stages run on, opened over its DuckDB store.

``duckdb`` is the store's own connection. ``spark`` is a Spark session (this process's,
if one runs) with the tables the subject views read copied into its warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import duckdb
from sqlglot import exp

from screening.backend.base import Backend
from screening.backend.duckdb import DuckDBBackend
from screening.config import Engine, JobConfig, SparkSettings
from screening.features.compile import view_queries
from screening.features.library import FeatureLibrary, library


def input_tables(features: FeatureLibrary | None = None) -> list[str]:
    """The stored tables the record sets and subject views read (the views' own tables
    and their layers excluded), sorted."""
    queries = view_queries(features or library())
    made = {table for table, _query in queries}
    read: set[str] = set()
    for _table, query in queries:
        layers = {cte.alias for cte in query.find_all(exp.CTE)}
        read |= {t.name for t in query.find_all(exp.Table)} - layers
    return sorted(read - made)


def default_warehouse(database: Path) -> str:
    """Beside the database: ``screening.duckdb`` → ``screening.duckdb.spark``."""
    return str(database.with_name(database.name + ".spark"))


@contextmanager
def open_engine(
    engine: Engine,
    con: duckdb.DuckDBPyConnection,
    *,
    spark: SparkSettings | None = None,
    warehouse: str | None = None,
    features: FeatureLibrary | None = None,
    materialise: bool = True,
) -> Iterator[Backend]:
    """A backend of ``engine`` over the store's connection ``con``; for Spark, the tables
    the views read are copied from ``con`` into ``warehouse`` first (see
    :class:`~screening.backend.spark.SparkBackend` for ``materialise``)."""
    if engine == "duckdb":
        yield DuckDBBackend(con)
        return
    from screening.backend.spark import SparkBackend, spark_session

    assert warehouse is not None, "a Spark engine needs a warehouse"
    with spark_session(spark or SparkSettings()) as session:
        backend = SparkBackend(session, warehouse, materialise=materialise)
        backend.load(con, input_tables(features))
        yield backend


def job_engine(
    config: JobConfig, con: duckdb.DuckDBPyConnection
) -> AbstractContextManager[Backend]:
    """:func:`open_engine` as ``config`` sets it."""
    warehouse = config.spark.warehouse or default_warehouse(config.database)
    return open_engine(config.engine, con, spark=config.spark, warehouse=warehouse)


@contextmanager
def engine_session(engine: Engine, spark: SparkSettings | None = None) -> Iterator[None]:
    """Keep ``engine``'s session open across several :func:`open_engine` (a Spark
    session takes seconds to start; the embedded engine needs none)."""
    if engine == "duckdb":
        yield
        return
    from screening.backend.spark import spark_session

    with spark_session(spark or SparkSettings()):
        yield
