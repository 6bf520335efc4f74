"""Benchmark world generation: wall time and peak memory per scale.

Run by hand (never in CI):  python bench/generate.py [--scales medium province] [--keep]
Target (issue 2): province in under 3 minutes and under 4 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
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
        result = measure(command)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
        print(result.line(f"generate {scale}") + f" {size:9.0f} MiB written", flush=True)
        failed |= result.returncode != 0
    if args.out is None:
        shutil.rmtree(root)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
