"""What /agenda shows: a day or a week of sessions in the professional's zone, with result
buttons for sessions that have started, and one session's card with the actions the core
allows now. Pure rendering; the handlers are in bot.conversations.agenda.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import uuid_arg
from bot.conversations import practice_booking, requests
from bot.conversations.clients_render import (
    AWAITING_RESULT_ICON,
    STATUS_ICONS,
    Rows,
    button,
    keyboard,
    shorten,
    status_label,
)
from bot.formatting import babel_locale, format_date, format_datetime, format_day_short, format_time
from bot.i18n import Translator
from core.services.booking_queries import AppointmentView, BookingItem
from core.services.booking_rules import Action

__all__ = [
    "AGENDA_NS",
    "NEXT_WEEK",
    "THIS_WEEK",
    "TODAY",
    "Screen",
    "agenda_keyboard",
    "agenda_text",
    "card_keyboard",
    "card_text",
    "local_day",
    "resolve",
]

# Registered by bot.conversations.agenda, which handles these buttons.
AGENDA_NS = "ag"
NS = AGENDA_NS
RESULT_ROWS = 8
SESSION_BUTTONS = 20
TODAY, THIS_WEEK, NEXT_WEEK = "d", "w", "n"


# --- day and week -------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """What one agenda message shows: a day or a week, and the view argument that names it."""

    week: bool
    first: date
    last: date
    today: date
    arg: str


def resolve(arg: str | None, today: date, locale: str) -> Screen:
    """The days a view argument names, relative to the professional's today."""
    arg = arg or TODAY
    mode, digits = arg[:1], arg[1:]
    day = today
    if digits:
        try:
            day = datetime.strptime(digits, "%Y%m%d").date()
        except ValueError:
            day = today
    if mode == NEXT_WEEK:
        mode, day = THIS_WEEK, today + timedelta(days=7)
    if mode != THIS_WEEK:
        return Screen(False, day, day, today, f"d{day:%Y%m%d}")
    first_weekday = babel_locale(locale).first_week_day  # 0 = Monday, as date.weekday()
    first = day - timedelta(days=(day.weekday() - first_weekday) % 7)
    return Screen(True, first, first + timedelta(days=6), today, f"w{first:%Y%m%d}")


def _icon(item: BookingItem) -> str:
    if Action.complete in item.actions:
        return AWAITING_RESULT_ICON
    return STATUS_ICONS[item.appointment.status]


def _line(tr: Translator, item: BookingItem) -> str:
    a = item.appointment
    start = format_time(a.starts_at, tr.locale, a.timezone)
    end = format_time(a.ends_at, tr.locale, a.timezone)
    line = f"{_icon(item)} {start}–{end} {a.client_name}"
    if a.moved_from is None:
        return line
    # A move waiting for an answer is not a new booking: say so on its line.
    moved = tr.t("agenda.moved_mark")
    return f"{line} · {moved}"


def local_day(a: AppointmentView) -> date:
    return a.starts_at.astimezone(ZoneInfo(a.timezone)).date()


def agenda_text(tr: Translator, screen: Screen, items: list[BookingItem]) -> str:
    loc = tr.locale
    if screen.week:
        title = tr.t(
            "agenda.title.week",
            first=format_day_short(screen.first, loc),
            last=format_day_short(screen.last, loc),
        )
    elif screen.first == screen.today:
        title = tr.t("agenda.title.today", day=format_date(screen.first, loc))
    else:
        title = tr.t("agenda.title.day", day=format_date(screen.first, loc))
    lines = [title]
    if not items:
        lines += ["", tr.t("agenda.empty")]
    elif screen.week:
        by_day: dict[date, list[BookingItem]] = {}
        for item in items:
            by_day.setdefault(local_day(item.appointment), []).append(item)
        for day, day_items in sorted(by_day.items()):
            header = format_day_short(day, loc)
            if day == screen.today:
                today = tr.t("agenda.today")
                header = f"{header} · {today}"
            lines += ["", header, *(_line(tr, i) for i in day_items)]
    else:
        lines += ["", *(_line(tr, i) for i in items)]
    if items:
        lines += ["", tr.t("agenda.legend")]
    return "\n".join(lines)


