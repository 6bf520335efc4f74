"""Opening and closing the database file, with errors a person can act on.

``Store.open`` checks the path, connects, translates DuckDB's open failures (locked,
not a database, already open with other settings), brings the schema up to date and
marks runs left behind by dead processes as failed. The run methods come from
:class:`screening.store.runs.RunLedger`.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from types import TracebackType

import duckdb

from screening.errors import StoreError
from screening.store import migrations
from screening.store.runs import RunLedger

DEFAULT_DB_PATH = Path("screening.duckdb")


class Store(RunLedger):
    """One open connection to a screening database file.

    Use ``Store.open(path)``, preferably as a context manager::

        with Store.open("screening.duckdb", read_only=True) as store:
            run = store.latest_published_run()
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
        store = cls(_connect(path, read_only=read_only), path, read_only=read_only)
        try:
            migrations.migrate(store.con, where=str(path), read_only=read_only)
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

    def limit_memory(self, limit: str) -> None:
        """Hold at most ``limit`` (``4GB``, ``512MB``) in memory, spilling the rest to disk
        beside the database file; ``auto`` keeps DuckDB's own limit (80% of the machine's).
        DuckDB's own would let its cache and the temporary tables grow beside the frames
        polars holds: a province run peaked at 7.9 GB with it, at 5 GB with 4GB."""
        if limit != "auto":
            self.con.execute("SET memory_limit = ?", [limit])

    def close(self) -> None:
        """Close the connection. Closing twice is harmless."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def schema_version(self) -> int:
        """The highest migration applied to this database (0 for a new file)."""
        return migrations.schema_version(self.con)


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
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
    if not read_only:
        _check_writable(path)
    try:
        con = duckdb.connect(where, read_only=read_only)
        # DuckDB's progress bar would garble our own output. In Jupyter without
        # ipywidgets DuckDB refuses the setting, and draws no bar there anyway.
        with suppress(duckdb.InvalidInputException):
            con.execute("SET enable_progress_bar = false")
    except duckdb.Error as exc:
        raise _open_error(exc, where) from exc
    return con


def _check_writable(path: Path) -> None:
    """A read-write open needs the file and its folder writable: DuckDB keeps its
    write-ahead log (``NAME.wal``) beside the file, and without it the first write fails
    halfway through a run."""
    where = str(path)
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(
            "the database file is read-only",
            where=where,
            hint="make it writable (chmod u+w) or copy it somewhere you can write to; "
            "`screening report` and `evaluate` can read it as it is",
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(
            f"the folder {path.parent} is read-only: the database needs to write its "
            f"log ({path.name}.wal) beside it",
            where=where,
            hint="make the folder writable or copy the database to a folder you can write to",
        )


def _open_error(exc: duckdb.Error, where: str) -> StoreError:
    text = str(exc)
    if "Permission denied" in text or "Read-only file system" in text:
        return StoreError(
            f"no permission to open the database ({text.splitlines()[0]})",
            where=where,
            hint="check the permissions of the file and its folder",
        )
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
