"""A recurring schedule: the rule that materialises one appointment per occurrence."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, updated_at, uuid_pk
from .enums import Frequency, frequency_enum


class RecurringSchedule(Base):
    __tablename__ = "recurring_schedules"
    __table_args__ = (
        # The client is one of this professional's (revision 0005).
        ForeignKeyConstraint(
            ["client_id", "professional_id"],
            ["clients.id", "clients.professional_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("day_of_week BETWEEN 0 AND 6", name="day_of_week"),
        CheckConstraint(
            "second_day_of_week IS NULL OR second_day_of_week BETWEEN 0 AND 6",
            name="second_day_of_week",
        ),
        # A second day exactly for twice-weekly schedules, and never the first day again.
        CheckConstraint(
            "(frequency = 'twice_weekly') = (second_day_of_week IS NOT NULL)"
            " AND second_day_of_week IS DISTINCT FROM day_of_week",
            name="second_day_rule",
        ),
        Index("ix_recurring_schedules_professional_id", "professional_id"),
        Index("ix_recurring_schedules_client_id", "client_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    client_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    frequency: Mapped[Frequency] = mapped_column(frequency_enum, nullable=False)
    day_of_week: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    second_day_of_week: Mapped[int | None] = mapped_column(SmallInteger)
    time: Mapped[dt.time] = mapped_column(Time, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"), nullable=False)
    # First local date of the series: anchors the biweekly parity.
    starts_on: Mapped[date] = mapped_column(
        Date, server_default=text("CURRENT_DATE"), nullable=False
    )
    # Occurrences exist up to this local date; materialising again continues from here.
    materialized_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
