"""Benchmark world generation: wall time and peak memory per scale.

Run by hand (never in CI):  python bench/generate.py [--scales medium province] [--keep]
Target (issues 2 and 18): province in under 3 minutes and under 4 GB on a 2-core machine.
The CPU seconds beside the wall time are what a busy shared machine does not inflate much.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from measure import measure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["medium", "province"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="keep the worlds here (default: a temp dir)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="screening-bench-"))
    failed = False
    for scale in args.scales:
        out = root / scale
        command = [sys.executable, "-m", "screening", "generate", "--scale", scale]
        command += ["--seed", str(args.seed), "--out", str(out), "--overwrite"]
        cpu_before = _children_cpu_seconds()
        result = measure(command)
        cpu = _children_cpu_seconds() - cpu_before
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
        line = result.line(f"generate {scale}") + f" {size:9.0f} MiB written {cpu:8.1f} s CPU"
        print(line, flush=True)
        failed |= result.returncode != 0
    if args.out is None:
        shutil.rmtree(root)
    return 1 if failed else 0


def _children_cpu_seconds() -> float:
    """User and system time of every finished child process, theirs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
