"""Recurring sessions: a weekly, biweekly or twice-weekly rule the professional sets for a
client, materialised as one ordinary appointment per occurrence (recurring_materialize).

Decisions:

* Each occurrence is its own appointment: moving or cancelling one is the booking
  service's job and never touches the series or the other occurrences.
* Pausing cancels the series' sessions that have not started, tells the client once,
  and detaches them from the series, so resuming can book those dates again; an
  occurrence cancelled on its own stays cancelled after a resume.
* Deleting a series keeps its appointments (the foreign key sets them loose).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from core import errors
from core.db.uow import UnitOfWork
from core.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    Client,
    Frequency,
    NotificationType,
    Professional,
    RecipientType,
    RecurringSchedule,
)
from core.services.access import require_professional
from core.services.notifications import notify
from core.services.recurring_materialize import (
    MAX_HORIZON_WEEKS,
    SKIP_BOOKED,
    SKIP_TIME_OFF,
    MaterializeReport,
    Occurrence,
    SchedulePaused,
    Skipped,
    local_instant,
    materialize,
    materialize_all,
    occurrence_dates,
    series_params,
)

__all__ = [
    "MAX_HORIZON_WEEKS",
    "SKIP_BOOKED",
    "SKIP_TIME_OFF",
    "MaterializeReport",
    "Occurrence",
    "PauseResult",
    "SchedulePaused",
    "ScheduleView",
    "SecondDayMissing",
    "SecondDayNotAllowed",
    "SecondDaySame",
    "Skipped",
    "create_schedule",
    "delete_schedule",
    "list_schedules",
    "local_instant",
    "materialize",
    "materialize_all",
    "occurrence_dates",
    "pause",
    "resume",
]


class SecondDayMissing(errors.InvalidInput):
    """A twice-weekly series needs a second weekday."""

    msgid = errors.N_("recurring.second_day_missing")


class SecondDayNotAllowed(errors.InvalidInput):
    """Only twice-weekly series have a second weekday; params: frequency."""

    msgid = errors.N_("recurring.second_day_not_allowed")


class SecondDaySame(errors.InvalidInput):
    """The second weekday repeats the first."""

    msgid = errors.N_("recurring.second_day_same")


@dataclass(frozen=True)
class ScheduleView:
    id: uuid.UUID
    professional_id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    frequency: Frequency
    day_of_week: int  # 0 = Sunday
    second_day_of_week: int | None
    time: time  # local wall time in the professional's zone
    active: bool
    starts_on: date
    materialized_until: date | None


@dataclass(frozen=True)
class PauseResult:
    schedule: ScheduleView
    cancelled: tuple[datetime, ...]  # starts of the sessions the pause cancelled


def _check_days(frequency: Frequency, day_of_week: int, second_day_of_week: int | None) -> None:
    for field, value in (("day_of_week", day_of_week), ("second_day_of_week", second_day_of_week)):
        if value is not None and (isinstance(value, bool) or not 0 <= value <= 6):
            raise errors.InvalidInput(field=field)
    if frequency is Frequency.twice_weekly:
        if second_day_of_week is None:
            raise SecondDayMissing()
        if second_day_of_week == day_of_week:
            raise SecondDaySame()
    elif second_day_of_week is not None:
        raise SecondDayNotAllowed(frequency=frequency.value)


def _view(s: RecurringSchedule, client_name: str) -> ScheduleView:
    return ScheduleView(
        id=s.id,
        professional_id=s.professional_id,
        client_id=s.client_id,
        client_name=client_name,
        frequency=s.frequency,
        day_of_week=s.day_of_week,
        second_day_of_week=s.second_day_of_week,
        time=s.time,
        active=s.active,
        starts_on=s.starts_on,
        materialized_until=s.materialized_until,
    )


async def create_schedule(
    uow: UnitOfWork,
    *,
    client_id: uuid.UUID,
    frequency: Frequency | str,
    day_of_week: int,
    time: time,
    second_day_of_week: int | None = None,
    starts_on: date,
    now: datetime,
) -> ScheduleView:
    """Set up a series for one of the acting professional's clients (materialise it next)."""
    professional_id = require_professional(uow)
    try:
        frequency = Frequency(frequency)
    except ValueError:
        raise errors.InvalidInput(field="frequency") from None
    _check_days(frequency, day_of_week, second_day_of_week)
    if time.tzinfo is not None:
        raise errors.InvalidInput(field="time")
    client = await uow.session.scalar(
        select(Client).where(Client.id == client_id, Client.professional_id == professional_id)
    )
    if client is None:
        raise errors.NotFound(entity="client")
    schedule = RecurringSchedule(
        professional_id=professional_id,
        client_id=client.id,
        frequency=frequency,
        day_of_week=day_of_week,
        second_day_of_week=second_day_of_week,
        time=time.replace(second=0, microsecond=0),
        active=True,
        starts_on=starts_on,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(schedule)
    await uow.flush()
    return _view(schedule, client.name)


async def list_schedules(uow: UnitOfWork) -> list[ScheduleView]:
    """The acting professional's series (for a client: the series they are in)."""
    query = select(RecurringSchedule, Client.name).join(
        Client, Client.id == RecurringSchedule.client_id
    )
    if uow.professional_id is not None:
        query = query.where(RecurringSchedule.professional_id == uow.professional_id)
    rows = await uow.session.execute(
        query.order_by(
            RecurringSchedule.active.desc(),
            RecurringSchedule.day_of_week,
            RecurringSchedule.time,
            RecurringSchedule.id,
        )
    )
    return [_view(s, name) for s, name in rows.all()]


async def _own_schedule(
    uow: UnitOfWork, schedule_id: uuid.UUID
) -> tuple[RecurringSchedule, Client]:
    professional_id = require_professional(uow)
    row = (
        await uow.session.execute(
            select(RecurringSchedule, Client)
            .join(Client, Client.id == RecurringSchedule.client_id)
            .where(
                RecurringSchedule.id == schedule_id,
                RecurringSchedule.professional_id == professional_id,
            )
            .with_for_update(of=RecurringSchedule)
        )
    ).first()
    if row is None:
        raise errors.NotFound(entity="recurring_schedule")
    return row[0], row[1]


async def pause(uow: UnitOfWork, *, schedule_id: uuid.UUID, now: datetime) -> PauseResult:
    """Stop a series: cancel its sessions that have not started, tell the client, stop
    materialising."""
    schedule, client = await _own_schedule(uow, schedule_id)
    pro = await uow.session.get(Professional, schedule.professional_id)
    assert pro is not None
    upcoming = list(
        await uow.session.scalars(
            select(Appointment)
            .where(
                Appointment.professional_id == schedule.professional_id,
                Appointment.recurring_schedule_id == schedule.id,
                Appointment.status.in_(HOLDING_STATUSES),
                Appointment.starts_at > now,
            )
            .order_by(Appointment.starts_at)
        )
    )
    for appointment in upcoming:
        appointment.status = AppointmentStatus.cancelled
        appointment.cancelled_by = RecipientType.professional
        # Detached, so that resuming may book these dates again.
        appointment.recurring_schedule_id = None
    schedule.active = False
    schedule.updated_at = now
    await uow.flush()
    cancelled = tuple(a.starts_at for a in upcoming)
    if cancelled:
        await notify(
            uow,
            recipient_id=client.user_id,
            recipient_type=RecipientType.client,
            professional_id=pro.id,
            type=NotificationType.booking_cancelled,
            msgid=errors.N_("recurring.paused_client"),
            params=series_params(schedule, pro)
            | {
                "count": len(cancelled),
                "starts_at": cancelled[0],
                "occurrences": [s.isoformat() for s in cancelled],
            },
            appointment_id=upcoming[0].id,
        )
    return PauseResult(schedule=_view(schedule, client.name), cancelled=cancelled)


async def resume(uow: UnitOfWork, *, schedule_id: uuid.UUID, now: datetime) -> ScheduleView:
    """Restart a paused series; the next materialise books again from today."""
    schedule, client = await _own_schedule(uow, schedule_id)
    if not schedule.active:
        schedule.active = True
        # From today on, the dates the pause freed are bookable again; dates the series
        # still holds (an occurrence cancelled on its own) stay as they are.
        schedule.materialized_until = None
        schedule.updated_at = now
        await uow.flush()
    return _view(schedule, client.name)


async def delete_schedule(uow: UnitOfWork, *, schedule_id: uuid.UUID) -> None:
    """Delete a series; its appointments stay, no longer linked to it."""
    schedule, _client = await _own_schedule(uow, schedule_id)
    await uow.session.delete(schedule)
    await uow.flush()
