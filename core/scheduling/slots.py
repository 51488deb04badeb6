"""Free slot starts from weekly and extra windows, minus busy time, across DST changes.

Decisions about daylight saving (the windows are local wall-clock time):

* Each window is resolved, day by day, to a real start instant and a real end
  instant, and slots are stepped in real elapsed time between the two. A window of
  09:00-12:00 therefore yields 09:00, 10:00 and 11:00 local on every day, including
  the days the clocks change.
* A wall time that does not exist (the spring-forward gap) resolves to the instant
  the clocks jump, i.e. the first real instant after the gap: a 02:30 start on such a
  day starts at 03:00 local, and a 02:30 end ends there too. Stepping in real time
  from there can never produce a wall time inside the gap.
* A wall time that happens twice (the fall-back overlap) resolves to its first
  occurrence, for starts and ends alike. A window spanning the overlap is longer in
  real time, but no slot may start during the second pass of the repeated hour: each
  offered wall time is unambiguous and appears at most once a day.

Busy intervals are aware instants. Appointments (`Busy`) are widened by the buffer
on both sides; time off (`TimeOff`) is not. Intervals are half-open, so a session
may start exactly when a busy interval (plus buffer) ends.

Internally everything is integer epoch seconds so one call over a 60-day horizon
stays well under a few milliseconds (see bench/bench_free_slots.py).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.scheduling.types import (
    MIDNIGHT,
    Busy,
    ExtraWindow,
    SlotRules,
    WeeklyWindow,
    schema_weekday,
)

__all__ = [
    "count_by_local_day",
    "free_slot_seconds",
    "free_slots",
    "local_day_bounds",
    "local_day_seconds",
    "slots_by_local_day",
    "within_windows",
]

_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY = 86_400


def _seconds_of_day(t: time, *, is_end: bool) -> int:
    if is_end and t == MIDNIGHT:
        return _DAY
    return t.hour * 3600 + t.minute * 60 + t.second


def _offset_at(instant: int, tz: ZoneInfo) -> int:
    offset = datetime.fromtimestamp(instant, tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def _offset_of_wall(day: date, seconds: int, tz: ZoneInfo, fold: int) -> int:
    local = datetime.combine(day, MIDNIGHT) + timedelta(seconds=seconds)
    offset = local.replace(tzinfo=tz, fold=fold).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


# Calendars of many readers ask about the same few days in the same few zones.
@lru_cache(maxsize=8192)
def _constant_offset(day: date, tz: ZoneInfo) -> int | None:
    """The UTC offset for the whole local day, or None when it changes that day."""
    # Two opposite transitions within one local day do not occur in the tz database.
    first = _offset_of_wall(day, 0, tz, 0)
    if first != _offset_of_wall(day, 0, tz, 1):
        return None
    if first != _offset_of_wall(day, _DAY, tz, 0):
        return None
    return first


def _resolve_wall(day: date, seconds: int, tz: ZoneInfo) -> int:
    """Epoch seconds of a local wall time on a day when the offset changes."""
    wall = (day.toordinal() - _UNIX_EPOCH_ORDINAL) * _DAY + seconds
    before = _offset_of_wall(day, seconds, tz, 0)
    after = _offset_of_wall(day, seconds, tz, 1)
    if before >= after:
        # Unambiguous, or repeated (fall back): the first occurrence uses fold=0.
        return wall - before
    # In the gap: search the jump between the two readings of the wall time.
    lo, hi = wall - after, wall - before
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(mid, tz) == before:
            lo = mid
        else:
            hi = mid
    return hi


def _busy_arrays(
    busy: Iterable[Busy], buffer: int, lo: int, hi: int
) -> tuple[list[int], list[int]]:
    """Sorted, merged, buffer-widened busy intervals overlapping [lo, hi)."""
    spans: list[tuple[int, int]] = []
    for item in busy:
        pad = buffer if item.buffered else 0
        start = int(item.start.timestamp()) - pad
        end = int(item.end.timestamp()) + pad
        if end > lo and start < hi:
            spans.append((start, end))
    spans.sort()
    starts: list[int] = []
    ends: list[int] = []
    for start, end in spans:
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


@lru_cache(maxsize=8192)
def local_day_seconds(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """Epoch seconds where the local `day` starts and ends in `tz`."""
    offset = _constant_offset(day, tz)
    if offset is not None:
        start = (day.toordinal() - _UNIX_EPOCH_ORDINAL) * _DAY - offset
        return start, start + _DAY
    return _resolve_wall(day, 0, tz), _resolve_wall(day, _DAY, tz)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Aware UTC instants where the local `day` starts and ends in `tz`."""
    start, end = local_day_seconds(day, tz)
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)


def count_by_local_day(starts: list[int], tz: ZoneInfo, first: date, last: date) -> dict[date, int]:
    """How many of the sorted epoch-second `starts` fall on each local day first..last."""
    counts: dict[date, int] = {}
    day = first
    while day <= last:
        lo, hi = local_day_seconds(day, tz)
        counts[day] = bisect_left(starts, hi) - bisect_left(starts, lo)
        day += timedelta(days=1)
    return counts


