"""Time free_slots over a 60-day horizon: 5 windows a day and 500 busy appointments.

Run: .venv/bin/python bench/bench_free_slots.py [calls]
Prints the median and p95 time per call; the target is a median under 2 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as tod
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.scheduling.slots import free_slots
from core.scheduling.types import Busy, ExtraWindow, SlotRules, TimeOff, WeeklyWindow

TZ = ZoneInfo("America/New_York")
# The horizon covers the 2026-03-08 spring-forward day, so the slow path is exercised too.
NOW = datetime(2026, 2, 20, 13, 7, tzinfo=UTC)
WINDOWS = [(8, 0, 9, 30), (10, 0, 11, 30), (12, 0, 13, 30), (14, 0, 16, 0), (17, 0, 19, 0)]


def build() -> dict[str, object]:
    """Build the benchmark's inputs deterministically."""
    rng = random.Random(20261125)
    weekly = [
        WeeklyWindow(wd, tod(h1, m1), tod(h2, m2)) for wd in range(7) for h1, m1, h2, m2 in WINDOWS
    ]
    start_day = NOW.astimezone(TZ).date()
    extra = [ExtraWindow(start_day + timedelta(days=d), tod(20), tod(22)) for d in (3, 17, 40)]
    busy: list[Busy] = []
    for _ in range(500):
        day = start_day + timedelta(days=rng.randrange(60))
        h1, m1, _h2, _m2 = rng.choice(WINDOWS)
        local = datetime(day.year, day.month, day.day, h1, m1, tzinfo=TZ)
        local += timedelta(minutes=rng.choice((0, 30, 60)))
        busy.append(Busy(local.astimezone(UTC), (local + timedelta(minutes=50)).astimezone(UTC)))
    busy.append(TimeOff(datetime(2026, 3, 20, 12, tzinfo=UTC), datetime(2026, 3, 24, tzinfo=UTC)))
    rules = SlotRules(session_minutes=50, buffer_minutes=10, step_minutes=30, horizon_days=60)
    return {"weekly": weekly, "extra": extra, "busy": busy, "rules": rules, "tz": TZ, "now": NOW}


def main() -> None:
    """Run the benchmark and print its figures."""
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    kwargs = build()
    t0 = time.perf_counter()
    slots = free_slots(**kwargs)  # type: ignore[arg-type]
    first = time.perf_counter() - t0
    timings = []
    for _ in range(calls):
        t0 = time.perf_counter()
        free_slots(**kwargs)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - t0)
    timings.sort()
    median = statistics.median(timings) * 1000
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))] * 1000
    print(f"free_slots: 60 days, {len(WINDOWS)} windows/day, 500 busy, {len(slots)} slots")
    print(f"first call {first * 1000:.3f} ms")
    worst = timings[-1] * 1000
    print(f"{calls} calls: median {median:.3f} ms, p95 {p95:.3f} ms, max {worst:.3f} ms")
    print("target: median < 2 ms:", "OK" if median < 2 else "MISSED")


if __name__ == "__main__":
    main()
