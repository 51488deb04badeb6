"""When a professional can be booked: weekly windows, one-off extra windows, time off.

Window times are local wall-clock times in the professional's zone (0 = Sunday, as in
the schema and `core.scheduling`). A window ending at midnight (`end == time(0)`, i.e.
24:00) is stored as 23:59:59.999999 because the column's `start < end` check cannot
hold 24:00 and Python has no such time; it is read back as `time(0)`.

Time off is stored as instants resolved in the professional's zone, so a whole day is
local midnight to the next local midnight even on a daylight-saving change day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from core import errors
from core.db.uow import UnitOfWork
from core.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    Availability,
    Client,
    ExtraAvailability,
    Professional,
)
from core.models import TimeOff as TimeOffRow
from core.scheduling.slots import local_day_bounds
from core.scheduling.types import (
    MIDNIGHT,
    Busy,
    ExtraWindow,
    SlotRules,
    TimeOff,
    WeeklyWindow,
)
from core.services.access import require_professional
from core.services.professionals import ProfessionalNotFound

# The name the slots and booking services import: unknown, or inactive and hidden by RLS.
ProfessionalUnavailable = ProfessionalNotFound

_END_OF_DAY = time(23, 59, 59, 999999)
TIME_OFF_REASON_MAX = 500


class TimeOffInPast(errors.InvalidInput):
    """Time off that ends before now; params: first_day, last_day."""

    msgid = errors.N_("availability.time_off_in_past")


class InvalidTimeOffRange(errors.InvalidInput):
    """The last day is before the first, or the end is not after the start; params: field."""

    msgid = errors.N_("availability.time_off_range")


class ExtraWindowInPast(errors.InvalidInput):
    """An extra window on a day that has already passed; params: day."""

    msgid = errors.N_("availability.extra_in_past")


class TimeOffNotFound(errors.NotFound):
    msgid = errors.N_("availability.time_off_not_found")


class ExtraWindowNotFound(errors.NotFound):
    msgid = errors.N_("availability.extra_not_found")


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyWindowView:
    id: uuid.UUID
    weekday: int
    start: time
    end: time  # time(0) means 24:00

    @property
    def window(self) -> WeeklyWindow:
        return WeeklyWindow(self.weekday, self.start, self.end)


@dataclass(frozen=True)
class ExtraWindowView:
    id: uuid.UUID
    day: date
    start: time
    end: time

    @property
    def window(self) -> ExtraWindow:
        return ExtraWindow(self.day, self.start, self.end)


@dataclass(frozen=True)
class AffectedAppointment:
    """A pending or confirmed session inside a time off, for the professional to decide."""

    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus


@dataclass(frozen=True)
class TimeOffView:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    affected: tuple[AffectedAppointment, ...] = ()


@dataclass(frozen=True)
class SlotInputs:
    """Everything `free_slots` needs for one professional over a range of local days."""

    weekly: list[WeeklyWindow]
    extra: list[ExtraWindow]
    busy: list[Busy]
    rules: SlotRules
    tz: ZoneInfo
    timezone: str
    session_minutes: int


# --- helpers -----------------------------------------------------------------------------


def _to_db_end(end: time) -> time:
    return _END_OF_DAY if end == MIDNIGHT else end


def _from_db_end(end: time) -> time:
    return MIDNIGHT if end == _END_OF_DAY else end


def _minutes(t: time, *, is_end: bool) -> int:
    return 1440 if is_end and t == MIDNIGHT else t.hour * 60 + t.minute


def _label(start: time, end: time) -> str:
    return f"{start:%H:%M}-{'24:00' if end == MIDNIGHT else f'{end:%H:%M}'}"


def _check_no_overlap(windows: list[tuple[time, time]], **where: object) -> None:
    """Refuse overlapping windows, naming the first two that collide."""
    ordered = sorted(windows, key=lambda w: _minutes(w[0], is_end=False))
    for before, after in pairwise(ordered):
        if _minutes(after[0], is_end=False) < _minutes(before[1], is_end=True):
            raise errors.WindowOverlap(first=_label(*before), second=_label(*after), **where)


def _wall_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant of a local wall time; a time in a spring-forward gap resolves to the jump."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    off_first, off_second = first.utcoffset(), second.utcoffset()
    assert off_first is not None and off_second is not None
    if off_first >= off_second:  # unambiguous, or repeated: take the first occurrence
        return first.astimezone(UTC)
    lo, hi = int(second.timestamp()), int(first.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == off_first:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


async def _professional_tz(uow: UnitOfWork, professional_id: uuid.UUID) -> ZoneInfo:
    name = await uow.session.scalar(
        select(Professional.timezone).where(Professional.id == professional_id)
    )
    if name is None:
        raise ProfessionalNotFound()
    return ZoneInfo(name)


# --- the slot inputs -----------------------------------------------------------------------


# One statement: the professional's settings with their windows and busy time as arrays
# of rows. Busy time is read over whole UTC days around the range, a day wider on each
# side than any zone's local days (and the buffer), so no zone arithmetic is needed in SQL;
# free_slots ignores what lies outside the days it computes. Parameters: $1 professional,
# $2..$3 the local days, $4..$5 the busy-time window before the buffer.
_INPUTS_HEAD = """
SELECT p.timezone, p.session_duration, p.buffer_minutes, p.min_notice_minutes,
       p.booking_horizon_days,
       ARRAY(SELECT ROW(a.day_of_week, a.start_time, a.end_time) FROM availability a
              WHERE a.professional_id = p.id ORDER BY a.day_of_week, a.start_time) AS weekly,
       ARRAY(SELECT ROW(e.day, e.start_time, e.end_time) FROM extra_availability e
              WHERE e.professional_id = p.id AND e.day BETWEEN $2::date AND $3::date
              ORDER BY e.day, e.start_time) AS extra,
