"""Factories that put realistic rows in the database through the system scope."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from typing import Any

from core.db.uow import Database
from core.models import (
    Appointment,
    AppointmentStatus,
    Availability,
    Client,
    Profession,
    Professional,
)

_ids = itertools.count(1_000_001)


def next_user_id() -> int:
    """A fresh Telegram-like user id."""
    return next(_ids)


async def add(db: Database, obj: Any) -> Any:
    """Insert one row in the system scope and return it."""
    async with db.system("tests") as uow:
        uow.session.add(obj)
        await uow.flush()
        await uow.commit()
    return obj


async def professional(db: Database, **over: Any) -> Professional:
    uid = over.pop("user_id", None) or next_user_id()
    values: dict[str, Any] = {
        "user_id": uid,
        "name": f"Professional {uid}",
        "profession": Profession.psychologist,
        "slug": f"pro-{uid}",
        "timezone": "America/Sao_Paulo",
        "locale": "pt_BR",
        "session_duration": 50,
        "price_cents": 15000,
        "currency": "BRL",
        "min_notice_minutes": 0,
        "cancellation_notice_minutes": 1440,
    }
    values.update(over)
    return await add(db, Professional(**values))


async def client(db: Database, pro: Professional, **over: Any) -> Client:
    if "user_id" not in over:
        over["user_id"] = next_user_id()
    values: dict[str, Any] = {"professional_id": pro.id, "name": f"Client {over['user_id']}"}
    values.update(over)
    return await add(db, Client(**values))


async def appointment(
    db: Database,
    pro: Professional,
    cli: Client,
    starts_at: datetime,
    *,
    minutes: int = 50,
    status: AppointmentStatus = AppointmentStatus.confirmed,
    **over: Any,
) -> Appointment:
    values: dict[str, Any] = {
        "professional_id": pro.id,
        "client_id": cli.id,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
        "status": status,
        "price_cents": pro.price_cents,
        "currency": pro.currency,
    }
    values.update(over)
    return await add(db, Appointment(**values))


async def weekly_window(
    db: Database, pro: Professional, day_of_week: int, start: time, end: time
) -> Availability:
    return await add(
        db,
        Availability(
            professional_id=pro.id, day_of_week=day_of_week, start_time=start, end_time=end
        ),
    )
