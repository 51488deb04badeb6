"""When a professional can be booked: weekly windows, one-off extra windows, time off."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, uuid_pk


class Availability(Base):
    """A weekly window in the professional's local wall time (0 = Sunday, as in the seed)."""

    __tablename__ = "availability"
    __table_args__ = (
        CheckConstraint("day_of_week BETWEEN 0 AND 6", name="day_of_week"),
        CheckConstraint("start_time < end_time", name="time_order"),
        # Windows of one professional may not overlap on the same day; adjacent is fine.
        ExcludeConstraint(
            ("professional_id", "="),
            ("day_of_week", "="),
            (text("timerange(start_time, end_time)"), "&&"),
            name="ex_availability_no_overlap",
            using="gist",
        ),
        Index("ix_availability_professional_id", "professional_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    day_of_week: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    start_time: Mapped[time] = mapped_column(Time, nullable=False)
    end_time: Mapped[time] = mapped_column(Time, nullable=False)
    created_at: Mapped[datetime] = created_at()


class ExtraAvailability(Base):
    """A one-off window on a local date, on top of the weekly ones."""

    __tablename__ = "extra_availability"
    __table_args__ = (
        CheckConstraint("start_time < end_time", name="time_order"),
        ExcludeConstraint(
            ("professional_id", "="),
            ("day", "="),
            (text("timerange(start_time, end_time)"), "&&"),
            name="ex_extra_availability_no_overlap",
            using="gist",
        ),
        Index("ix_extra_availability_professional_id_day", "professional_id", "day"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    day: Mapped[date] = mapped_column(Date, nullable=False)
    start_time: Mapped[time] = mapped_column(Time, nullable=False)
    end_time: Mapped[time] = mapped_column(Time, nullable=False)
    created_at: Mapped[datetime] = created_at()


class TimeOff(Base):
    """A span the professional is away, stored as instants (whole days are resolved
    in the professional's zone by the service, so daylight saving cannot shift them)."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="time_order"),
        Index("ix_time_off_professional_id_starts_at", "professional_id", "starts_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
