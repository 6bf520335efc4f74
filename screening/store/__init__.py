"""The DuckDB database file every stage reads and writes.

The package owns opening the file (``connection``), the schema as frozen SQL files and
its forward migrations (``migrations``, ``schema/``), the run records and atomic
publication of a run's outputs (``runs``), and small read/write helpers (``helpers``).

It imports no stage: the schema is text, so a change to a stage's code can never
change a released migration. Everything the rest of the engine uses is re-exported here.
"""

from screening.store.connection import DEFAULT_DB_PATH, Store
from screening.store.helpers import (
    empty_table,
    first_row,
    insert_frame,
    now,
    query_frame,
    sha256_file,
    sha256_json,
)
from screening.store.migrations import MIGRATIONS, SCHEMA_VERSION, Migration
from screening.store.runs import RunRecord

__all__ = [
    "DEFAULT_DB_PATH",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "RunRecord",
    "Store",
    "empty_table",
    "first_row",
    "insert_frame",
    "now",
    "query_frame",
    "sha256_file",
    "sha256_json",
]
