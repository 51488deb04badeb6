"""The notification outbox, read back in the system scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db.uow import Database
from core.models import Notification, NotificationType


async def notifications(db: Database, type: NotificationType | None = None) -> list[Notification]:
    """Every queued notification (of one type), oldest first, read in the system scope."""
    async with db.system("tests") as uow:
        query = select(Notification).order_by(Notification.created_at, Notification.id)
        if type is not None:
            query = query.where(Notification.type == type)
        return list(await uow.session.scalars(query))


async def notifications_of(db: Database, appointment_id: Any) -> list[Notification]:
    """The notifications queued about one appointment, oldest first."""
    async with db.system("tests") as uow:
        rows = await uow.session.scalars(
            select(Notification)
            .where(Notification.appointment_id == appointment_id)
            .order_by(Notification.created_at)
        )
        return list(rows)
