"""Load the files a manifest names into the canonical tables, atomically.

A file is (re)loaded when its bytes or its part of the manifest changed; otherwise it is
left alone, so running ingest twice changes nothing. All changes of one ingest happen in
one transaction: a file that fails leaves every table as it was. For every file,
input rows = loaded rows + rejected rows, checked here before anything is written.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from screening.errors import IngestError
from screening.identifiers import mask_personal_numbers
from screening.ingest.canonical import (
    COMPANION_COLUMNS,
    PROVENANCE_COLUMNS,
    TABLES,
    CanonicalTable,
    Kind,
)
from screening.ingest.manifest import Manifest, SourceSpec
from screening.ingest.parse import typed_column
from screening.ingest.readers import FIELDS_COLUMN, ROW_COLUMN, RawSheet, header_key, read_sheet
from screening.store import Store, sha256_file, sha256_json

WHY = "__why__"  # prefix of the per-column reason columns while parsing
RAW_VALUE_LIMIT = 300  # characters of a rejected cell kept in `rejects`
HASH_KEY_SETTING = "id_hash_key"
IDENTIFIER_KINDS = (Kind.USCC, Kind.PARTY_CODE)


@dataclass
class FileResult:
    source: str
    file: str  # relative to the manifest's folder
    status: str  # loaded | unchanged | removed
    rows_in: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    uscc_invalid: int = 0
    uscc_missing: int = 0
    seconds: float = 0.0
    absent_headers: list[str] = field(default_factory=list)  # optional headers not in the file


@dataclass(frozen=True)
class InputFile:
    """One file a manifest names, hashed once for the run record and for reload decisions."""

    source: str
    path: Path
    relative: str  # relative to the manifest's folder
    sha256: str


def plan_inputs(manifest: Manifest) -> list[InputFile]:
    """Every file of every source, in manifest order, with its content hash."""
    base = manifest.path.parent
    return [
        InputFile(source, path, _relative(path, base), sha256_file(path))
        for source in manifest.sources
        for path in manifest.files(source)
    ]


@dataclass
class IngestResult:
    files: list[FileResult]

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
    """
    notify = progress or (lambda _file, _done, _total: None)
    planned = inputs if inputs is not None else plan_inputs(manifest)
    con = store.con
    previous = {
        row[0]: (row[1], row[2], row[3])
        for row in con.execute(
            "SELECT file, sha256, spec_hash, source FROM ingested_files"
        ).fetchall()
    }
    results: list[FileResult] = []
    con.begin()
    try:
        key = _hash_key(con)
        for done, item in enumerate(planned):
            source, path, relative, sha = item.source, item.path, item.relative, item.sha256
            spec = manifest.sources[source]
            notify(relative, done, len(planned))
            spec_hash = _spec_hash(spec, manifest)
            if previous.get(relative, (None, None, None))[:2] == (sha, spec_hash):
                results.append(_unchanged(con, source, relative))
                continue
            started = time.perf_counter()
            table = TABLES[spec.table]
            raw = read_sheet(
                path,
                expected=list(spec.columns),
                file_format=spec.format,
                sheet=spec.sheet,
                encoding=spec.encoding,
                delimiter=spec.delimiter,
                header_row=spec.header_row,
            )
            loaded, rejects, result = _parse(raw, spec, table, manifest, source, relative, key)
            _replace_file(con, table, relative, loaded, rejects)
            result.seconds = time.perf_counter() - started
            _record_file(con, result, sha, spec_hash, raw.header_row)
            results.append(result)
        current = {item.relative for item in planned}
        for relative, (_sha, _spec, source) in sorted(previous.items()):
            if relative not in current:
                _remove_file(
                    con,
                    TABLES[manifest.sources[source].table] if source in manifest.sources else None,
                    relative,
                )
                results.append(FileResult(source, relative, "removed"))
        notify("", len(planned), len(planned))
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return IngestResult(results)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _spec_hash(spec: SourceSpec, manifest: Manifest) -> str:
    return sha256_json({"spec": spec.model_dump(mode="json"), "dates": manifest.date_formats})


