"""Factories for the booking tests: open weeks, time off, accounts, many appointments."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.uow import Database
from core.models import (
    Appointment,
    AuditLog,
    Availability,
    Client,
    ExtraAvailability,
    Notification,
    Professional,
    TelegramUser,
)
from core.models import TimeOff as TimeOffRow
from tests import factories as f


async def open_week(
    db: Database, pro: Professional, start: time = time(9), end: time = time(18)
) -> None:
    """The same window on every day of the week."""
    async with db.system("tests") as uow:
        uow.session.add_all(
            Availability(professional_id=pro.id, day_of_week=d, start_time=start, end_time=end)
            for d in range(7)
        )
        await uow.commit()


async def bookable(db: Database, **over: Any) -> Professional:
    """A professional in São Paulo with 60-minute sessions, 09:00-18:00 every day."""
    values: dict[str, Any] = {"session_duration": 60}
    values.update(over)
    pro = await f.professional(db, **values)
    await open_week(db, pro)
    return pro


async def extra_window(db: Database, pro: Professional, day: Any, start: time, end: time) -> None:
    await f.add(
        db,
        ExtraAvailability(professional_id=pro.id, day=day, start_time=start, end_time=end),
    )


async def time_off(db: Database, pro: Professional, starts_at: datetime, ends_at: datetime) -> None:
    await f.add(db, TimeOffRow(professional_id=pro.id, starts_at=starts_at, ends_at=ends_at))


async def account(db: Database, user_id: int, **over: Any) -> TelegramUser:
    values: dict[str, Any] = {"user_id": user_id, "first_name": f"User {user_id}"}
    values.update(over)
    return await f.add(db, TelegramUser(**values))


async def bulk_appointments(
    owner: AsyncEngine,
    pro: Professional,
    cli: Client,
    *,
    count: int,
    last_start: datetime,
    every: timedelta = timedelta(hours=2),
    minutes: int = 50,
) -> None:
    """`count` sessions ending at `last_start`, one every `every`, in ONE statement through
    the owner connection (past ones completed, later ones confirmed)."""
    async with owner.begin() as conn:
        # Skip the audit trigger for test data when allowed (a superuser): it is most of
        # the time such an insert takes, and nobody reads those audit rows.
        if await conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(
            text(
                "INSERT INTO appointments (professional_id, client_id, starts_at, ends_at,"
                " status, price_cents, currency)"
                " SELECT :pid, :cid, s, s + make_interval(mins => :minutes),"
                " (CASE WHEN s < now() THEN 'completed' ELSE 'confirmed' END)::appointment_status,"
                " 0, 'BRL'"
                " FROM (SELECT CAST(:last AS timestamptz) - g * make_interval(secs => :every) AS s"
                " FROM generate_series(0, :count - 1) AS g) AS starts"
            ),
            {
                "pid": pro.id,
                "cid": cli.id,
                "minutes": minutes,
                "last": last_start,
                "every": every.total_seconds(),
                "count": count,
            },
        )


async def appointment_row(db: Database, appointment_id: Any) -> Appointment:
    """The appointment as stored, read in the system scope."""
    async with db.system("tests") as uow:
        row = await uow.session.get(Appointment, appointment_id)
        assert row is not None
        return row


async def audit_rows(db: Database, appointment_id: Any) -> list[AuditLog]:
    async with db.system("tests") as uow:
        rows = await uow.session.scalars(
            select(AuditLog)
            .where(AuditLog.entity_id == appointment_id)
            .order_by(AuditLog.created_at, AuditLog.action)
        )
        return list(rows)


async def notifications(db: Database, appointment_id: Any) -> list[Notification]:
    async with db.system("tests") as uow:
        rows = await uow.session.scalars(
            select(Notification)
            .where(Notification.appointment_id == appointment_id)
            .order_by(Notification.created_at)
        )
        return list(rows)
