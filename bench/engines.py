"""The same world on both engines, side by side: each stage's time, CPU and rows/s per core.

Run by hand (never in CI), one engine at a time, each run its own process:
    python bench/engines.py                              # the bundled sample world
    python bench/engines.py --world /tmp/spark-medium    # a world made by `screening generate`
    python bench/engines.py --world /tmp/prov/province --sql-only

The world is ingested once (on DuckDB) to make a database with its secret for the keyed
hashes; the database is copied, each copy forgets what it ingested, and the job runs on
each copy with ``--engine duckdb`` and ``--engine spark`` (local[2], 2 GB driver), so
both read the very same files with the same keyed hashes. Each job ingests (Spark: with
starting its session, the files read on its executors, written to DuckDB on the driver),
resolves entities (on Spark, names are taken apart on its executors) and scores: rules
(Spark: with copying the tables the views read into its warehouse), model (fit on the
driver; on Spark, scored on the executors) and rank. ``--sql-only``
resolves once beforehand, on DuckDB, which stores every name's parse: each job then
resolves again (``screening resolve`` records no job inputs) but takes no name apart,
so resolve runs on DuckDB alike and only the scoring stages differ.

Rows per second per core: ingest's are the extract rows, resolve's the mentions, the
scoring stages' the stored
rows the subject views read (canonical tables, mentions, entities, record links), over
the stage's seconds and the 2 cores. CPU is user + system seconds of the job and every
process it starts (Spark's JVM and Python workers included), sampled from /proc; the
machine may be shared, so the load average before and after each run is printed too.
Peak memory is the job's own process (Spark's JVM, never waited for, is not in it).
The ingested tables and the leads of the two runs must be identical, order included; the
script says so, or fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
from measure import measure

from screening.backend.engine import input_tables
from screening.ingest.canonical import TABLES

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
SCORING = ("rules", "model", "rank")
INGESTED = (*TABLES, "rejects", "ingested_files")  # what each job's ingest writes
CORES = 2  # local[2]; DuckDB uses the machine's cores, two here


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, default=SAMPLE, help="a generated world")
    parser.add_argument(
        "--sql-only", action="store_true", help="parse names once on DuckDB; compare scoring"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="screening-bench-engines-"))
    job = ["--config", str(args.world / "job.yaml")]
    base = scratch / "base.duckdb"
    screening = [sys.executable, "-m", "screening"]
    steps = [[*screening, "ingest", "--manifest", str(args.world / "manifest.yaml")]]
    if args.sql_only:
        steps.append([*screening, "resolve"])
    for step in steps:
        if measure([*step, "--db", str(base)], scratch / "prepare.log").returncode:
            print(f"preparing failed: see {scratch / 'prepare.log'}")
            return 1
    stages = ("ingest", "resolve", *SCORING)
    parsing = "on DuckDB beforehand" if args.sql_only else "by each engine"
    print(f"world {args.world}; {CORES} cores each; names taken apart {parsing}\n")
    header = f"{'engine':<8} {'wall':>7} {'CPU':>7} {'peak':>8} {'load':>10}"
    print(f"{header} {'ingest':>7} {'resolve':>8} {'scoring':>8} {'rows/s/core':>26}  stages")
    leads = {}
    for engine in ("duckdb", "spark"):
        database = scratch / f"{engine}.duckdb"
        shutil.copy(base, database)
        with duckdb.connect(str(database)) as con:  # the job ingests every file again
            for table in INGESTED:
                con.execute(f"DELETE FROM {table}")
        run = [*screening, "run", *job, "--db", str(database), "--engine", engine]
        load_before = os.getloadavg()[0]
        measured = measure(run, scratch / f"{engine}.log")
        load_after = os.getloadavg()[0]
        if measured.returncode:
            print(f"{engine}: FAILED, see {scratch / f'{engine}.log'}")
            return 1
        with duckdb.connect(str(database), read_only=True) as con:
            seconds = dict(
                con.execute(
                    "SELECT stage, seconds FROM run_stages WHERE run_id = 'run-000001'"
                ).fetchall()
            )
            mentions = con.execute("SELECT count(*) FROM mentions").fetchall()[0][0]
            extract_rows = con.execute("SELECT sum(rows_in) FROM ingested_files").fetchall()[0][0]
            stored = sum(
                con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                for table in input_tables()
            )
            leads[engine] = con.execute("SELECT * FROM leads ORDER BY rank").fetchall()
        scoring = sum(seconds[s] for s in SCORING)
        resolve = f"{seconds['resolve']:7.1f}s"
        rates = " / ".join(
            f"{rows / stage_seconds / CORES:,.0f}"
            for rows, stage_seconds in (
                (extract_rows, seconds["ingest"]),
                (mentions, seconds["resolve"]),
                (stored, scoring),
            )
        )
        detail = ", ".join(f"{s} {seconds[s]:.1f} s" for s in stages)
        print(
            f"{engine:<8} {measured.seconds:6.1f}s {measured.cpu_seconds:6.1f}s "
            f"{measured.peak_mib:5.0f}MiB {load_before:4.1f}→{load_after:<4.1f} "
            f"{seconds['ingest']:6.1f}s {resolve:>8} {scoring:7.1f}s {rates:>26}  {detail}"
        )
    same = leads["duckdb"] == leads["spark"]
    ingested = _same_tables(scratch / "duckdb.duckdb", scratch / "spark.duckdb")
    print(f"\nrows: {extract_rows:,} extract rows; {mentions:,} mentions; {stored:,} stored rows")
    print(f"ingested tables identical on both engines (order included): {ingested}")
    print(f"leads: {len(leads['duckdb'])} on duckdb, identical on spark (order included): {same}")
    shutil.rmtree(scratch)
    return 0 if same and ingested else 1


def _same_tables(first: Path, second: Path) -> bool:
    """Whether the two databases' ingested tables hold the same rows in the same order
    (a file's seconds and time of writing aside)."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{first}' AS one (READ_ONLY)")
        con.execute(f"ATTACH '{second}' AS two (READ_ONLY)")
        for table in INGESTED:
            columns = "* EXCLUDE (seconds, ingested_at)" if table == "ingested_files" else "*"
            frames = [con.sql(f"SELECT {columns} FROM {db}.{table}").pl() for db in ("one", "two")]
            if not frames[0].equals(frames[1]):
                return False
    return True


if __name__ == "__main__":
    sys.exit(main())
