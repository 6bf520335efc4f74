"""Benchmark the rules: every rule of the library over a resolved world, as of its date.

Run by hand (never in CI):
    python bench/rules.py --db /tmp/province.duckdb --world /tmp/province

``--db`` is a database that `screening ingest` and `screening resolve` have filled (it is
copied, not changed). The rules run in their own process, so the time and peak memory
printed are theirs: building the subject views as of the date, then one query per
subject. With ``--world``, each rule is also scored against the planted truth.
Target (issue 5): all rules over a province-scale world in under 30 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from measure import measure


def child(database: Path, as_of: date, out: Path) -> None:
    """The measured work: views and rules; writes what fired for the parent to score."""
    from screening.rules.load import load_rules
    from screening.rules.run import run_rules
    from screening.store import Store

    rules = load_rules(Path(__file__).resolve().parents[1] / "rules")
    rules.raise_errors()
    started = time.perf_counter()
    with Store.open(database) as store:
        hits = run_rules(store, rules.rules, as_of)
    print(f"  views and {len(rules.rules)} rules: {time.perf_counter() - started:.1f} s")
    hits.write_csv(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="an ingested, resolved world")
    parser.add_argument("--world", type=Path, help="the world's folder, to score against truth")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    as_of = args.as_of or _as_of(args.world)
    if args.child:
        child(args.db, as_of, args.out)
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="screening-bench-rules-"))
    database, hits = scratch / "world.duckdb", scratch / "hits.csv"
    shutil.copyfile(args.db, database)
    command = [sys.executable, __file__, "--db", str(database), "--as-of", str(as_of)]
    measured = measure([*command, "--child", "--out", str(hits)])
    print(measured.line("screening rules"))
    if measured.returncode == 0 and args.world:
        _score(hits, args.world)
    shutil.rmtree(scratch)
    return measured.returncode


def _as_of(world: Path | None) -> date:
    if world is None:
        raise SystemExit("give --as-of or --world")
    info = json.loads((world / "truth" / "world.json").read_text(encoding="utf-8"))
    return date.fromisoformat(info["as_of"])


def _score(hits: Path, world: Path) -> None:
    from screening.evaluate import rule_hits_against_truth

    fired: dict[str, set[str]] = defaultdict(set)
    with hits.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            fired[row["rule_id"]].add(row["subject_key"])
    print(f"{'rule':<22} {'planted':>7} {'fired':>6} {'recall':>7} {'precision':>9} {'decoys':>6}")
    for rule, score in rule_hits_against_truth(fired, world).items():
        found, planted, hit = len(score.found), len(score.planted), len(score.fired)
        recall = found / planted if planted else float("nan")
        precision = found / hit if hit else float("nan")
        print(
            f"{rule:<22} {planted:>7} {hit:>6} {recall:>7.3f} {precision:>9.3f} "
            f"{len(score.decoys_hit):>6}"
        )


if __name__ == "__main__":
    sys.exit(main())
