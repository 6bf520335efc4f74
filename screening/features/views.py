"""Building the record sets and subject views of the feature library as of a date.

Each is a temporary table of the connection, built in order from the canonical tables, the
entity links and the record links, with the as-of date and the subjects' parameters bound
(never spliced into the SQL): a record dated after the as-of date is invisible, and so is a
status reached after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import duckdb

from screening.features.compile import parameters, view_statements
from screening.features.library import FeatureLibrary, library


def build_views(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    features: FeatureLibrary | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """(Re)create the record sets and subject views for ``as_of`` on ``con``; ``progress``
    hears each one's name as it starts."""
    features = features or library()
    values = parameters(features, as_of)
    statements = view_statements(features)
    for number, (table, sql) in enumerate(statements, start=1):
        if progress is not None:
            progress(f"building {table} ({number} of {len(statements)})")
        used = {k: v for k, v in values.items() if re.search(rf"\${k}\b", sql)}
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}", used)
