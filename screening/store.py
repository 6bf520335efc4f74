"""The DuckDB database file every stage reads and writes.

This module owns opening the file (with errors a person can act on), the schema
and its forward migrations, the run records, and atomic publication of a run's
outputs: a failed or crashed run leaves the previous published results untouched.

Timestamps in the run records are naive UTC.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import polars as pl

from screening.errors import StoreError
from screening.ingest.canonical import canonical_ddl

DEFAULT_DB_PATH = Path("screening.duckdb")


@dataclass(frozen=True)
class Migration:
    """One forward step of the schema, applied in a single transaction."""

    version: int
    description: str
    statements: tuple[str, ...]


# To change the schema, append a Migration with the next version number. Never edit
# or reorder a released one: databases in the field have already applied it.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "run bookkeeping",
        (
            """CREATE TABLE runs (
                run_id VARCHAR PRIMARY KEY,
                started_at TIMESTAMP,
                finished_at TIMESTAMP,
                status VARCHAR NOT NULL CHECK (status IN ('running', 'published', 'failed')),
                as_of DATE,
                config_hash VARCHAR,
                seed BIGINT,
                input_hashes JSON,
                error VARCHAR
            )""",
            """CREATE TABLE run_stages (
                run_id VARCHAR,
                stage VARCHAR,
                started_at TIMESTAMP,
                seconds DOUBLE,
                rows_in BIGINT,
                rows_out BIGINT,
                reused BOOLEAN,
                PRIMARY KEY (run_id, stage)
            )""",
        ),
    ),
    Migration(
        2,
        "input inventory: every extract file a run read, with its hash",
        (
            """CREATE TABLE run_inputs (
                run_id VARCHAR,
                source VARCHAR,
                file VARCHAR,
                sha256 VARCHAR,
                bytes BIGINT,
                data_rows BIGINT,
                PRIMARY KEY (run_id, file)
            )""",
        ),
    ),
    Migration(
        3,
        "ingest: canonical tables, rejects, loaded files, the per-database hashing key",
        (
            *canonical_ddl(),
            """CREATE TABLE rejects (
                source VARCHAR NOT NULL,
                source_file VARCHAR NOT NULL,
                source_row INTEGER NOT NULL,
                column_name VARCHAR NOT NULL,
                raw_value VARCHAR,
                reason VARCHAR NOT NULL
            )""",
            """CREATE TABLE ingested_files (
                source VARCHAR NOT NULL,
                file VARCHAR PRIMARY KEY,
                sha256 VARCHAR NOT NULL,
                spec_hash VARCHAR NOT NULL,
                header_row INTEGER,
                rows_in BIGINT,
                loaded BIGINT,
                rejected BIGINT,
                duplicates BIGINT,
                uscc_invalid BIGINT,
                uscc_missing BIGINT,
                seconds DOUBLE,
                ingested_at TIMESTAMP
            )""",
            "CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        ),
    ),
    Migration(
        4,
        "entity resolution: mentions, their links to entities, reviewer judgements",
        (
            """CREATE TABLE mentions (
                source_table VARCHAR NOT NULL,
                source_file VARCHAR NOT NULL,
                source_row INTEGER NOT NULL,
                role VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                uscc VARCHAR,
                person_hash VARCHAR,
                context VARCHAR,
                entity_id VARCHAR NOT NULL,
                method VARCHAR NOT NULL
                    CHECK (method IN ('uscc', 'exact', 'fuzzy', 'reviewer', 'person', 'new')),
                confidence DOUBLE NOT NULL
            )""",
            """CREATE TABLE entities (
                entity_id VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL CHECK (kind IN ('company', 'person')),
                name VARCHAR NOT NULL,
                uscc VARCHAR,
                place VARCHAR,
                in_registry BOOLEAN NOT NULL,
                mentions BIGINT NOT NULL
            )""",
            """CREATE TABLE resolve_judgements (
                name VARCHAR NOT NULL,
                entity_id VARCHAR NOT NULL,
                judgement VARCHAR NOT NULL CHECK (judgement IN ('must_link', 'cannot_link')),
                reviewer VARCHAR NOT NULL,
                reason VARCHAR,
                decided_at TIMESTAMP NOT NULL
            )""",
        ),
    ),
    Migration(
        5,
        "leads: one per subject and outcome, with each contribution and the evidence rows",
        (
            """CREATE TABLE leads (
                run_id VARCHAR NOT NULL,
                lead_id VARCHAR NOT NULL,
                rank INTEGER NOT NULL,
                subject VARCHAR NOT NULL CHECK (subject IN ('company', 'project', 'award')),
                subject_key VARCHAR NOT NULL,
                subject_name VARCHAR,
                outcome VARCHAR NOT NULL,
                score DOUBLE NOT NULL,
                amount DECIMAL(18,2),
                workers BIGINT,
                rules VARCHAR NOT NULL,
                reason VARCHAR NOT NULL,
                change VARCHAR NOT NULL CHECK (change IN ('new', 'persisting')),
                PRIMARY KEY (run_id, lead_id)
            )""",
            """CREATE TABLE lead_contributions (
                run_id VARCHAR NOT NULL,
                lead_id VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                score DOUBLE NOT NULL
            )""",
            """CREATE TABLE lead_evidence (
                run_id VARCHAR NOT NULL,
                lead_id VARCHAR NOT NULL,
                source_table VARCHAR NOT NULL,
                source_file VARCHAR NOT NULL,
                source_row INTEGER NOT NULL
            )""",
        ),
    ),
    Migration(
        6,
        "review: reviewer decisions and suppressions; each lead's district and evidence "
        "fingerprint; the inputs hash of each stage, so unchanged stages can be reused",
        (
            "ALTER TABLE leads ADD COLUMN district VARCHAR",
            "ALTER TABLE leads ADD COLUMN evidence_hash VARCHAR",
            "ALTER TABLE run_stages ADD COLUMN inputs_hash VARCHAR",
            "ALTER TABLE runs ADD COLUMN counts JSON",
            # the whole job config and the model's features: enough to reproduce the run
            "ALTER TABLE runs ADD COLUMN settings JSON",
            "CREATE SEQUENCE review_no",
            # Append-only: a new decision supersedes the lead's earlier ones, which stay.
            """CREATE TABLE lead_decisions (
                decision_no BIGINT PRIMARY KEY DEFAULT nextval('review_no'),
                lead_id VARCHAR NOT NULL,
                decision VARCHAR NOT NULL
                    CHECK (decision IN ('confirmed', 'dismissed', 'needs_info', 'snoozed')),
                snoozed_until DATE,
                reason VARCHAR NOT NULL,
                reviewer VARCHAR NOT NULL,
                decided_at TIMESTAMP NOT NULL,
                run_id VARCHAR NOT NULL,
                evidence_hash VARCHAR,
                CHECK ((decision = 'snoozed') = (snoozed_until IS NOT NULL))
            )""",
            # Append-only too: lifting a suppression early is a new row expiring at once.
            """CREATE TABLE suppressions (
                suppression_no BIGINT PRIMARY KEY DEFAULT nextval('review_no'),
                rule_id VARCHAR NOT NULL,
                subject VARCHAR NOT NULL CHECK (subject IN ('company', 'project', 'award')),
                subject_key VARCHAR NOT NULL,
                expires DATE NOT NULL,
                reason VARCHAR NOT NULL,
                reviewer VARCHAR NOT NULL,
                decided_at TIMESTAMP NOT NULL
            )""",
        ),
    ),
    Migration(
        7,
        "entity resolution: names (and registry rows) taken apart, kept for the next resolve",
        (
            """CREATE TABLE resolve_name_parses (
                parser VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                is_person BOOLEAN NOT NULL,
                province VARCHAR,
                city VARCHAR,
                district VARCHAR,
                trade VARCHAR,
                industry VARCHAR,
                legal_form VARCHAR,
                branch VARCHAR,
                core_sound VARCHAR
            )""",
            """CREATE TABLE resolve_registry_parses (
                parser VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                address VARCHAR,
                text VARCHAR NOT NULL,
                is_person BOOLEAN NOT NULL,
                province VARCHAR,
                city VARCHAR,
                district VARCHAR,
                trade VARCHAR NOT NULL,
                industry VARCHAR NOT NULL,
                legal_form VARCHAR NOT NULL,
                branch VARCHAR NOT NULL,
                core_sound VARCHAR NOT NULL,
                address_province VARCHAR,
                address_city VARCHAR,
                address_district VARCHAR
            )""",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        8,
        "record links: deposit to project, award to project, award to enforcement",
        (
            """CREATE TABLE record_links (
    link VARCHAR NOT NULL,
    from_file VARCHAR NOT NULL,
    from_row INTEGER NOT NULL,
    to_file VARCHAR NOT NULL,
    to_row INTEGER NOT NULL,
    method VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL
)""",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        9,
        "coverage: each rule's and anomaly feature's status on the run's data, empty inputs",
        ("ALTER TABLE runs ADD COLUMN coverage JSON",),
    ),
)

MIGRATIONS += (
    Migration(
        10,
        "manifests: columns derived by a declared rule, headers a manifest leaves unmapped",
        (
            """CREATE TABLE derived_columns (
    source VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    derivation VARCHAR NOT NULL,
    parameters_json JSON NOT NULL,
    PRIMARY KEY (source, column_name)
)""",
            "ALTER TABLE ingested_files ADD COLUMN unmapped_headers JSON",
        ),
    ),
)

if [m.version for m in MIGRATIONS] != list(range(1, len(MIGRATIONS) + 1)):
    raise RuntimeError("store.MIGRATIONS must be numbered 1, 2, 3, … in order")

SCHEMA_VERSION = MIGRATIONS[-1].version

# Runs begun by this process and not yet finished, keyed by database file. DuckDB lets
# only one process open a file read-write, so on a read-write open any other 'running'
# run belongs to a process that died; these are the exceptions to that rule.
_LIVE_RUNS: set[tuple[Path, str]] = set()


@dataclass(frozen=True)
class RunRecord:
    """One row of ``runs``."""

    run_id: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    as_of: date | None
    config_hash: str | None
    seed: int | None
    input_hashes: dict[str, str]
    error: str | None


_RUN_COLUMNS = (
    "run_id, status, started_at, finished_at, as_of, config_hash, seed, input_hashes, error"
)


def now() -> datetime:
    """The time to record: UTC, without a zone (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """One open connection to a screening database file.

    Use ``Store.open(path)``, preferably as a context manager.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool):
        self._con: duckdb.DuckDBPyConnection | None = con
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path | str = DEFAULT_DB_PATH, *, read_only: bool = False) -> Store:
        """Open (creating if missing, unless ``read_only``) and migrate the database at ``path``.

        A read-write open also marks runs left 'running' by a dead process as failed
        (see ``abandon_stale_runs``). Raises ``StoreError`` when the file cannot be used.
        """
        path = Path(path)
        where = str(path)
        if not path.parent.is_dir():
            raise StoreError(
                f"the folder {path.parent} does not exist",
                where=where,
                hint="create the folder first or choose another database path",
            )
        if path.is_dir():
            raise StoreError(
                "this is a folder, not a database file",
                where=where,
                hint="give the path of a .duckdb file inside it",
            )
        if read_only and not path.exists():
            raise StoreError(
                "the database does not exist",
                where=where,
                hint="run the pipeline once to create it, or check the path",
            )
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # DuckDB's progress bar would garble our own output. In Jupyter without
            # ipywidgets DuckDB refuses the setting, and draws no bar there anyway.
            with suppress(duckdb.InvalidInputException):
                con.execute("SET enable_progress_bar = false")
        except duckdb.Error as exc:
            raise _open_error(exc, where) from exc
        store = cls(con, path, read_only=read_only)
        try:
            store._migrate()
            if not read_only:
                store.abandon_stale_runs()
        except BaseException:
            store.close()
            raise
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection; ``StoreError`` once the store is closed."""
        if self._con is None:
            raise self._error("the store is closed", "open it again")
        return self._con

    def close(self) -> None:
        """Close the connection. Closing twice is harmless."""
        if self._con is not None:
            self._con.close()
            self._con = None

    # -- schema ---------------------------------------------------------------------

    def schema_version(self) -> int:
        """The highest migration applied to this database (0 for a new file)."""
        exists = first_row(
            self.con.execute(
                "SELECT count(*) FROM duckdb_tables() "
                "WHERE database_name = current_database() AND schema_name = 'main' "
                "AND table_name = 'schema_migrations'"
            )
        )
        if not exists or not exists[0]:
            return 0
        row = first_row(self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"))
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise self._error(
                f"the database has schema version {current}, but this package knows only up to "
                f"{SCHEMA_VERSION}: it was written by a newer version of screening",
                "upgrade the package (pip install -U screening)",
            )
        pending = [m for m in MIGRATIONS if m.version > current]
        if not pending:
            return
        if self.read_only:
            raise self._error(
                f"the database has schema version {current} and needs upgrading to "
                f"{SCHEMA_VERSION}, which a read-only open cannot do",
                "open it once read-write (e.g. run the pipeline) to upgrade it",
            )
        con = self.con
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
                raise self._error(
                    f"migration {migration.version} ({migration.description}) failed: {exc}",
                    "this is a bug in screening; please report it with this message",
                ) from exc

    # -- runs -----------------------------------------------------------------------

    def begin_run(
        self,
        *,
        as_of: date | None,
        config_hash: str | None,
        input_hashes: Mapping[str, str],
        seed: int | None,
    ) -> str:
        """Record a new 'running' run and return its id (``run-000001``, ``run-000002``, …)."""
        # One statement, so computing the next number and claiming it is atomic; the
        # primary key turns any race between connections into an error, not a duplicate.
        row = first_row(
            self.con.execute(
                """
            INSERT INTO runs (run_id, status, started_at, as_of, config_hash, seed, input_hashes)
            SELECT format('run-{:06d}',
                          coalesce(max(TRY_CAST(substr(run_id, 5) AS BIGINT)), 0) + 1),
                   'running', ?, ?, ?, ?, ?
            FROM runs WHERE run_id LIKE 'run-%'
            RETURNING run_id
            """,
                [now(), as_of, config_hash, seed, json.dumps(dict(input_hashes), sort_keys=True)],
            )
        )
        assert row is not None
        run_id = str(row[0])
        _LIVE_RUNS.add((self._key(), run_id))
        return run_id

    def record_stage(
        self,
        run_id: str,
        stage: str,
        *,
        seconds: float,
        rows_in: int | None = None,
        rows_out: int | None = None,
        reused: bool = False,
        started_at: datetime | None = None,
        inputs_hash: str | None = None,
    ) -> None:
        """Record (or re-record) how one stage of a run went."""
        self.get_run(run_id)
        self.con.execute(
            "INSERT OR REPLACE INTO run_stages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, stage, started_at, seconds, rows_in, rows_out, reused, inputs_hash],
        )

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this id; ``StoreError`` if there is none."""
        row = first_row(
            self.con.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", [run_id])
        )
        if row is None:
            raise self._error(f"there is no run {run_id!r}", "check the run id in the runs table")
        return _run_record(row)

    def latest_published_run(self) -> RunRecord | None:
        """The most recently published run (whose outputs are live), or None."""
        row = first_row(
            self.con.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE status = 'published' "
                "ORDER BY finished_at DESC, run_id DESC LIMIT 1"
            )
        )
        return None if row is None else _run_record(row)

    def fail_run(self, run_id: str, error: str) -> None:
        """Mark a run that has not been published as failed, with the error text."""
        if self.get_run(run_id).status == "published":
            raise self._error(
                f"run {run_id} is already published and cannot be marked failed",
                "start a new run instead",
            )
        self.con.execute(
            "UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ?",
            [now(), error, run_id],
        )
        _LIVE_RUNS.discard((self._key(), run_id))

    def abandon_stale_runs(self) -> list[str]:
        """Mark as failed the 'running' runs whose process has died; return their ids.

        A process that dies mid-run (crash, kill, power loss) cannot mark its own run,
        so it stays 'running'. ``open`` calls this on every read-write open; runs begun
        by this process and still in progress are left alone.
        """
        rows = self.con.execute(
            "SELECT run_id FROM runs WHERE status = 'running' ORDER BY run_id"
        ).fetchall()
        stale = [str(r[0]) for r in rows if (self._key(), str(r[0])) not in _LIVE_RUNS]
        for run_id in stale:
            self.fail_run(run_id, "abandoned: the process running it stopped before finishing")
        return stale

    @contextmanager
    def publish(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """Write a run's outputs and publish the run, all or nothing.

        Yields the connection inside a transaction; write the outputs with it
        (``CREATE OR REPLACE TABLE leads AS …``). On normal exit the run becomes
        'published' in the same transaction and it commits. On any exception the
        outputs roll back, the run is marked failed, and the exception propagates.
        """
        status = self.get_run(run_id).status
        if status != "running":
            raise self._error(
                f"run {run_id} is {status}; only a running run can be published",
                "start a new run with begin_run",
            )
        con = self.con
        # DuckDB DDL is transactional: CREATE OR REPLACE / DROP inside this transaction
        # stay invisible to other connections until COMMIT and vanish on ROLLBACK or a
        # crash. That is what makes replacing whole output tables atomic.
        con.begin()
        txid = _txid(con)
        try:
            yield con
            if _txid(con) != txid:
                raise self._error(
                    "the publish block ended its transaction itself (COMMIT or ROLLBACK)",
                    "do not commit or roll back inside publish(); it does that for you",
                )
            con.execute(
                "UPDATE runs SET status = 'published', finished_at = ? WHERE run_id = ?",
                [now(), run_id],
            )
            con.commit()
        except BaseException as exc:
            # Suppressed when the transaction is already over: COMMIT itself failed,
            # or the block ended it.
            with suppress(duckdb.TransactionException):
                con.rollback()
            try:
                self.fail_run(run_id, f"{type(exc).__name__}: {exc}")
            except Exception as mark_exc:  # keep the original error the one that surfaces
                exc.add_note(f"also could not mark {run_id} failed: {mark_exc}")
            raise
        _LIVE_RUNS.discard((self._key(), run_id))

    def _error(self, message: str, hint: str) -> StoreError:
        return StoreError(message, where=str(self.path), hint=hint)

    def _key(self) -> Path:
        return self.path.resolve()


def _txid(con: duckdb.DuckDBPyConnection) -> int:
    row = first_row(con.execute("SELECT txid_current()"))
    assert row is not None
    return int(row[0])


def _run_record(row: tuple[Any, ...]) -> RunRecord:
    run_id, status, started_at, finished_at, as_of, config_hash, seed, hashes, error = row
    return RunRecord(
        run_id=run_id,
        status=status,
        started_at=started_at,
        finished_at=finished_at,
        as_of=as_of,
        config_hash=config_hash,
        seed=seed,
        input_hashes=json.loads(hashes) if hashes else {},
        error=error,
    )


def _open_error(exc: duckdb.Error, where: str) -> StoreError:
    text = str(exc)
    # DuckDB reports every open failure as IOException; only the text tells them apart.
    if "Could not set lock" in text or "Conflicting lock" in text:
        return StoreError(
            f"the database is locked by another process ({text})",
            where=where,
            hint="wait for the other screening run to finish, or close the notebook or "
            "program that has this file open",
        )
    if "not a valid DuckDB database" in text:
        return StoreError(
            "the file exists but is not a DuckDB database",
            where=where,
            hint="choose another path, or move this file aside if it is not needed",
        )
    if isinstance(exc, duckdb.ConnectionException):
        # Same process, same file, different read_only setting: DuckDB refuses.
        return StoreError(
            f"the database is already open in this process with other settings ({text})",
            where=where,
            hint="close the other Store on this file first",
        )
    return StoreError(f"cannot open the database: {text}", where=where)


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
