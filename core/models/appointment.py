"""An appointment: one session between a professional and a client."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, updated_at, uuid_pk
from .enums import (
    AppointmentStatus,
    PaymentStatus,
    RecipientType,
    appointment_status_enum,
    payment_status_enum,
    recipient_type_enum,
)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        # The client is one of this professional's (revision 0005).
        ForeignKeyConstraint(
            ["client_id", "professional_id"],
            ["clients.id", "clients.professional_id"],
            ondelete="CASCADE",
        ),
        # What a review refers to: this session, of this client, with this professional.
        UniqueConstraint("id", "client_id", "professional_id"),
        CheckConstraint("ends_at > starts_at", name="time_order"),
        # At most a day long: lets busy-time lookups bound their index scan (revision 0003).
        CheckConstraint("ends_at <= starts_at + interval '1 day'", name="max_length"),
        CheckConstraint("price_cents >= 0", name="price"),
        # The last line against double booking: pending requests and confirmed sessions of
        # one professional never overlap, whatever the code above does. Half-open ranges
        # keep back-to-back sessions legal.
        ExcludeConstraint(
            ("professional_id", "="),
            (text("tstzrange(starts_at, ends_at, '[)')"), "&&"),
            name="ex_appointments_no_overlap",
            using="gist",
            where=text("status IN ('pending_confirmation', 'confirmed')"),
        ),
        Index("ix_appointments_professional_id", "professional_id"),
        Index("ix_appointments_client_id", "client_id"),
        Index("ix_appointments_starts_at", "starts_at"),
        Index("ix_appointments_status", "status"),
        # The agenda and the free-slot inputs read one professional's range of time.
        Index("ix_appointments_professional_id_starts_at", "professional_id", "starts_at"),
        # Reminder dispatch scans only upcoming confirmed sessions still owing a reminder.
        Index(
            "ix_appointments_reminders_due",
            "starts_at",
            postgresql_where=text(
                "status = 'confirmed' AND (NOT reminder_sent_24h OR NOT reminder_sent_1h)"
            ),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id", ondelete="CASCADE"), nullable=False
    )
    client_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    # Appointments outlive their schedule: deleting a series keeps its sessions.
    recurring_schedule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("recurring_schedules.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[AppointmentStatus] = mapped_column(
        appointment_status_enum, server_default=text("'pending_confirmation'"), nullable=False
    )
    payment_status: Mapped[PaymentStatus] = mapped_column(
        payment_status_enum, server_default=text("'none'"), nullable=False
    )
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    # Price and currency frozen at booking, so a later price change never rewrites history.
    price_cents: Mapped[int] = mapped_column(Integer, server_default=text("0"), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'BRL'"), nullable=False)
    reminder_sent_24h: Mapped[bool] = mapped_column(
        Boolean, server_default=text("false"), nullable=False
    )
    reminder_sent_1h: Mapped[bool] = mapped_column(
        Boolean, server_default=text("false"), nullable=False
    )
    # The reminder dispatcher's lease: who is sending this session's reminder and until
    # when. An expired lease (its worker died) makes the reminder claimable again; after a
    # failed send it holds the reminder back until the retry time, with nobody named.
    reminder_claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminder_claimed_by: Mapped[str | None] = mapped_column(String(64))
    # Failed sends in a row of the reminder now owed; the backoff grows with it.
    reminder_attempts: Mapped[int] = mapped_column(
        SmallInteger, server_default=text("0"), nullable=False
    )
    notes: Mapped[str | None] = mapped_column(Text)
    # When the current time was chosen (booking or last reschedule): a 24 h reminder is
    # owed only when the session was set more than 24 h ahead.
    scheduled_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    cancelled_by: Mapped[RecipientType | None] = mapped_column(recipient_type_enum)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