"""
# w: the busy-time window widened by the buffer.
_INPUTS_TAIL = """
  FROM professionals p,
       LATERAL (SELECT $4::timestamptz - make_interval(mins => p.buffer_minutes) AS lo,
                       $5::timestamptz + make_interval(mins => p.buffer_minutes) AS hi) w
 WHERE p.id = $1::uuid
"""
# Anyone else gets bare intervals, flagged as time off or not, from busy_intervals().
SLOT_INPUTS_PUBLIC_SQL = (
    _INPUTS_HEAD
    + """
       ARRAY(SELECT ROW(b.starts_at, b.ends_at, b.is_time_off)
               FROM busy_intervals(p.id, w.lo, w.hi) b) AS busy
"""
    + _INPUTS_TAIL
)
# The professional (or the system) reads their own rows directly. Appointments last at
# most a day (ck_appointments_max_length), so the lower bound lets the index skip history.
SLOT_INPUTS_OWN_SQL = (
    _INPUTS_HEAD
    + """
       ARRAY(SELECT ROW(b.starts_at, b.ends_at, b.off) FROM (
               SELECT starts_at, ends_at, false AS off FROM appointments
                WHERE professional_id = p.id
                  AND status IN ('pending_confirmation', 'confirmed')
                  AND starts_at < w.hi AND ends_at > w.lo
                  AND starts_at > w.lo - interval '1 day'
               UNION ALL
               SELECT starts_at, ends_at, true FROM time_off
                WHERE professional_id = p.id AND starts_at < w.hi AND ends_at > w.lo
             ) b ORDER BY 1) AS busy
