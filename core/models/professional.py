"""A professional: the tenant every other row belongs to."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, updated_at, uuid_pk
from .enums import (
    PaymentType,
    PixKeyType,
    Plan,
    Profession,
    payment_type_enum,
    pix_key_type_enum,
    plan_enum,
    profession_enum,
)


class Professional(Base):
    __tablename__ = "professionals"
    __table_args__ = (
        CheckConstraint(
            "session_duration > 0 AND session_duration <= 720", name="session_duration"
        ),
        CheckConstraint("price_cents >= 0", name="price"),
        CheckConstraint("payment_percentage BETWEEN 0 AND 100", name="payment_percentage"),
        CheckConstraint("slug ~ '^[A-Za-z0-9_-]{1,64}$'", name="slug_format"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 240", name="buffer"),
        CheckConstraint("min_notice_minutes BETWEEN 0 AND 43200", name="min_notice"),
        CheckConstraint("booking_horizon_days BETWEEN 1 AND 365", name="horizon"),
        CheckConstraint("cancellation_notice_minutes BETWEEN 0 AND 43200", name="cancel_notice"),
        CheckConstraint("max_future_bookings BETWEEN 1 AND 100", name="max_future_bookings"),
        CheckConstraint(
            "morning_agenda_hour IS NULL OR morning_agenda_hour BETWEEN 0 AND 23",
            name="morning_agenda_hour",
        ),
        CheckConstraint("(pix_key IS NULL) = (pix_key_type IS NULL)", name="pix_key_pair"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # Telegram user id (BIGINT: ids exceed 2^31); the seed's text auth id becomes this.
    user_id: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    profession: Mapped[Profession] = mapped_column(profession_enum, nullable=False)
    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    bio: Mapped[str | None] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(Text)
    session_duration: Mapped[int] = mapped_column(
        Integer, server_default=text("50"), nullable=False
    )
    # Money as integer cents plus an ISO 4217 currency: no float rounding, any currency.
    price_cents: Mapped[int] = mapped_column(Integer, server_default=text("0"), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'BRL'"), nullable=False)
    plan: Mapped[Plan] = mapped_column(plan_enum, server_default=text("'free'"), nullable=False)
    trial_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_type: Mapped[PaymentType] = mapped_column(
        payment_type_enum, server_default=text("'upfront'"), nullable=False
    )
    payment_percentage: Mapped[int] = mapped_column(
        Integer, server_default=text("100"), nullable=False
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    pix_key_type: Mapped[PixKeyType | None] = mapped_column(pix_key_type_enum)
    pix_key: Mapped[str | None] = mapped_column(String(140))
    welcome_message: Mapped[str | None] = mapped_column(Text)
    auto_confirm: Mapped[bool] = mapped_column(
        Boolean, server_default=text("false"), nullable=False
    )
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"), nullable=False)
    # A chat product serves people in many zones: slots are computed in this IANA zone.
    timezone: Mapped[str] = mapped_column(
        String(64), server_default=text("'America/Sao_Paulo'"), nullable=False
    )
    locale: Mapped[str] = mapped_column(String(10), server_default=text("'pt_BR'"), nullable=False)
    # Booking policy the seed lacks: gaps between sessions, how soon and how far ahead
    # clients may book, and how late they may cancel or reschedule.
    buffer_minutes: Mapped[int] = mapped_column(Integer, server_default=text("0"), nullable=False)
    min_notice_minutes: Mapped[int] = mapped_column(
        Integer, server_default=text("120"), nullable=False
    )
    booking_horizon_days: Mapped[int] = mapped_column(
        Integer, server_default=text("60"), nullable=False
    )
    cancellation_notice_minutes: Mapped[int] = mapped_column(
        Integer, server_default=text("1440"), nullable=False
    )
    max_future_bookings: Mapped[int] = mapped_column(
        Integer, server_default=text("4"), nullable=False
    )
    # Hour (local) of the optional morning agenda message; NULL means off.
    morning_agenda_hour: Mapped[int | None] = mapped_column(Integer)
    # The local day (professional's zone) whose morning agenda was last queued: once a day.
    morning_agenda_sent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
