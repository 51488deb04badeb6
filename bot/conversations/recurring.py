"""/recurring: weekly, every-two-weeks or twice-weekly sessions for a client.

Setting one up: client (buttons, or type a name; preselected from a client card) ->
frequency -> weekday(s) -> time typed ("14h", "14:00") -> start date (buttons, or typed)
-> the core creates the series and books its occurrences; the reply lists the sessions
booked and the ones skipped, with the reason. The list offers Pause (which cancels the
series' upcoming sessions, so it asks first), Resume and Delete (sessions already booked
are kept).

Callback data (namespace "rc"): ``new[:<client>]`` start, ``cl:<client>`` client,
``f:<frequency>``, ``d:<weekday 0=Sunday>``, ``st:<yyyymmdd>`` start date, ``ls`` the
list, ``pa``/``py`` pause (ask/do), ``re`` resume, ``de``/``dy`` delete (ask/do), each with
``:<schedule>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import arg_int, arg_uuid, expired_button, matches, register_namespace, uuid_arg
from bot.context import Ctx, db, now, reply_text, translator_for
from bot.conversations.clients_render import (
    button,
    callback,
    client_rows,
    conversation,
    edit,
    keyboard,
    leave_elsewhere,
    leave_others,
    user_id,
)
from bot.conversations.recurring_render import (
    FREQUENCIES,
    RECURRING_NS,
    list_screen,
    report_text,
    rule_text,
    weekday_name,
)
from bot.formatting import babel_locale, date_order, format_date, format_day_short
from bot.i18n import N_, Translator
from core.errors import NotFound
from core.models import Frequency
from core.scheduling.timeparse import parse_wanted_day
from core.scheduling.types import schema_weekday
from core.services import clients, professionals, recurring
from core.services.recurring import ScheduleView
from core.validation import parse_time_of_day

__all__ = ["NS", "build", "register"]

NS = register_namespace(RECURRING_NS, owner=__name__)
CLIENT, FREQUENCY, DAY, SECOND_DAY, TIME, START = range(6)
DRAFT = "practice.recurring"
CLIENTS_SHOWN = 10


# --- the list -------------------------------------------------------------------------------


async def _schedules(update: Update, ctx: Ctx) -> list[ScheduleView]:
    async with db(ctx).for_user(user_id(update)) as uow:
        return await recurring.list_schedules(uow)


async def recurring_command(update: Update, ctx: Ctx) -> None:
    """/recurring: the series, with Pause / Resume / Delete and New."""
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        await professionals.get_me(uow)  # a client is told this screen is for professionals
        schedules = await recurring.list_schedules(uow)
    text, markup = list_screen(tr, schedules)
    await reply_text(update, ctx, text, reply_markup=markup)


async def _find(update: Update, ctx: Ctx, schedule_id: uuid.UUID) -> ScheduleView:
    for s in await _schedules(update, ctx):
        if s.id == schedule_id:
            return s
    raise NotFound(entity="recurring_schedule")


async def list_pressed(update: Update, ctx: Ctx) -> None:
    query, _cb = callback(update)
    tr = await translator_for(update, ctx)
    text, markup = list_screen(tr, await _schedules(update, ctx))
    await query.answer()
    await edit(update, ctx, text, markup)


async def schedule_pressed(update: Update, ctx: Ctx) -> None:
    """Pause / Resume / Delete; pausing and deleting ask first."""
    query, cb = callback(update)
    schedule_id = arg_uuid(cb.arg(0))
    if schedule_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    arg, back = uuid_arg(schedule_id), button(tr.t("recurring.button.back"), NS, "ls")
    if cb.action in ("pa", "de"):
        s = await _find(update, ctx, schedule_id)
        ask, yes = (
            (N_("recurring.pause.ask"), N_("recurring.button.pause_yes"))
            if cb.action == "pa"
            else (N_("recurring.delete.ask"), N_("recurring.button.delete_yes"))
        )
        await query.answer()
        confirm = button(tr.t(yes), NS, "py" if cb.action == "pa" else "dy", arg)
        await edit(
            update,
            ctx,
            tr.t(ask, client=s.client_name, rule=rule_text(tr, s)),
            keyboard([[confirm], [back]]),
        )
        return
    at = now(ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        tz = (await professionals.get_me(uow)).timezone
        if cb.action == "py":
            paused = await recurring.pause(uow, schedule_id=schedule_id, now=at)
            note = tr.t(
                "recurring.paused_done",
                client=paused.schedule.client_name,
                count=len(paused.cancelled),
            )
        elif cb.action == "re":
            resumed = await recurring.resume(uow, schedule_id=schedule_id, now=at)
            report = await recurring.materialize(uow, schedule_id=schedule_id, now=at)
            note = tr.t("recurring.resumed", client=resumed.client_name)
            note += "\n" + report_text(tr, report, tz)
        else:
            await recurring.delete_schedule(uow, schedule_id=schedule_id)
            note = tr.t("recurring.deleted")
        schedules = await recurring.list_schedules(uow)
        await uow.commit()
    await query.answer()
    text, markup = list_screen(tr, schedules, note)
    await edit(update, ctx, text, markup)


# --- setting one up -------------------------------------------------------------------------


def _draft(ctx: Ctx) -> dict[str, Any]:
    draft: dict[str, Any] = ctx.user_data.setdefault(DRAFT, {})  # type: ignore[union-attr]
    return draft


def _typed(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message else ""


async def new_pressed(update: Update, ctx: Ctx) -> int:
    """Start a series, for the client of the card it was pressed on if any."""
    query, cb = callback(update)
    leave_others(update, ctx)
    tr = await translator_for(update, ctx)
    client_id = arg_uuid(cb.arg(0))
    async with db(ctx).for_user(user_id(update)) as uow:
        tz = (await professionals.get_me(uow)).timezone
        card = None
        if client_id is not None:
            card = await clients.client_card(uow, client_id=client_id, now=now(ctx))
        found = [] if card else await clients.list_clients(uow, limit=CLIENTS_SHOWN)
    ctx.user_data[DRAFT] = {"tz": tz}  # type: ignore[index]
    await query.answer()
    if card is not None:
        return await _chosen(update, ctx, tr, card.client.id, card.client.name)
    return await _ask_client(update, ctx, tr, found)


async def _ask_client(update: Update, ctx: Ctx, tr: Translator, found: list[Any]) -> int:
    text = tr.t("recurring.ask.client") if found else tr.t("recurring.ask.no_clients")
    await reply_text(update, ctx, text, reply_markup=keyboard(client_rows(found, NS, "cl")))
    return CLIENT


async def typed_client(update: Update, ctx: Ctx) -> int:
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        found = await clients.list_clients(uow, search=_typed(update), limit=CLIENTS_SHOWN)
    if len(found) == 1:
        return await _chosen(update, ctx, tr, found[0].id, found[0].name)
    if not found:
        await reply_text(update, ctx, tr.t("clients.list.no_match"))
        return CLIENT
    return await _ask_client(update, ctx, tr, found)


async def client_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    client_id = arg_uuid(cb.arg(0))
    if client_id is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        card = await clients.client_card(uow, client_id=client_id, now=now(ctx))
    await query.answer()
    return await _chosen(update, ctx, tr, card.client.id, card.client.name)


async def _chosen(update: Update, ctx: Ctx, tr: Translator, client_id: uuid.UUID, name: str) -> int:
    _draft(ctx).update(client=str(client_id), client_name=name)
    return await _ask_frequency(update, ctx, tr)


async def _ask_frequency(update: Update, ctx: Ctx, tr: Translator) -> int:
    rows = [[button(tr.t(label), NS, "f", key)] for key, (_f, label) in FREQUENCIES.items()]
    name = _draft(ctx).get("client_name", "")
    await reply_text(
        update, ctx, tr.t("recurring.ask.frequency", client=name), reply_markup=keyboard(rows)
    )
    return FREQUENCY


async def frequency_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    if cb.arg(0) not in FREQUENCIES:
        await expired_button(update, ctx)
        return FREQUENCY
    _draft(ctx)["frequency"] = FREQUENCIES[cb.arg(0) or "w"][0].value
    await query.answer()
    return await _ask_day(update, ctx, await translator_for(update, ctx), DAY)


async def _ask_day(update: Update, ctx: Ctx, tr: Translator, step: int) -> int:
    first = babel_locale(tr.locale).first_week_day  # 0 = Monday
    order = [(first + i + 1) % 7 for i in range(7)]  # as schema weekdays (0 = Sunday)
    taken = _draft(ctx).get("day")
    buttons = [
        button(weekday_name(tr, d), NS, "d", str(d)) for d in order if step == DAY or d != taken
    ]
    msgid = N_("recurring.ask.day") if step == DAY else N_("recurring.ask.second_day")
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    await reply_text(update, ctx, tr.t(msgid), reply_markup=keyboard(rows))
    return step


async def day_pressed(update: Update, ctx: Ctx) -> int:
    return await _day(update, ctx, DAY)


async def second_day_pressed(update: Update, ctx: Ctx) -> int:
    return await _day(update, ctx, SECOND_DAY)


async def _day(update: Update, ctx: Ctx, step: int) -> int:
    query, cb = callback(update)
    day = arg_int(cb.arg(0))
    draft = _draft(ctx)
    if day is None or not 0 <= day <= 6:
        await expired_button(update, ctx)
        return step
    await query.answer()
    tr = await translator_for(update, ctx)
    if step == SECOND_DAY:
        draft["day2"] = day
    else:
        draft["day"] = day
        if draft.get("frequency") == Frequency.twice_weekly.value:
            return await _ask_day(update, ctx, tr, SECOND_DAY)
    await reply_text(update, ctx, tr.t("recurring.ask.time"))
    return TIME


async def use_buttons(update: Update, ctx: Ctx) -> None:
    """Typed where a button is expected: point at the buttons above."""
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, tr.t("recurring.use_buttons"))


async def typed_time(update: Update, ctx: Ctx) -> int:
    at = parse_time_of_day(_typed(update))
    draft = _draft(ctx)
    draft["time"] = at.strftime("%H:%M")
    tr = await translator_for(update, ctx)
    today = now(ctx).astimezone(ZoneInfo(draft["tz"])).date()
    first = today + timedelta(days=(draft["day"] - schema_weekday(today)) % 7)
    options = [first, first + timedelta(days=7)]
    rows = [
        [
            button(
                tr.t("recurring.button.start", day=format_day_short(d, tr.locale)),
                NS,
                "st",
                f"{d:%Y%m%d}",
            )
        ]
        for d in options
    ]
    await reply_text(update, ctx, tr.t("recurring.ask.start"), reply_markup=keyboard(rows))
    return START


async def start_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    try:
        starts_on = datetime.strptime(cb.arg(0) or "", "%Y%m%d").date()
    except ValueError:
        await expired_button(update, ctx)
        return START
    await query.answer()
    return await _create(update, ctx, starts_on)


async def typed_start(update: Update, ctx: Ctx) -> int:
    tr = await translator_for(update, ctx)
    zone = ZoneInfo(_draft(ctx)["tz"])
    day = parse_wanted_day(
        _typed(update),
        language=tr.locale,
        tz=zone,
        now=now(ctx),
        date_order=date_order(tr.locale),
    )
    return await _create(update, ctx, day)


async def _create(update: Update, ctx: Ctx, starts_on: date) -> int:
    draft = _draft(ctx)
    tr = await translator_for(update, ctx)
    at = now(ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        schedule = await recurring.create_schedule(
            uow,
            client_id=uuid.UUID(draft["client"]),
            frequency=draft["frequency"],
            day_of_week=draft["day"],
            second_day_of_week=draft.get("day2"),
            time=datetime.strptime(draft["time"], "%H:%M").time(),
            starts_on=starts_on,
            now=at,
        )
        report = await recurring.materialize(uow, schedule_id=schedule.id, now=at)
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    head = tr.t(
        "recurring.created",
        client=schedule.client_name,
        rule=rule_text(tr, schedule),
        start=format_date(schedule.starts_on, tr.locale),
    )
    body = report_text(tr, report, draft["tz"])
    await reply_text(
        update,
        ctx,
        f"{head}\n\n{body}",
        reply_markup=keyboard([[button(tr.t("recurring.button.list"), NS, "ls")]]),
    )
    return ConversationHandler.END


async def other_button(update: Update, ctx: Ctx) -> int:
    """A list button pressed mid-setup leaves the setup and does its own job."""
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    _query, cb = callback(update)
    handler = _STANDALONE.get(cb.action)
    if handler is None:
        await expired_button(update, ctx)
    else:
        await handler(update, ctx)
    return ConversationHandler.END


_STANDALONE: dict[str, Callable[[Update, Ctx], Coroutine[Any, Any, None]]] = {
    "ls": list_pressed,
    **{action: schedule_pressed for action in ("pa", "py", "re", "de", "dy")},
}


def build() -> ConversationHandler[Any]:
    """Setting up a series (persistent)."""
    text = filters.TEXT & ~filters.COMMAND
    buttons_only = MessageHandler(text, use_buttons)
    return conversation(
        "practice-recurring",
        entry_points=[CallbackQueryHandler(new_pressed, pattern=matches(NS, "new"))],
        states={
            CLIENT: [
                MessageHandler(text, typed_client),
                CallbackQueryHandler(client_pressed, pattern=matches(NS, "cl")),
            ],
            FREQUENCY: [
                CallbackQueryHandler(frequency_pressed, pattern=matches(NS, "f")),
                buttons_only,
            ],
            DAY: [CallbackQueryHandler(day_pressed, pattern=matches(NS, "d")), buttons_only],
            SECOND_DAY: [
                CallbackQueryHandler(second_day_pressed, pattern=matches(NS, "d")),
                buttons_only,
            ],
            TIME: [MessageHandler(text, typed_time)],
            START: [
                CallbackQueryHandler(start_pressed, pattern=matches(NS, "st")),
                MessageHandler(text, typed_start),
            ],
        },
        fallbacks=[CallbackQueryHandler(other_button, pattern=matches(NS))],
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /recurring and its buttons."""
    conv = build()
    application.add_handler(conv)
    leave_elsewhere(application, conv, NS)
    for action, handler in _STANDALONE.items():
        application.add_handler(CallbackQueryHandler(handler, pattern=matches(NS, action)))
    application.add_handler(CommandHandler("recurring", recurring_command))
