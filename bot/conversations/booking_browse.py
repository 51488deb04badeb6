"""Browsing free times in the booking conversation: the week calendar, a day's times, a
time typed in words, and the confirmation screen.

Each handler reads its subject from the pressed button (or, for typed text, from the
persisted draft), asks the core for free days or slots in the client's zone, and shows
the next screen in place of the pressed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import (
    ConversationHandler,
)

from bot import context
from bot.callbacks import arg_instant, parse
from bot.context import Ctx, alert, prefs_in, reply_text, translator_for
from bot.conversations.booking_calendar import (
    LOOKAHEAD_DAYS,
    arg_date,
    calendar,
    confirmation,
    day_slots,
    nearest_offer,
)
from bot.conversations.booking_render import (
    Subject,
    answer,
    show,
    week_start,
)
from bot.errors import reply_error
from bot.formatting import date_order
from bot.i18n import BUTTON_EXPIRED, N_
from core import errors
from core.db.uow import UnitOfWork
from core.services import booking_queries
from core.services import slots as slot_service
from core.services.booking_queries import AppointmentView
from core.services.slots import BookingProfile

__all__ = [
    "BROWSING",
    "DRAFT",
    "Target",
    "Week",
    "button_args",
    "confirmation_screen",
    "day_screen",
    "draft",
    "load",
    "on_day",
    "on_inert",
    "on_slot",
    "on_typed",
    "on_week",
    "read_week",
    "remember",
    "show_calendar",
    "show_week",
    "uid",
    "user_data",
]

BROWSING = 0
DRAFT = "booking"
# How far a calendar page may be asked for: past any booking horizon the core allows.
MAX_AHEAD = timedelta(days=400)

DAY_PAST = N_("booking.day.past")
DAY_FULL = N_("booking.day.full")


@dataclass(frozen=True)
class Target:
    """What a booking screen needs to know about its subject, and the reader's zone."""

    subject: Subject
    profile: BookingProfile
    moving: AppointmentView | None
    zone: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


def uid(update: Update) -> int:
    """The acting Telegram user."""
    assert update.effective_user is not None
    return update.effective_user.id


async def load(update: Update, ctx: Ctx, uow: UnitOfWork, subject: Subject) -> Target:
    """The professional (and the session being moved) behind a subject, in the reader's zone."""
    moving = None
    if subject.moving:
        moving = await booking_queries.get(uow, appointment_id=subject.id)
        pid = moving.professional_id
    else:
        pid = subject.id
    profile = await slot_service.booking_profile(uow, professional_id=pid)
    # The reader's zone, read in this transaction when not kept from an earlier update.
    chosen = (await prefs_in(update, ctx, uow)).timezone
    return Target(subject, profile, moving, chosen or profile.timezone)


def user_data(ctx: Ctx) -> dict[str, Any]:
    """This user's persisted data."""
    data = ctx.user_data
    assert data is not None  # private chats with a user: PTB always gives user_data
    return data  # type: ignore[no-any-return]


def remember(ctx: Ctx, subject: Subject, start: datetime | None = None) -> None:
    """Keep the subject (and the chosen start, while the contact is asked) for typed text."""
    saved: dict[str, Any] = {"subject": subject.arg()}
    if start is not None:
        saved["start"] = start.isoformat()
    user_data(ctx)[DRAFT] = saved


def draft(ctx: Ctx) -> tuple[Subject | None, datetime | None]:
    """The subject and chosen start kept by `remember` (None when missing)."""
    saved = user_data(ctx).get(DRAFT) or {}
    start = saved.get("start")
    return Subject.parse(saved.get("subject")), datetime.fromisoformat(start) if start else None


def button_args(update: Update) -> tuple[str | None, Subject | None]:
    """The first argument of a ``bk`` button and the subject it carries."""
    query = update.callback_query
    parsed = parse(query.data if query else None)
    if parsed is None:
        return None, None
    return parsed.arg(0), Subject.parse(parsed.arg(1))


# --- screens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    """A calendar page as read from the core: the subject, its first day and free counts."""

    target: Target
    first: date
    today: date
    counts: dict[date, int]
    now: datetime


async def read_week(
    update: Update, ctx: Ctx, uow: UnitOfWork, subject: Subject, first: date | None
) -> Week:
    """The week from `first` (this week when None, stale or absurd) in an open unit of work."""
    now = context.now(ctx)
    target = await load(update, ctx, uow, subject)
    tr = await translator_for(update, ctx)  # kept by load: weeks start as the reader counts
    today = now.astimezone(target.tz).date()
    this_week = week_start(today, tr.locale)
    if first is None or first < this_week or first > today + MAX_AHEAD:
        first = this_week
    counts = await slot_service.free_days(
        uow,
        professional_id=target.profile.id,
        now=now,
        first_day=first,
        last_day=first + timedelta(days=6 + LOOKAHEAD_DAYS),
        reader_tz=target.tz,
    )
    return Week(target, first, today, counts, now)


