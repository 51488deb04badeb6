"""Small immutable inputs of the slot calculation.

Weekdays follow the database schema: 0 = Sunday .. 6 = Saturday. Window times are
naive local wall-clock times in the professional's zone; `end == time(0)` means the
end of that day (24:00). Busy intervals are aware instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from core.scheduling.errors import InvalidBusyInterval, InvalidSlotRules, InvalidWindow

MIDNIGHT = time(0)


def schema_weekday(day: date) -> int:
    """Weekday of `day` in the schema's convention (0 = Sunday .. 6 = Saturday)."""
    return (day.weekday() + 1) % 7


def _check_times(start: time, end: time) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        raise InvalidWindow(start=start, end=end)
    # 00:00 as an end means midnight at the end of the day, so 18:00-00:00 is valid.
    if not (start < end or end == MIDNIGHT):
        raise InvalidWindow(start=start, end=end)


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A recurring window on one weekday (0 = Sunday), in local wall-clock time."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not (isinstance(self.weekday, int) and 0 <= self.weekday <= 6):
            raise InvalidWindow(weekday=self.weekday)
        _check_times(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ExtraWindow:
    """A one-off extra window on a local date, in local wall-clock time."""

    day: date
    start: time
    end: time

    def __post_init__(self) -> None:
        _check_times(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Busy:
    """An aware instant range [start, end) that is taken; the buffer applies around it."""

    start: datetime
    end: datetime

    # Buffers are preparation time between sessions, so they surround appointments.
    buffered = True

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidBusyInterval(start=self.start, end=self.end)
        if self.end <= self.start:
            raise InvalidBusyInterval(start=self.start, end=self.end)


@dataclass(frozen=True, slots=True)
class TimeOff(Busy):
    """Time off as an aware range [start, end); unlike an appointment, it has no buffer."""

    buffered = False


@dataclass(frozen=True, slots=True)
class SlotRules:
    """How slots are cut: session length, buffer, step, minimum notice and horizon."""

    session_minutes: int
    buffer_minutes: int = 0
    step_minutes: int | None = None
    min_notice_minutes: int = 0
    horizon_days: int = 60

    def __post_init__(self) -> None:
        if not 0 < self.session_minutes <= 24 * 60:
            raise InvalidSlotRules(field="session_minutes", value=self.session_minutes)
        if not 0 <= self.buffer_minutes <= 24 * 60:
            raise InvalidSlotRules(field="buffer_minutes", value=self.buffer_minutes)
        if self.step_minutes is not None and not 0 < self.step_minutes <= 24 * 60:
            raise InvalidSlotRules(field="step_minutes", value=self.step_minutes)
        if self.min_notice_minutes < 0:
            raise InvalidSlotRules(field="min_notice_minutes", value=self.min_notice_minutes)
        if not 0 <= self.horizon_days <= 3660:
            raise InvalidSlotRules(field="horizon_days", value=self.horizon_days)

    @property
    def effective_step_minutes(self) -> int:
        """The step between candidate starts: explicit, else session plus buffer."""
        if self.step_minutes is not None:
            return self.step_minutes
        return self.session_minutes + self.buffer_minutes
