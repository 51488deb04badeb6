"""Messages between a client and their professional."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, uuid_pk
from .enums import MessageSender, MessageType, message_sender_enum, message_type_enum


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # The client is one of this professional's (revision 0005).
        ForeignKeyConstraint(
            ["client_id", "professional_id"],
            ["clients.id", "clients.professional_id"],
            ondelete="CASCADE",
        ),
        Index("ix_messages_professional_id_client_id", "professional_id", "client_id"),
        Index("ix_messages_client_id_created_at", "client_id", "created_at"),
        CheckConstraint("content IS NOT NULL OR file_id IS NOT NULL", name="has_body"),
        CheckConstraint("content IS NULL OR length(content) <= 4096", name="content_length"),
        CheckConstraint("(type = 'text') = (file_id IS NULL)", name="file_matches_type"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    client_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    sender: Mapped[MessageSender] = mapped_column(message_sender_enum, nullable=False)
    type: Mapped[MessageType] = mapped_column(
        message_type_enum, server_default=text("'text'"), nullable=False
    )
    content: Mapped[str | None] = mapped_column(Text)
    # The seed's file_url: in a chat, a file is a Telegram file id the bot can re-send.
    file_id: Mapped[str | None] = mapped_column(String(255))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