async def show_week(update: Update, ctx: Ctx, week: Week, *, edit: bool = True) -> int:
    """Show a week read by `read_week`, free days pressable."""
    tr = await translator_for(update, ctx)
    await answer(update)
    target = week.target
    screen = calendar(
        tr,
        subject=target.subject,
        profile=target.profile,
        moving=target.moving,
        first=week.first,
        today=week.today,
        counts=week.counts,
        zone=target.zone,
        now=week.now,
    )
    await show(update, ctx, screen.text, screen.markup, edit=edit)
    remember(ctx, target.subject)
    return BROWSING


async def show_calendar(
    update: Update, ctx: Ctx, subject: Subject, first: date | None, *, edit: bool = True
) -> int:
    """The week from `first` (this week when None, stale or absurd), free days pressable."""
    async with context.db(ctx).for_user(uid(update)) as uow:
        week = await read_week(update, ctx, uow, subject, first)
    return await show_week(update, ctx, week, edit=edit)


async def day_screen(
    update: Update,
    ctx: Ctx,
    subject: Subject,
    day: date,
    *,
    edit: bool = True,
    lead: str | None = None,
) -> int:
    """One day's free times as buttons, after `lead` when given (why we are here)."""
    now = context.now(ctx)
    async with context.db(ctx).for_user(uid(update)) as uow:
        target = await load(update, ctx, uow, subject)
        free = await slot_service.slots_on_day(
            uow, professional_id=target.profile.id, day=day, reader_tz=target.tz, now=now
        )
    tr = await translator_for(update, ctx)
    await answer(update)
    screen = day_slots(
        tr,
        subject=subject,
        profile=target.profile,
        day=day,
        slots=free,
        zone=target.zone,
        lead=lead,
    )
    await show(update, ctx, screen.text, screen.markup, edit=edit)
    remember(ctx, subject)
    return BROWSING


async def confirmation_screen(
    update: Update, ctx: Ctx, subject: Subject, start: datetime, *, edit: bool = True
) -> int:
    """What the client is about to book or move to, with Confirm and Back."""
    now = context.now(ctx)
    async with context.db(ctx).for_user(uid(update)) as uow:
        target = await load(update, ctx, uow, subject)
    tr = await translator_for(update, ctx)
    await answer(update)
    screen = confirmation(
        tr,
        subject=subject,
        profile=target.profile,
        moving=target.moving,
        start=start,
        zone=target.zone,
        now=now,
    )
    await show(update, ctx, screen.text, screen.markup, edit=edit)
    remember(ctx, subject)
    return BROWSING


# --- browsing -------------------------------------------------------------------------------


async def on_week(update: Update, ctx: Ctx) -> int | None:
    """bk:w: another week of the calendar."""
    first, subject = button_args(update)
    day = arg_date(first)
    if day is None or subject is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    return await show_calendar(update, ctx, subject, day)


async def on_day(update: Update, ctx: Ctx) -> int | None:
    """bk:d: that day's free times."""
    raw, subject = button_args(update)
    day = arg_date(raw)
    if day is None or subject is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    return await day_screen(update, ctx, subject, day)


async def on_inert(update: Update, ctx: Ctx) -> None:
    """bk:x: a day that cannot be pressed says why."""
    raw, _ = button_args(update)
    await alert(update, ctx, DAY_PAST if raw == "p" else DAY_FULL)


async def on_slot(update: Update, ctx: Ctx) -> int | None:
    """bk:s: the confirmation of that time."""
    raw, subject = button_args(update)
    start = arg_instant(raw)
    if start is None or subject is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    return await confirmation_screen(update, ctx, subject, start)


async def on_typed(update: Update, ctx: Ctx) -> int:
    """A day or time in words, at any step: its slot, the nearest ones, or that day's."""
    subject, _ = draft(ctx)
    message = update.effective_message
    if subject is None or message is None or not message.text:
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    now = context.now(ctx)
    try:
        async with context.db(ctx).for_user(uid(update)) as uow:
            target = await load(update, ctx, uow, subject)
            found = await slot_service.find_wanted(
                uow,
                professional_id=target.profile.id,
                text=message.text,
                language=tr.locale,
                date_order=date_order(tr.locale),
                reader_tz=target.tz,
                now=now,
            )
    except errors.InvalidInput as err:
        return await reply_error(update, ctx, err, state=BROWSING)  # type: ignore[no-any-return]
    if found.exact is not None:
        return await confirmation_screen(update, ctx, subject, found.exact, edit=False)
    if found.wanted is None:
        screen = day_slots(
            tr,
            subject=subject,
            profile=target.profile,
            day=found.day,
            slots=found.options,
            zone=target.zone,
        )
    else:
        screen = nearest_offer(
            tr,
            subject=subject,
            wanted=found.wanted,
            options=found.options,
            zone=target.zone,
            now=now,
            refusal=found.refusal,
        )
    await reply_text(update, ctx, screen.text, reply_markup=screen.markup)
    return BROWSING
