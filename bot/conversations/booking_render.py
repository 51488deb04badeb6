"""What the client side of the bot shows, shared by the client conversations.

Callback data of the client screens is built here: ``pf`` the profile card
(client_start; its Message button is messaging's ``msg:to``), ``bk`` the booking
calendar (booking), ``mb`` a client's bookings (my_bookings), ``rv`` the review stars
(review). The namespaces are registered here, in the name of the module handling each,
so that a screen of one feature can offer a button of another without the modules
importing each other.

Every button of the booking screens carries what it is about (``Subject``: a new booking
with a professional, or the move of one appointment), so an old screen pressed again,
or pressed after a restart, still means exactly what it showed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.callbacks import Callback, arg_uuid, register_namespace, uuid_arg
from bot.context import Ctx, ReplyMarkup, prefs, reply_text
from bot.formatting import babel_locale, format_datetime, format_money
from bot.i18n import N_, Translator
from core.models import AppointmentStatus, Profession

__all__ = [
    "BK",
    "MB",
    "PF",
    "RV",
    "Subject",
    "answer",
    "book_data",
    "button",
    "client_zone",
    "keyboard",
    "mb_data",
    "pf_data",
    "price_text",
    "profession_label",
    "rating_text",
    "show",
    "status_label",
    "week_start",
    "when_text",
]

log = logging.getLogger(__name__)

PF = register_namespace("pf", "bot.conversations.client_start")
BK = register_namespace("bk", "bot.conversations.booking")
MB = register_namespace("mb", "bot.conversations.my_bookings")
RV = register_namespace("rv", "bot.conversations.review")

PROFESSIONS: dict[Profession, str] = {
    Profession.psychologist: N_("profession.psychologist"),
    Profession.personal_trainer: N_("profession.personal_trainer"),
    Profession.nutritionist: N_("profession.nutritionist"),
    Profession.tutor: N_("profession.tutor"),
    Profession.physiotherapist: N_("profession.physiotherapist"),
    Profession.coach: N_("profession.coach"),
    Profession.other: N_("profession.other"),
}
STATUSES: dict[AppointmentStatus, str] = {
    AppointmentStatus.pending_confirmation: N_("mybookings.status.pending_confirmation"),
    AppointmentStatus.confirmed: N_("mybookings.status.confirmed"),
    AppointmentStatus.completed: N_("mybookings.status.completed"),
    AppointmentStatus.cancelled: N_("mybookings.status.cancelled"),
    AppointmentStatus.declined: N_("mybookings.status.declined"),
    AppointmentStatus.no_show: N_("mybookings.status.no_show"),
}
PRICE_FREE = N_("profile.free")
RATING = N_("profile.rating")
NO_REVIEWS = N_("profile.no_reviews")


@dataclass(frozen=True)
class Subject:
    """What a booking screen is about: a new booking ("n", a professional's id) or the
    move of an appointment ("r", its id)."""

    kind: Literal["n", "r"]
    id: uuid.UUID

    @property
    def moving(self) -> bool:
        return self.kind == "r"

    def arg(self) -> str:
        return self.kind + uuid_arg(self.id)

    @classmethod
    def parse(cls, text: str | None) -> Subject | None:
        if not text or text[0] not in "nr":
            return None
        found = arg_uuid(text[1:])
        if found is None:
            return None
        return cls("n" if text[0] == "n" else "r", found)


# --- callback data ------------------------------------------------------------------------


def book_data(action: str, *args: str) -> str:
    return Callback(BK, action, args).encode()


def pf_data(action: str, professional_id: uuid.UUID) -> str:
    return Callback(PF, action, (uuid_arg(professional_id),)).encode()


def mb_data(action: str, appointment_id: uuid.UUID) -> str:
    return Callback(MB, action, (uuid_arg(appointment_id),)).encode()


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


# --- words --------------------------------------------------------------------------------


def profession_label(tr: Translator, profession: Profession) -> str:
    return tr.t(PROFESSIONS[profession])


def status_label(tr: Translator, status: AppointmentStatus) -> str:
    return tr.t(STATUSES[status])


def price_text(tr: Translator, cents: int, currency: str) -> str:
    if cents == 0:
        return tr.t(PRICE_FREE)
    return format_money(cents, currency, tr.locale)


def rating_text(tr: Translator, average: Decimal | None, count: int) -> str:
    if average is None or count == 0:
        return tr.t(NO_REVIEWS)
    shown = format_decimal(average, format="0.0", locale=babel_locale(tr.locale))
    return tr.t(RATING, average=shown, count=count)


def when_text(tr: Translator, value: datetime, zone: str, now: datetime) -> str:
    """A session's day and time in the reader's zone, with the year only when not this one."""
    tz = ZoneInfo(zone)
    other_year = value.astimezone(tz).year != now.astimezone(tz).year
    return format_datetime(value, tr.locale, tz, with_year=other_year)


def week_start(day: date, locale: str) -> date:
    """The first day of `day`'s week as the reader's locale counts weeks (Sunday in Brazil)."""
    first = babel_locale(locale).first_week_day  # 0 = Monday
    return day - timedelta(days=(day.weekday() - first) % 7)


# --- the reader ---------------------------------------------------------------------------


async def client_zone(update: Update, ctx: Ctx, professional_zone: str) -> str:
    """The zone to show a client times in: their chosen one, else the professional's."""
    return (await prefs(update, ctx)).timezone or professional_zone


# --- replying -------------------------------------------------------------------------------


async def answer(update: Update) -> None:
    """Stop the button's spinner (after the service call, so a refusal can still alert)."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()
    except BadRequest:
        log.debug("Callback query %s already answered or too old", query.id)


async def show(
    update: Update, ctx: Ctx, text: str, markup: ReplyMarkup | None = None, *, edit: bool = True
) -> Message | None:
    """Turn the pressed message into this screen, or send it as a new message."""
    query = update.callback_query
    can_edit = edit and query is not None and isinstance(query.message, Message)
    if can_edit and (markup is None or isinstance(markup, InlineKeyboardMarkup)):
        assert query is not None and isinstance(query.message, Message)
        try:
            edited = await query.message.edit_text(text, reply_markup=markup)
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return query.message
            log.debug("Cannot edit message %s (%s); sending anew", query.message.id, err)
        else:
            return edited if isinstance(edited, Message) else query.message
    return await reply_text(update, ctx, text, reply_markup=markup)
