"""Wall time and peak memory of a command run in its own process (for the bench scripts)."""

from __future__ import annotations

import contextlib
import os
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
    # CPU seconds (user + system) of the command and every process it started, sampled
    # from /proc while it runs: a JVM or a worker that is never waited for (Spark's) is
    # missing from rusage. Up to one sampling interval of a short-lived process is lost.
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
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(peak_file), *command],
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
        cpu = _TreeCpu(process.pid)
        while process.poll() is None:
            cpu.sample()
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        peak_kib = int(peak_file.read_text()) if peak_file.exists() else 0
    return Measurement(seconds, peak_kib / 1024, process.returncode, cpu.seconds())


class _TreeCpu:
    """CPU time of a process and its descendants, from /proc (Linux; 0 elsewhere)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.seen: dict[tuple[int, int], int] = {}  # (pid, start time) -> clock ticks

    def sample(self) -> None:
        stats = {}
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone since the listing
            # after the name: state, ppid, …; utime and stime are fields 14–15, start 22
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), fields[19])
        tree, grown = {self.root}, True
        while grown:
            children = {pid for pid, (parent, _, _) in stats.items() if parent in tree}
            grown = not children <= tree
            tree |= children
        for pid in tree & stats.keys():
            _, ticks, start = stats[pid]
            self.seen[(pid, int(start))] = ticks

    def seconds(self) -> float:
        return sum(self.seen.values()) / os.sysconf("SC_CLK_TCK")
