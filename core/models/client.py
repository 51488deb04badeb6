"""A client of one professional, and that professional's private notes about them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, updated_at, uuid_pk


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = (
        # One client record per Telegram user per professional (NULLs: added by hand).
        UniqueConstraint("professional_id", "user_id"),
        # What composite foreign keys refer to: a row and the professional it belongs to.
        UniqueConstraint("id", "professional_id"),
        Index("ix_clients_professional_id", "professional_id"),
        Index("ix_clients_user_id", "user_id"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    # Telegram user id; NULL until a client added by hand opens their invite link.
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    avatar_url: Mapped[str | None] = mapped_column(Text)
    # One-time payload linking a hand-added client to the Telegram account that opens it.
    invite_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class ClientNote(Base):
    __tablename__ = "client_notes"
    __table_args__ = (
        # The client is one of this professional's (revision 0005).
        ForeignKeyConstraint(
            ["client_id", "professional_id"],
            ["clients.id", "clients.professional_id"],
            ondelete="CASCADE",
        ),
        Index("ix_client_notes_client_id_created_at", "client_id", "created_at"),
        Index("ix_client_notes_professional_id", "professional_id"),
        CheckConstraint("length(content) BETWEEN 1 AND 4000", name="content_length"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    client_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