"""
    + _INPUTS_TAIL
)


async def slot_inputs(
    uow: UnitOfWork, *, professional_id: uuid.UUID, first_day: date, last_day: date
) -> SlotInputs:
    """Settings, windows and busy time of a professional for free_slots, in one statement."""
    own = uow.scope.system is not None or uow.professional_id == professional_id
    pro = await uow.fetchrow(
        SLOT_INPUTS_OWN_SQL if own else SLOT_INPUTS_PUBLIC_SQL,
        professional_id,
        first_day,
        last_day,
        datetime.combine(first_day - timedelta(days=1), time(0), UTC),
        datetime.combine(last_day + timedelta(days=2), time(0), UTC),
    )
    if pro is None:  # unknown, or inactive and hidden from this user by RLS
        raise ProfessionalNotFound()
    return SlotInputs(
        weekly=[WeeklyWindow(d, s, _from_db_end(e)) for d, s, e in pro["weekly"]],
        extra=[ExtraWindow(d, s, _from_db_end(e)) for d, s, e in pro["extra"]],
        busy=[TimeOff(s, e) if off else Busy(s, e) for s, e, off in pro["busy"]],
        rules=SlotRules(
            session_minutes=pro["session_duration"],
            buffer_minutes=pro["buffer_minutes"],
            min_notice_minutes=pro["min_notice_minutes"],
            horizon_days=pro["booking_horizon_days"],
        ),
        tz=ZoneInfo(pro["timezone"]),
        timezone=pro["timezone"],
        session_minutes=pro["session_duration"],
    )


# --- weekly windows ----------------------------------------------------------------------


def _views(rows: list[Availability]) -> list[WeeklyWindowView]:
    return [
        WeeklyWindowView(r.id, r.day_of_week, r.start_time, _from_db_end(r.end_time)) for r in rows
    ]


async def list_week(
    uow: UnitOfWork, *, professional_id: uuid.UUID | None = None
) -> list[WeeklyWindowView]:
    """A professional's weekly windows (their own by default; public for clients)."""
    pid = professional_id or require_professional(uow)
    rows = await uow.session.scalars(
        select(Availability)
        .where(Availability.professional_id == pid)
        .order_by(Availability.day_of_week, Availability.start_time)
    )
    return _views(list(rows))


async def _insert_windows(uow: UnitOfWork, pid: uuid.UUID, windows: list[WeeklyWindow]) -> None:
    async with uow.savepoint():
        uow.session.add_all(
            Availability(
                professional_id=pid,
                day_of_week=w.weekday,
                start_time=w.start,
                end_time=_to_db_end(w.end),
            )
            for w in windows
        )


async def set_day(
    uow: UnitOfWork, *, day_of_week: int, windows: list[tuple[time, time]]
) -> list[WeeklyWindowView]:
    """Replace one weekday's windows; returns the whole week."""
    pid = require_professional(uow)
    checked = [WeeklyWindow(day_of_week, start, end) for start, end in windows]
    _check_no_overlap([(w.start, w.end) for w in checked], day_of_week=day_of_week)
    await uow.session.execute(
        delete(Availability).where(
            Availability.professional_id == pid, Availability.day_of_week == day_of_week
        )
    )
    await _insert_windows(uow, pid, checked)
    return await list_week(uow)


async def replace_week(uow: UnitOfWork, *, windows: list[WeeklyWindow]) -> list[WeeklyWindowView]:
    """Replace every weekly window (e.g. from parse_weekly_availability); returns the week."""
    pid = require_professional(uow)
    for day in range(7):
        _check_no_overlap([(w.start, w.end) for w in windows if w.weekday == day], day_of_week=day)
    await uow.session.execute(delete(Availability).where(Availability.professional_id == pid))
    await _insert_windows(uow, pid, list(windows))
    return await list_week(uow)


async def clear_day(uow: UnitOfWork, *, day_of_week: int) -> list[WeeklyWindowView]:
    """Remove one weekday's windows (the professional does not work that day)."""
    return await set_day(uow, day_of_week=day_of_week, windows=[])


# --- extra windows -----------------------------------------------------------------------


async def add_extra_window(
    uow: UnitOfWork, *, day: date, start: time, end: time, now: datetime
) -> ExtraWindowView:
    """Open a one-off window on a local date, on top of the weekly ones."""
    pid = require_professional(uow)
    window = ExtraWindow(day, start, end)
    tz = await _professional_tz(uow, pid)
    if day < now.astimezone(tz).date():
        raise ExtraWindowInPast(day=day)
    same_day = await uow.session.execute(
        select(ExtraAvailability.start_time, ExtraAvailability.end_time).where(
            ExtraAvailability.professional_id == pid, ExtraAvailability.day == day
        )
    )
    existing = [(s, _from_db_end(e)) for s, e in same_day]
    _check_no_overlap([*existing, (window.start, window.end)], day=day)
    row = ExtraAvailability(
        professional_id=pid, day=day, start_time=start, end_time=_to_db_end(end)
    )
    async with uow.savepoint():
        uow.session.add(row)
    return ExtraWindowView(row.id, day, start, end)


