"""Load the files a manifest names into the canonical tables, atomically.

A file is (re)loaded when its bytes or its part of the manifest changed; otherwise it is
left alone, so running ingest twice changes nothing. All changes of one ingest happen in
one transaction: a file that fails leaves every table as it was. For every file,
input rows = loaded rows + rejected rows, checked here before anything is written.

Columns the manifest derives (``derive:``) are computed in DuckDB over the typed rows as
they are written, and recorded in ``derived_columns``; headers a file has and the manifest
does not map are kept with the file (``ingested_files.unmapped_headers``), so a person sees
what the manifest ignores.

Reading a file (:func:`read_file`) touches no database, so it may run anywhere: here,
two files at a time in threads; on Spark, on the executors
(:mod:`screening.backend.spark_ingest`, while :func:`reading_files_with` holds). Either
way the frames come back in manifest order and are written here, by this thread.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from screening.elsewhere import held
from screening.errors import IngestError
from screening.identifiers import mask_personal_numbers
from screening.ingest.canonical import (
    COMPANION_COLUMNS,
    PROVENANCE_COLUMNS,
    TABLES,
    CanonicalTable,
    Kind,
)
from screening.ingest.cells import CONTROL_CHARACTERS
from screening.ingest.derive import AppliedDerivation, Value, derived_select
from screening.ingest.manifest import ColumnSpec, Manifest, SourceSpec
from screening.ingest.parse import REASON, VALUE, typed_column
from screening.ingest.readers import FIELDS_COLUMN, ROW_COLUMN, RawSheet, header_key, read_sheet
from screening.progress import Pace
from screening.store import Store, first_row, insert_frame, sha256_file, sha256_json

WHY = "__why__"  # prefix of the per-column reason columns while parsing
TYPED = "__typed__"  # prefix of typed columns while parsing: a header may be "uscc" too
RAW_VALUE_LIMIT = 300  # characters of a rejected cell kept in `rejects`
HASH_KEY_SETTING = "id_hash_key"
IDENTIFIER_KINDS = (Kind.USCC, Kind.PARTY_CODE)
READ_AHEAD = 2  # files read and typed at once: one per core of the target machine
# Bumped whenever parsing or hashing changes meaning, so every file is loaded anew.
PARSER_VERSION = 4  # 3: ID numbers need a real birth date; no serial dates from text
# 4: a control character (NUL, ESC …) in a cell is a reject


@dataclass
class FileResult:
    source: str
    file: str  # relative to the data folder
    status: str  # loaded | unchanged | removed
    rows_in: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    uscc_invalid: int = 0
    uscc_missing: int = 0
    seconds: float = 0.0
    absent_headers: list[str] = field(default_factory=list)  # optional headers not in the file
    unmapped_headers: list[str] = field(default_factory=list)  # in the file, not in the manifest


@dataclass(frozen=True)
class InputFile:
    """One file a manifest names, hashed once for the run record and for reload decisions."""

    source: str
    path: Path
    relative: str  # relative to the data folder
    sha256: str


def plan_inputs(manifest: Manifest) -> list[InputFile]:
    """Every file of every source, in manifest order, with its content hash."""
    base = manifest.data_folder
    return [
        InputFile(source, path, _relative(path, base), sha256_file(path))
        for source in manifest.sources
        for path in manifest.files(source)
    ]


@dataclass(frozen=True)
class DerivedColumn:
    """A column of a source filled by a derivation, as ``derived_columns`` records it."""

    source: str
    table: str
    column: str
    derivation: str
    parameters: dict[str, Value]


@dataclass(frozen=True)
class SourceColumns:
    """What one source's manifest leaves to rules or out: derived and absent columns."""

    derived: list[DerivedColumn]
    absent: list[str]  # canonical columns neither mapped nor derived (always empty)


@dataclass
class IngestResult:
    files: list[FileResult]
    columns: dict[str, SourceColumns] = field(default_factory=dict)  # per source

    def by_source(self) -> dict[str, FileResult]:
        """Totals per source over its current files (removed files excluded)."""
        totals: dict[str, FileResult] = {}
        for item in self.files:
            if item.status == "removed":
                continue
            total = totals.setdefault(item.source, FileResult(item.source, "", "total"))
            for name in (
                "rows_in",
                "loaded",
                "rejected",
                "duplicates",
                "uscc_invalid",
                "uscc_missing",
            ):
                setattr(total, name, getattr(total, name) + getattr(item, name))
            for header in item.unmapped_headers:
                if header not in total.unmapped_headers:
                    total.unmapped_headers.append(header)
        return totals


