"""Wall time and peak memory of a command run in its own process (for the bench scripts)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mib: float
    returncode: int

    def line(self, label: str) -> str:
        status = "" if self.returncode == 0 else f"  FAILED (exit {self.returncode})"
        return f"{label:<28} {self.seconds:8.1f} s {self.peak_mib:9.0f} MiB peak{status}"


def measure(command: list[str]) -> Measurement:
    """Run ``command``; its peak resident memory comes from the kernel's rusage on exit."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(seconds, usage.ru_maxrss / 1024, process.returncode)  # ru_maxrss is KiB
