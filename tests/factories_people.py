"""Factories for the people services' tests: bulk appointments, time off, accounts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from core.db.uow import Database
from core.models import Appointment, AppointmentStatus, Client, Professional, TelegramUser
from core.models import TimeOff as TimeOffRow
from tests.factories import add


async def many_appointments(
    db: Database,
    pro: Professional,
    cli: Client,
    *,
    first: datetime,
    count: int,
    every: timedelta = timedelta(hours=1),
    minutes: int = 50,
) -> None:
    """Insert `count` confirmed sessions, one every `every`, in one statement."""
    rows = [
        {
            "professional_id": pro.id,
            "client_id": cli.id,
            "starts_at": first + i * every,
            "ends_at": first + i * every + timedelta(minutes=minutes),
            "status": AppointmentStatus.confirmed,
            "price_cents": pro.price_cents,
            "currency": pro.currency,
        }
        for i in range(count)
    ]
    async with db.system("tests") as uow:
        await uow.session.execute(insert(Appointment), rows)
        await uow.commit()


async def time_off(
    db: Database, pro: Professional, starts_at: datetime, ends_at: datetime, **over: Any
) -> TimeOffRow:
    return await add(
        db, TimeOffRow(professional_id=pro.id, starts_at=starts_at, ends_at=ends_at, **over)
    )


async def telegram_user(db: Database, user_id: int, **over: Any) -> TelegramUser:
    values: dict[str, Any] = {"user_id": user_id, "first_name": f"User {user_id}"}
    values.update(over)
    return await add(db, TelegramUser(**values))
