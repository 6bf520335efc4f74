"""Wall time and peak memory of a command run in its own process (for the bench scripts)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Runs the command and writes its peak resident memory (KiB; the largest of it and its
# own children) to the file named first. Linux carries a process's peak across fork and
# exec, so a command started straight from a bench script holding gigabytes of truth
# would report the script's peak; started from this small launcher, it reports its own.
_LAUNCHER = """\
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mib: float
    returncode: int

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
        peak_kib = int(peak_file.read_text()) if peak_file.exists() else 0
    return Measurement(seconds, peak_kib / 1024, returncode)
