"""The same world on both engines, side by side: the SQL stages' time and rows/s per core.

Run by hand (never in CI), one engine at a time, each run its own process:
    python bench/engines.py                              # the bundled sample world
    python bench/engines.py --world /tmp/spark-medium    # a world made by `screening generate`

The world is ingested and entity-resolved once (on DuckDB, as every job does); the
database is copied, and the job runs on each copy with ``--engine duckdb`` and ``--engine
spark`` (local[2], 2 GB driver), so both score the very same resolved data. Rows are the
stored rows the subject views read (canonical tables, mentions, entities, record links);
the SQL stages are rules (Spark: with starting its session and copying those tables into
its warehouse), model and rank. The leads of the two runs must be identical, order
included; the script says so, or fails.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
from measure import measure

from screening.backend.engine import input_tables

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
SQL_STAGES = ("rules", "model", "rank")
CORES = 2  # local[2]; DuckDB uses the machine's cores, two here


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, default=SAMPLE, help="a generated world")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="screening-bench-engines-"))
    job = ["--config", str(args.world / "job.yaml")]
    base = scratch / "base.duckdb"
    command = [sys.executable, "-m", "screening", "ingest"]
    command += ["--manifest", str(args.world / "manifest.yaml"), "--db", str(base)]
    steps = [command, [sys.executable, "-m", "screening", "resolve", "--db", str(base)]]
    for step in steps:
        if measure(step, scratch / "prepare.log").returncode:
            print(f"preparing failed: see {scratch / 'prepare.log'}")
            return 1
    with duckdb.connect(str(base), read_only=True) as con:
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchall() for t in input_tables()]
    rows = sum(count[0][0] for count in counts)
    print(f"world {args.world}: {rows:,} stored rows read by the views; {CORES} cores each\n")
    print(f"{'engine':<8} {'wall':>8} {'peak':>10} {'SQL stages':>11} {'rows/s/core':>12}  stages")
    leads = {}
    for engine in ("duckdb", "spark"):
        database = scratch / f"{engine}.duckdb"
        shutil.copy(base, database)
        run = [sys.executable, "-m", "screening", "run", *job, "--db", str(database)]
        measured = measure([*run, "--engine", engine], scratch / f"{engine}.log")
        if measured.returncode:
            print(f"{engine}: FAILED, see {scratch / f'{engine}.log'}")
            return 1
        with duckdb.connect(str(database), read_only=True) as con:
            stages = dict(
                con.execute(
                    "SELECT stage, seconds FROM run_stages WHERE run_id = 'run-000001'"
                ).fetchall()
            )
            leads[engine] = con.execute("SELECT * FROM leads ORDER BY rank").fetchall()
        sql = sum(stages[s] for s in SQL_STAGES)
        detail = ", ".join(f"{s} {stages[s]:.1f} s" for s in SQL_STAGES)
        print(
            f"{engine:<8} {measured.seconds:7.1f}s {measured.peak_mib:7.0f}MiB "
            f"{sql:10.1f}s {rows / sql / CORES:12,.0f}  {detail}"
        )
    same = leads["duckdb"] == leads["spark"]
    print(f"\nleads: {len(leads['duckdb'])} on duckdb, identical on spark (order included): {same}")
    shutil.rmtree(scratch)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
