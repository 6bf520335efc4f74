"""Benchmark the main job end to end: raw files to published leads, then the same again.

Run by hand (never in CI):
    python bench/run.py --world /tmp/province      # a world made by `screening generate`
    python bench/run.py --world /tmp/province --smaller /tmp/medium --keep /tmp/run.duckdb
    python bench/run.py --world /tmp/province --compare /tmp/old-run.duckdb

Each run is its own process, so its time and peak memory are its own; the per-stage times
come from the run record, and the bare read of the same files (bench/ingest.py's floor, in
its own process) is printed beside ingest. ``--smaller`` runs a smaller world first and
prints how time grows against rows. ``--compare`` checks the leads and the mentions against
a database an earlier version made of the same world (EXCEPT ALL both ways). Targets
(issue 18, province on 2 cores): first run < 120 s and < 6 GB, unchanged re-run < 5 s,
ingest within 1.3× the floor, resolve < 30 s, rules < 15 s, time growing at most ×18
for ×16 rows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
from measure import Measurement, measure

# What a published lead is, without what differs from run to run (ids, times).
LEAD_COLUMNS = "lead_id, rank, subject, subject_key, outcome, score, amount, workers, rules, reason"
# A person's entity id hashes the ID number with the database's own secret key: two
# databases give one person two ids, so persons are compared by method only.
MENTION_COLUMNS = (
    "source_table, source_file, source_row, role, method, confidence, "
    "CASE WHEN starts_with(entity_id, 'P-') THEN 'P-' ELSE entity_id END"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, required=True, help="a generated world")
    parser.add_argument("--smaller", type=Path, help="a smaller world, for the growth factor")
    parser.add_argument("--compare", type=Path, help="an earlier version's database of --world")
    parser.add_argument("--keep", type=Path, help="keep --world's database here")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="screening-bench-run-"))
    try:
        smaller = None
        if args.smaller:
            print(f"smaller world {args.smaller}", flush=True)
            smaller = _first_run(args.smaller, scratch / "smaller.duckdb", scratch)
            if smaller.returncode:
                return smaller.returncode
        print(f"world {args.world}", flush=True)
        database = args.keep or scratch / "run.duckdb"
        database.unlink(missing_ok=True)
        first = _first_run(args.world, database, scratch)
        if first.returncode:
            return first.returncode
        again = measure(_command(args.world, database), log=scratch / "again.log")
        print(again.line("unchanged re-run"), flush=True)
        print("  " + _stages(database))
        ingest_bench = str(Path(__file__).with_name("ingest.py"))
        floor_command = [sys.executable, ingest_bench, "--floor-only", str(args.world)]
        floor = measure(floor_command, log=scratch / "floor.log")
        ingest = _stage_seconds(database, run=1)["ingest"]
        print(floor.line("floor (bare read)") + f"   ingest / floor {ingest / floor.seconds:.2f}x")
        if smaller is not None and args.smaller is not None:
            rows = _rows(args.world) / _rows(args.smaller)
            print(
                f"growth: ×{rows:.1f} rows, ×{first.seconds / smaller.seconds:.1f} time, "
                f"×{first.peak_mib / smaller.peak_mib:.1f} memory"
            )
        if args.compare:
            print(_compared(database, args.compare))
        return again.returncode
    finally:
        shutil.rmtree(scratch)


def _command(world: Path, database: Path) -> list[str]:
    command = [sys.executable, "-m", "screening", "run", "--config", str(world / "job.yaml")]
    return [*command, "--db", str(database)]


def _first_run(world: Path, database: Path, scratch: Path) -> Measurement:
    """The job on a new database; what it prints goes to a log beside it."""
    measured = measure(_command(world, database), log=scratch / f"{database.stem}.log")
    print(measured.line("first run"), flush=True)
    if measured.returncode == 0:
        print("  " + _stages(database), flush=True)
    return measured


def _stage_seconds(database: Path, run: int | None = None) -> dict[str, float]:
    """Each stage's seconds in a run (the last one unless ``run`` numbers it from 1)."""
    with duckdb.connect(str(database), read_only=True) as con:
        run_ids = [
            row[0] for row in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()
        ]
        run_id = run_ids[-1] if run is None else run_ids[run - 1]
        return dict(
            con.execute(
                "SELECT stage, seconds FROM run_stages WHERE run_id = ? ORDER BY started_at",
                [run_id],
            ).fetchall()
        )


def _stages(database: Path) -> str:
    return ", ".join(
        f"{stage} {seconds:.1f} s" for stage, seconds in _stage_seconds(database).items()
    )


def _rows(world: Path) -> int:
    files = json.loads((world / "truth" / "world.json").read_text(encoding="utf-8"))["files"]
    return sum(int(rows) for rows in files.values())


def _compared(database: Path, earlier: Path) -> str:
    """Rows of the last published leads and of the mentions that one database has and the
    other has not (both ways): 0 and 0 is the same output."""
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute(f"ATTACH '{earlier}' AS earlier (READ_ONLY)")
        parts = []
        for name, columns, table in (
            ("leads", LEAD_COLUMNS, "leads WHERE run_id = (SELECT max(run_id) FROM {db}leads)"),
            ("mentions", MENTION_COLUMNS, "mentions"),
        ):
            ours = f"SELECT {columns} FROM {table.format(db='')}"
            theirs = f"SELECT {columns} FROM earlier.{table.format(db='earlier.')}"
            new = con.execute(f"SELECT count(*) FROM ({ours} EXCEPT ALL {theirs})").fetchone()
            gone = con.execute(f"SELECT count(*) FROM ({theirs} EXCEPT ALL {ours})").fetchone()
            parts.append(f"{name}: {new[0] if new else 0} new, {gone[0] if gone else 0} gone")
    return "against the earlier database: " + "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
