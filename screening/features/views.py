"""Building the record sets and subject views of the feature library as of a date.

Each is a table of the backend (a temporary table of a DuckDB connection), built in order
from the canonical tables, the entity links and the record links, with the as-of date and
the subjects' parameters bound (never spliced into the SQL): a record dated after the
as-of date is invisible, and so is a status reached after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

from screening.backend import Backend, backend_of
from screening.features.compile import parameters, view_queries
from screening.features.library import FeatureLibrary, library


def build_views(
    target: Backend | duckdb.DuckDBPyConnection,
    as_of: date,
    features: FeatureLibrary | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """(Re)create the record sets and subject views for ``as_of`` on ``target`` (a
    backend, or a DuckDB connection: temporary tables of the connection); ``progress``
    hears each one's name as it starts."""
    backend = backend_of(target)
    features = features or library()
    values = parameters(features, as_of)
    queries = view_queries(features)
    for number, (table, query) in enumerate(queries, start=1):
        if progress is not None:
            progress(f"building {table} ({number} of {len(queries)})")
        backend.create_table(table, query, values)
