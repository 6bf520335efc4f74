"""Benchmark the main job end to end: raw files to published leads, then the same again.

Run by hand (never in CI):
    python bench/run.py --world /tmp/province        # a world made by `screening generate`

Each run is its own process, so its time and peak memory are its own; the per-stage times
come from the run record. The second run has unchanged inputs. Target (issue 6): province
under 5 minutes and 8 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
from measure import measure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, required=True, help="a generated world")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="screening-bench-run-"))
    database = scratch / "run.duckdb"
    command = [sys.executable, "-m", "screening", "run", "--config", str(args.world / "job.yaml")]
    command += ["--db", str(database)]
    for label in ("first run", "unchanged re-run"):
        measured = measure(command)
        print(measured.line(label), flush=True)
        if measured.returncode:
            break
        with duckdb.connect(str(database), read_only=True) as con:
            stages = con.execute(
                """SELECT stage, seconds FROM run_stages
                   WHERE run_id = (SELECT max(run_id) FROM runs) ORDER BY started_at"""
            ).fetchall()
        print("  " + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in stages))
    shutil.rmtree(scratch)
    return measured.returncode


if __name__ == "__main__":
    sys.exit(main())
