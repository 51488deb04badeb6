"""The booking conversation: calendar -> a day's times (or a time typed in words) ->
confirmation -> name and phone the first time -> booked, with the .ics file.

The same screens move an existing session (``mb:rs`` from /mybookings or a reminder):
the subject of every button says which (see ``booking_render.Subject``), so the final
step calls ``booking.request`` or ``booking.reschedule``. Conversation state and the
draft (``user_data["booking"]``: the subject, and the chosen start while the contact is
asked) are persisted, so a restart continues where the client was.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import context
from bot.callbacks import arg_instant, arg_uuid, matches, parse, uuid_arg
from bot.context import Ctx, alert, reply, reply_text, translator_for
from bot.conversations.booking_browse import (
    BROWSING,
    DRAFT,
    button_args,
    day_screen,
    draft,
    load,
    on_day,
    on_inert,
    on_slot,
    on_typed,
    on_week,
    read_week,
    remember,
    show_calendar,
    show_week,
    uid,
    user_data,
)
from bot.conversations.booking_calendar import done
from bot.conversations.booking_render import (
    BK,
    MB,
    Subject,
    answer,
    book_data,
    button,
    client_zone,
    keyboard,
    show,
    status_label,
    when_text,
)
from bot.conversations.messaging import message_button
from bot.errors import reply_error
from bot.handlers.basics import end_conversations
from bot.handlers.reachability import professional_told
from bot.i18n import BUTTON_EXPIRED, CANCELLED, N_, Translator
from core import errors
from core.models import HOLDING_STATUSES
from core.services import booking as booking_service
from core.services import (
    booking_errors,
    booking_queries,
    calendar_file,
    clients,
    professionals,
)

__all__ = ["BROWSING", "NAME", "PHONE", "build", "register"]

NAME, PHONE = 1, 2

ASK_NAME = N_("booking.ask_name")
BUTTON_KEEP_NAME = N_("booking.button.keep_name")
ASK_PHONE = N_("booking.ask_phone")
BUTTON_SHARE_PHONE = N_("booking.button.share_phone")
CONTACT_NOT_YOURS = N_("booking.contact_not_yours")
TAKEN_RACE = N_("booking.taken_race")
ICS_SUMMARY = N_("booking.ics_summary")
ICS_CAPTION = N_("booking.ics_caption")
CHOOSE_PROFESSIONAL = N_("booking.choose_professional")
NO_PROFESSIONAL = N_("booking.no_professional")
RESCHEDULE_TOO_LATE = N_("booking.reschedule_too_late_message")
NOT_ACTIVE = N_("mybookings.not_active")

# Refusals that mean "not that time": the client gets the day's free times again.
TIME_REFUSALS: tuple[type[errors.DomainError], ...] = (
    errors.SlotTaken,
    booking_errors.BookingInPast,
    booking_errors.InsideMinimumNotice,
    booking_errors.BeyondHorizon,
    booking_errors.OutsideAvailability,
    booking_errors.DuringTimeOff,
    booking_errors.TooCloseToAnotherSession,
    booking_errors.SameTime,
)


# --- entry points ---------------------------------------------------------------------------


async def start_new(update: Update, ctx: Ctx) -> int | None:
    """Book: the calendar of the professional on the pressed button."""
    query = update.callback_query
    parsed = parse(query.data if query else None)
    pid = arg_uuid(parsed.arg(0) if parsed else None)
    if pid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    end_conversations(ctx.application, update)
    return await show_calendar(update, ctx, Subject("n", pid), None, edit=False)


async def start_move(update: Update, ctx: Ctx) -> int:
    """Reschedule (mb:rs): the calendar again, if the cancellation policy still allows it."""
    query = update.callback_query
    parsed = parse(query.data if query else None)
    aid = arg_uuid(parsed.arg(0) if parsed else None)
    if aid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    now = context.now(ctx)
    async with context.db(ctx).for_user(uid(update)) as uow:
        policy = await booking_queries.cancellation_policy(uow, appointment_id=aid, now=now)
        view = await booking_queries.get(uow, appointment_id=aid)
    if policy.status not in HOLDING_STATUSES:
        await alert(update, ctx, NOT_ACTIVE, status=status_label(tr, policy.status))
        return ConversationHandler.END
    if not policy.can_reschedule:
        await answer(update)
        zone = await client_zone(update, ctx, view.timezone)
        text = tr.t(
            RESCHEDULE_TOO_LATE,
            professional=view.professional_name,
            deadline=when_text(tr, policy.deadline, zone, now),
        )
        markup = keyboard([[message_button(tr, view.professional_id)]])
        await reply_text(update, ctx, text, reply_markup=markup)
        return ConversationHandler.END
    end_conversations(ctx.application, update)
    return await show_calendar(update, ctx, Subject("r", aid), None, edit=False)


async def book_command(update: Update, ctx: Ctx) -> int:
    """/book: straight to the calendar with one's only professional, else a choice."""
    async with context.db(ctx).for_user(uid(update)) as uow:
        mine = await clients.my_professionals(uow)
        # The usual case, one professional: their calendar in the same transaction.
        only = Subject("n", mine[0][0]) if len(mine) == 1 else None
        week = await read_week(update, ctx, uow, only, None) if only else None
    if week is not None:
        end_conversations(ctx.application, update)
        return await show_week(update, ctx, week, edit=False)
    if not mine:
        await reply(update, ctx, NO_PROFESSIONAL)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    rows = [[button(name, book_data("new", uuid_arg(pid)))] for pid, name in mine]
    await reply_text(update, ctx, tr.t(CHOOSE_PROFESSIONAL), reply_markup=keyboard(rows))
    return ConversationHandler.END


