"""Ingest's files read, typed and checked on Spark's executors: one task per file, running
ingest's own :func:`~screening.ingest.load.read_file`.

:func:`~screening.ingest.load.ingest` reads the changed files through a
:data:`~screening.ingest.load.FileReading`; :func:`spark_file_reading` is one that runs
each file's work as a Spark job of one task, several files at once (as many as the
cluster has cores, up to :data:`MAX_FILES_IN_FLIGHT`), and gives the results back in
manifest order, so the driver writes them to the job's DuckDB file as it writes those
read in its own threads. The work is the very function the embedded engine runs, with the
driver's manifest and hash key, so a file gives the same rows on either engine.

**Where the files are read.** An executor reads the file at the path the driver planned:
with a local master that is this machine's file; on a cluster the extracts must be on
storage every executor mounts at the same path (NFS, a FUSE mount of HDFS or S3). The
driver reads them anyway (it hashes each file to decide what changed). Shipping the bytes
from the driver would send every byte through it; Spark's ``binaryFile`` source reads any
Hadoop filesystem, but a manifest names local folders and globs, and a file:// path on a
cluster needs the same shared mount as the path itself. Each task first hashes the file
it found and compares it with the driver's plan
(:attr:`~screening.ingest.load.InputFile.sha256`): an executor that sees another copy, or
none, fails the ingest with an :class:`~screening.errors.IngestError` saying so, instead
of loading other rows than the driver recorded.

**How the frames come back.** A task returns a JSON summary (the file's counts, or the
error it met) and its loaded rows and rejects as Arrow IPC bytes (zstd), which keep
polars' types (DECIMAL widths, dates) exactly. Each file is a job of its own, so the
driver holds at most the files in flight (compressed), never the province, and
``spark.driver.maxResultSize`` bounds one file's result, not all of them.

**Errors.** A :class:`~screening.errors.ScreeningError` the work raises (a missing
required column, a file in another encoding) is caught on the executor and returned as
data, then raised on the driver as the same error (its class, message, place and hint),
when the file's turn comes in manifest order, as on the embedded engine: no Java stack
trace, and no retries of a file that cannot be read. Any other exception is a bug and
fails the Spark job as it is.

**Other builds.** Each task checks that the executor's ingest code and the libraries that
read and type cells are the driver's (:func:`reader_fingerprint`) and refuses otherwise.
The manifest and the hash key travel with the task, so they cannot differ; ingest reads
no vocabulary (the manifest's derived columns are computed by DuckDB on the driver). An
executor whose Python lacks the package fails before any check, with Spark's own error.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from dataclasses import asdict
from functools import cache, partial
from typing import TYPE_CHECKING

import polars as pl

from screening import errors
from screening.elsewhere import code_digest
from screening.errors import IngestError, ScreeningError
from screening.ingest.load import (
    READ_AHEAD,
    FileReading,
    FileResult,
    FileWork,
    InputFile,
    ReadFile,
    in_order,
)
from screening.store import sha256_file

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# What a task raises when its ingest code is not the driver's.
OTHER_READER = "the Spark executor's ingest code differs from the driver's"
# The package's code a file's rows depend on (a folder counts with every file in it),
# and the libraries that read, decode, type and ship them.
READING_CODE = ("ingest", "identifiers.py", "errors.py")
READING_LIBRARIES = ("polars", "fastexcel", "numpy", "pyarrow")
# Files read at once at most: the driver holds each one's frames until its turn to be
# written, so a big cluster must not send it a province's files at the same time.
MAX_FILES_IN_FLIGHT = 16
JOB_GROUP = "screening-ingest"  # the Spark UI's name for ingest's jobs; cancelled together


@cache
def reader_fingerprint() -> str:
    """A digest of the code and libraries a file's rows depend on (cached: an executor's
    Python worker reads a job's files one after another)."""
    return code_digest(READING_LIBRARIES, READING_CODE)


