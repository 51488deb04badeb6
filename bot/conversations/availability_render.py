"""Texts, keyboards and typed input of /availability and /timeoff, in the professional's
language and zone.

Weekdays follow the schema (0 = Sunday) but are listed Monday first, as diaries are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import uuid_arg
from bot.conversations.onboarding_shared import button, rows, zone_label
from bot.formatting import (
    date_order,
    format_datetime,
    format_day_short,
    format_time,
    format_weekday,
)
from bot.i18n import N_, Translator
from core.errors import DomainError, InvalidInput
from core.scheduling.errors import TimeInPast
from core.scheduling.timeparse import parse_wanted_day
from core.scheduling.types import MIDNIGHT
from core.services.availability import (
    AffectedAppointment,
    ExtraWindowView,
    TimeOffView,
    WeeklyWindowView,
)
from core.validation import parse_weekly_availability

AVAILABILITY_NS = "avl"
TIME_OFF_NS = "tof"
WEEK_ORDER = (1, 2, 3, 4, 5, 6, 0)
START_HOURS = range(6, 23)
_A_SUNDAY = date(2026, 11, 22)
STATUS_LABELS = {
    "pending_confirmation": N_("timeoff.status.pending_confirmation"),
    "confirmed": N_("timeoff.status.confirmed"),
}


def weekday_name(
    tr: Translator, weekday: int, *, short: bool = False, in_sentence: bool = False
) -> str:
    """The name of a schema weekday (0 = Sunday) in the reader's language, as a heading
    (capitalised) or `in_sentence` (as the language writes it mid-sentence)."""
    day = _A_SUNDAY + timedelta(days=weekday)
    name = format_weekday(day, tr.locale, width="abbreviated" if short else "wide")
    return name if in_sentence else name[:1].upper() + name[1:]


def window_text(start: time, end: time) -> str:
    """A window as "09:00–12:00"; an end at midnight reads 24:00."""
    return f"{start:%H:%M}–{'24:00' if end == MIDNIGHT else f'{end:%H:%M}'}"


def windows_text(tr: Translator, windows: Sequence[tuple[time, time]]) -> str:
    if not windows:
        return tr.t("avail.closed")
    return ", ".join(window_text(s, e) for s, e in windows)


def _of_day(week: Sequence[WeeklyWindowView], weekday: int) -> list[tuple[time, time]]:
    return [(w.start, w.end) for w in week if w.weekday == weekday]


def _b(label: str, action: str, *args: str) -> InlineKeyboardButton:
    return button(AVAILABILITY_NS, label, action, *args)


def _zone(tr: Translator, timezone: str) -> str:
    return f"{zone_label(timezone, tr.locale)} ({timezone})"


# --- reading what is typed ---------------------------------------------------------------

_FROM = re.compile(r"^(?:de|do|from|del|desde|entre)\s+", re.IGNORECASE)
_RANGE = re.compile(r"\s+(?:a|ate|até|to|until|till|hasta|al|-|–|—)\s+", re.IGNORECASE)
# The availability parser's English weekday names, to read "9-12 14-18" as one day's hours.
_EN_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class Unreadable(InvalidInput):
    """Typed hours or dates we cannot read; params: text."""

    msgid = N_("avail.unreadable")


class UnreadableTimeOff(InvalidInput):
    """Typed time off we cannot read; params: text."""

    msgid = N_("timeoff.unreadable")


# --- reading what is typed ---------------------------------------------------------------


def day_windows(text: str, weekday: int) -> list[tuple[time, time]]:
    """One weekday's hours typed as "9-12 14-18" (core parser, read as that weekday)."""
    windows = parse_weekly_availability(f"{_EN_DAYS[weekday]} {text}")
    return [(w.start, w.end) for w in windows]


def dated_windows(
    text: str, *, language: str, tz: ZoneInfo, now: datetime
) -> tuple[date, list[tuple[time, time]]]:
    """A date and hours, "25/12 9-12 14-18" or "amanhã das 14 às 18"; Unreadable otherwise."""
    words = text.split()
    order = date_order(language)
    past: TimeInPast | None = None
    for cut in range(1, len(words)):
        try:
            day = parse_wanted_day(
                " ".join(words[:cut]), language=language, tz=tz, now=now, date_order=order
            )
            return day, day_windows(" ".join(words[cut:]), 1)
        except TimeInPast as err:
            past = past or err
        except InvalidInput:
            continue
    raise past or Unreadable(text=text)


