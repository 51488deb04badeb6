"""The data model: the ten odys tables plus what a Telegram booking product needs."""

from .account import TelegramUser
from .appointment import Appointment
from .audit import AuditLog
from .availability import Availability, ExtraAvailability, TimeOff
from .base import Base
from .client import Client, ClientNote
from .enums import (
    HOLDING_STATUSES,
    AppointmentStatus,
    Frequency,
    MessageSender,
    MessageType,
    NotificationType,
    PaymentStatus,
    PaymentType,
    PixKeyType,
    Plan,
    Profession,
    RecipientType,
)
from .follow import Follow
from .message import Message
from .notification import Notification
from .professional import Professional
from .recurring import RecurringSchedule
from .review import Review
from .system import BotConversation, BotData, ProcessedWebhookEvent

__all__ = [
    "HOLDING_STATUSES",
    "Appointment",
    "AppointmentStatus",
    "AuditLog",
    "Availability",
    "Base",
    "BotConversation",
    "BotData",
    "Client",
    "ClientNote",
    "ExtraAvailability",
    "Follow",
    "Frequency",
    "Message",
    "MessageSender",
    "MessageType",
    "Notification",
    "NotificationType",
    "PaymentStatus",
    "PaymentType",
    "PixKeyType",
    "Plan",
    "ProcessedWebhookEvent",
    "Profession",
    "Professional",
    "RecipientType",
    "RecurringSchedule",
    "Review",
    "TelegramUser",
    "TimeOff",
]
