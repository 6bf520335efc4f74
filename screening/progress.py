"""Progress that tells the truth at scale: how much is done, how fast, and how long is left.

A stage reports its own work units (a file's bytes, names taken apart); the time left is
the time so far scaled by the share still to do, so it is honest about uneven work only
as far as the units are (bytes track an extract's rows closely; names do exactly).
"""

from __future__ import annotations

import time


class Pace:
    """Rows per second and time left of one piece of work of ``total`` units."""

    EVERY = 1.0  # seconds between reports worth making (:meth:`due`)

    def __init__(self, total: float, noun: str = "rows") -> None:
        self.total, self.noun = total, noun
        self.started = self.reported = time.perf_counter()

    def due(self, done: float) -> bool:
        """Whether a report after ``done`` units is worth making: a second after the last
        one, or at the end (chunks of work may finish many times a second)."""
        now = time.perf_counter()
        if done >= self.total or now - self.reported >= self.EVERY:
            self.reported = now
            return True
        return False

    def describe(self, done: float, rows: int) -> str:
        """E.g. ``1,204,311 rows, 95,120 rows/s, about 14 s left``, after ``done`` units
        and ``rows`` rows."""
        elapsed = time.perf_counter() - self.started
        text = f"{rows:,} {self.noun}"
        if elapsed > 0 and rows:
            text += f", {rows / elapsed:,.0f} {self.noun}/s"
        if 0 < done < self.total:
            text += f", about {elapsed * (self.total - done) / done:,.0f} s left"
        return text
