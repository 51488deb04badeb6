"""Native PostgreSQL enum types for every categorical column (seed 000's first improvement)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum as SAEnum


class Profession(enum.StrEnum):
    psychologist = "psychologist"
    personal_trainer = "personal_trainer"
    nutritionist = "nutritionist"
    tutor = "tutor"
    physiotherapist = "physiotherapist"
    coach = "coach"
    other = "other"


class Plan(enum.StrEnum):
    free = "free"
    pro = "pro"


class PaymentType(enum.StrEnum):
    upfront = "upfront"  # the whole price when booking
    partial = "partial"  # payment_percentage of the price when booking
    after_session = "after_session"
    none = "none"  # paid outside the bot


class PixKeyType(enum.StrEnum):
    cpf = "cpf"
    cnpj = "cnpj"
    email = "email"
    phone = "phone"
    random = "random"


class Frequency(enum.StrEnum):
    weekly = "weekly"
    biweekly = "biweekly"
    twice_weekly = "twice_weekly"


class AppointmentStatus(enum.StrEnum):
    pending_confirmation = "pending_confirmation"
    confirmed = "confirmed"
    declined = "declined"
    cancelled = "cancelled"
    completed = "completed"
    no_show = "no_show"


# The statuses that hold a slot: the exclusion constraint and free-slot computation use them.
HOLDING_STATUSES = (AppointmentStatus.pending_confirmation, AppointmentStatus.confirmed)


class PaymentStatus(enum.StrEnum):
    none = "none"
    pending = "pending"
    paid = "paid"
    refunded = "refunded"
    failed = "failed"


class MessageSender(enum.StrEnum):
    professional = "professional"
    client = "client"


class MessageType(enum.StrEnum):
    text = "text"
    photo = "photo"
    document = "document"
    voice = "voice"
    audio = "audio"
    video = "video"


class RecipientType(enum.StrEnum):
    professional = "professional"
    client = "client"


class NotificationType(enum.StrEnum):
    booking_requested = "booking_requested"
    booking_confirmed = "booking_confirmed"
    booking_declined = "booking_declined"
    booking_cancelled = "booking_cancelled"
    booking_rescheduled = "booking_rescheduled"
    booking_completed = "booking_completed"
    booking_no_show = "booking_no_show"
    reminder_24h = "reminder_24h"
    reminder_1h = "reminder_1h"
    new_message = "new_message"
    review_request = "review_request"
    new_review = "new_review"
    new_availability = "new_availability"
    morning_agenda = "morning_agenda"
    payment_received = "payment_received"
    recurring_skipped = "recurring_skipped"


def pg_enum(py_enum: type[enum.Enum], name: str) -> SAEnum:
    """A native PostgreSQL enum whose labels are the Python values."""
    return SAEnum(
        py_enum,
        name=name,
        native_enum=True,
        create_constraint=False,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


profession_enum = pg_enum(Profession, "profession")
plan_enum = pg_enum(Plan, "plan")
payment_type_enum = pg_enum(PaymentType, "payment_type")
pix_key_type_enum = pg_enum(PixKeyType, "pix_key_type")
frequency_enum = pg_enum(Frequency, "frequency")
appointment_status_enum = pg_enum(AppointmentStatus, "appointment_status")
payment_status_enum = pg_enum(PaymentStatus, "payment_status")
message_sender_enum = pg_enum(MessageSender, "message_sender")
message_type_enum = pg_enum(MessageType, "message_type")
recipient_type_enum = pg_enum(RecipientType, "recipient_type")
notification_type_enum = pg_enum(NotificationType, "notification_type")

ALL_ENUMS = (
    profession_enum,
    plan_enum,
    payment_type_enum,
    pix_key_type_enum,
    frequency_enum,
    appointment_status_enum,
    payment_status_enum,
    message_sender_enum,
    message_type_enum,
    recipient_type_enum,
    notification_type_enum,
)
