"""The schema: its forward migrations, as frozen SQL files, and applying them.

Each migration's statements live in ``schema/NNNN_<name>.sql``, the exact text that
databases in the field have applied. They are text, not code that builds text: a
migration generated from live code (say, the ingest's column list) would silently change
once released when that code changes, and databases migrated before and after would
differ. So the store imports no stage; ``tests/test_store_schema.py`` checks the stages
still agree with the tables the migrations create.

A schema file holds statements, each ending with ``;`` at the end of its last line, and
``--`` comment lines between them. That convention, not a SQL parser, splits the file, so
the statements are byte-for-byte what was applied (hence the odd indentation of some:
they were once indented Python strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import duckdb

from screening.errors import StoreError
from screening.store.helpers import first_row, now


@dataclass(frozen=True)
class Migration:
    """One forward step of the schema, applied in a single transaction."""

    version: int
    description: str
    statements: tuple[str, ...]


def split_statements(text: str) -> tuple[str, ...]:
    """The statements of a schema file, each without its closing ``;``.

    Blank lines and ``--`` comment lines between statements are dropped; inside a
    statement every line is kept as written.
    """
    statements: list[str] = []
    lines: list[str] = []
    for line in text.splitlines():
        if not lines and (not line.strip() or line.lstrip().startswith("--")):
            continue
        if line.rstrip().endswith(";"):
            lines.append(line.rstrip()[:-1])
            statements.append("\n".join(lines))
            lines = []
        else:
            lines.append(line)
    if lines:
        raise ValueError(f"the last statement does not end with ';': {lines[0]!r}")
    return tuple(statements)


def load_schema_file(name: str) -> tuple[str, ...]:
    """The statements of ``schema/<name>``, read as package data (so a wheel has them)."""
    text = resources.files("screening.store").joinpath("schema", name).read_text(encoding="utf-8")
    return split_statements(text)


def _released(version: int, description: str, file: str) -> Migration:
    if not file.startswith(f"{version:04d}_"):
        raise RuntimeError(f"migration {version}'s file {file} must start with {version:04d}_")
    return Migration(version, description, load_schema_file(file))


# To change the schema, add schema/NNNN_<name>.sql and append it here with the next
# version number. Never edit, rename or reorder a released one: databases in the field
# have already applied it.
MIGRATIONS: tuple[Migration, ...] = (
    _released(1, "run bookkeeping", "0001_run_bookkeeping.sql"),
    _released(
        2, "input inventory: every extract file a run read, with its hash", "0002_run_inputs.sql"
    ),
    _released(
        3,
        "ingest: canonical tables, rejects, loaded files, the per-database hashing key",
        "0003_ingest.sql",
    ),
    _released(
        4,
        "entity resolution: mentions, their links to entities, reviewer judgements",
        "0004_entity_resolution.sql",
    ),
    _released(
        5,
        "leads: one per subject and outcome, with each contribution and the evidence rows",
        "0005_leads.sql",
    ),
    _released(
        6,
        "review: reviewer decisions and suppressions; each lead's district and evidence "
        "fingerprint; the inputs hash of each stage, so unchanged stages can be reused",
        "0006_review.sql",
    ),
    _released(
        7,
        "entity resolution: names (and registry rows) taken apart, kept for the next resolve",
        "0007_name_parses.sql",
    ),
    _released(
        8,
        "record links: deposit to project, award to project, award to enforcement",
        "0008_record_links.sql",
    ),
    _released(
        9,
        "coverage: each rule's and anomaly feature's status on the run's data, empty inputs",
        "0009_coverage.sql",
    ),
    _released(
        10,
        "manifests: columns derived by a declared rule, headers a manifest leaves unmapped",
        "0010_derived_columns.sql",
    ),
    _released(
        11,
        "entity resolution: a contested short name linked by its spelling alone has a "
        "method of its own",
        "0011_contested_links.sql",
    ),
    _released(
        12,
        "entity resolution: a mention keeps its name and link; the USCC, ID-number hash "
        "and context are read from its row",
        "0012_mentions_without_row_evidence.sql",
    ),
)

if [m.version for m in MIGRATIONS] != list(range(1, len(MIGRATIONS) + 1)):
    raise RuntimeError("store.MIGRATIONS must be numbered 1, 2, 3, … in order")

SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for a new file)."""
    exists = first_row(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = 'main' "
            "AND table_name = 'schema_migrations'"
        )
    )
    if not exists or not exists[0]:
        return 0
    row = first_row(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"))
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, *, where: str, read_only: bool) -> None:
    """Apply the migrations this database lacks; ``StoreError`` if it cannot be brought
    up to ``SCHEMA_VERSION`` (newer than this package, or opened read-only)."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {current}, but this package knows only up to "
            f"{SCHEMA_VERSION}: it was written by a newer version of screening",
            where=where,
            hint="upgrade the package (pip install -U screening)",
        )
    pending = [m for m in MIGRATIONS if m.version > current]
    if not pending:
        return
    if read_only:
        raise StoreError(
            f"the database has schema version {current} and needs upgrading to "
            f"{SCHEMA_VERSION}, which a read-only open cannot do",
            where=where,
            hint="open it once read-write (e.g. run the pipeline) to upgrade it",
        )
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
    )
    for migration in pending:
        # The version row commits with the statements, so a crash mid-migration
        # leaves the database at the previous version, ready to retry.
        con.begin()
        try:
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [migration.version, migration.description, now()],
            )
            con.commit()
        except duckdb.Error as exc:
            con.rollback()
            raise StoreError(
                f"migration {migration.version} ({migration.description}) failed: {exc}",
                where=where,
                hint="this is a bug in screening; please report it with this message",
            ) from exc