def free_slots(
    *,
    weekly: Iterable[WeeklyWindow],
    extra: Iterable[ExtraWindow],
    busy: Iterable[Busy],
    rules: SlotRules,
    tz: ZoneInfo,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[datetime]:
    """Sorted aware-UTC starts of every free slot between first_day and last_day (local)."""
    starts = free_slot_seconds(
        weekly=weekly,
        extra=extra,
        busy=busy,
        rules=rules,
        tz=tz,
        now=now,
        first_day=first_day,
        last_day=last_day,
    )
    return [datetime.fromtimestamp(s, UTC) for s in starts]


def free_slot_seconds(
    *,
    weekly: Iterable[WeeklyWindow],
    extra: Iterable[ExtraWindow],
    busy: Iterable[Busy],
    rules: SlotRules,
    tz: ZoneInfo,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[int]:
    """`free_slots` as sorted epoch seconds, for callers that count or filter many slots."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(tz).date()
    horizon_end = today + timedelta(days=rules.horizon_days)
    first = today if first_day is None or first_day < today else first_day
    last = horizon_end if last_day is None or last_day > horizon_end else last_day
    if last < first:
        return []

    session = rules.session_minutes * 60
    step = rules.effective_step_minutes * 60
    earliest = math.ceil(now.timestamp()) + rules.min_notice_minutes * 60

    by_weekday: dict[int, list[tuple[int, int]]] = {}
    for w in weekly:
        by_weekday.setdefault(w.weekday, []).append(
            (_seconds_of_day(w.start, is_end=False), _seconds_of_day(w.end, is_end=True))
        )
    by_day: dict[date, list[tuple[int, int]]] = {}
    for x in extra:
        if first <= x.day <= last:
            by_day.setdefault(x.day, []).append(
                (_seconds_of_day(x.start, is_end=False), _seconds_of_day(x.end, is_end=True))
            )

    # A day's windows fit between its local midnights, which are within a day of UTC's.
    range_lo = (first.toordinal() - _UNIX_EPOCH_ORDINAL - 1) * _DAY
    range_hi = (last.toordinal() - _UNIX_EPOCH_ORDINAL + 2) * _DAY
    busy_starts, busy_ends = _busy_arrays(busy, rules.buffer_minutes * 60, range_lo, range_hi)
    n_busy = len(busy_starts)

    out: list[int] = []
    needs_sort = False
    day = first
    one_day = timedelta(days=1)
    while day <= last:
        windows = by_weekday.get(schema_weekday(day), [])
        extras = by_day.get(day)
        if extras:
            windows = windows + extras
        if windows:
            if len(windows) > 1:
                needs_sort = True
            offset = _constant_offset(day, tz)
            midnight = (day.toordinal() - _UNIX_EPOCH_ORDINAL) * _DAY
            for start_sec, end_sec in windows:
                if offset is not None:
                    w_start = midnight + start_sec - offset
                    w_end = midnight + end_sec - offset
                    check_fold = False
                else:
                    w_start = _resolve_wall(day, start_sec, tz)
                    w_end = _resolve_wall(day, end_sec, tz)
                    check_fold = True
                last_start = w_end - session
                if last_start < earliest:
                    continue
                s = w_start
                if s < earliest:
                    s += -(-(earliest - s) // step) * step
                while s <= last_start:
                    i = bisect_right(busy_ends, s)
                    if i < n_busy and busy_starts[i] < s + session:
                        # Jump straight to the first aligned start after this busy block.
                        s += -(-(busy_ends[i] - s) // step) * step
                        continue
                    if check_fold and datetime.fromtimestamp(s, tz).fold:
                        s += step
                        continue
                    out.append(s)
                    s += step
        day += one_day

    if needs_sort:
        out = sorted(set(out))
    return out


def within_windows(
    start: datetime,
    end: datetime,
    *,
    weekly: Iterable[WeeklyWindow],
    extra: Iterable[ExtraWindow],
    tz: ZoneInfo,
) -> bool:
    """Whether a session from `start` to `end` lies inside one window of its local day,
    wherever it starts (a typed 10:00 fits a 09:00-12:00 window even when the slot grid
    steps 09:00, 09:55, 10:50). Windows resolve across daylight saving as in
    `free_slot_seconds`, and a start in the repeated hour of a fall-back is refused
    there too."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    s, e = int(start.timestamp()), int(end.timestamp())
    local = datetime.fromtimestamp(s, tz)
    if local.fold:
        return False
    day = local.date()
    spans = [
        (_seconds_of_day(w.start, is_end=False), _seconds_of_day(w.end, is_end=True))
        for w in weekly
        if w.weekday == schema_weekday(day)
    ]
    spans += [
        (_seconds_of_day(x.start, is_end=False), _seconds_of_day(x.end, is_end=True))
        for x in extra
        if x.day == day
    ]
    offset = _constant_offset(day, tz)
    midnight = (day.toordinal() - _UNIX_EPOCH_ORDINAL) * _DAY
    for start_sec, end_sec in spans:
        if offset is not None:
            w_start, w_end = midnight + start_sec - offset, midnight + end_sec - offset
        else:
            w_start, w_end = _resolve_wall(day, start_sec, tz), _resolve_wall(day, end_sec, tz)
        if w_start <= s and e <= w_end:
            return True
    return False


def slots_by_local_day(slots: Iterable[datetime], tz: ZoneInfo) -> dict[date, list[datetime]]:
    """Group slot starts by their local date in `tz`, each as an aware local datetime."""
    grouped: dict[date, list[datetime]] = {}
    for slot in sorted(slots):
        local = slot.astimezone(tz)
        grouped.setdefault(local.date(), []).append(local)
    return grouped
