"""The notifications outbox: rows the bot delivers, written in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text, update

from core.db.uow import UnitOfWork
from core.models import Notification, NotificationType, RecipientType

_QUEUE = text(
    "SELECT queue_notification(:recipient, CAST(:recipient_type AS recipient_type),"
    " :professional, :appointment, CAST(:type AS notification_type), :msgid,"
    " CAST(:params AS jsonb), :hold_until)"
)


@dataclass(frozen=True)
class NotificationView:
    id: uuid.UUID
    type: NotificationType
    msgid: str
    params: dict[str, Any]
    appointment_id: uuid.UUID | None
    professional_id: uuid.UUID
    read: bool
    created_at: datetime


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, uuid.UUID):
            out[key] = str(value)
        else:
            out[key] = value
    return out


async def notify(
    uow: UnitOfWork,
    *,
    recipient_id: int | None,
    recipient_type: RecipientType,
    professional_id: uuid.UUID,
    type: NotificationType,
    msgid: str,
    params: dict[str, Any] | None = None,
    appointment_id: uuid.UUID | None = None,
    hold_until: datetime | None = None,
) -> uuid.UUID | None:
    """Queue one notification in the current transaction (None: the person has no Telegram).

    `hold_until` keeps the dispatcher off the row until then, for a caller that delivers
    it live itself: it marks the row read once delivered, and if it never does (it crashed,
    Telegram failed), the dispatcher sends the row when the hold expires. Nothing is lost.
    """
    if recipient_id is None:
        return None
    if uow.scope.system is None:
        # A person's scope may not insert notifications: queue_notification() (revision
        # 0005) writes it after checking the recipient is the writer's client or
        # professional, and the appointment one of theirs.
        session = uow.session
        if session.new or session.dirty or session.deleted:
            await uow.flush()  # the appointment the row refers to must exist first
        queued: uuid.UUID = await uow.session.scalar(
            _QUEUE,
            {
                "recipient": recipient_id,
                "recipient_type": recipient_type.value,
                "professional": professional_id,
                "appointment": appointment_id,
                "type": type.value,
                "msgid": msgid,
                "params": json.dumps(_jsonable(params or {})),
                "hold_until": hold_until,
            },
        )
        return queued
    notification_id = uuid.uuid4()
    # Plain INSERT without RETURNING: the sender may not be allowed to read the row back.
    await uow.session.execute(
        insert(Notification).values(
            id=notification_id,
            recipient_id=recipient_id,
            recipient_type=recipient_type,
            professional_id=professional_id,
            appointment_id=appointment_id,
            type=type,
            msgid=msgid,
            params=_jsonable(params or {}),
            claimed_by="live-delivery" if hold_until is not None else None,
            claimed_until=hold_until,
        )
    )
    return notification_id


async def list_unread(uow: UnitOfWork, *, limit: int = 50) -> list[NotificationView]:
    """The acting user's unread notifications, newest first."""
    rows = await uow.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == uow.user_id, Notification.read.is_(False))
        .order_by(Notification.created_at.desc())
        .limit(limit)
    )
    return [
        NotificationView(
            id=n.id,
            type=n.type,
            msgid=n.msgid,
            params=n.params,
            appointment_id=n.appointment_id,
            professional_id=n.professional_id,
            read=n.read,
            created_at=n.created_at,
        )
        for n in rows
    ]


async def mark_read(uow: UnitOfWork, *, notification_ids: list[uuid.UUID]) -> int:
    """Mark the acting user's notifications read; returns how many changed."""
    result = await uow.session.execute(
        update(Notification)
        .where(
            Notification.id.in_(notification_ids),
            Notification.recipient_id == uow.user_id,
            Notification.read.is_(False),
        )
        .values(read=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
