"""/availability (weekly windows, one-off extra hours) and /timeoff, by buttons or by typing.

A typed week ("seg-sex 9-12 14-18") replaces the whole week wherever it is typed; typed
hours on a weekday's screen ("9-12 14-18") replace that day; "25/12 9-12" on the extra
hours screen opens hours on a date. Buttons carry everything they need, so they work in
any state; a screen that invites typing puts the conversation in the matching state, and
a typed save ends it (so later chat text is not mistaken for hours).
"""

from __future__ import annotations

import logging
import uuid
import warnings
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import context
from bot.callbacks import arg_int, arg_uuid, matches, parse, register_namespace
from bot.context import Ctx, alert_text, reply_text, translator_for
from bot.conversations import availability_render as render
from bot.handlers.basics import cancel, end_conversations
from bot.i18n import Translator
from core.errors import DomainError
from core.scheduling.types import MIDNIGHT
from core.services import availability, follows, professionals
from core.validation import InvalidAvailability, parse_weekly_availability

log = logging.getLogger(__name__)

__all__ = ["build_availability", "build_time_off", "register"]

AVL = register_namespace(render.AVAILABILITY_NS, owner=__name__)
TOF = register_namespace(render.TIME_OFF_NS, owner=__name__)
WEEK, DAY, EXTRA = range(3)
OFF = 10
DRAFT = "availability"


# --- shared plumbing ---------------------------------------------------------------------


def _uid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _language(tr: Translator) -> str:
    return tr.locale.split("_")[0]


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as err:
        if "not modified" not in str(err).lower():
            raise


async def _week(ctx: Ctx, uid: int) -> tuple[list[availability.WeeklyWindowView], str]:
    async with context.db(ctx).for_user(uid) as uow:
        me = await professionals.get_me(uow)
        return await availability.list_week(uow), me.timezone


# --- /availability -----------------------------------------------------------------------


async def show_week(update: Update, ctx: Ctx) -> int:
    """/availability: the week, a button per day, and an invitation to type it."""
    end_conversations(ctx.application, update)
    tr = await translator_for(update, ctx)
    week, zone = await _week(ctx, _uid(update))
    await reply_text(
        update, ctx, render.week_text(tr, week, zone), reply_markup=render.week_markup(tr)
    )
    return WEEK


async def _announce_openings(ctx: Ctx, professional_id: uuid.UUID | None) -> None:
    """New hours: followers hear about them (the core limits it to once a day each)."""
    if professional_id is None:
        return
    try:
        async with context.db(ctx).system("openings") as uow:
            await follows.announce_openings(
                uow, professional_id=professional_id, now=context.now(ctx)
            )
            await uow.commit()
    except Exception:  # the hours are saved; a lost announcement must not spoil that
        log.exception("Could not announce new openings of %s", professional_id)


async def typed_week(update: Update, ctx: Ctx) -> int:
    """A whole week typed: replace every window."""
    assert update.effective_message is not None
    tr = await translator_for(update, ctx)
    try:
        windows = parse_weekly_availability(update.effective_message.text or "")
        async with context.db(ctx).for_user(_uid(update)) as uow:
            week = await availability.replace_week(uow, windows=windows)
            zone = (await professionals.get_me(uow)).timezone
            await uow.commit()
    except DomainError as err:
        await reply_text(update, ctx, render.explain_error(tr, err))
        return WEEK
    await _announce_openings(ctx, uow.professional_id)
    notice = tr.t("avail.week_saved")
    text = render.week_text(tr, week, zone, notice, hint=False)
    await reply_text(update, ctx, text, reply_markup=render.week_markup(tr))
    return ConversationHandler.END


