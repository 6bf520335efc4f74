"""The Spark backend: the SQL stages on a SparkSession, local (``local[2]``) or a cluster's.

The job still ingests and resolves entities into its DuckDB file; the tables the views
read (the canonical tables, ``mentions``, ``entities``, ``record_links``) are written as
Parquet into the warehouse, where Spark reads them. Every table the stages create (record
sets, subject views) is written there too, so a view is computed once, not again by each
query that reads it. Results come back to the driver as polars frames and are published
to the DuckDB file as on the embedded engine.

pyspark is imported here only: the embedded engine needs neither it nor Java.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pyarrow as pa
from sqlglot import exp

from screening.backend.base import Backend, Parameters, used_parameters
from screening.config import SparkSettings
from screening.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL_HINT = "pip install -e '.[spark]'"
# Rows the driver holds at once while it copies a table to a cluster's storage (a
# province's mentions are eight million: held whole, GBs of Arrow on the driver).
COPY_BATCH_ROWS = 1_000_000


def check_spark() -> None:
    """Refuse ``engine: spark`` at once, before minutes of ingest, where it cannot run."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigError(
            "engine: spark needs pyspark, which is not installed", hint=INSTALL_HINT
        ) from None
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and (Path(java_home) / "bin" / "java").exists()) and not shutil.which("java"):
        raise ConfigError(
            "engine: spark needs Java 17 or later: no `java` on PATH and no JAVA_HOME",
            hint="install a JRE (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME",
        )


class SparkBackend(Backend):
    """Queries on ``session``; tables under ``warehouse`` (a folder or an hdfs://, s3a://
    URL), each readable by its name as a temporary view of the session.

    With ``materialise=False`` nothing is written: the stored tables are sent from the
    driver and a created table is a lazy view, computed within each query that reads it.
    That is for a handful of rows (a rule's test case), where each Spark job's fixed cost
    is all the cost; a job writes its tables."""

    dialect = "spark"

    def __init__(self, session: SparkSession, warehouse: str, *, materialise: bool = True) -> None:
        from pyspark.errors import PySparkException

        self.session, self.warehouse = session, warehouse.rstrip("/")
        self.materialise = materialise
        self.errors = (PySparkException,)

    def _location(self, name: str) -> str:
        return f"{self.warehouse}/tables/{name}"

    def register(self, name: str, frame: pl.DataFrame) -> None:
        self.session.createDataFrame(frame.to_arrow()).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.session.catalog.dropTempView(name)

    def create_table(self, name: str, query: exp.Query, parameters: Parameters) -> None:
        frame = self.session.sql(self.sql(query), args=used_parameters(query, parameters))
        if not self.materialise:
            frame.createOrReplaceTempView(name)
            return
        frame.write.mode("overwrite").parquet(self._location(name))
        self.session.read.parquet(self._location(name)).createOrReplaceTempView(name)

    def fetch(self, query: exp.Query, parameters: Parameters | None = None) -> pl.DataFrame:
        rows = self.session.sql(self.sql(query), args=used_parameters(query, parameters))
        frame = pl.from_arrow(rows.toArrow())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def map_rows(
        self, rows: pl.DataFrame, work: Callable[[pl.DataFrame], pl.DataFrame], schema: pl.Schema
    ) -> pl.DataFrame:
        from screening.backend.spark_map import map_in_order

        return map_in_order(self.session, rows, work, schema)

    def load(
        self, con: duckdb.DuckDBPyConnection, tables: list[str], version: str | None = None
    ) -> None:
        """Copy ``tables`` of a DuckDB database into the warehouse and name them there.

        With ``version`` (what the tables were made from: a job's data hash), a table the
        warehouse already holds, copied from the same version, is not copied again: a
        re-run on the same data (new rules, other parameters) reads the warehouse's copy.
        A table's version is recorded once its copy is complete, and forgotten before a
        copy starts, so a copy cut short is never taken for a complete one."""
        for table in tables:
            location = self._location(table)
            if not self.materialise:
                rows = con.sql(exp.select("*").from_(table).sql(dialect="duckdb"))
                self.session.createDataFrame(rows.to_arrow_table()).createOrReplaceTempView(table)
                continue
            if version is None or self._copied_from(table) != version:
                self._record_version(table, None)
                self._copy(con, table, location)
                if version is not None:
                    self._record_version(table, version)
            self.session.read.parquet(location).createOrReplaceTempView(table)

    def _copy(self, con: duckdb.DuckDBPyConnection, table: str, location: str) -> None:
        if "://" in location:  # a cluster's storage: through the driver, a batch at a time
            rows = con.sql(exp.select("*").from_(table).sql(dialect="duckdb"))
            reader = rows.to_arrow_reader(COPY_BATCH_ROWS)
            mode = "overwrite"  # the first batch replaces an earlier copy; the rest add to it
            for batch in reader:
                frame = self.session.createDataFrame(pa.Table.from_batches([batch]))
                frame.write.mode(mode).parquet(location)
                mode = "append"
            if mode == "overwrite":  # no rows: the columns alone
                empty = pa.Table.from_batches([], schema=reader.schema)
                self.session.createDataFrame(empty).write.mode(mode).parquet(location)
            return
        # A local folder: DuckDB writes the Parquet itself, streaming.
        Path(location).mkdir(parents=True, exist_ok=True)
        copy = exp.Copy(
            this=exp.to_table(table),
            kind=False,
            files=[exp.Literal.string(f"{location}/part-0.parquet")],
            params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("PARQUET"))],
        )
        con.execute(copy.sql(dialect="duckdb"))

    def _version_location(self, table: str) -> str:
        return f"{self.warehouse}/versions/{table}"

    def _copied_from(self, table: str) -> str | None:
        """The version ``table``'s copy in the warehouse was made from, if it is complete."""
        location = self._version_location(table)
        if "://" not in location:
            path = Path(location)
            return path.read_text(encoding="utf-8") if path.exists() else None
        from pyspark.errors import AnalysisException

        try:
            rows = self.session.read.text(location).collect()
        except AnalysisException:  # no such path
            return None
        return rows[0][0] if rows else None

    def _record_version(self, table: str, version: str | None) -> None:
        """Record (``None``: forget) the version of ``table``'s copy in the warehouse."""
        location = self._version_location(table)
        if "://" not in location:
            path = Path(location)
            if version is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(version, encoding="utf-8")
            return
        # A cluster's storage: an empty text dataset is a forgotten version.
        values = [] if version is None else [(version,)]
        written = self.session.createDataFrame(values, "value string").coalesce(1)
        written.write.mode("overwrite").text(location)


@contextmanager
def spark_session(settings: SparkSettings) -> Iterator[SparkSession]:
    """The session of this process if one is running (a test's, spark-submit's), else a
    new one from ``settings``, stopped on leaving."""
    check_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    builder = SparkSession.builder.appName(settings.app_name)
    # Under spark-submit the driver's master and memory are spark-submit's to set.
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(settings.master).config(
            "spark.driver.memory", settings.driver_memory
        )
        if settings.master.startswith("local"):
            # The executors' Python (name parsing, the model) is this one, with this
            # package and its libraries, not whatever `python3` is first on the PATH
            # (pyspark reads only the environment for it).
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    defaults = {
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",  # dates never shift with the machine's zone
        "spark.ui.showConsoleProgress": "false",
        "spark.log.level": "ERROR",  # Spark's warnings are not the analyst's business
    }
    for key, value in {**defaults, **settings.conf}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        session.stop()
