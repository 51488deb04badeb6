"""The booking screens: a week calendar, a day's times, the confirmation, the outcome.

Pure rendering: each function takes what the core said (free days, slots, views) and
the reader's translator and zone, and returns the text and the inline keyboard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import instant_arg
from bot.conversations.booking_render import (
    Subject,
    book_data,
    button,
    keyboard,
    pf_data,
    price_text,
    week_start,
    when_text,
)
from bot.formatting import (
    babel_locale,
    format_date,
    format_day_short,
    format_duration,
    format_time,
)
from bot.i18n import N_, Translator
from core.errors import DomainError, SlotTaken
from core.models import AppointmentStatus
from core.services.booking_queries import AppointmentView, PolicyView
from core.services.slots import BookingProfile

__all__ = [
    "LOOKAHEAD_DAYS",
    "Screen",
    "arg_date",
    "calendar",
    "confirmation",
    "date_arg",
    "day_slots",
    "done",
    "nearest_offer",
]

# The calendar looks this far past the week it shows, to know if paging on is worth it.
LOOKAHEAD_DAYS = 28
SLOTS_PER_ROW = 4
MAX_SLOT_BUTTONS = 96  # Telegram allows 100 buttons per keyboard

TITLE = N_("booking.calendar.title")
TITLE_MOVE = N_("booking.calendar.title_move")
WEEK = N_("booking.calendar.week")
EMPTY_WEEK = N_("booking.calendar.empty_week")
NOTHING = N_("booking.calendar.nothing")
ZONE_NOTE = N_("booking.zone_note")
DAY_TITLE = N_("booking.day.title")
DAY_NONE = N_("booking.day.none")
BUTTON_CALENDAR = N_("booking.button.calendar")
BUTTON_FOLLOW = N_("profile.button.follow")
CONFIRM_TITLE = N_("booking.confirm.title")
CONFIRM_TITLE_MOVE = N_("booking.confirm.title_move")
CONFIRM_WITH = N_("booking.confirm.with")
CONFIRM_WHEN = N_("booking.confirm.when")
CONFIRM_THEIR_TIME = N_("booking.confirm.their_time")
CONFIRM_DURATION = N_("booking.confirm.duration")
CONFIRM_PRICE = N_("booking.confirm.price")
CONFIRM_WAS = N_("booking.confirm.was")
CONFIRM_POLICY = N_("booking.confirm.policy")
BUTTON_CONFIRM = N_("booking.button.confirm")
BUTTON_BACK = N_("booking.button.back")
TYPED_NOT_FREE = N_("booking.typed.not_free")
TYPED_NOTHING_NEAR = N_("booking.typed.nothing_near")
TYPED_OTHERS = N_("booking.typed.others")
TYPED_NOTHING_ELSE = N_("booking.typed.nothing_else")
DONE_PENDING = N_("booking.done.pending")
DONE_CONFIRMED = N_("booking.done.confirmed")
MOVED_PENDING = N_("booking.moved.pending")
MOVED_CONFIRMED = N_("booking.moved.confirmed")
DONE_POLICY = N_("booking.done.policy")
DONE_PENDING_UNSEEN = N_("booking.done.pending_unseen")
MOVED_PENDING_UNSEEN = N_("booking.moved.pending_unseen")
DONE_UNSEEN_NOTE = N_("booking.done.unseen_note")


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None


def date_arg(day: date) -> str:
    return day.strftime("%Y%m%d")


def arg_date(text: str | None) -> date | None:
    if text is None or len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _zone_note(tr: Translator, zone: str, professional_zone: str) -> str | None:
    return tr.t(ZONE_NOTE, zone=zone) if zone != professional_zone else None


def _join(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p)


def _title(
    tr: Translator,
    profile: BookingProfile,
    moving: AppointmentView | None,
    zone: str,
    now: datetime,
) -> str:
    if moving is None:
        return tr.t(TITLE, professional=profile.name)
    return tr.t(
        TITLE_MOVE, professional=profile.name, when=when_text(tr, moving.starts_at, zone, now)
    )


def calendar(
    tr: Translator,
    *,
    subject: Subject,
    profile: BookingProfile,
    moving: AppointmentView | None,
    first: date,
    today: date,
    counts: Mapping[date, int],
    zone: str,
    now: datetime,
) -> Screen:
    """A week from `first`: days with free times to press, the others shown but inert."""
    locale = tr.locale
    days = [first + timedelta(days=i) for i in range(7)]
    buttons: list[InlineKeyboardButton] = []
    for day in days:
        label = format_day_short(day, locale)
        if day < today:
            buttons.append(button(f"✖ {label}", book_data("x", "p")))
        elif counts.get(day, 0) == 0:
            buttons.append(button(f"✖ {label}", book_data("x", "f")))
        else:
            buttons.append(button(label, book_data("d", date_arg(day), subject.arg())))
    rows = [buttons[:4], buttons[4:]]
    later = any(n for day, n in counts.items() if day > days[-1])
    nav: list[InlineKeyboardButton] = []
    if first > today:
        previous = first - timedelta(days=7)
        nav.append(button("◀", book_data("w", date_arg(previous), subject.arg())))
    if later:
        nav.append(button("▶", book_data("w", date_arg(first + timedelta(days=7)), subject.arg())))
    rows.append(nav)

    week_free = any(counts.get(day, 0) for day in days)
    nothing_at_all = not week_free and not later and first <= today
    span = format_interval(days[0], days[-1], "MMMd", locale=babel_locale(locale))
    if nothing_at_all:
        follow = button(tr.t(BUTTON_FOLLOW), pf_data("fw", profile.id))
        return Screen(
            _join(_title(tr, profile, moving, zone, now), tr.t(NOTHING, professional=profile.name)),
            keyboard([[follow]]) if not subject.moving else None,
        )
    text = _join(
        _title(tr, profile, moving, zone, now),
        tr.t(WEEK, range=span),
        None if week_free else tr.t(EMPTY_WEEK),
        _zone_note(tr, zone, profile.timezone),
    )
    return Screen(text, keyboard(rows))


def _slot_buttons(
    tr: Translator, subject: Subject, slots: Sequence[datetime], zone: str, *, with_day: bool
) -> list[list[InlineKeyboardButton]]:
    buttons = []
    for slot in slots[:MAX_SLOT_BUTTONS]:
        label = format_time(slot, tr.locale, zone)
        if with_day:
            label = f"{format_day_short(slot, tr.locale, zone)} {label}"
        buttons.append(button(label, book_data("s", instant_arg(slot), subject.arg())))
    per_row = 2 if with_day else SLOTS_PER_ROW
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _calendar_button(tr: Translator, subject: Subject, day: date) -> InlineKeyboardButton:
    return button(
        tr.t(BUTTON_CALENDAR), book_data("w", date_arg(week_start(day, tr.locale)), subject.arg())
    )


def day_slots(
    tr: Translator,
    *,
    subject: Subject,
    profile: BookingProfile,
    day: date,
    slots: Sequence[datetime],
    zone: str,
    lead: str | None = None,
) -> Screen:
    """The free times of one day as buttons, or a word that none are left."""
    day_text = format_date(day, tr.locale)
    if not slots:
        return Screen(
            _join(lead, tr.t(DAY_NONE, day=day_text)),
            keyboard([[_calendar_button(tr, subject, day)]]),
        )
    rows = _slot_buttons(tr, subject, slots, zone, with_day=False)
    rows.append([_calendar_button(tr, subject, day)])
    text = _join(lead, tr.t(DAY_TITLE, day=day_text), _zone_note(tr, zone, profile.timezone))
    return Screen(text, keyboard(rows))


def nearest_offer(
    tr: Translator,
    *,
    subject: Subject,
    wanted: datetime,
    options: Sequence[datetime],
    zone: str,
    now: datetime,
    refusal: DomainError | None = None,
) -> Screen:
    """The typed time cannot be booked: why (taken, too soon, too close to another
    session...), the nearest free times, and the calendar."""
    when = when_text(tr, wanted, zone, now)
    calendar_row = [_calendar_button(tr, subject, wanted.astimezone(ZoneInfo(zone)).date())]
    reason = None if refusal is None or isinstance(refusal, SlotTaken) else tr.render(refusal)
    if not options:
        text = (
            tr.t(TYPED_NOTHING_NEAR, when=when)
            if reason is None
            else _join(reason, tr.t(TYPED_NOTHING_ELSE))
        )
        return Screen(text, keyboard([calendar_row]))
    rows = _slot_buttons(tr, subject, options, zone, with_day=True)
    rows.append(calendar_row)
    lead = tr.t(TYPED_NOT_FREE, when=when) if reason is None else _join(reason, tr.t(TYPED_OTHERS))
    return Screen(lead, keyboard(rows))


def confirmation(
    tr: Translator,
    *,
    subject: Subject,
    profile: BookingProfile,
    moving: AppointmentView | None,
    start: datetime,
    zone: str,
    now: datetime,
) -> Screen:
    """Everything the client agrees to, with Confirm and Back."""
    locale = tr.locale
    their_time = None
    if zone != profile.timezone:
        their_time = tr.t(
            CONFIRM_THEIR_TIME,
            time=format_time(start, locale, profile.timezone),
            professional=profile.name,
            zone=profile.timezone,
        )
    price = (
        price_text(tr, moving.price_cents, moving.currency)
        if moving is not None
        else price_text(tr, profile.price_cents, profile.currency)
    )
    notice = profile.cancellation_notice_minutes
    lines = [
        tr.t(CONFIRM_WITH, professional=profile.name),
        tr.t(CONFIRM_WHEN, when=when_text(tr, start, zone, now)),
        their_time,
        tr.t(CONFIRM_DURATION, duration=format_duration(profile.session_duration, locale)),
        tr.t(CONFIRM_PRICE, price=price),
        tr.t(CONFIRM_WAS, when=when_text(tr, moving.starts_at, zone, now)) if moving else None,
    ]
    body = "\n".join(line for line in lines if line)
    policy = tr.t(CONFIRM_POLICY, notice=format_duration(notice, locale)) if notice > 0 else None
    title = tr.t(CONFIRM_TITLE_MOVE if moving else CONFIRM_TITLE)
    day = start.astimezone(ZoneInfo(zone)).date()
    rows = [
        [
            button(tr.t(BUTTON_CONFIRM), book_data("ok", instant_arg(start), subject.arg())),
            button(tr.t(BUTTON_BACK), book_data("d", date_arg(day), subject.arg())),
        ]
    ]
    return Screen(_join(title, body, policy), keyboard(rows))


def done(
    tr: Translator,
    *,
    view: AppointmentView,
    policy: PolicyView,
    moved: bool,
    zone: str,
    now: datetime,
    told: bool = True,
) -> str:
    """What was booked or moved, said clearly: confirmed, or waiting for the professional.

    `told` False: the professional has not opened the bot's chat, so nothing claims they
    were told; they will see the request when they open it.
    """
    when = when_text(tr, view.starts_at, zone, now)
    pending = view.status is AppointmentStatus.pending_confirmation
    if moved:
        msgid = MOVED_PENDING if pending else MOVED_CONFIRMED
        if pending and not told:
            msgid = MOVED_PENDING_UNSEEN
    else:
        msgid = DONE_PENDING if pending else DONE_CONFIRMED
        if pending and not told:
            msgid = DONE_PENDING_UNSEEN
    text = tr.t(msgid, professional=view.professional_name, when=when)
    if not told and not pending:
        text = _join(text, tr.t(DONE_UNSEEN_NOTE, professional=view.professional_name))
    if policy.binding and policy.deadline > now:
        text = _join(text, tr.t(DONE_POLICY, deadline=when_text(tr, policy.deadline, zone, now)))
    return text
