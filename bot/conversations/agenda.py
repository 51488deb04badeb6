"""/agenda: the professional's sessions by day and by week, in their own time zone.

A day or a week is one message, redrawn in place as the professional moves around
(Today / This week / Next week, ◀ ▶). Sessions that have started and still need a result
get Completed / No-show buttons; tapping an upcoming session opens its card with what the
core allows now (confirm or decline a request, cancel with a reason, reschedule by typing
a time). The core decides every rule: a button pressed too early, or on a session that
changed meanwhile, is refused by it with its reason.

Callback data (namespace "ag"): ``ag:v:<view>`` shows a view; ``ag:s:<id>:<view>`` a
session card; ``ag:ok`` / ``ag:ns`` mark completed / no-show; ``ag:cx`` and ``ag:rs`` start
cancelling and rescheduling (``ag:cn`` cancels without a reason, ``ag:mv:<id>:<instant>``
moves). ``<view>`` is ``d`` (today), ``w`` (this week), ``n`` (next week), or ``d``/``w``
plus a date (``d20261125``), so that Back returns where the professional was.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import (
    arg_instant,
    arg_uuid,
    expired_button,
    instant_arg,
    matches,
    register_namespace,
    uuid_arg,
)
from bot.context import Ctx, db, now, reply_text, translator_for
from bot.conversations.agenda_render import (
    AGENDA_NS,
    THIS_WEEK,
    TODAY,
    agenda_keyboard,
    agenda_text,
    card_keyboard,
    card_text,
    local_day,
    resolve,
)
from bot.conversations.clients_render import (
    button,
    callback,
    conversation,
    edit,
    edit_message,
    keyboard,
    leave_elsewhere,
    leave_others,
    user_id,
)
from bot.conversations.practice_booking import nearest_text
from bot.errors import reply_error
from bot.formatting import date_order, format_date, format_datetime, format_time
from bot.i18n import Translator
from core.errors import NotFound, SlotTaken
from core.models import RecipientType
from core.services import booking, professionals, slots
from core.services.booking_errors import IllegalTransition
from core.services.booking_queries import AppointmentView, BookingItem

__all__ = ["NS", "build", "register"]

NS = register_namespace(AGENDA_NS, owner=__name__)
CANCEL_REASON, NEW_TIME = range(2)
DRAFT = "practice.agenda"
OPTIONS_SHOWN = 12


async def _screen(
    update: Update, ctx: Ctx, tr: Translator, arg: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    at = now(ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        me = await professionals.get_me(uow)
        screen = resolve(arg, at.astimezone(ZoneInfo(me.timezone)).date(), tr.locale)
        items = await booking.agenda(uow, first_day=screen.first, last_day=screen.last, now=at)
    return agenda_text(tr, screen, items), agenda_keyboard(tr, screen, items)


async def agenda_command(update: Update, ctx: Ctx) -> None:
    """/agenda: this week, today marked; ``/agenda today`` for the day alone."""
    tr = await translator_for(update, ctx)
    wanted = THIS_WEEK
    if ctx.args and ctx.args[0].lower() in ("today", "hoje", "hoy"):
        wanted = TODAY
    text, markup = await _screen(update, ctx, tr, wanted)
    await reply_text(update, ctx, text, reply_markup=markup)


async def view_pressed(update: Update, ctx: Ctx) -> None:
    query, cb = callback(update)
    tr = await translator_for(update, ctx)
    text, markup = await _screen(update, ctx, tr, cb.arg(0))
    await query.answer()
    await edit(update, ctx, text, markup)


# --- one session ----------------------------------------------------------------------------


async def _item(update: Update, ctx: Ctx, appointment_id: uuid.UUID) -> BookingItem:
    """The session as the agenda lists it, with the actions open now."""
    at = now(ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.get(uow, appointment_id=appointment_id)
        day = local_day(view)
        items = await booking.agenda(uow, first_day=day, last_day=day, now=at)
    for item in items:
        if item.appointment.id == appointment_id:
            return item
    return BookingItem(appointment=view, actions=())


async def session_pressed(update: Update, ctx: Ctx) -> None:
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    item = await _item(update, ctx, appointment_id)
    await query.answer()
    await edit(update, ctx, card_text(tr, item), card_keyboard(tr, item, cb.arg(1) or TODAY))


async def result_pressed(update: Update, ctx: Ctx) -> None:
    """Completed (ag:ok) or No-show (ag:ns); the core refuses one before the start."""
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        if cb.action == "ok":
            view = await booking.complete(uow, appointment_id=appointment_id, now=now(ctx))
            done = tr.t("agenda.marked_completed", client=view.client_name)
        else:
            view = await booking.no_show(uow, appointment_id=appointment_id, now=now(ctx))
            done = tr.t("agenda.marked_no_show", client=view.client_name)
        await uow.commit()
    await query.answer(done)
    text, markup = await _screen(update, ctx, tr, cb.arg(1))
    await edit(update, ctx, text, markup)


# --- cancel and reschedule ------------------------------------------------------------------


def _draft(ctx: Ctx) -> dict[str, Any] | None:
    found: dict[str, Any] | None = ctx.user_data.get(DRAFT)  # type: ignore[union-attr]
    return found


async def _begin(update: Update, ctx: Ctx) -> tuple[AppointmentView, str] | None:
    """Remember which session is being changed and from which message."""
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return None
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.get(uow, appointment_id=appointment_id)
    leave_others(update, ctx)
    message = query.message
    back = cb.arg(1) or TODAY
    ctx.user_data[DRAFT] = {  # type: ignore[index]
        "appointment": str(appointment_id),
        "view": back,
        "chat": message.chat.id if message else user_id(update),
        "message": message.message_id if message else 0,
    }
    await query.answer()
    return view, back


async def cancel_pressed(update: Update, ctx: Ctx) -> int:
    begun = await _begin(update, ctx)
    if begun is None:
        return ConversationHandler.END
    view, back = begun
    tr = await translator_for(update, ctx)
    arg = uuid_arg(view.id)
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await edit(
        update,
        ctx,
        tr.t("agenda.cancel.ask", client=view.client_name, when=when),
        keyboard(
            [
                [button(tr.t("agenda.button.cancel_no_reason"), NS, "cn", arg, back)],
                [button(tr.t("agenda.button.keep"), NS, "s", arg, back)],
            ]
        ),
    )
    return CANCEL_REASON


async def typed_cancel_reason(update: Update, ctx: Ctx) -> object:
    message = update.effective_message
    return await _cancel(update, ctx, message.text if message else None)


async def cancel_without_reason(update: Update, ctx: Ctx) -> object:
    return await _cancel(update, ctx, None)


async def _redraw_origin(update: Update, ctx: Ctx, tr: Translator, draft: dict[str, Any]) -> None:
    if draft.get("message"):
        text, markup = await _screen(update, ctx, tr, draft.get("view"))
        await edit_message(ctx, draft["chat"], draft["message"], text, markup)


async def _cancel(update: Update, ctx: Ctx, reason: str | None) -> object:
    draft = _draft(ctx)
    if draft is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    try:
        async with db(ctx).for_user(user_id(update)) as uow:
            view = await booking.cancel(
                uow, appointment_id=uuid.UUID(draft["appointment"]), now=now(ctx), reason=reason
            )
            await uow.commit()
    except (IllegalTransition, NotFound) as err:
        # Nothing left to cancel: say why and leave, rather than ask for a reason again.
        ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
        return await reply_error(update, ctx, err, state=ConversationHandler.END)
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    if update.callback_query is not None:
        await update.callback_query.answer()
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await reply_text(update, ctx, tr.t("agenda.cancelled", client=view.client_name, when=when))
    await _redraw_origin(update, ctx, tr, draft)
    return ConversationHandler.END


async def reschedule_pressed(update: Update, ctx: Ctx) -> int:
    begun = await _begin(update, ctx)
    if begun is None:
        return ConversationHandler.END
    view, back = begun
    tr = await translator_for(update, ctx)
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await edit(
        update,
        ctx,
        tr.t("agenda.reschedule.ask", client=view.client_name, when=when),
        keyboard([[button(tr.t("agenda.button.keep_time"), NS, "s", uuid_arg(view.id), back)]]),
    )
    return NEW_TIME


async def typed_new_time(update: Update, ctx: Ctx) -> int:
    """Read the typed time with the core's parser and offer the free slots it names."""
    draft = _draft(ctx)
    message = update.effective_message
    if draft is None or message is None or not message.text:
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    appointment_id = uuid.UUID(draft["appointment"])
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.get(uow, appointment_id=appointment_id)
        tz = ZoneInfo(view.timezone)
        found = await slots.find_wanted(
            uow,
            professional_id=view.professional_id,
            text=message.text,
            language=tr.locale,
            date_order=date_order(tr.locale),
            reader_tz=tz,
            now=now(ctx),
            side=RecipientType.professional,
        )
    loc = tr.locale
    if found.exact is not None:
        text = tr.t("agenda.reschedule.exact", when=format_datetime(found.exact, loc, tz))
        options: tuple[datetime, ...] = (found.exact,)
    elif not found.options:
        text = tr.t("agenda.reschedule.nothing")
        options = ()
    elif found.only_day:
        text = tr.t("agenda.reschedule.day", day=format_date(found.day, loc))
        options = found.options[:OPTIONS_SHOWN]
    elif found.refusal is not None and not isinstance(found.refusal, SlotTaken):
        assert found.wanted is not None
        text = nearest_text(tr, found.wanted, found.refusal, tz)
        options = found.options
    else:
        assert found.wanted is not None
        text = tr.t("agenda.reschedule.nearest", when=format_datetime(found.wanted, loc, tz))
        options = found.options
    arg, back = uuid_arg(appointment_id), draft["view"]
    labels = [
        format_time(s, loc, tz) if found.only_day else format_datetime(s, loc, tz) for s in options
    ]
    buttons = [
        button(f"✓ {label}", NS, "mv", arg, instant_arg(s))
        for label, s in zip(labels, options, strict=True)
    ]
    width = 3 if found.only_day else 1
    rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    rows.append([button(tr.t("agenda.button.keep_time"), NS, "s", arg, back)])
    await reply_text(update, ctx, text, reply_markup=keyboard(rows))
    return NEW_TIME