def _hash_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The database's secret for hashing ID numbers: joins work, reversing does not."""
    row = con.execute("SELECT value FROM settings WHERE key = ?", [HASH_KEY_SETTING]).fetchone()
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
    specs = {header_key(header): column for header, column in spec.specs().items()}
    present = set(raw.headers)
    absent = [header for header in specs if header not in present]
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
        column.column: (header, column) for header, column in specs.items() if header in present
    }
    values: list[pl.Expr] = []
    reasons: list[tuple[str, pl.Expr]] = []
    for name, kind in table.columns.items():
        if name not in by_column:
            values.append(pl.lit(None).alias(name))  # typed by _cast
            values.extend(
                pl.lit(None).alias(f"{name}_{suffix}")
                for suffix, _sql in COMPANION_COLUMNS.get(kind, ())
            )
            continue
        header, column = by_column[name]
        typed = typed_column(
            pl.col(header),
            kind,
            unit=column.unit,
            date_formats=spec.date_formats or manifest.date_formats,
        )
        values.append(typed.value.alias(name))
        values.extend(expr.alias(f"{name}_{suffix}") for suffix, expr in typed.companions.items())
        reason = typed.reason
        if column.required:
            reason = pl.coalesce(
                reason,
                pl.when(typed.value.is_null()).then(pl.lit("缺少必填项 required value missing")),
            )
        reasons.append((header, reason))
    width = len(raw.headers)
    wrong_width = pl.format(
        "字段数不符 expected {} fields, found {} (truncated line or stray delimiter?)",
        pl.lit(width),
        pl.col(FIELDS_COLUMN),
    )
    frame = raw.rows.with_columns(
        pl.when(pl.col(FIELDS_COLUMN) != width).then(wrong_width).alias(f"{WHY}(row)"),
        *(reason.alias(f"{WHY}{header}") for header, reason in reasons),
    )
    why_columns = [c for c in frame.columns if c.startswith(WHY)]
    frame = frame.with_columns(
        pl.any_horizontal(pl.col(c).is_not_null() for c in why_columns).alias("__rejected__")
    )
    rejects = _rejects(frame, why_columns, source, relative)
    good = frame.filter(~pl.col("__rejected__"))
    content = pl.concat_str(
        [pl.col(h).fill_null("") for h in raw.headers if h in good.columns], separator="\x1f"
    )
    good = good.with_columns(pl.col(ROW_COLUMN).first().over(content).alias("__first__"))
    loaded = good.select(
        *values,
        pl.lit(relative).alias("source_file"),
        pl.col(ROW_COLUMN).alias("source_row"),
        pl.when(pl.col("__first__") != pl.col(ROW_COLUMN))
        .then(pl.col("__first__"))
        .alias("duplicate_of_row"),
    )
    loaded = _hash_identifiers(loaded, key)
    loaded = _cast(loaded, table)
    result = FileResult(
        source,
        relative,
        "loaded",
        rows_in=frame.height,
        loaded=loaded.height,
        rejected=frame.filter(pl.col("__rejected__")).height,
        duplicates=loaded.filter(pl.col("duplicate_of_row").is_not_null()).height,
        absent_headers=absent,
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
                raw_value.str.slice(0, RAW_VALUE_LIMIT).alias("raw_value"),
                pl.col(why).alias("reason"),
            )
        )
    rejects = pl.concat(parts).sort("source_row", "column_name")
    # A person reads these: an ID or phone number in a rejected cell is masked too.
    return rejects.with_columns(
        pl.col("raw_value").map_elements(mask_personal_numbers, return_dtype=pl.String)
    )


def _hash_identifiers(frame: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Replace the full numbers held in *_hash columns by their keyed hash."""
    for name in [c for c in frame.columns if c.endswith("_hash")]:
        numbers = frame.get_column(name)
        digests = {
            number: hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:32]
            for number in numbers.drop_nulls().unique().to_list()
        }
        frame = frame.with_columns(
            numbers.replace_strict(digests, default=None, return_dtype=pl.String).alias(name)
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
) -> None:
    _remove_file(con, table, relative)
    for target, frame in ((table.name, loaded), ("rejects", rejects)):
        con.register("incoming", frame.to_arrow())
        try:
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM incoming")
        finally:
            con.unregister("incoming")


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
        "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ],
    )


def _unchanged(con: duckdb.DuckDBPyConnection, source: str, relative: str) -> FileResult:
    row = con.execute(
        """SELECT rows_in, loaded, rejected, duplicates, uscc_invalid, uscc_missing
           FROM ingested_files WHERE file = ?""",
        [relative],
    ).fetchone()
    assert row is not None
    return FileResult(source, relative, "unchanged", *row)
