"""What the dispatcher says: reminders and outbox notifications rendered for their reader.

Texts are translated and times formatted at delivery, in the reader's language and zone
(their account's choice, else Telegram's language, else the professional's), because a
text rendered when the row was written would freeze both. Buttons offer only what can
still be done when the message goes out.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import uuid_arg
from bot.conversations.booking_render import book_data, mb_data
from bot.conversations.requests import request_keyboard
from bot.formatting import format_date, format_datetime, format_money, format_relative, format_time
from bot.i18n import N_, Translator, get_translator, normalize_locale
from core.models import AppointmentStatus, NotificationType, RecipientType
from core.services.booking_rules import Policy
from core.services.outbox import OutboxItem, Reader
from core.services.reminders import ReminderJob, ReminderKind

__all__ = [
    "Rendered",
    "appointment_button_data",
    "localized_params",
    "reader_locale",
    "reader_timezone",
    "render_notification",
    "render_reminder",
]

log = logging.getLogger(__name__)

# Our names for the client's buttons -> the my-bookings conversation's actions, which
# answer them (Reschedule enters the booking conversation, Review the review one).
_MY_BOOKINGS_ACTIONS = {"reschedule": "rs", "cancel": "cx", "coming": "go", "review": "rv"}


def appointment_button_data(action: str, appointment_id: uuid.UUID) -> str:
    """The callback data of a client's button about one appointment (`action`: reschedule,
    cancel, coming, review); every such button of the dispatcher is built here."""
    return mb_data(_MY_BOOKINGS_ACTIONS[action], appointment_id)


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


def reader_locale(reader: Reader | None, fallback: str) -> str:
    """The bot locale to write in: the account's, else Telegram's language, else `fallback`."""
    code = None if reader is None else (reader.locale or reader.language_code)
    return normalize_locale(code or fallback)


def reader_timezone(reader: Reader | None, fallback: str) -> str:
    """The IANA zone to show times in: the account's if valid, else `fallback`."""
    chosen = None if reader is None else reader.timezone
    if chosen:
        try:
            ZoneInfo(chosen)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("Unknown time zone %r of user %s", chosen, reader and reader.user_id)
        else:
            return chosen
    return fallback


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


# --- reminders -------------------------------------------------------------------------


def render_reminder(job: ReminderJob, now: datetime) -> Rendered:
    """The reminder for the client, with the buttons the policy still allows."""
    locale = reader_locale(job.reader, job.professional_locale)
    tz = reader_timezone(job.reader, job.professional_timezone)
    tr = get_translator(locale)
    when = format_relative(job.starts_at, locale, tz, now=now)
    if job.kind is ReminderKind.day_before:
        # TRANSLATORS: {when} is "tomorrow at 14:00" or "Thu 26 Nov at 14:00".
        text = tr.t("reminder.day_before", professional=job.professional_name, when=when)
    else:
        # TRANSLATORS: {when} is "today at 14:00" (sent about an hour before).
        text = tr.t("reminder.hour_before", professional=job.professional_name, when=when)
    policy = Policy(cancellation_notice_minutes=job.cancellation_notice_minutes)
    may_change = policy.allows_change(side=RecipientType.client, starts_at=job.starts_at, now=now)
    rows: list[list[InlineKeyboardButton]] = []
    if job.kind is ReminderKind.day_before:
        coming = appointment_button_data("coming", job.appointment_id)
        rows.append([_button(tr.t("reminder.button.coming"), coming)])
    if may_change:
        rows.append(
            [
                _button(
                    tr.t("reminder.button.reschedule"),
                    appointment_button_data("reschedule", job.appointment_id),
                ),
                _button(
                    tr.t("reminder.button.cancel"),
                    appointment_button_data("cancel", job.appointment_id),
                ),
            ]
        )
    else:
        text += "\n\n" + tr.t("reminder.too_late_to_change", professional=job.professional_name)
    return Rendered(text, _markup(rows))


# --- notifications ---------------------------------------------------------------------

