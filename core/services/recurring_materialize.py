"""Materialising recurring series: one confirmed appointment per occurrence, up to a horizon.

Decisions:

* Idempotent. A run continues after `materialized_until`, and never creates an
  occurrence on a local date where the series already has an appointment, whatever its
  status, or had one before it was moved (so a cancelled occurrence stays cancelled and
  a moved one is not created again on its old day).
* Occurrences are local wall time in the professional's zone: a 09:00 session stays
  09:00 across daylight-saving changes. A wall time skipped by a spring-forward change
  starts when the clocks jump, as free slots do.
* An occurrence that collides with time off or another booking is skipped, reported
  and notified to the professional (once), never dropped silently. Past occurrences are
  not created. The buffer between sessions does not apply: the professional chose
  this time themselves.
* The client hears about a series once, when it starts or resumes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, and_, select

from core import errors
from core.db.uow import UnitOfWork
from core.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    AuditLog,
    Client,
    Frequency,
    NotificationType,
    Professional,
    RecipientType,
    RecurringSchedule,
    TimeOff,
)
from core.scheduling.slots import local_day_bounds
from core.scheduling.types import schema_weekday
from core.services.access import require_professional
from core.services.notifications import notify

# Skip reasons are message ids, so the bot can name each reason in the reader's language.
SKIP_TIME_OFF = errors.N_("recurring.skip.time_off")
SKIP_BOOKED = errors.N_("recurring.skip.booked")
MAX_HORIZON_WEEKS = 52


class SchedulePaused(errors.Conflict):
    """The series is paused: resume it first."""

    msgid = errors.N_("recurring.paused")


@dataclass(frozen=True)
class Occurrence:
    schedule_id: uuid.UUID
    appointment_id: uuid.UUID
    starts_at: datetime


class Skipped(NamedTuple):
    """An occurrence not created; reason is SKIP_TIME_OFF or SKIP_BOOKED."""

    day: date
    reason: str
    schedule_id: uuid.UUID
    starts_at: datetime


@dataclass(frozen=True)
class MaterializeReport:
    created: tuple[Occurrence, ...]
    skipped: tuple[Skipped, ...]


def occurrence_dates(
    *,
    frequency: Frequency,
    day_of_week: int,
    second_day_of_week: int | None,
    starts_on: date,
    first: date,
    last: date,
) -> list[date]:
    """Local dates of a series' occurrences within [first, last] (pure)."""
    days = {day_of_week}
    if frequency is Frequency.twice_weekly and second_day_of_week is not None:
        days.add(second_day_of_week)
    # Biweekly parity counts from the series' first occurrence on or after starts_on.
    anchor = starts_on + timedelta(days=(day_of_week - schema_weekday(starts_on)) % 7)
    out: list[date] = []
    day = max(first, starts_on)
    while day <= last:
        if schema_weekday(day) in days and (
            frequency is not Frequency.biweekly or (day - anchor).days % 14 == 0
        ):
            out.append(day)
        day += timedelta(days=1)
    return out


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on local `day` (a repeated time: its first pass)."""
    naive = datetime.combine(day, at)
    instant = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == naive:
        return instant
    # In a spring-forward gap: find the jump between the two readings of the wall time.
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = sorted((int(instant.timestamp()), int(other.timestamp())))
    before = datetime.fromtimestamp(lo, tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def _check_horizon(horizon_weeks: int) -> None:
    if isinstance(horizon_weeks, bool) or not 1 <= horizon_weeks <= MAX_HORIZON_WEEKS:
        raise errors.InvalidInput(field="horizon_weeks")


async def materialize(
    uow: UnitOfWork,
    *,
    schedule_id: uuid.UUID | None = None,
    horizon_weeks: int = 8,
    now: datetime,
) -> MaterializeReport:
    """Create the acting professional's occurrences up to the horizon (one series or all)."""
    professional_id = require_professional(uow)
    _check_horizon(horizon_weeks)
    query = (
        select(RecurringSchedule, Client)
        .join(Client, Client.id == RecurringSchedule.client_id)
        .where(RecurringSchedule.professional_id == professional_id)
    )
    if schedule_id is not None:
        query = query.where(RecurringSchedule.id == schedule_id)
    else:
        query = query.where(RecurringSchedule.active.is_(True))
    # Locking the series serialises two runs, so they cannot both create one occurrence.
    rows = (
        await uow.session.execute(
            query.order_by(RecurringSchedule.id).with_for_update(of=RecurringSchedule)
        )
    ).all()
    if schedule_id is not None:
        if not rows:
            raise errors.NotFound(entity="recurring_schedule")
        if not rows[0][0].active:
            raise SchedulePaused()
    pro = await uow.session.get(Professional, professional_id)
    assert pro is not None
    return await _run(uow, [(s, c, pro) for s, c in rows], horizon_weeks, now)


