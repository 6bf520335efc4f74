"""The engine a job's SQL stages run on, opened over its DuckDB store.

``duckdb`` is the store's own connection. ``spark`` is a Spark session (this process's,
if one runs) with the tables the subject views read copied into its warehouse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from screening.backend.base import Backend
from screening.backend.duckdb import DuckDBBackend
from screening.config import Engine, JobConfig, SparkSettings
from screening.features.compile import view_queries
from screening.features.library import FeatureLibrary, library
from screening.ingest.load import FileWork, InputFile, ReadFile, reading_files_with

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


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
    data_version: str | None = None,
) -> Iterator[Backend]:
    """A backend of ``engine`` over the store's connection ``con``; for Spark, the tables
    the views read are copied from ``con`` into ``warehouse`` first, but those copied
    there from the same ``data_version`` (see :meth:`~screening.backend.spark.SparkBackend.load`;
    and :class:`~screening.backend.spark.SparkBackend` for ``materialise``)."""
    if engine == "duckdb":
        yield DuckDBBackend(con)
        return
    from screening.backend.spark import SparkBackend, spark_session

    assert warehouse is not None, "a Spark engine needs a warehouse"
    with spark_session(spark or SparkSettings()) as session:
        backend = SparkBackend(session, warehouse, materialise=materialise)
        backend.load(con, input_tables(features), data_version)
        yield backend


class JobEngine:
    """The engine of one job's stages. On Spark, the session starts when the first stage
    needs it (a job that reuses every result starts none) and lives until ``stack``
    closes: starting one takes seconds, so resolve and scoring share it."""

    def __init__(self, config: JobConfig, stack: ExitStack) -> None:
        self.config, self.stack = config, stack
        self.session: SparkSession | None = None

    def _start(self) -> SparkSession | None:
        if self.config.engine == "spark" and self.session is None:
            from screening.backend.spark import spark_session

            self.session = self.stack.enter_context(spark_session(self.config.spark))
        return self.session

    def ingesting(
        self, progress: Callable[[str], None] | None = None
    ) -> AbstractContextManager[None]:
        """Ingest as this engine runs it: on Spark, the changed files are read, typed and
        checked on its executors (:mod:`screening.backend.spark_ingest`), and written to
        the store here, as on DuckDB. The session starts only if a file changed
        (``progress`` hears that it is starting: that takes seconds, before any file)."""
        if self.config.engine == "duckdb":
            return nullcontext()

        def read_on_spark(work: FileWork, items: list[InputFile]) -> Iterator[ReadFile]:
            from pyspark.sql import SparkSession

            from screening.backend.spark_ingest import spark_file_reading

            if progress is not None and SparkSession.getActiveSession() is None:
                progress(f"starting Spark to read {len(items)} changed files")
            session = self._start()  # now, so that reading's pace leaves out the start
            assert session is not None
            return spark_file_reading(session)(work, items)

        return reading_files_with(read_on_spark)

    def resolving(self) -> AbstractContextManager[None]:
        """Entity resolution as this engine runs it: on Spark, names are taken apart on
        its executors (:mod:`screening.backend.spark_parse`), and the fuzzy stage's pairs
        are blocked and scored there (:mod:`screening.backend.spark_pairs`); the rest
        stays on DuckDB."""
        if self.config.engine == "duckdb":
            return nullcontext()
        self._start()
        return _resolving_on_spark(self.config.spark)

    def views(
        self, con: duckdb.DuckDBPyConnection, data_hash: str | None = None
    ) -> AbstractContextManager[Backend]:
        """:func:`open_engine` over the store's connection ``con``, as the config sets it;
        ``data_hash`` is what the stored tables were made from (the job's resolve inputs:
        the ingested files, the judgements, the code): on Spark, the warehouse's copies made
        from the same are read again rather than copied again."""
        self._start()
        config = self.config
        warehouse = config.spark.warehouse or default_warehouse(config.database)
        return open_engine(
            config.engine, con, spark=config.spark, warehouse=warehouse, data_version=data_hash
        )


@contextmanager
def _resolving_on_spark(settings: SparkSettings) -> Iterator[None]:
    from screening.backend.spark import spark_session
    from screening.backend.spark_pairs import scoring_on_spark
    from screening.backend.spark_parse import parsing_on_spark

    with (
        spark_session(settings) as session,
        parsing_on_spark(settings),
        scoring_on_spark(session),
    ):
        yield


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
