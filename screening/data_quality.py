"""How complete and how well joined the ingested extracts are, for the data-quality
notebook: files, rejects, identifier coverage, entity-link methods, spread over time and
place. Read-only; nothing here shows a raw value (rejects' raw values stay in the table).
"""

from __future__ import annotations

import duckdb
import polars as pl

from screening.dossier import METHOD_TITLES
from screening.leads.evidence import SOURCE_TABLES
from screening.store import query_frame

# The date that places each source's records in time.
RECORD_DATES = {
    "arbitrations": "filed_date",
    "enforcements": "filed_date",
    "projects": "permit_date",
    "deposits": "deposit_date",
}


def files(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every ingested file: rows read, loaded, rejected, duplicates, codes invalid/missing."""
    return query_frame(
        con,
        """SELECT source, file, rows_in, loaded, rejected, duplicates, uscc_invalid,
                  uscc_missing
           FROM ingested_files ORDER BY source, file""",
    )


def rejects_by_reason(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Rejected rows per source, column and reason, most frequent first."""
    return query_frame(
        con,
        """SELECT source, column_name, reason, count(*) AS rows FROM rejects
           GROUP BY ALL ORDER BY rows DESC, source, column_name, reason""",
    )


def uscc_coverage(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per source and identifier column (USCC, or ID number/USCC for a court's parties):
    records, how many codes are valid, invalid or missing, and the valid share."""
    columns = con.execute(
        """SELECT table_name, column_name FROM duckdb_columns()
           WHERE schema_name = 'main' AND list_contains(?, table_name)
             AND regexp_matches(column_name, '(uscc|code|_id)_status$')
           ORDER BY table_name, column_name""",
        [list(SOURCE_TABLES)],
    ).fetchall()
    if not columns:
        return pl.DataFrame()
    union = " UNION ALL ".join(
        f"""SELECT '{table}' AS source, '{column.removesuffix("_status")}' AS id_column,
                   count(*) AS records,
                   count(*) FILTER (WHERE {column} = 'valid') AS valid,
                   count(*) FILTER (WHERE {column} = 'invalid') AS invalid,
                   count(*) FILTER (WHERE {column} = 'missing') AS missing
            FROM {table} WHERE duplicate_of_row IS NULL"""
        for table, column in columns
    )
    return query_frame(
        con,
        f"""SELECT *, round(valid / greatest(records, 1), 3) AS valid_share
            FROM ({union}) ORDER BY source, id_column""",
    )


def link_methods(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Mentions per source and link method, with the mean confidence."""
    frame = query_frame(
        con,
        """SELECT source_table, method, count(*) AS mentions,
                  round(avg(confidence), 3) AS mean_confidence
           FROM mentions GROUP BY ALL ORDER BY source_table, mentions DESC, method""",
    )
    return frame.with_columns(
        pl.col("method")
        .replace_strict(METHOD_TITLES, default=pl.col("method"))
        .alias("method_title")
    )


def records_by_month(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Records per source and month (by each source's date in RECORD_DATES)."""
    union = " UNION ALL ".join(
        f"""SELECT '{table}' AS source, date_trunc('month', {column}) AS month
            FROM {table} WHERE duplicate_of_row IS NULL AND {column} IS NOT NULL"""
        for table, column in RECORD_DATES.items()
    )
    return query_frame(
        con,
        f"SELECT source, month, count(*) AS records FROM ({union}) GROUP BY ALL ORDER BY ALL",
    )


def projects_by_district(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Construction projects per district as the housing bureau recorded it."""
    return query_frame(
        con,
        """SELECT coalesce(district, '（未填）unknown') AS district, count(*) AS projects
           FROM projects WHERE duplicate_of_row IS NULL
           GROUP BY ALL ORDER BY projects DESC, district""",
    )