Period = tuple[date, date, time | None, time | None]


def time_off_period(text: str, *, language: str, tz: ZoneInfo, now: datetime) -> Period:
    """First day, last day and optional hours of typed time off ("24/12 a 02/01")."""
    clean = _FROM.sub("", " ".join(text.split()))
    past: TimeInPast | None = None
    try:
        day, windows = dated_windows(clean, language=language, tz=tz, now=now)
        if len(windows) == 1:
            return day, day, windows[0][0], windows[0][1]
    except TimeInPast as err:
        past = err
    except InvalidInput:
        pass
    try:
        day = parse_wanted_day(
            clean, language=language, tz=tz, now=now, date_order=date_order(language)
        )
        return day, day, None, None
    except TimeInPast as err:
        past = past or err
    except InvalidInput:
        pass
    parts = _RANGE.split(clean, maxsplit=1)
    if len(parts) == 2:
        try:
            order = date_order(language)
            first = parse_wanted_day(parts[0], language=language, tz=tz, now=now, date_order=order)
            last = parse_wanted_day(parts[1], language=language, tz=tz, now=now, date_order=order)
            return first, last, None, None
        except TimeInPast as err:
            past = past or err
        except InvalidInput:
            pass
    raise past or UnreadableTimeOff(text=text)


def explain_error(tr: Translator, err: DomainError) -> str:
    """The error's message with weekdays and dates written for the reader."""
    params: dict[str, object] = dict(err.params)
    weekday = params.get("day_of_week")
    if isinstance(weekday, int):
        params["day_of_week"] = weekday_name(tr, weekday)
    for key in ("day", "first_day", "last_day", "when"):
        value = params.get(key)
        if isinstance(value, date):
            params[key] = format_day_short(value, tr.locale)
    return tr.t(err.msgid, **params)


# --- the week ------------------------------------------------------------------------------


def _compose(body: list[str], notice: str | None) -> str:
    text = "\n\n".join(part for part in body if part)
    return f"{notice}\n\n{text}" if notice else text


def week_text(
    tr: Translator,
    week: Sequence[WeeklyWindowView],
    timezone: str,
    notice: str | None = None,
    *,
    hint: bool = True,
) -> str:
    lines = [f"{weekday_name(tr, d)}: {windows_text(tr, _of_day(week, d))}" for d in WEEK_ORDER]
    title = tr.t("avail.week_title", zone=_zone(tr, timezone))
    return _compose([title, "\n".join(lines), tr.t("avail.week_hint") if hint else ""], notice)


def week_markup(tr: Translator) -> InlineKeyboardMarkup:
    days = [_b(weekday_name(tr, d, short=True), "day", str(d)) for d in WEEK_ORDER]
    layout = rows(days, 4)
    layout.append([_b(tr.t("avail.extra_button"), "ext")])
    return InlineKeyboardMarkup(layout)


# --- one weekday ---------------------------------------------------------------------------


def day_text(
    tr: Translator,
    weekday: int,
    week: Sequence[WeeklyWindowView],
    notice: str | None = None,
    *,
    hint: bool = True,
) -> str:
    name = weekday_name(tr, weekday)
    body = tr.t("avail.day", day=name, windows=windows_text(tr, _of_day(week, weekday)))
    lower = weekday_name(tr, weekday, in_sentence=True)
    return _compose([body, tr.t("avail.day_hint", day=lower) if hint else ""], notice)


def day_markup(tr: Translator, weekday: int) -> InlineKeyboardMarkup:
    d = str(weekday)
    return InlineKeyboardMarkup(
        [
            [_b(tr.t("avail.add_window"), "add", d), _b(tr.t("avail.clear_day"), "clr", d)],
            [_b(tr.t("avail.back_to_week"), "week")],
        ]
    )


def start_hours(tr: Translator, weekday: int) -> tuple[str, InlineKeyboardMarkup]:
    d = str(weekday)
    hours = [_b(f"{h:02d}:00", "st", d, str(h)) for h in START_HOURS]
    layout = [*rows(hours, 6), [_b(tr.t("avail.back"), "day", d)]]
    return tr.t("avail.pick_start", day=weekday_name(tr, weekday)), InlineKeyboardMarkup(layout)


