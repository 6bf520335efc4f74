"""Run records and atomic publication of a run's outputs.

A run is a row of ``runs`` that goes 'running' → 'published' or 'failed'; its stages
are rows of ``run_stages``. Publishing writes the outputs and flips the status in one
transaction, so a failed or crashed run leaves the previous published results untouched.

Timestamps in the run records are naive UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from screening.errors import StoreError
from screening.store.helpers import first_row, now

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


class RunLedger:
    """The run methods of ``Store``, kept here so the store's module on opening files
    stays about opening files. A mixin: ``Store`` supplies ``path`` and ``con``."""

    path: Path

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        raise NotImplementedError("Store provides the connection")

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