async def materialize_all(
    uow: UnitOfWork, *, horizon_weeks: int = 8, now: datetime
) -> MaterializeReport:
    """Create occurrences of every active series of every active professional (scheduler)."""
    if uow.scope.system is None:
        raise errors.NotAllowed()
    _check_horizon(horizon_weeks)
    rows = (
        await uow.session.execute(
            select(RecurringSchedule, Client, Professional)
            .join(Client, Client.id == RecurringSchedule.client_id)
            .join(Professional, Professional.id == RecurringSchedule.professional_id)
            .where(RecurringSchedule.active.is_(True), Professional.active.is_(True))
            .order_by(RecurringSchedule.id)
            .with_for_update(of=RecurringSchedule)
        )
    ).all()
    return await _run(uow, [(s, c, p) for s, c, p in rows], horizon_weeks, now)


async def _run(
    uow: UnitOfWork,
    series: list[tuple[RecurringSchedule, Client, Professional]],
    horizon_weeks: int,
    now: datetime,
) -> MaterializeReport:
    created: list[Occurrence] = []
    skipped: list[Skipped] = []
    for schedule, client, pro in series:
        made, missed = await _materialize_one(uow, schedule, client, pro, horizon_weeks, now)
        created += made
        skipped += missed
    return MaterializeReport(created=tuple(created), skipped=tuple(skipped))


async def _series_days(
    uow: UnitOfWork, schedule: RecurringSchedule, professional_id: uuid.UUID, tz: ZoneInfo
) -> set[date]:
    """Local dates the series already holds: where each occurrence is now and where it was
    created (from the audit log), cancelled ones included.

    Keying on dates rather than on active sessions keeps a cancelled occurrence cancelled,
    and the creation date keeps a moved one from being created again on its old day.
    """
    created_start = AuditLog.data["starts_at"].astext.cast(DateTime(timezone=True))
    rows = await uow.session.execute(
        select(Appointment.starts_at, created_start)
        .outerjoin(
            AuditLog,
            and_(
                AuditLog.entity_id == Appointment.id,
                AuditLog.entity == "appointment",
                AuditLog.action == "created",
            ),
        )
        .where(
            Appointment.professional_id == professional_id,
            Appointment.recurring_schedule_id == schedule.id,
        )
    )
    return {s.astimezone(tz).date() for row in rows.all() for s in row if s is not None}


def _overlaps(start: datetime, end: datetime, spans: list[tuple[datetime, datetime]]) -> bool:
    return any(s < end and start < e for s, e in spans)