def end_hours(tr: Translator, weekday: int, start: int) -> tuple[str, InlineKeyboardMarkup]:
    d = str(weekday)
    hours = [_b(f"{h:02d}:00", "put", d, str(start), str(h)) for h in range(start + 1, 25)]
    layout = [*rows(hours, 6), [_b(tr.t("avail.back"), "add", d)]]
    text = tr.t("avail.pick_end", day=weekday_name(tr, weekday), start=f"{start:02d}:00")
    return text, InlineKeyboardMarkup(layout)


# --- extra windows -------------------------------------------------------------------------


def _extra_day(tr: Translator, day: date, year: int | None) -> str:
    return format_day_short(day, tr.locale, with_year=year is not None and day.year != year)


def extra_text(
    tr: Translator,
    extra: Sequence[ExtraWindowView],
    notice: str | None = None,
    *,
    hint: bool = True,
    year: int | None = None,
) -> str:
    """The extra dates; one outside `year` (the current one) is written with its year."""
    lines = [f"• {_extra_day(tr, w.day, year)}: {window_text(w.start, w.end)}" for w in extra]
    listed = "\n".join(lines) if lines else tr.t("avail.extra_none")
    body = tr.t("avail.extra", windows=listed)
    return _compose([body, tr.t("avail.extra_hint") if hint else ""], notice)


def extra_markup(
    tr: Translator, extra: Sequence[ExtraWindowView], *, year: int | None = None
) -> InlineKeyboardMarkup:
    removes = [
        _b(
            tr.t("avail.remove", what=f"{_extra_day(tr, w.day, year)} {w.start:%H:%M}"),
            "rmx",
            uuid_arg(w.id),
        )
        for w in extra
    ]
    return InlineKeyboardMarkup([*rows(removes, 1), [_b(tr.t("avail.back_to_week"), "week")]])


# --- time off ------------------------------------------------------------------------------


def period_text(tr: Translator, starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """A time off as the professional reads it: whole days, or from-to times."""
    tz = ZoneInfo(timezone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if start.time() == time(0) and end.time() == time(0):
        first, last = start.date(), end.date() - timedelta(days=1)
        if first >= last:
            return format_day_short(first, tr.locale)
        return f"{format_day_short(first, tr.locale)} – {format_day_short(last, tr.locale)}"
    if start.date() == end.date():
        return f"{format_datetime(start, tr.locale, tz)}–{format_time(end, tr.locale, tz)}"
    return f"{format_datetime(start, tr.locale, tz)} – {format_datetime(end, tr.locale, tz)}"


def affected_text(
    tr: Translator, affected: Sequence[AffectedAppointment], timezone: str
) -> str | None:
    """The sessions inside a new time off, with what to do about them; None when there are none."""
    if not affected:
        return None
    lines = [
        tr.t(
            "timeoff.affected_line",
            when=format_datetime(a.starts_at, tr.locale, timezone),
            client=a.client_name,
            status=tr.t(STATUS_LABELS.get(a.status.value, STATUS_LABELS["confirmed"])),
        )
        for a in affected
    ]
    return tr.t("timeoff.affected", sessions="\n".join(lines))


def time_off_text(
    tr: Translator,
    items: Sequence[TimeOffView],
    timezone: str,
    notice: str | None = None,
    *,
    hint: bool = True,
) -> str:
    listed = "\n".join(
        f"• {period_text(tr, i.starts_at, i.ends_at, timezone)}"
        + (f" — {i.reason}" if i.reason else "")
        for i in items
    )
    body = tr.t("timeoff.list", items=listed) if items else tr.t("timeoff.none")
    return _compose([body, tr.t("timeoff.hint") if hint else ""], notice)


def time_off_markup(
    tr: Translator, items: Sequence[TimeOffView], timezone: str
) -> InlineKeyboardMarkup:
    def b(label: str, action: str, *args: str) -> InlineKeyboardButton:
        return button(TIME_OFF_NS, label, action, *args)

    quick = [
        b(tr.t("timeoff.today"), "add", "today"),
        b(tr.t("timeoff.tomorrow"), "add", "tomorrow"),
        b(tr.t("timeoff.this_week"), "add", "week"),
    ]
    removes = [
        b(
            tr.t("avail.remove", what=period_text(tr, i.starts_at, i.ends_at, timezone)),
            "rm",
            uuid_arg(i.id),
        )
        for i in items
    ]
    return InlineKeyboardMarkup([quick, *rows(removes, 1)])