def spark_file_reading(session: SparkSession, *, fingerprint: str | None = None) -> FileReading:
    """A :data:`~screening.ingest.load.FileReading` on ``session``'s executors;
    ``fingerprint`` is the ingest code they must have (default: this process's)."""
    expected = fingerprint or reader_fingerprint()
    context = session.sparkContext
    ahead = max(READ_AHEAD, min(context.defaultParallelism, MAX_FILES_IN_FLIGHT))

    def read(work: FileWork, items: list[InputFile]) -> Iterator[ReadFile]:
        one_file = partial(_read_on_spark, session, work, expected)
        # Leaving early (an error, an interrupt): the files still being read are not wanted.
        return in_order(one_file, items, ahead, stop=lambda: context.cancelJobGroup(JOB_GROUP))

    return read


def _read_on_spark(
    session: SparkSession, work: FileWork, expected: str, item: InputFile
) -> ReadFile:
    """One file read by one task of a job of its own (called in one of the driver's
    threads, which submit the files' jobs side by side)."""
    context = session.sparkContext
    context.setJobGroup(JOB_GROUP, f"ingest {item.relative}", interruptOnCancel=True)
    # An RDD of one element, not a DataFrame of one row: no query to plan, no Arrow
    # conversion of the row, so a file's job costs a third of the time (0.1 s here).
    task = context.parallelize([item], numSlices=1)
    (shipped,) = task.map(lambda each: _packed(_read_here(work, each, expected))).collect()
    return _unpacked(shipped)


def _read_here(work: FileWork, item: InputFile, expected: str) -> ReadFile | ScreeningError:
    """On the executor: the file's frames, or the error a person must see."""
    try:
        if reader_fingerprint() != expected:
            raise IngestError(
                f"{OTHER_READER} (code under screening/ingest, or polars, fastexcel, "
                "numpy, pyarrow)",
                where=f"{socket.gethostname()}, reading {item.relative}",
                hint="install the same version of the package and its libraries on the "
                "driver and every executor",
            )
        _check_same_file(item)
        return work(item)
    except ScreeningError as error:
        return error


def _check_same_file(item: InputFile) -> None:
    host = socket.gethostname()
    where = "put the extracts on storage every executor mounts at the driver's path"
    try:
        found = sha256_file(item.path)
    except OSError as error:
        raise IngestError(
            f"the Spark executor on {host} cannot read this file: {error.strerror}",
            where=str(item.path),
            hint=f"{where} (NFS, a FUSE mount of HDFS or S3), or run Spark with a local master",
        ) from None
    if found != item.sha256:
        raise IngestError(
            f"the Spark executor on {host} finds other bytes than the driver hashed "
            f"(sha256 {found[:12]}…, the driver's {item.sha256[:12]}…)",
            where=str(item.path),
            hint=f"the file changed during ingest, or an executor mounts another copy: {where}, "
            "unchanged while ingest runs, and run again",
        )


# What a task sends back: a JSON summary, then the loaded rows and the rejects as Arrow
# IPC (empty for an error). Plain text and bytes, so the driver unpickles none of our
# classes from an executor.
Shipped = tuple[str, bytes, bytes]


def _packed(read: ReadFile | ScreeningError) -> Shipped:
    if isinstance(read, ScreeningError):
        error = {
            "error": type(read).__name__,
            "message": read.message,
            "where": read.where,
            "hint": read.hint,
        }
        return json.dumps(error, ensure_ascii=False), b"", b""
    summary = {"table": read.table, "header_row": read.header_row, **asdict(read.result)}
    return json.dumps(summary, ensure_ascii=False), _ipc(read.loaded), _ipc(read.rejects)


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="zstd")
    return buffer.getvalue()


def _unpacked(shipped: Shipped) -> ReadFile:
    """On the driver: what a task sent as the file's frames, or its error raised."""
    text, loaded, rejects = shipped
    summary = json.loads(text)
    if "error" in summary:
        kind = getattr(errors, summary["error"], None)
        if not (isinstance(kind, type) and issubclass(kind, ScreeningError)):
            kind = IngestError  # a class of another module: its text is what matters
        raise kind(summary["message"], where=summary["where"], hint=summary["hint"])
    table, header_row = summary.pop("table"), summary.pop("header_row")
    rows, rejected = pl.read_ipc(io.BytesIO(loaded)), pl.read_ipc(io.BytesIO(rejects))
    return ReadFile(table, header_row, rows, rejected, FileResult(**summary))
