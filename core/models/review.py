"""A client's review of one finished session."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, uuid_pk


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        # The client is one of this professional's (revision 0005).
        ForeignKeyConstraint(
            ["client_id", "professional_id"],
            ["clients.id", "clients.professional_id"],
            ondelete="CASCADE",
        ),
        # Only a session of this client with this professional can be reviewed.
        ForeignKeyConstraint(
            ["appointment_id", "client_id", "professional_id"],
            ["appointments.id", "appointments.client_id", "appointments.professional_id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("appointment_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("comment IS NULL OR length(comment) <= 1000", name="comment_length"),
        Index("ix_reviews_professional_id", "professional_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    client_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    appointment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    rating: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