def _nav(tr: Translator, screen: Screen) -> Rows:
    step = timedelta(days=7 if screen.week else 1)
    mode = "w" if screen.week else "d"
    return [
        [
            button(tr.t("agenda.button.today"), NS, "v", TODAY),
            button(tr.t("agenda.button.this_week"), NS, "v", THIS_WEEK),
            button(tr.t("agenda.button.next_week"), NS, "v", NEXT_WEEK),
        ],
        [
            button("◀", NS, "v", f"{mode}{screen.first - step:%Y%m%d}"),
            button("▶", NS, "v", f"{mode}{screen.first + step:%Y%m%d}"),
        ],
    ]


def agenda_keyboard(
    tr: Translator, screen: Screen, items: list[BookingItem]
) -> InlineKeyboardMarkup:
    rows: Rows = []
    for item in [i for i in items if Action.complete in i.actions][:RESULT_ROWS]:
        a = item.appointment
        when = format_datetime(a.starts_at, tr.locale, a.timezone)
        arg = uuid_arg(a.id)
        label = f"{when} {shorten(a.client_name, 16)}"
        rows.append(
            [
                button(tr.t("agenda.button.completed", session=label), NS, "ok", arg, screen.arg),
                button(tr.t("agenda.button.no_show"), NS, "ns", arg, screen.arg),
            ]
        )
    if screen.week:
        days = sorted({local_day(i.appointment) for i in items})
        day_buttons = [
            button(format_day_short(d, tr.locale), NS, "v", f"d{d:%Y%m%d}") for d in days
        ]
        rows += [day_buttons[i : i + 4] for i in range(0, len(day_buttons), 4)]
    else:
        openable = [i for i in items if i.actions and Action.complete not in i.actions][
            :SESSION_BUTTONS
        ]
        session_buttons: list[InlineKeyboardButton] = []
        for item in openable:
            a = item.appointment
            start = format_time(a.starts_at, tr.locale, a.timezone)
            label = f"{_icon(item)} {start} {shorten(a.client_name, 18)}"
            session_buttons.append(button(label, NS, "s", uuid_arg(a.id), screen.arg))
        rows += [session_buttons[i : i + 2] for i in range(0, len(session_buttons), 2)]
    rows.append([practice_booking.agenda_button(tr)])
    rows += _nav(tr, screen)
    markup = keyboard(rows)
    assert markup is not None  # the navigation rows are always there
    return markup


def card_text(tr: Translator, item: BookingItem) -> str:
    a = item.appointment
    day = format_date(a.starts_at, tr.locale, a.timezone)
    start = format_time(a.starts_at, tr.locale, a.timezone)
    end = format_time(a.ends_at, tr.locale, a.timezone)
    lines = [
        f"{_icon(item)} {a.client_name}",
        f"{day}, {start}–{end}",
        status_label(tr, a.status),
    ]
    if a.moved_from is not None:
        was = format_datetime(a.moved_from, tr.locale, a.timezone)
        lines.append(tr.t("agenda.card.moved_from", was=was))
    if a.notes:
        lines.append(tr.t("agenda.card.notes", notes=a.notes))
    if a.cancellation_reason:
        lines.append(tr.t("agenda.card.reason", reason=a.cancellation_reason))
    return "\n".join(lines)


def card_keyboard(tr: Translator, item: BookingItem, view: str) -> InlineKeyboardMarkup:
    arg = uuid_arg(item.appointment.id)
    acts = item.actions
    rows: Rows = []
    if Action.confirm in acts:
        answer = requests.request_keyboard(tr, item.appointment.id)
        rows += [list(row) for row in answer.inline_keyboard]
    change = []
    if Action.reschedule in acts:
        change.append(button(tr.t("agenda.button.reschedule"), NS, "rs", arg, view))
    if Action.cancel in acts:
        change.append(button(tr.t("agenda.button.cancel"), NS, "cx", arg, view))
    rows.append(change)
    if Action.complete in acts:
        rows.append(
            [
                button(tr.t("agenda.button.completed_short"), NS, "ok", arg, view),
                button(tr.t("agenda.button.no_show"), NS, "ns", arg, view),
            ]
        )
    rows.append([button(tr.t("agenda.button.back"), NS, "v", view)])
    markup = keyboard(rows)
    assert markup is not None
    return markup