_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Shown when a row's own msgid has no text in any catalogue, so no type ever reaches a
# reader as a raw id. No placeholders: the rows' parameters differ by service.
_FALLBACK: dict[NotificationType, str] = {
    NotificationType.booking_requested: N_("notify.fallback.booking_requested"),
    NotificationType.booking_confirmed: N_("notify.fallback.booking_confirmed"),
    NotificationType.booking_declined: N_("notify.fallback.booking_declined"),
    NotificationType.booking_cancelled: N_("notify.fallback.booking_cancelled"),
    NotificationType.booking_rescheduled: N_("notify.fallback.booking_rescheduled"),
    NotificationType.booking_completed: N_("notify.fallback.booking_completed"),
    NotificationType.booking_no_show: N_("notify.fallback.booking_no_show"),
    NotificationType.reminder_24h: N_("notify.fallback.reminder_24h"),
    NotificationType.reminder_1h: N_("notify.fallback.reminder_1h"),
    NotificationType.new_message: N_("notify.fallback.new_message"),
    NotificationType.review_request: N_("notify.fallback.review_request"),
    NotificationType.new_review: N_("notify.fallback.new_review"),
    NotificationType.new_availability: N_("notify.fallback.new_availability"),
    NotificationType.morning_agenda: N_("notify.fallback.morning_agenda"),
    NotificationType.payment_received: N_("notify.fallback.payment_received"),
    NotificationType.recurring_skipped: N_("notify.fallback.recurring_skipped"),
}
_GENERIC = N_("notify.fallback.generic")


def _localized(value: Any, locale: str, tz: str) -> Any:
    if isinstance(value, str):
        if _ISO_DATETIME.fullmatch(value):
            return format_datetime(datetime.fromisoformat(value), locale, tz)
        if _ISO_DATE.fullmatch(value):
            return format_date(date.fromisoformat(value), locale)
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(str(_localized(v, locale, tz)) for v in value)
    return value


def localized_params(params: Mapping[str, Any], locale: str, tz: str) -> dict[str, Any]:
    """A row's parameters ready for its text: ISO instants and days in the reader's terms.

    Adds ``price`` when the row carries ``price_cents`` and ``currency``.
    """
    out = {key: _localized(value, locale, tz) for key, value in params.items()}
    cents, currency = params.get("price_cents"), params.get("currency")
    if "price" not in out and isinstance(cents, int) and isinstance(currency, str):
        out["price"] = format_money(cents, currency, locale)
    return out


def _agenda_text(item: OutboxItem, tr: Translator, locale: str, tz: str) -> str:
    day_param = item.params.get("day")
    day = date.fromisoformat(day_param) if isinstance(day_param, str) else None
    lines = [tr.t("agenda.morning", day=format_date(day, locale) if day else "")]
    for session in item.params.get("sessions") or []:
        start = format_time(datetime.fromisoformat(session["starts_at"]), locale, tz)
        end = format_time(datetime.fromisoformat(session["ends_at"]), locale, tz)
        client = session.get("client_name", "")
        if session.get("pending"):
            lines.append(tr.t("agenda.line_pending", start=start, end=end, client=client))
        else:
            lines.append(tr.t("agenda.line", start=start, end=end, client=client))
    return "\n".join(lines)


def _text(item: OutboxItem, tr: Translator, locale: str, tz: str, now: datetime) -> str:
    if item.type is NotificationType.morning_agenda:
        return _agenda_text(item, tr, locale, tz)
    params = localized_params(item.params, locale, tz)
    starts_at = item.params.get("starts_at")
    if "when" not in params and isinstance(starts_at, str) and _ISO_DATETIME.fullmatch(starts_at):
        params["when"] = format_relative(datetime.fromisoformat(starts_at), locale, tz, now=now)
    text = tr.t(item.msgid, **params)
    if text != item.msgid:
        return text
    # No catalogue knows the row's msgid (Translator logged it): say at least what happened.
    text = tr.t(_FALLBACK.get(item.type, _GENERIC))
    if "when" in params:
        text += "\n" + tr.t("notify.when", when=params["when"])
    return text


def _buttons(item: OutboxItem, tr: Translator, now: datetime) -> InlineKeyboardMarkup | None:
    if item.type is NotificationType.new_availability:
        # Straight into the booking calendar of that professional.
        book = book_data("new", uuid_arg(item.professional_id))
        return _markup([[_button(tr.t("notify.button.book"), book)]])
    appt = item.appointment_id
    if appt is None:
        return None
    upcoming = item.appointment_starts_at is not None and item.appointment_starts_at > now
    status = item.appointment_status
    if (
        item.recipient_type is RecipientType.professional
        and status is AppointmentStatus.pending_confirmation
        and upcoming
    ):
        # The requests conversation answers these (and explains one gone stale).
        return request_keyboard(tr, appt)
    if item.type is NotificationType.review_request and status is AppointmentStatus.completed:
        return _markup(
            [[_button(tr.t("notify.button.review"), appointment_button_data("review", appt))]]
        )
    return None


def render_notification(item: OutboxItem, now: datetime) -> Rendered:
    """An outbox row in its reader's language and zone, with the buttons still useful."""
    locale = reader_locale(item.reader, item.professional_locale)
    tz = reader_timezone(item.reader, item.professional_timezone)
    tr = get_translator(locale)
    return Rendered(_text(item, tr, locale, tz, now), _buttons(item, tr, now))
