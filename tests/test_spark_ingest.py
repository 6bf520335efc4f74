"""Ingest on Spark: the files read, typed and checked on the executors (one Spark job per
file), the frames written to DuckDB on the driver, with the same rows, rejects, records
and errors as the embedded engine's, order included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from sample_job import SAMPLE

from screening.backend.spark_ingest import JOB_GROUP, spark_file_reading
from screening.errors import IngestError
from screening.ingest.load import (
    HASH_KEY_SETTING,
    IngestResult,
    ingest,
    plan_inputs,
    reading_files_with,
)
from screening.ingest.manifest import load_manifest
from screening.store import Store

pytestmark = pytest.mark.spark
CANONICAL = ("registry", "projects", "deposits", "arbitrations", "enforcements")
# What ingest writes; a file's seconds and the time it was written differ by nature.
WRITTEN = {
    **{table: "*" for table in (*CANONICAL, "rejects", "derived_columns")},
    "ingested_files": "* EXCLUDE (seconds, ingested_at)",
}


def ingest_jobs(session: Any) -> set[int]:
    """The Spark jobs of ingest this session remembers (it forgets the oldest of many:
    compare the new ones, not the counts)."""
    return set(session.sparkContext.statusTracker().getJobIdsForGroup(JOB_GROUP))


def _on_spark(session: Any, manifest: Path, database: Path, **options: Any) -> IngestResult:
    with Store.open(database) as store, reading_files_with(spark_file_reading(session)):
        return ingest(load_manifest(manifest), store, **options)


def test_the_sample_world_ingests_on_spark_as_on_duckdb(spark_session: Any, tmp_path: Path) -> None:
    # The sample manifest, with the arbitration files' final_award derived rather than
    # read, so that derived_columns holds a row and the derivation reads Spark's frames.
    text = (SAMPLE / "manifest.yaml").read_text(encoding="utf-8")
    derived = "    derive:\n      final_award: final_award_by_amount\n"
    text = text.replace("      是否终局裁决: final_award\n", "")
    text = text.replace("\n\n  enforcement:", f"\n{derived}\n  enforcement:")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(f"root: {SAMPLE}\n{text}", encoding="utf-8")
    embedded, on_spark = tmp_path / "duckdb.duckdb", tmp_path / "spark.duckdb"
    with Store.open(embedded) as store:
        here = ingest(load_manifest(manifest), store)
    # The same secret for the keyed hashes of ID numbers, as a copied database would have.
    with duckdb.connect(str(embedded), read_only=True) as con:
        key = con.execute("SELECT value FROM settings WHERE key = ?", [HASH_KEY_SETTING]).fetchall()
    with Store.open(on_spark) as store:
        store.con.execute("INSERT INTO settings VALUES (?, ?)", [HASH_KEY_SETTING, key[0][0]])
    told: list[tuple[str, int, int]] = []
    jobs = ingest_jobs(spark_session)
    there = _on_spark(spark_session, manifest, on_spark, progress=lambda *heard: told.append(heard))
    files = [item.relative for item in plan_inputs(load_manifest(manifest))]
    assert len(ingest_jobs(spark_session) - jobs) == len(files)  # one job a file, on Spark
    assert [(f.file, f.rows_in, f.rejected) for f in there.files] == [
        (f.file, f.rows_in, f.rejected) for f in here.files
    ]
    # The progress names each file as it is written, in manifest order, with the pace.
    assert [(file.split(" · ")[0], done) for file, done, _total in told] == [
        *zip(files, range(len(files)), strict=True),
        ("", len(files)),
    ]
    assert " rows/s" in told[-2][0]
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{embedded}' AS here (READ_ONLY)")
        con.execute(f"ATTACH '{on_spark}' AS there (READ_ONLY)")
        for table, columns in WRITTEN.items():
            # in storage order: the rows as ingest wrote them, file after file
            mine, theirs = (
                con.sql(f"SELECT {columns} FROM {db}.{table}").pl() for db in ("here", "there")
            )
            assert mine.height > 0 and theirs.equals(mine), table
        derived = con.execute("SELECT count(final_award) FROM there.arbitrations").fetchall()
    assert derived[0][0] > 0

    # Again, nothing changed: no file is read, no Spark job runs.
    again = _on_spark(spark_session, manifest, on_spark)
    assert {item.status for item in again.files} == {"unchanged"}
    assert len(ingest_jobs(spark_session) - jobs) == len(files)


HEADER = "总承包单位,实存金额(元),存储日期\n"
MANIFEST = """sources:
  deposits:
    table: deposits
    files: "*.csv"
{extra}    columns:
      总承包单位: {{column: contractor_name, required: true}}
      实存金额(元): actual_amount
      存储日期: deposit_date
"""


@pytest.mark.parametrize(
    ("content", "extra"),
    [
        ("总承包单位名称,实存金额(元),存储日期\n甲公司,100,2024-05-01\n", ""),  # a required header
        ((HEADER + "甲公司,100,2024-05-01\n").encode("gbk"), "    encoding: utf-8\n"),
    ],
)
def test_a_bad_file_gives_the_same_error_on_both_engines(
    spark_session: Any, tmp_path: Path, content: str | bytes, extra: str
) -> None:
    # The first file is good, the second bad, the third good again: both engines stop at
    # the bad one with the very same error (file, column, what to do), written nothing.
    data = content.encode("utf-8") if isinstance(content, str) else content
    (tmp_path / "a.csv").write_text(HEADER + "乙公司,200,2024-05-02\n", encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(data)
    (tmp_path / "c.csv").write_text(HEADER + "丙公司,300,2024-05-03\n", encoding="utf-8")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(MANIFEST.format(extra=extra), encoding="utf-8")
    with Store.open(tmp_path / "d.duckdb") as store, pytest.raises(IngestError) as embedded:
        ingest(load_manifest(manifest), store)
    with pytest.raises(IngestError) as on_spark:
        _on_spark(spark_session, manifest, tmp_path / "s.duckdb")
    assert str(on_spark.value) == str(embedded.value)
    assert "b.csv" in str(on_spark.value) and "Traceback" not in str(on_spark.value)
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM deposits").fetchall() == [(0,)]


def test_an_executor_with_other_code_or_other_bytes_is_refused(
    spark_session: Any, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text(HEADER + "甲公司,100,2024-05-01\n", encoding="utf-8")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(MANIFEST.format(extra=""), encoding="utf-8")
    other = spark_file_reading(spark_session, fingerprint="0123456789abcdef")
    with (
        Store.open(tmp_path / "o.duckdb") as store,
        reading_files_with(other),
        pytest.raises(IngestError, match=r"executor's ingest code differs from the driver's"),
    ):
        ingest(load_manifest(manifest), store)
    # The file changes after the driver hashed it (or an executor mounts another copy):
    # the rows are not loaded as if they were the ones the driver recorded.
    planned = plan_inputs(load_manifest(manifest))
    (tmp_path / "a.csv").write_text(HEADER + "乙公司,999,2024-05-01\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"a\.csv: the Spark executor .* other bytes than"):
        _on_spark(spark_session, manifest, tmp_path / "c.duckdb", inputs=planned)
