"""The notifications outbox: what each person must be told, delivered by the bot."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, uuid_pk
from .enums import NotificationType, RecipientType, notification_type_enum, recipient_type_enum


class Notification(Base):
    """One message owed to one person.

    The seed's title/body become a message id and its parameters: the text is
    rendered at delivery time in the recipient's current language and zone,
    which a stored rendered body would freeze.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_id", "recipient_id"),
        Index("ix_notifications_professional_id", "professional_id"),
        # The dispatcher scans only what is still owed.
        Index(
            "ix_notifications_undelivered",
            "next_attempt_at",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # Telegram user id of the recipient (the seed's recipientId).
    recipient_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    recipient_type: Mapped[RecipientType] = mapped_column(recipient_type_enum, nullable=False)
    # The tenant the notification is about (row-level security and cascade).
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE")
    )
    type: Mapped[NotificationType] = mapped_column(notification_type_enum, nullable=False)
    msgid: Mapped[str] = mapped_column(String(120), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default=text("'{}'::jsonb"), nullable=False
    )
    read: Mapped[bool] = mapped_column(Boolean, server_default=text("false"), nullable=False)
    # Delivery state of the outbox row.
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"), nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), nullable=False
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    # Waiting for the recipient to open the bot's chat (Telegram would not let the bot
    # start one): out of the queue (failed_at set) until their next update releases it.
    held_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The dispatcher's lease: an expired one (its worker died) makes the row claimable again.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()