async def list_extra_windows(
    uow: UnitOfWork, *, now: datetime, professional_id: uuid.UUID | None = None
) -> list[ExtraWindowView]:
    """Extra windows from today on (local), soonest first."""
    pid = professional_id or require_professional(uow)
    tz = await _professional_tz(uow, pid)
    rows = await uow.session.scalars(
        select(ExtraAvailability)
        .where(
            ExtraAvailability.professional_id == pid,
            ExtraAvailability.day >= now.astimezone(tz).date(),
        )
        .order_by(ExtraAvailability.day, ExtraAvailability.start_time)
    )
    return [ExtraWindowView(r.id, r.day, r.start_time, _from_db_end(r.end_time)) for r in rows]


async def remove_extra_window(uow: UnitOfWork, *, window_id: uuid.UUID) -> None:
    """Delete one of the acting professional's extra windows."""
    pid = require_professional(uow)
    result = await uow.session.execute(
        delete(ExtraAvailability).where(
            ExtraAvailability.id == window_id, ExtraAvailability.professional_id == pid
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise ExtraWindowNotFound()


# --- time off ----------------------------------------------------------------------------


async def _affected(
    uow: UnitOfWork, pid: uuid.UUID, starts_at: datetime, ends_at: datetime
) -> tuple[AffectedAppointment, ...]:
    rows = await uow.session.execute(
        select(Appointment, Client.name)
        .join(Client, Client.id == Appointment.client_id)
        .where(
            Appointment.professional_id == pid,
            Appointment.status.in_(HOLDING_STATUSES),
            Appointment.starts_at < ends_at,
            Appointment.ends_at > starts_at,
        )
        .order_by(Appointment.starts_at)
    )
    return tuple(
        AffectedAppointment(a.id, a.client_id, name, a.starts_at, a.ends_at, a.status)
        for a, name in rows
    )


async def add_time_off(
    uow: UnitOfWork,
    *,
    first_day: date,
    last_day: date,
    start: time | None = None,
    end: time | None = None,
    reason: str | None = None,
    now: datetime,
) -> TimeOffView:
    """Block whole local days, or from `start` on first_day to `end` on last_day.

    Sessions already inside it are listed, not cancelled: the professional decides.
    """
    pid = require_professional(uow)
    if last_day < first_day:
        raise InvalidTimeOffRange(field="last_day", first_day=first_day, last_day=last_day)
    tz = await _professional_tz(uow, pid)
    starts_at = (
        local_day_bounds(first_day, tz)[0] if start is None else _wall_instant(first_day, start, tz)
    )
    if end is None or (end == MIDNIGHT and start is not None and last_day == first_day):
        ends_at = local_day_bounds(last_day, tz)[1]
    else:
        ends_at = _wall_instant(last_day, end, tz)
    if ends_at <= starts_at:
        raise InvalidTimeOffRange(field="end", first_day=first_day, last_day=last_day)
    if ends_at <= now:
        raise TimeOffInPast(first_day=first_day, last_day=last_day)
    note = " ".join(reason.split())[:TIME_OFF_REASON_MAX] if reason else None
    row = TimeOffRow(professional_id=pid, starts_at=starts_at, ends_at=ends_at, reason=note or None)
    async with uow.savepoint():
        uow.session.add(row)
    affected = await _affected(uow, pid, starts_at, ends_at)
    return TimeOffView(row.id, starts_at, ends_at, row.reason, affected)


async def list_time_off(uow: UnitOfWork, *, now: datetime) -> list[TimeOffView]:
    """The acting professional's current and upcoming time off, soonest first."""
    pid = require_professional(uow)
    rows = await uow.session.scalars(
        select(TimeOffRow)
        .where(TimeOffRow.professional_id == pid, TimeOffRow.ends_at > now)
        .order_by(TimeOffRow.starts_at)
    )
    return [TimeOffView(r.id, r.starts_at, r.ends_at, r.reason) for r in rows]


async def remove_time_off(uow: UnitOfWork, *, time_off_id: uuid.UUID) -> None:
    """Delete one of the acting professional's time off entries."""
    pid = require_professional(uow)
    result = await uow.session.execute(
        delete(TimeOffRow).where(TimeOffRow.id == time_off_id, TimeOffRow.professional_id == pid)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise TimeOffNotFound()
