"""Small helpers every stage uses with the store: reading and writing frames, emptying a
table, the time to record, and content hashes for run records and stage reuse."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from screening.errors import StoreError


def now() -> datetime:
    """The time to record: UTC, without a zone (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


def first_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """The first row of a query's result, or None; the result is read to its end, which
    DuckDB needs before the connection can run anything else."""
    rows = result.fetchall()
    return rows[0] if rows else None


def query_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> pl.DataFrame:
    """The result of a query as a polars frame (through Arrow; DECIMAL stays decimal)."""
    frame = pl.from_arrow(con.sql(sql, params=params).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)  # a table, not a series
    return frame


def empty_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Empty a table by dropping it and creating it again from its own DDL (the tables have
    no separate indexes): DuckDB drops a table at once, but commits the deletion of a
    province's eight million rows in about 35 s."""
    row = con.execute(
        """SELECT sql FROM duckdb_tables()
           WHERE database_name = current_database() AND schema_name = 'main'
             AND table_name = ?""",
        [table],
    ).fetchone()
    if row is None:
        raise StoreError(f"no table {table}", hint="this is a bug in screening; please report it")
    con.execute(f"DROP TABLE {table}")
    con.execute(row[0])


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a polars frame to ``table``, matching columns by name."""
    con.register("incoming", frame.to_arrow())  # registered explicitly: no scope magic
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


def sha256_file(path: Path | str, *, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks so large extracts fit in memory."""
    digest = hashlib.sha256()
    with open(os.fspath(path), "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_json(obj: object) -> str:
    """Hex SHA-256 of ``obj`` as canonical JSON (sorted keys, no whitespace).

    Values JSON cannot express (dates, paths, decimals) hash by ``str()``.
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