# --- confirming -----------------------------------------------------------------------------


async def on_confirm(update: Update, ctx: Ctx) -> int | None:
    """bk:ok: book or move now, or first ask the name and phone a first booking needs."""
    raw, subject = button_args(update)
    start = arg_instant(raw)
    if start is None or subject is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    if subject.moving:
        return await _finish(update, ctx, subject, start)
    async with context.db(ctx).for_user(uid(update)) as uow:
        me = await clients.my_record(uow, professional_id=subject.id)
        profile = await professionals.get_public(uow, professional_id=subject.id)
    if me.phone:
        return await _finish(update, ctx, subject, start)
    await answer(update)
    remember(ctx, subject, start)
    tr = await translator_for(update, ctx)
    keep = button(tr.t(BUTTON_KEEP_NAME, name=me.name), book_data("kn", subject.arg()))
    text = tr.t(ASK_NAME, professional=profile.name, name=me.name)
    await show(update, ctx, text, keyboard([[keep]]))
    return NAME


async def _ask_phone(update: Update, ctx: Ctx, subject: Subject) -> int:
    tr = await translator_for(update, ctx)
    async with context.db(ctx).for_user(uid(update)) as uow:
        profile = await professionals.get_public(uow, professional_id=subject.id)
    share = KeyboardButton(tr.t(BUTTON_SHARE_PHONE), request_contact=True)
    markup = ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
    await reply_text(update, ctx, tr.t(ASK_PHONE, professional=profile.name), reply_markup=markup)
    return PHONE


async def on_keep_name(update: Update, ctx: Ctx) -> int | None:
    """bk:kn: the name Telegram gave is fine; on to the phone."""
    subject, start = draft(ctx)
    if subject is None or start is None or subject.moving:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    await answer(update)
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        await show(update, ctx, query.message.text or "", None)
    return await _ask_phone(update, ctx, subject)


async def on_name(update: Update, ctx: Ctx) -> int:
    """A typed name, validated by the core; on to the phone."""
    subject, start = draft(ctx)
    message = update.effective_message
    if subject is None or start is None or message is None or subject.moving:
        return ConversationHandler.END
    try:
        async with context.db(ctx).for_user(uid(update)) as uow:
            await clients.update_contact(uow, professional_id=subject.id, name=message.text)
            await uow.commit()
    except errors.InvalidInput as err:
        return await reply_error(update, ctx, err, state=NAME)  # type: ignore[no-any-return]
    return await _ask_phone(update, ctx, subject)


async def on_phone(update: Update, ctx: Ctx) -> int:
    """The shared contact or a typed number, validated by the core; then book."""
    subject, start = draft(ctx)
    message = update.effective_message
    if subject is None or start is None or message is None or subject.moving:
        return ConversationHandler.END
    if message.contact is not None:
        # The contact button sends the user's own card; anyone else's number is refused.
        if message.contact.user_id != uid(update):
            await reply(update, ctx, CONTACT_NOT_YOURS)
            return PHONE
        # Telegram gives a contact's number in international form, without the "+".
        phone = "+" + message.contact.phone_number.lstrip("+")
    else:
        phone = message.text or ""
    try:
        async with context.db(ctx).for_user(uid(update)) as uow:
            await clients.update_contact(uow, professional_id=subject.id, phone=phone)
            await uow.commit()
    except errors.InvalidInput as err:
        return await reply_error(update, ctx, err, state=PHONE)  # type: ignore[no-any-return]
    return await _finish(update, ctx, subject, start, after_contact=True)


