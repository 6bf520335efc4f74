"""Benchmark ingest: `screening ingest` of a whole world beside a bare read of the same files.

Run by hand (never in CI):
    python bench/ingest.py --world /tmp/province        # a world made by `screening generate`
    python bench/ingest.py --scale province --seed 7    # generate one first (takes minutes)

The floor reads every cell of every file as text into a DuckDB table and does nothing else:
DuckDB's read_csv for UTF-8 CSV; GBK CSV decoded by Python first (DuckDB's encodings
extension cannot be installed offline); xlsx through fastexcel (DuckDB's excel extension
likewise). Target (issue 3): province under 90 s and 6 GB, within 2x of the floor.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from measure import Measurement, measure


def floor(world: Path, database: Path) -> None:
    """The bare read, timed per file (runs in its own process, so memory is its own)."""
    import duckdb
    import fastexcel

    from screening.ingest.load import plan_inputs
    from screening.ingest.manifest import load_manifest

    manifest = load_manifest(world / "manifest.yaml")
    con = duckdb.connect(str(database))
    for number, item in enumerate(plan_inputs(manifest)):
        spec = manifest.sources[item.source]
        started = time.perf_counter()
        table = f"file_{number}"
        if item.path.suffix == ".xlsx":
            sheet = fastexcel.read_excel(item.path).load_sheet(
                spec.sheet, header_row=None, dtypes="string"
            )
            frame = sheet.to_arrow()
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
            con.unregister("frame")
        else:
            path = item.path
            if spec.encoding not in (None, "utf-8"):
                path = database.with_name(f"{table}.csv")
                path.write_text(item.path.read_bytes().decode(spec.encoding), encoding="utf-8")
            con.execute(
                f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, all_varchar = true, "
                "header = false, null_padding = true, strict_mode = false)",
                [str(path)],
            )
        (rows,) = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0]
        print(f"  floor {item.relative:<50} {time.perf_counter() - started:6.1f} s {rows}")
    con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, help="a generated world (with manifest.yaml)")
    parser.add_argument("--scale", default="province", help="generate a world of this scale")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--floor-only", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="screening-bench-ingest-"))
    if args.floor_only:
        floor(args.floor_only, scratch / "floor.duckdb")
        shutil.rmtree(scratch)
        return 0
    world = args.world
    if world is None:
        world = scratch / args.scale
        command = [sys.executable, "-m", "screening", "generate", "--scale", args.scale]
        print(measure([*command, "--seed", str(args.seed), "--out", str(world)]).line("generate"))
    rows = sum(1 for _ in (world / "extracts").rglob("*.*"))
    print(f"world {world}: {rows} files", flush=True)
    ingest_command = [sys.executable, "-m", "screening", "ingest"]
    ingest_command += ["--manifest", str(world / "manifest.yaml"), "--db", str(scratch / "db")]
    engine = measure(ingest_command)
    bare = measure([sys.executable, __file__, "--floor-only", str(world)])
    print(engine.line("screening ingest"))
    print(bare.line("floor (bare read)"))
    print(_ratio(engine, bare))
    if engine.returncode == 0:
        print(_against_truth(scratch / "db", world))
    shutil.rmtree(scratch)
    return 1 if engine.returncode or bare.returncode else 0


def _against_truth(database: Path, world: Path) -> str:
    """Rows accounted for per file, and rejects against the generator's malformed rows."""
    import csv
    import json

    import duckdb

    files = json.loads((world / "truth" / "world.json").read_text(encoding="utf-8"))["files"]
    with (world / "truth" / "malformed.csv").open(encoding="utf-8", newline="") as handle:
        malformed = {(f"extracts/{m['file']}", int(m["row"])) for m in csv.DictReader(handle)}
    with duckdb.connect(str(database), read_only=True) as con:
        counted = con.execute("SELECT file, loaded + rejected FROM ingested_files").fetchall()
        rejected = set(
            con.execute("SELECT DISTINCT source_file, source_row FROM rejects").fetchall()
        )
    unbalanced = [f for f, n in counted if n != int(files[f.removeprefix("extracts/")])]
    return (
        f"files with loaded + rejected != rows in the world: {len(unbalanced)} {unbalanced}\n"
        f"malformed rows rejected: {len(malformed & rejected)} of {len(malformed)}; "
        f"rejected rows not malformed: {len(rejected - malformed)}"
    )


def _ratio(engine: Measurement, bare: Measurement) -> str:
    return (
        f"ratio to floor: time {engine.seconds / bare.seconds:.2f}x, "
        f"memory {engine.peak_mib / bare.peak_mib:.2f}x"
    )


if __name__ == "__main__":
    sys.exit(main())