def ingest(
    manifest: Manifest,
    store: Store,
    *,
    inputs: list[InputFile] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestResult:
    """Bring the canonical tables in line with the manifest's files; one transaction.

    ``inputs`` is :func:`plan_inputs` of the manifest when the caller already has it.
    ``progress`` hears (the file being written and the pace so far, files written, files
    to write). Files are read and typed two at a time in worker threads (polars and the
    decoders release the GIL), or where :func:`reading_files_with` says; the database is
    written from this thread only, in manifest order.
    """
    notify = progress or (lambda _file, _done, _total: None)
    reading = _READING.get() or in_order
    planned = inputs if inputs is not None else plan_inputs(manifest)
    con = store.con
    previous = {
        row[0]: (row[1], row[2], row[3])
        for row in con.execute(
            "SELECT file, sha256, spec_hash, source FROM ingested_files"
        ).fetchall()
    }
    spec_hashes = {name: _spec_hash(spec, manifest) for name, spec in manifest.sources.items()}
    changed = [
        item
        for item in planned
        if previous.get(item.relative, (None, None, None))[:2]
        != (item.sha256, spec_hashes[item.source])
    ]
    results = {
        item.relative: _unchanged(con, item.source, item.relative)
        for item in planned
        if item not in changed
    }
    columns = _source_columns(manifest)
    con.begin()
    try:
        key = _hash_key(con)
        # Nothing to read, nothing started (on Spark: no session, no job).
        work = partial(read_file, manifest=manifest, key=key)
        parsed = reading(work, changed) if changed else iter(())
        sizes = [item.path.stat().st_size for item in changed]
        pace, rows, read_bytes = Pace(sum(sizes)), 0, 0
        for done, (item, read, size) in enumerate(zip(changed, parsed, sizes, strict=True)):
            rows, read_bytes = rows + read.result.rows_in, read_bytes + size
            notify(f"{item.relative} · {pace.describe(read_bytes, rows)}", done, len(changed))
            _replace_file(
                con,
                TABLES[read.table],
                item.relative,
                read.loaded,
                read.rejects,
                manifest.derived(item.source),
            )
            _record_file(con, read.result, item.sha256, spec_hashes[item.source], read.header_row)
            results[item.relative] = read.result
        _record_derived(con, columns)
        current = {item.relative for item in planned}
        removed = []
        for relative, (_sha, _spec, source) in sorted(previous.items()):
            if relative not in current:
                _remove_file(
                    con,
                    TABLES[manifest.sources[source].table] if source in manifest.sources else None,
                    relative,
                )
                removed.append(FileResult(source, relative, "removed"))
        notify("", len(changed), len(changed))
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return IngestResult([results[item.relative] for item in planned] + removed, columns)


def _source_columns(manifest: Manifest) -> dict[str, SourceColumns]:
    return {
        source: SourceColumns(
            [
                DerivedColumn(source, spec.table, item.column, item.derivation, item.parameters)
                for item in manifest.derived(source)
            ],
            manifest.absent_columns(source),
        )
        for source, spec in manifest.sources.items()
    }


@dataclass
class ReadFile:
    table: str
    header_row: int
    loaded: pl.DataFrame
    rejects: pl.DataFrame
    result: FileResult


def read_file(item: InputFile, manifest: Manifest, key: bytes) -> ReadFile:
    """Read, type and check one file; touches no database, so it may run in a thread."""
    started = time.perf_counter()
    spec = manifest.sources[item.source]
    raw = read_sheet(
        item.path,
        expected=list(spec.columns),
        file_format=spec.format,
        sheet=spec.sheet,
        encoding=spec.encoding,
        delimiter=spec.delimiter,
        header_row=spec.header_row,
    )
    table = TABLES[spec.table]
    loaded, rejects, result = _parse(raw, spec, table, manifest, item.source, item.relative, key)
    result.seconds = time.perf_counter() - started
    return ReadFile(table.name, raw.header_row, loaded, rejects, result)


FileWork = Callable[[InputFile], ReadFile]  # read_file with the manifest and the hash key
# Runs the work of each changed file and gives the results in the files' order.
FileReading = Callable[[FileWork, list[InputFile]], Iterator[ReadFile]]
# Where the files are read instead of this process's threads, while reading_files_with
# holds: a job on Spark reads them on the cluster's executors.
_READING: ContextVar[FileReading | None] = ContextVar("ingest_reading", default=None)


def reading_files_with(reading: FileReading) -> AbstractContextManager[None]:
    """Read every changed file through ``reading`` while in the block."""
    return held(_READING, reading)


def in_order(
    work: FileWork,
    items: list[InputFile],
    ahead: int = READ_AHEAD,
    stop: Callable[[], None] | None = None,
) -> Iterator[ReadFile]:
    """``work`` of each item, in order, with at most ``ahead`` items in flight. When the
    caller leaves before the end (an error), ``stop`` ends the work already running
    (Spark: cancels its jobs) rather than waiting for it."""
    with ThreadPoolExecutor(max_workers=ahead) as pool:
        pending: deque[Future[ReadFile]] = deque()
        upcoming = iter(items)
        try:
            for item in itertools.islice(upcoming, ahead):
                pending.append(pool.submit(work, item))
            while pending:
                done = pending.popleft().result()
                for item in itertools.islice(upcoming, 1):
                    pending.append(pool.submit(work, item))
                yield done
        finally:
            running = [future for future in pending if not future.cancel() and not future.done()]
            if running and stop is not None:
                stop()


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _spec_hash(spec: SourceSpec, manifest: Manifest) -> str:
    source = next(name for name, each in manifest.sources.items() if each is spec)
    return sha256_json(
        {
            "spec": spec.model_dump(mode="json"),
            # The library's expression and defaults, not just the names the manifest gives:
            # editing a derivation or its parameters re-ingests the files that use it.
            "derived": [item.record() for item in manifest.derived(source)],
            "dates": manifest.date_formats,
            "parser": PARSER_VERSION,
        }
    )


def _hash_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The database's secret for hashing ID numbers: joins work, reversing does not."""
    row = first_row(con.execute("SELECT value FROM settings WHERE key = ?", [HASH_KEY_SETTING]))
    if row is None:
        value = secrets.token_hex(32)
        con.execute("INSERT INTO settings VALUES (?, ?)", [HASH_KEY_SETTING, value])
        return bytes.fromhex(value)
    return bytes.fromhex(row[0])


# ----- parsing one file ---------------------------------------------------------------


def _parse(
    raw: RawSheet,
    spec: SourceSpec,
    table: CanonicalTable,
    manifest: Manifest,
    source: str,
    relative: str,
    key: bytes,
) -> tuple[pl.DataFrame, pl.DataFrame, FileResult]:
    mappings = [(header_key(header), column) for header, column in spec.mappings()]
    specs = {header: column for header, column in mappings}  # one per header, for `required`
    present = set(raw.headers)
    absent = [header for header in specs if header not in present]
    unmapped = [header for header in raw.headers if header and header not in specs]
    for header in absent:
        if specs[header].required:
            found = [h for h in raw.headers if h]
            close = difflib.get_close_matches(header, found, n=1)
            raise IngestError(
                f"{raw.path}:{raw.header_row}: required column '{header}' is missing; "
                f"headers found: {', '.join(found)}",
                hint=f"did you mean '{close[0]}'? fix the manifest's columns"
                if close
                else "fix the manifest's columns or re-export the file",
            )
    by_column = {
        str(column.column): (header, column) for header, column in mappings if header in present
    }
    typed = _typed_columns(raw, table, by_column, spec.date_formats or manifest.date_formats)
    width = len(raw.headers)
    wrong_width = pl.format(
        "字段数不符 expected {} fields, found {} (truncated line or stray delimiter?)",
        pl.lit(width),
        pl.col(FIELDS_COLUMN),
    )
    frame = pl.concat([raw.rows, typed], how="horizontal").with_columns(
        pl.when(pl.col(FIELDS_COLUMN) != width).then(wrong_width).alias(f"{WHY}(row)")
    )
    why_columns = [c for c in frame.columns if c.startswith(WHY)]
    rejected = pl.any_horizontal(pl.col(c).is_not_null() for c in why_columns)
    frame = frame.with_columns(rejected.alias("__rejected__"))
    rejects = _rejects(frame, why_columns, source, relative)
    # An exact copy of an earlier loaded row of the file, cell by cell (every header's).
    # The rejected rows are a group of their own, so the loaded rows group as they would
    # alone, and only the columns loaded are filtered (not the raw text beside them).
    content = [h for h in raw.headers if h in frame.columns]
    first = pl.col(ROW_COLUMN).first().over("__rejected__", *content)
    loaded = frame.select(
        *(
            pl.col(name).alias(name.removeprefix(TYPED))
            for name in typed.columns
            if name.startswith(TYPED)
        ),
        pl.lit(relative).alias("source_file"),
        pl.col(ROW_COLUMN).alias("source_row"),
        pl.when(first != pl.col(ROW_COLUMN)).then(first).alias("duplicate_of_row"),
        "__rejected__",
    )
    loaded = loaded.filter(~pl.col("__rejected__")).drop("__rejected__")
    loaded = _hash_identifiers(loaded, key)
    loaded = _cast(loaded, table)
    result = FileResult(
        source,
        relative,
        "loaded",
        rows_in=frame.height,
        loaded=loaded.height,
        rejected=int(frame.get_column("__rejected__").sum()),
        duplicates=int(loaded.get_column("duplicate_of_row").is_not_null().sum()),
        absent_headers=absent,
        unmapped_headers=unmapped,
    )
    for name, kind in table.columns.items():
        if kind in IDENTIFIER_KINDS and f"{name}_status" in loaded.columns:
            status = loaded.get_column(f"{name}_status")
            result.uscc_invalid += int((status == "invalid").sum())
            result.uscc_missing += int((status == "missing").sum())
    if result.loaded + result.rejected != result.rows_in:  # the promise ingest keeps
        raise RuntimeError(
            f"{relative}: {result.rows_in} rows in but {result.loaded} loaded "
            f"+ {result.rejected} rejected"
        )
    return loaded, rejects, result


def _typed_columns(
    raw: RawSheet,
    table: CanonicalTable,
    by_column: dict[str, tuple[str, ColumnSpec]],
    date_formats: list[str],
) -> pl.DataFrame:
    """Every canonical column with its companions and its reason column, typed in parallel.

    Columns the file lacks are all-null (typed later by :func:`_cast`). A header that fills
    several columns has one reason column: the first problem any of its columns finds.
    """
    parts: list[pl.LazyFrame] = []
    reasons: dict[str, list[str]] = {}  # header -> its reason columns
    for name, kind in table.columns.items():
        if name not in by_column:
            suffixes = ["", *(f"_{suffix}" for suffix, _sql in COMPANION_COLUMNS.get(kind, ()))]
            parts.append(
                pl.LazyFrame().select(
                    pl.repeat(None, raw.rows.height).alias(f"{TYPED}{name}{suffix}")
                    for suffix in suffixes
                )
            )
            continue
        header, column = by_column[name]
        source = raw.rows.lazy().select(pl.col(header).alias("raw"))
        typed = typed_column(source, kind, unit=column.unit, date_formats=date_formats)
        reason = pl.col(REASON)
        if column.required:
            required = pl.when(pl.col(VALUE).is_null()).then(
                pl.lit("缺少必填项 required value missing")
            )
            reason = pl.coalesce(reason, required)
        companions = [c for c in typed.collect_schema().names() if c not in (VALUE, REASON)]
        why = f"{WHY}{header}" if header not in reasons else f"{WHY}{header}\x1f{name}"
        reasons.setdefault(header, []).append(why)
        parts.append(
            typed.select(
                pl.col(VALUE).alias(TYPED + name),
                *(pl.col(c).alias(f"{TYPED}{name}_{c}") for c in companions),
                reason.alias(why),
            )
        )
    frame = pl.concat(pl.collect_all(parts), how="horizontal")
    shared = {header: whys for header, whys in reasons.items() if len(whys) > 1}
    return frame.with_columns(pl.coalesce(whys).alias(whys[0]) for whys in shared.values()).drop(
        why for whys in shared.values() for why in whys[1:]
    )


def _rejects(
    frame: pl.DataFrame, why_columns: list[str], source: str, relative: str
) -> pl.DataFrame:
    parts = []
    for why in why_columns:
        header = why.removeprefix(WHY)
        raw_value = pl.col(header) if header in frame.columns else pl.lit(None, dtype=pl.String)
        parts.append(
            frame.filter(pl.col(why).is_not_null()).select(
                pl.lit(source).alias("source"),
                pl.lit(relative).alias("source_file"),
                pl.col(ROW_COLUMN).alias("source_row"),
                pl.lit(header).alias("column_name"),
                raw_value.str.slice(0, RAW_VALUE_LIMIT)
                .str.replace_all(CONTROL_CHARACTERS, "\ufffd")  # shown, never passed on
                .alias("raw_value"),
                pl.col(why).alias("reason"),
            )
        )
    rejects = pl.concat(parts).sort("source_row", "column_name")
    # A person reads these: an ID or phone number in a rejected cell is masked too.
    return rejects.with_columns(
        pl.col("raw_value").map_elements(mask_personal_numbers, return_dtype=pl.String)
    )


def _hash_identifiers(frame: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Replace the full numbers held in *_hash columns by their keyed hash.

    BLAKE2b in keyed mode is a MAC by design, and four times faster here than HMAC-SHA256.
    """
    keyed = hashlib.blake2b(key=key, digest_size=16)
    for name in [c for c in frame.columns if c.endswith("_hash")]:
        numbers = frame.get_column(name)
        distinct = numbers.drop_nulls().unique()
        digests = []
        for number in distinct.to_list():
            digest = keyed.copy()  # the key is absorbed once, not once per number
            digest.update(number.encode())
            digests.append(digest.hexdigest())
        frame = frame.with_columns(
            numbers.replace_strict(distinct, digests, default=None, return_dtype=pl.String)
        )
    return frame


POLARS_TYPES: dict[str, pl.DataType] = {
    "DATE": pl.Date(),
    "DECIMAL(18,2)": pl.Decimal(18, 2),
    "DECIMAL(9,6)": pl.Decimal(9, 6),
    "BOOLEAN": pl.Boolean(),
    "BIGINT": pl.Int64(),
    "INTEGER": pl.Int32(),
}


def _cast(frame: pl.DataFrame, table: CanonicalTable) -> pl.DataFrame:
    """Columns in table order with the table's types (absent columns are all-null)."""
    columns = [*table.sql_columns(), *((name, sql.split()[0]) for name, sql in PROVENANCE_COLUMNS)]
    return frame.select(
        pl.col(name).cast(POLARS_TYPES.get(sql, pl.String())) for name, sql in columns
    )


# ----- writing ------------------------------------------------------------------------


def _replace_file(
    con: duckdb.DuckDBPyConnection,
    table: CanonicalTable,
    relative: str,
    loaded: pl.DataFrame,
    rejects: pl.DataFrame,
    derived: list[AppliedDerivation],
) -> None:
    _remove_file(con, table, relative)
    if derived:
        # The derived columns are computed by DuckDB as the typed rows go in.
        con.register("typed_rows", loaded.to_arrow())
        try:
            query = derived_select(table, derived, "typed_rows").sql(dialect="duckdb")
            con.execute(f"INSERT INTO {table.name} BY NAME {query}")
        finally:
            con.unregister("typed_rows")
    else:
        insert_frame(con, table.name, loaded)
    insert_frame(con, "rejects", rejects)


def _record_derived(con: duckdb.DuckDBPyConnection, columns: dict[str, SourceColumns]) -> None:
    """``derived_columns`` as the manifest now says: the files' spec hashes cover the
    derivations, so every loaded row was derived this way."""
    con.execute("DELETE FROM derived_columns")
    for source_columns in columns.values():
        for item in source_columns.derived:
            con.execute(
                "INSERT INTO derived_columns VALUES (?, ?, ?, ?, ?)",
                [
                    item.source,
                    item.table,
                    item.column,
                    item.derivation,
                    json.dumps(item.parameters, ensure_ascii=False, sort_keys=True),
                ],
            )


def _remove_file(
    con: duckdb.DuckDBPyConnection, table: CanonicalTable | None, relative: str
) -> None:
    tables = [table] if table else list(TABLES.values())
    for each in tables:
        con.execute(f"DELETE FROM {each.name} WHERE source_file = ?", [relative])
    con.execute("DELETE FROM rejects WHERE source_file = ?", [relative])
    con.execute("DELETE FROM ingested_files WHERE file = ?", [relative])


def _record_file(
    con: duckdb.DuckDBPyConnection, result: FileResult, sha: str, spec_hash: str, header_row: int
) -> None:
    con.execute(
        """INSERT INTO ingested_files (source, file, sha256, spec_hash, header_row, rows_in,
               loaded, rejected, duplicates, uscc_invalid, uscc_missing, seconds, ingested_at,
               unmapped_headers)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            result.source,
            result.file,
            sha,
            spec_hash,
            header_row,
            result.rows_in,
            result.loaded,
            result.rejected,
            result.duplicates,
            result.uscc_invalid,
            result.uscc_missing,
            result.seconds,
            datetime.now(UTC).replace(tzinfo=None),
            json.dumps(result.unmapped_headers, ensure_ascii=False),
        ],
    )


def _unchanged(con: duckdb.DuckDBPyConnection, source: str, relative: str) -> FileResult:
    row = first_row(
        con.execute(
            """SELECT rows_in, loaded, rejected, duplicates, uscc_invalid, uscc_missing,
                  unmapped_headers
           FROM ingested_files WHERE file = ?""",
            [relative],
        )
    )
    assert row is not None
    unmapped = json.loads(row[-1]) if row[-1] else []
    result = FileResult(source, relative, "unchanged", *row[:-1])
    result.unmapped_headers = unmapped
    return result