async def _finish(
    update: Update, ctx: Ctx, subject: Subject, start: datetime, *, after_contact: bool = False
) -> int:
    """Book or move, then say clearly what happened and attach the calendar file."""
    tr = await translator_for(update, ctx)
    now = context.now(ctx)
    try:
        async with context.db(ctx).for_user(uid(update)) as uow:
            if subject.moving:
                view = await booking_service.reschedule(
                    uow, appointment_id=subject.id, new_start=start, now=now
                )
            else:
                view = await booking_service.request(
                    uow, professional_id=subject.id, start=start, now=now
                )
            policy = await booking_queries.cancellation_policy(uow, appointment_id=view.id, now=now)
            summary = tr.t(ICS_SUMMARY, professional=view.professional_name)
            ics = await calendar_file.ics_for(uow, appointment_id=view.id, summary=summary)
            await uow.commit()
    except TIME_REFUSALS as err:
        return await _offer_again(update, ctx, tr, subject, start, err)
    except errors.DatabaseUnavailable:
        # Nothing was booked and the screen is still good: the error handler says "try
        # again in a moment", and the same button works once the database is back.
        raise
    except errors.DomainError as err:
        user_data(ctx).pop(DRAFT, None)
        return await reply_error(update, ctx, err, state=ConversationHandler.END)  # type: ignore[no-any-return]
    await answer(update)
    told = await professional_told(ctx, view.professional_id)
    zone = await client_zone(update, ctx, view.timezone)
    text = done(tr, view=view, policy=policy, moved=subject.moving, zone=zone, now=now, told=told)
    if after_contact:
        await reply_text(update, ctx, text, reply_markup=ReplyKeyboardRemove())
    else:
        await show(update, ctx, text)
    chat = update.effective_chat
    if chat is not None:
        await ctx.bot.send_document(
            chat.id, document=ics, filename="session.ics", caption=tr.t(ICS_CAPTION)
        )
    user_data(ctx).pop(DRAFT, None)
    return ConversationHandler.END


async def _offer_again(
    update: Update,
    ctx: Ctx,
    tr: Translator,
    subject: Subject,
    start: datetime,
    err: errors.DomainError,
) -> int:
    """The time was refused at the last moment: say why, and show that day's free times."""
    async with context.db(ctx).for_user(uid(update)) as uow:
        zone = (await load(update, ctx, uow, subject)).zone
    day = start.astimezone(ZoneInfo(zone)).date()
    if isinstance(err, errors.SlotTaken):
        lead = tr.t(TAKEN_RACE, time=when_text(tr, start, zone, context.now(ctx)))
    else:
        lead = tr.render(err)
    return await day_screen(update, ctx, subject, day, edit=False, lead=lead)


async def on_cancel(update: Update, ctx: Ctx) -> int:
    """/cancel inside the booking: leave it, and take away the contact keyboard if shown."""
    end_conversations(ctx.application, update)
    user_data(ctx).pop(DRAFT, None)
    await reply(update, ctx, CANCELLED, reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


# --- wiring ---------------------------------------------------------------------------------


def build() -> ConversationHandler[Any]:
    """The persistent booking conversation."""
    browse: list[BaseHandler[Update, Any, Any]] = [
        CallbackQueryHandler(on_week, pattern=matches(BK, "w")),
        CallbackQueryHandler(on_day, pattern=matches(BK, "d")),
        CallbackQueryHandler(on_inert, pattern=matches(BK, "x")),
        CallbackQueryHandler(on_slot, pattern=matches(BK, "s")),
        CallbackQueryHandler(on_confirm, pattern=matches(BK, "ok")),
    ]
    typed = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons are tracked per user on purpose: each carries its own subject.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(start_new, pattern=matches(BK, "new")),
                CallbackQueryHandler(start_move, pattern=matches(MB, "rs")),
                CommandHandler("book", book_command),
            ],
            states={
                BROWSING: [*browse, MessageHandler(typed, on_typed)],
                NAME: [
                    CallbackQueryHandler(on_keep_name, pattern=matches(BK, "kn")),
                    *browse,
                    MessageHandler(typed, on_name),
                ],
                PHONE: [*browse, MessageHandler(filters.CONTACT | typed, on_phone)],
            },
            fallbacks=[CommandHandler("cancel", on_cancel)],
            name="booking",
            persistent=True,
            allow_reentry=True,
        )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the booking conversation (before any catch-all text handler, e.g. message relay)."""
    application.add_handler(build())
