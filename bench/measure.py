"""Wall time, CPU time and peak memory of a command run in its own process (for benches)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Runs the command and writes its peak resident memory (KiB; the largest of it and its
# own children) and its CPU seconds (user and system, its children's included) to the file
# named first. Linux carries a process's peak across fork and exec, so a command started
# straight from a bench script holding gigabytes of truth would report the script's peak;
# started from this small launcher, it reports its own.
_LAUNCHER = """\
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
used = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    out.write(f"{used.ru_maxrss} {used.ru_utime + used.ru_stime}")
sys.exit(code)
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mib: float
    returncode: int
    # User and system time of the command and its children: steadier than wall time on a
    # machine other work runs on.
    cpu_seconds: float = 0.0

    def line(self, label: str) -> str:
        status = "" if self.returncode == 0 else f"  FAILED (exit {self.returncode})"
        return f"{label:<28} {self.seconds:8.1f} s {self.peak_mib:9.0f} MiB peak{status}"


def measure(command: list[str], log: Path | None = None) -> Measurement:
    """Run ``command``; its peak resident memory comes from the kernel's rusage on exit.
    With ``log``, what the command prints goes there instead of the terminal."""
    with (
        tempfile.TemporaryDirectory(prefix="screening-measure-") as scratch,
        contextlib.ExitStack() as stack,
    ):
        output = stack.enter_context(log.open("wb")) if log else None
        peak_file = Path(scratch) / "peak_kib"
        started = time.perf_counter()
        returncode = subprocess.call(
            [sys.executable, "-c", _LAUNCHER, str(peak_file), *command],
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
        seconds = time.perf_counter() - started
        used = peak_file.read_text().split() if peak_file.exists() else ["0", "0"]
    return Measurement(seconds, int(used[0]) / 1024, returncode, float(used[1]))
