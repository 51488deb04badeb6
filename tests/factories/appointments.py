"""Appointments: one, many in one statement, and reading them back as stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.uow import Database
from core.models import Appointment, AppointmentStatus, AuditLog, Client, Professional
from tests.factories.rows import add


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


async def audit_rows(db: Database, appointment_id: Any) -> list[AuditLog]:
    async with db.system("tests") as uow:
        rows = await uow.session.scalars(
            select(AuditLog)
            .where(AuditLog.entity_id == appointment_id)
            .order_by(AuditLog.created_at, AuditLog.action)
        )
        return list(rows)