async def _materialize_one(
    uow: UnitOfWork,
    schedule: RecurringSchedule,
    client: Client,
    pro: Professional,
    horizon_weeks: int,
    now: datetime,
) -> tuple[list[Occurrence], list[Skipped]]:
    tz = ZoneInfo(pro.timezone)
    today = now.astimezone(tz).date()
    first = max(schedule.starts_on, today)
    if schedule.materialized_until is not None:
        first = max(first, schedule.materialized_until + timedelta(days=1))
    last = today + timedelta(weeks=horizon_weeks) - timedelta(days=1)
    if first > last:
        return [], []
    first_run = schedule.materialized_until is None
    duration = timedelta(minutes=pro.session_duration)
    lo, hi = local_day_bounds(first, tz)[0], local_day_bounds(last, tz)[1] + duration

    taken_days = await _series_days(uow, schedule, pro.id, tz)
    away = [
        (r.starts_at, r.ends_at)
        for r in await uow.session.execute(
            select(TimeOff.starts_at, TimeOff.ends_at).where(
                TimeOff.professional_id == pro.id, TimeOff.starts_at < hi, TimeOff.ends_at > lo
            )
        )
    ]
    booked = [
        (r.starts_at, r.ends_at)
        for r in await uow.session.execute(
            select(Appointment.starts_at, Appointment.ends_at).where(
                Appointment.professional_id == pro.id,
                Appointment.status.in_(HOLDING_STATUSES),
                Appointment.starts_at < hi,
                Appointment.ends_at > lo,
            )
        )
    ]

    created: list[Occurrence] = []
    skipped: list[Skipped] = []
    pending: list[tuple[date, Appointment]] = []
    for day in occurrence_dates(
        frequency=schedule.frequency,
        day_of_week=schedule.day_of_week,
        second_day_of_week=schedule.second_day_of_week,
        starts_on=schedule.starts_on,
        first=first,
        last=last,
    ):
        start = local_instant(day, schedule.time, tz)
        end = start + duration
        if start <= now or day in taken_days:
            continue
        if _overlaps(start, end, away):
            skipped.append(Skipped(day, SKIP_TIME_OFF, schedule.id, start))
            continue
        if _overlaps(start, end, booked):
            skipped.append(Skipped(day, SKIP_BOOKED, schedule.id, start))
            continue
        pending.append(
            (
                day,
                Appointment(
                    id=uuid.uuid4(),
                    professional_id=pro.id,
                    client_id=client.id,
                    recurring_schedule_id=schedule.id,
                    starts_at=start,
                    ends_at=end,
                    status=AppointmentStatus.confirmed,
                    price_cents=pro.price_cents,
                    currency=pro.currency,
                    scheduled_at=now,
                ),
            )
        )
        booked.append((start, end))
    refused = await _insert(uow, [a for _day, a in pending])
    for day, a in pending:
        if a.id in refused:
            skipped.append(Skipped(day, SKIP_BOOKED, schedule.id, a.starts_at))
        else:
            created.append(Occurrence(schedule.id, a.id, a.starts_at))
    skipped.sort(key=lambda s: s.starts_at)

    schedule.materialized_until = last
    schedule.updated_at = now
    await uow.flush()
    await _tell(uow, schedule, client, pro, created, skipped, first_run=first_run)
    return created, skipped


async def _insert(uow: UnitOfWork, appointments: list[Appointment]) -> set[uuid.UUID]:
    """Insert the occurrences; returns the ids the exclusion constraint refused.

    A booking made since the overlap check still loses to the constraint: then each
    occurrence is retried alone, so one taken slot does not sink the others.
    """
    if not appointments:
        return set()
    try:
        async with uow.savepoint():
            uow.session.add_all(appointments)
        return set()
    except errors.SlotTaken:
        pass
    refused: set[uuid.UUID] = set()
    for appointment in appointments:
        try:
            async with uow.savepoint():
                uow.session.add(appointment)
        except errors.SlotTaken:
            refused.add(appointment.id)
    return refused


async def _tell(
    uow: UnitOfWork,
    schedule: RecurringSchedule,
    client: Client,
    pro: Professional,
    created: list[Occurrence],
    skipped: list[Skipped],
    *,
    first_run: bool,
) -> None:
    if skipped:
        await notify(
            uow,
            recipient_id=pro.user_id,
            recipient_type=RecipientType.professional,
            professional_id=pro.id,
            type=NotificationType.recurring_skipped,
            msgid=errors.N_("recurring.skipped"),
            params={
                "client_name": client.name,
                "count": len(skipped),
                "starts_at": skipped[0].starts_at,
                "occurrences": [
                    {"starts_at": s.starts_at.isoformat(), "reason": s.reason} for s in skipped
                ],
                "schedule_id": schedule.id,
            },
        )
    # The client hears about the series once, when it starts (or resumes); extending the
    # horizon week after week is not news.
    if first_run and created:
        await notify(
            uow,
            recipient_id=client.user_id,
            recipient_type=RecipientType.client,
            professional_id=pro.id,
            type=NotificationType.booking_confirmed,
            msgid=errors.N_("recurring.series_confirmed"),
            params=series_params(schedule, pro)
            | {
                "count": len(created),
                "starts_at": created[0].starts_at,
                "last_starts_at": created[-1].starts_at,
            },
            appointment_id=created[0].appointment_id,
        )


def series_params(schedule: RecurringSchedule, pro: Professional) -> dict[str, Any]:
    return {
        "professional_name": pro.name,
        "frequency": schedule.frequency.value,
        "day_of_week": schedule.day_of_week,
        "second_day_of_week": schedule.second_day_of_week,
        "time": schedule.time.strftime("%H:%M"),
        "timezone": pro.timezone,
    }