async def typed_day(update: Update, ctx: Ctx) -> int:
    """Hours typed on a weekday's screen replace that day (a typed week replaces the week)."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    try:
        parse_weekly_availability(text)
    except InvalidAvailability:
        pass
    else:
        return await typed_week(update, ctx)
    tr = await translator_for(update, ctx)
    weekday = int((ctx.user_data.get(DRAFT) or {}).get("day", 1))  # type: ignore[union-attr]
    try:
        windows = render.day_windows(text, weekday)
        async with context.db(ctx).for_user(_uid(update)) as uow:
            week = await availability.set_day(uow, day_of_week=weekday, windows=windows)
            await uow.commit()
    except DomainError as err:
        await reply_text(update, ctx, render.explain_error(tr, err))
        return DAY
    await _announce_openings(ctx, uow.professional_id)
    notice = tr.t("avail.day_saved")
    text = render.day_text(tr, weekday, week, notice, hint=False)
    await reply_text(update, ctx, text, reply_markup=render.day_markup(tr, weekday))
    return ConversationHandler.END


async def typed_extra(update: Update, ctx: Ctx) -> int:
    """ "25/12 9-12": open extra hours on a date."""
    assert update.effective_message is not None
    tr = await translator_for(update, ctx)
    now = context.now(ctx)
    try:
        async with context.db(ctx).for_user(_uid(update)) as uow:
            tz = ZoneInfo((await professionals.get_me(uow)).timezone)
            day, windows = render.dated_windows(
                update.effective_message.text or "", language=_language(tr), tz=tz, now=now
            )
            for start, end in windows:
                await availability.add_extra_window(uow, day=day, start=start, end=end, now=now)
            extra = await availability.list_extra_windows(uow, now=now)
            await uow.commit()
    except DomainError as err:
        await reply_text(update, ctx, render.explain_error(tr, err))
        return EXTRA
    await _announce_openings(ctx, uow.professional_id)
    notice = tr.t("avail.extra_saved")
    year = now.astimezone(tz).year
    text = render.extra_text(tr, extra, notice, hint=False, year=year)
    await reply_text(update, ctx, text, reply_markup=render.extra_markup(tr, extra, year=year))
    return ConversationHandler.END


async def pressed(update: Update, ctx: Ctx) -> int:
    """Every button of the availability screens."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    parsed = parse(query.data)
    tr = await translator_for(update, ctx)
    uid, now = _uid(update), context.now(ctx)
    action = parsed.action if parsed else "week"
    args = [arg_int(a) for a in parsed.args] if parsed else []
    weekday = args[0] if args and args[0] is not None and 0 <= args[0] <= 6 else None
    if action == "ext" or action == "rmx":
        async with context.db(ctx).for_user(uid) as uow:
            window_id = arg_uuid(parsed.arg(0)) if parsed else None
            if action == "rmx" and window_id is not None:
                await availability.remove_extra_window(uow, window_id=window_id)
            extra = await availability.list_extra_windows(uow, now=now)
            await uow.commit()
        year = now.astimezone(ZoneInfo(await context.user_tz(update, ctx))).year
        await _edit(
            update,
            render.extra_text(tr, extra, year=year),
            render.extra_markup(tr, extra, year=year),
        )
        return EXTRA
    if weekday is None or action == "week":
        week, zone = await _week(ctx, uid)
        await _edit(update, render.week_text(tr, week, zone), render.week_markup(tr))
        return WEEK
    ctx.user_data[DRAFT] = {"day": weekday}  # type: ignore[index]
    if action == "add":
        await _edit(update, *render.start_hours(tr, weekday))
        return DAY
    hours = [h for h in args[1:] if h is not None and 0 <= h <= 24]
    if action == "st" and len(hours) == 1 and hours[0] < 24:
        await _edit(update, *render.end_hours(tr, weekday, hours[0]))
        return DAY
    notice = None
    opened = False
    async with context.db(ctx).for_user(uid) as uow:
        week = await availability.list_week(uow)
        if action == "clr":
            week = await availability.clear_day(uow, day_of_week=weekday)
            notice = tr.t("avail.day_cleared")
        elif action == "put" and len(hours) == 2 and hours[0] < hours[1]:
            added = (time(hours[0]), MIDNIGHT if hours[1] == 24 else time(hours[1]))
            current = [(w.start, w.end) for w in week if w.weekday == weekday]
            try:
                week = await availability.set_day(
                    uow, day_of_week=weekday, windows=[*current, added]
                )
                notice = tr.t("avail.window_added", window=render.window_text(*added))
                opened = True
            except DomainError as err:
                notice = f"⚠️ {render.explain_error(tr, err)}"
        await uow.commit()
    if opened:
        await _announce_openings(ctx, uow.professional_id)
    await _edit(update, render.day_text(tr, weekday, week, notice), render.day_markup(tr, weekday))
    return DAY


# --- /timeoff ----------------------------------------------------------------------------


async def _time_off_list(ctx: Ctx, uid: int) -> tuple[list[availability.TimeOffView], str]:
    async with context.db(ctx).for_user(uid) as uow:
        me = await professionals.get_me(uow)
        return await availability.list_time_off(uow, now=context.now(ctx)), me.timezone


async def show_time_off(update: Update, ctx: Ctx) -> int:
    """/timeoff: upcoming time off with Remove buttons, quick days, and typing dates."""
    end_conversations(ctx.application, update)
    tr = await translator_for(update, ctx)
    items, zone = await _time_off_list(ctx, _uid(update))
    text = render.time_off_text(tr, items, zone)
    await reply_text(update, ctx, text, reply_markup=render.time_off_markup(tr, items, zone))
    return OFF


