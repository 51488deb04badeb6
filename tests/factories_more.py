"""Factories for the messages, reviews and recurring services' tests."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from core.db.uow import Database
from core.models import (
    Appointment,
    Frequency,
    Notification,
    NotificationType,
    Professional,
    RecurringSchedule,
    TimeOff,
)
from tests.factories import add


async def time_off(
    db: Database, pro: Professional, starts_at: datetime, ends_at: datetime, **over: Any
) -> TimeOff:
    return await add(
        db, TimeOff(professional_id=pro.id, starts_at=starts_at, ends_at=ends_at, **over)
    )


async def schedule(
    db: Database,
    pro: Professional,
    client_id: Any,
    *,
    frequency: Frequency = Frequency.weekly,
    day_of_week: int = 2,
    at: time = time(9),
    starts_on: date,
    **over: Any,
) -> RecurringSchedule:
    values: dict[str, Any] = {
        "professional_id": pro.id,
        "client_id": client_id,
        "frequency": frequency,
        "day_of_week": day_of_week,
        "time": at,
        "starts_on": starts_on,
    }
    values.update(over)
    return await add(db, RecurringSchedule(**values))


async def notifications(db: Database, type: NotificationType | None = None) -> list[Notification]:
    """Every queued notification (of one type), oldest first, read in the system scope."""
    async with db.system("tests") as uow:
        query = select(Notification).order_by(Notification.created_at, Notification.id)
        if type is not None:
            query = query.where(Notification.type == type)
        return list(await uow.session.scalars(query))


async def series_appointments(db: Database, schedule_id: Any) -> list[Appointment]:
    """The appointments a series holds, by start, read in the system scope."""
    async with db.system("tests") as uow:
        return list(
            await uow.session.scalars(
                select(Appointment)
                .where(Appointment.recurring_schedule_id == schedule_id)
                .order_by(Appointment.starts_at)
            )
        )


async def appointments_of(db: Database, pro: Professional) -> list[Appointment]:
    """Every appointment of a professional, by start, read in the system scope."""
    async with db.system("tests") as uow:
        return list(
            await uow.session.scalars(
                select(Appointment)
                .where(Appointment.professional_id == pro.id)
                .order_by(Appointment.starts_at)
            )
        )