async def move_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    appointment_id, start = arg_uuid(cb.arg(0)), arg_instant(cb.arg(1))
    draft = _draft(ctx)
    if appointment_id is None or start is None or draft is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.reschedule(
            uow, appointment_id=appointment_id, new_start=start, now=now(ctx)
        )
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    await query.answer()
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await edit(update, ctx, tr.t("agenda.rescheduled", client=view.client_name, when=when))
    await _redraw_origin(update, ctx, tr, draft)
    return ConversationHandler.END


async def other_button(update: Update, ctx: Ctx) -> int:
    """Any other agenda button leaves the cancel / reschedule step and does its own job."""
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    _query, cb = callback(update)
    handler = _STANDALONE.get(cb.action)
    if handler is None:
        await expired_button(update, ctx)
    else:
        await handler(update, ctx)
    return ConversationHandler.END


_STANDALONE = {"v": view_pressed, "s": session_pressed, "ok": result_pressed, "ns": result_pressed}


def build() -> ConversationHandler[Any]:
    """Cancelling (with a reason) and rescheduling (by typing a time) a session."""
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        "practice-agenda",
        entry_points=[
            CallbackQueryHandler(cancel_pressed, pattern=matches(NS, "cx")),
            CallbackQueryHandler(reschedule_pressed, pattern=matches(NS, "rs")),
        ],
        states={
            CANCEL_REASON: [
                MessageHandler(text, typed_cancel_reason),
                CallbackQueryHandler(cancel_without_reason, pattern=matches(NS, "cn")),
                CallbackQueryHandler(other_button, pattern=matches(NS)),
            ],
            NEW_TIME: [
                MessageHandler(text, typed_new_time),
                CallbackQueryHandler(move_pressed, pattern=matches(NS, "mv")),
                CallbackQueryHandler(other_button, pattern=matches(NS)),
            ],
        },
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /agenda and its buttons."""
    conv = build()
    application.add_handler(conv)
    leave_elsewhere(application, conv, NS)
    for action, handler in _STANDALONE.items():
        application.add_handler(CallbackQueryHandler(handler, pattern=matches(NS, action)))
    application.add_handler(CommandHandler("agenda", agenda_command))