async def _add_time_off(
    update: Update, ctx: Ctx, tr: Translator, period: render.Period
) -> tuple[str, InlineKeyboardMarkup]:
    """Add time off and return the list, headed by what was added and the sessions inside."""
    first, last, start, end = period
    async with context.db(ctx).for_user(_uid(update)) as uow:
        zone = (await professionals.get_me(uow)).timezone
        added = await availability.add_time_off(
            uow, first_day=first, last_day=last, start=start, end=end, now=context.now(ctx)
        )
        items = await availability.list_time_off(uow, now=context.now(ctx))
        await uow.commit()
    notice = tr.t(
        "timeoff.added", period=render.period_text(tr, added.starts_at, added.ends_at, zone)
    )
    affected = render.affected_text(tr, added.affected, zone)
    if affected:
        notice = f"{notice}\n\n{affected}"
    text = render.time_off_text(tr, items, zone, notice, hint=False)
    return text, render.time_off_markup(tr, items, zone)


async def typed_time_off(update: Update, ctx: Ctx) -> int:
    """Dates typed on the /timeoff screen: "25/12", "24/12 a 02/01", "amanhã 14-18"."""
    assert update.effective_message is not None
    tr = await translator_for(update, ctx)
    now = context.now(ctx)
    try:
        async with context.db(ctx).for_user(_uid(update)) as uow:
            tz = ZoneInfo((await professionals.get_me(uow)).timezone)
        period = render.time_off_period(
            update.effective_message.text or "", language=_language(tr), tz=tz, now=now
        )
        text, markup = await _add_time_off(update, ctx, tr, period)
    except DomainError as err:
        await reply_text(update, ctx, render.explain_error(tr, err))
        return OFF
    await reply_text(update, ctx, text, reply_markup=markup)
    return ConversationHandler.END


async def pressed_time_off(update: Update, ctx: Ctx) -> int:
    """Today / Tomorrow / This week, and Remove."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    parsed = parse(query.data)
    tr = await translator_for(update, ctx)
    uid = _uid(update)
    if parsed is not None and parsed.action == "add":
        async with context.db(ctx).for_user(uid) as uow:
            zone = (await professionals.get_me(uow)).timezone
        today = context.now(ctx).astimezone(ZoneInfo(zone)).date()
        first = today + timedelta(days=1) if parsed.arg(0) == "tomorrow" else today
        last = today + timedelta(days=6 - today.weekday()) if parsed.arg(0) == "week" else first
        try:
            text, markup = await _add_time_off(update, ctx, tr, (first, last, None, None))
        except DomainError as err:
            await alert_text(update, ctx, render.explain_error(tr, err))
            return ConversationHandler.END
        await _edit(update, text, markup)
        return ConversationHandler.END
    time_off_id = arg_uuid(parsed.arg(0)) if parsed is not None and parsed.action == "rm" else None
    if time_off_id is not None:
        async with context.db(ctx).for_user(uid) as uow:
            await availability.remove_time_off(uow, time_off_id=time_off_id)
            await uow.commit()
    items, zone = await _time_off_list(ctx, uid)
    notice = tr.t("timeoff.removed") if time_off_id is not None else None
    text = render.time_off_text(tr, items, zone, notice)
    await _edit(update, text, render.time_off_markup(tr, items, zone))
    return OFF


# --- wiring ------------------------------------------------------------------------------


def _conversation(**kwargs: Any) -> ConversationHandler[Any]:
    with warnings.catch_warnings():
        # Buttons are tracked per chat on purpose: the screen belongs to the person.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(persistent=True, allow_reentry=True, **kwargs)


def build_availability() -> ConversationHandler[Any]:
    text = filters.TEXT & ~filters.COMMAND
    return _conversation(
        entry_points=[
            CommandHandler("availability", show_week),
            CallbackQueryHandler(pressed, pattern=matches(AVL)),
        ],
        states={
            WEEK: [MessageHandler(text, typed_week)],
            DAY: [MessageHandler(text, typed_day)],
            EXTRA: [MessageHandler(text, typed_extra)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name="availability",
    )


def build_time_off() -> ConversationHandler[Any]:
    return _conversation(
        entry_points=[
            CommandHandler("timeoff", show_time_off),
            CallbackQueryHandler(pressed_time_off, pattern=matches(TOF)),
        ],
        states={OFF: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_time_off)]},
        fallbacks=[CommandHandler("cancel", cancel)],
        name="timeoff",
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /availability and /timeoff."""
    application.add_handler(build_availability())
    application.add_handler(build_time_off())
