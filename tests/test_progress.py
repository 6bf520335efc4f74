"""Progress lines say how much is done, how fast, and how long is left, a report a second."""

from __future__ import annotations

import pytest

from screening import progress
from screening.progress import Pace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress.time, "perf_counter", fake)
    return fake


def test_pace_tells_rate_and_time_left_from_the_share_done(clock: Clock) -> None:
    pace = Pace(total=1_000_000, noun="rows")  # e.g. bytes of the files to read
    clock.now += 10
    assert pace.describe(250_000, 80_000) == "80,000 rows, 8,000 rows/s, about 30 s left"
    clock.now += 30
    assert pace.describe(1_000_000, 320_000) == "320,000 rows, 8,000 rows/s"  # done: no ETA
    assert Pace(10).describe(0, 0) == "0 rows"


def test_reports_come_a_second_apart_and_at_the_end(clock: Clock) -> None:
    pace = Pace(total=100, noun="names")
    assert not pace.due(10)
    clock.now += 0.5
    assert not pace.due(20)
    clock.now += 0.6
    assert pace.due(30)
    assert not pace.due(40)  # the clock starts again at each report
    assert pace.due(100)  # the last one always
