"""Engines the SQL stages run on: embedded DuckDB (the default) or Apache Spark.

:class:`Backend` is the database API the stages use; :func:`backend_of` gives the
embedded one for a DuckDB connection. The Spark backend (``screening.backend.spark``)
imports pyspark, so it is imported only by a job whose config says ``engine: spark``.
"""

from screening.backend.base import Backend, Parameters
from screening.backend.duckdb import DuckDBBackend, backend_of
from screening.backend.portable import portable, to_sql

__all__ = ["Backend", "DuckDBBackend", "Parameters", "backend_of", "portable", "to_sql"]
