"""The professional books a one-off session for a client: from the client card, or from
/agenda (which first asks for whom).

For whom (buttons, or type a name) -> when (typed: "tomorrow 10am", "09/12 14:00", or a
day alone for its free times) -> the free time itself or the nearest ones as buttons ->
booked, confirmed, and the client is told. The core decides every rule
(``core.services.booking_by_professional``): the professional's hours, time off, other
sessions and the buffer hold; the minimum notice and the horizon, which protect them from
clients, do not.

Callback data (namespace "pb"): ``a`` starts from the agenda (who?), ``c:<client>`` picks
the client, ``ok:<client>:<instant>`` books, ``x`` leaves.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
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
from bot.errors import reply_error
from bot.formatting import date_order, format_date, format_datetime, format_time
from bot.i18n import N_, Translator
from core import errors
from core.models import RecipientType
from core.services import booking_by_professional, booking_errors, clients, professionals, slots

__all__ = ["NS", "agenda_button", "book_button", "build", "nearest_text", "register"]

PRACTICE_BOOKING_NS = "pb"
NS = register_namespace(PRACTICE_BOOKING_NS, owner=__name__)
CLIENT, WHEN = range(2)
DRAFT = "practice.booking"
CLIENTS_SHOWN = 8
OPTIONS_SHOWN = 12

ASK_CLIENT = N_("practice_booking.ask_client")
NO_CLIENTS = N_("practice_booking.no_clients")
NO_MATCH = N_("clients.list.no_match")
ASK_WHEN = N_("practice_booking.ask_when")
EXACT = N_("practice_booking.exact")
NEAREST = N_("practice_booking.nearest")
NEAREST_OTHERS = N_("practice_booking.nearest_others")
DAY = N_("practice_booking.day")
NOTHING = N_("practice_booking.nothing")
BOOKED = N_("practice_booking.booked")
BOOKED_NO_TELEGRAM = N_("practice_booking.booked_no_telegram")
BUTTON_BOOK = N_("practice_booking.button.book")
BUTTON_BOOK_ON_AGENDA = N_("practice_booking.button.book_on_agenda")
BUTTON_CANCEL = N_("practice_booking.button.cancel")

# Refusals that mean "not that time": the professional types another.
TIME_REFUSALS: tuple[type[errors.DomainError], ...] = (
    errors.SlotTaken,
    booking_errors.BookingInPast,
    booking_errors.OutsideAvailability,
    booking_errors.DuringTimeOff,
    booking_errors.TooCloseToAnotherSession,
)


def book_button(tr: Translator, client_id: uuid.UUID) -> InlineKeyboardButton:
    """The client card's Book button: a one-off session for that client."""
    return button(tr.t(BUTTON_BOOK), NS, "c", uuid_arg(client_id))


def agenda_button(tr: Translator) -> InlineKeyboardButton:
    """The agenda's Book button: a one-off session, for a client chosen next."""
    return button(tr.t(BUTTON_BOOK_ON_AGENDA), NS, "a")


def nearest_text(
    tr: Translator, wanted: datetime, refusal: errors.DomainError | None, tz: ZoneInfo
) -> str:
    """Why the typed moment cannot be booked, before the nearest free times."""
    if refusal is None or isinstance(refusal, errors.SlotTaken):
        return tr.t(NEAREST, when=format_datetime(wanted, tr.locale, tz))
    return f"{tr.render(refusal)}\n\n{tr.t(NEAREST_OTHERS)}"


def _draft(ctx: Ctx) -> dict[str, Any] | None:
    found: dict[str, Any] | None = ctx.user_data.get(DRAFT)  # type: ignore[union-attr]
    return found


def _cancel_row(tr: Translator) -> list[InlineKeyboardButton]:
    return [button(tr.t(BUTTON_CANCEL), NS, "x")]


def _typed(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message else ""


# --- for whom -------------------------------------------------------------------------------


async def from_agenda(update: Update, ctx: Ctx) -> int:
    """pb:a: who is the session for?"""
    query, _ = callback(update)
    leave_others(update, ctx)
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        found = await clients.list_clients(uow, limit=CLIENTS_SHOWN)
    ctx.user_data[DRAFT] = {}  # type: ignore[index]
    await query.answer()
    return await _ask_client(update, ctx, tr, found)


async def _ask_client(update: Update, ctx: Ctx, tr: Translator, found: list[Any]) -> int:
    text = tr.t(ASK_CLIENT) if found else tr.t(NO_CLIENTS)
    rows = [*client_rows(found, NS, "c"), _cancel_row(tr)]
    await reply_text(update, ctx, text, reply_markup=keyboard(rows))
    return CLIENT


async def typed_client(update: Update, ctx: Ctx) -> int:
    """A name typed to find the client."""
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        found = await clients.list_clients(uow, search=_typed(update), limit=CLIENTS_SHOWN)
    if len(found) == 1:
        return await _ask_when(update, ctx, tr, found[0].id, found[0].name)
    if not found:
        await reply_text(update, ctx, tr.t(NO_MATCH))
        return CLIENT
    return await _ask_client(update, ctx, tr, found)


async def client_pressed(update: Update, ctx: Ctx) -> int:
    """pb:c:<client>, from the client card or the list above."""
    query, cb = callback(update)
    client_id = arg_uuid(cb.arg(0))
    if client_id is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    leave_others(update, ctx)
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        card = await clients.client_card(uow, client_id=client_id, now=now(ctx))
    await query.answer()
    return await _ask_when(update, ctx, tr, card.client.id, card.client.name)


async def _ask_when(
    update: Update, ctx: Ctx, tr: Translator, client_id: uuid.UUID, name: str
) -> int:
    ctx.user_data[DRAFT] = {"client": str(client_id), "name": name}  # type: ignore[index]
    text = tr.t(ASK_WHEN, client=name)
    await reply_text(update, ctx, text, reply_markup=keyboard([_cancel_row(tr)]))
    return WHEN


# --- when -----------------------------------------------------------------------------------


async def typed_when(update: Update, ctx: Ctx) -> int:
    """A day or a time in words: that free time, the nearest ones, or the day's."""
    draft = _draft(ctx)
    if draft is None or "client" not in draft:
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    try:
        async with db(ctx).for_user(user_id(update)) as uow:
            me = await professionals.get_me(uow)
            tz = ZoneInfo(me.timezone)
            found = await slots.find_wanted(
                uow,
                professional_id=me.id,
                text=_typed(update),
                language=tr.locale,
                date_order=date_order(tr.locale),
                reader_tz=tz,
                now=now(ctx),
                side=RecipientType.professional,
            )
    except errors.InvalidInput as err:
        return await reply_error(update, ctx, err, state=WHEN)  # type: ignore[no-any-return]
    loc, name = tr.locale, draft["name"]
    if found.exact is not None:
        text = tr.t(EXACT, client=name, when=format_datetime(found.exact, loc, tz))
        options: tuple[datetime, ...] = (found.exact,)
    elif not found.options:
        text = tr.t(NOTHING)
        options = ()
    elif found.only_day:
        text = tr.t(DAY, client=name, day=format_date(found.day, loc))
        options = found.options[:OPTIONS_SHOWN]
    else:
        assert found.wanted is not None
        text = nearest_text(tr, found.wanted, found.refusal, tz)
        options = found.options
    labels = [
        format_time(s, loc, tz) if found.only_day else format_datetime(s, loc, tz) for s in options
    ]
    client_arg = uuid_arg(uuid.UUID(draft["client"]))
    buttons = [
        button(f"✓ {label}", NS, "ok", client_arg, instant_arg(s))
        for label, s in zip(labels, options, strict=True)
    ]
    width = 3 if found.only_day else 1
    rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    rows.append(_cancel_row(tr))
    await reply_text(update, ctx, text, reply_markup=keyboard(rows))
    return WHEN


async def book_pressed(update: Update, ctx: Ctx) -> int:
    """pb:ok:<client>:<instant>: book it, say so, and whether the client will hear."""
    query, cb = callback(update)
    client_id, start = arg_uuid(cb.arg(0)), arg_instant(cb.arg(1))
    if client_id is None or start is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    try:
        async with db(ctx).for_user(user_id(update)) as uow:
            view = await booking_by_professional.book_for_client(
                uow, client_id=client_id, start=start, now=now(ctx)
            )
            card = await clients.client_card(uow, client_id=client_id, now=now(ctx))
            await uow.commit()
    except TIME_REFUSALS as err:  # taken meanwhile, say: type another time
        return await reply_error(update, ctx, err, state=WHEN)  # type: ignore[no-any-return]
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    await query.answer()
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    msgid = BOOKED if card.client.user_id is not None else BOOKED_NO_TELEGRAM
    await edit(update, ctx, tr.t(msgid, client=view.client_name, when=when))
    return ConversationHandler.END


async def cancel_pressed(update: Update, ctx: Ctx) -> int:
    """pb:x: leave without booking."""
    query, _ = callback(update)
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = await translator_for(update, ctx)
    await query.answer()
    await edit(update, ctx, tr.t(N_("common.cancelled")))
    return ConversationHandler.END


def build() -> ConversationHandler[Any]:
    """The booking-for-a-client conversation."""
    text = filters.TEXT & ~filters.COMMAND
    pick = CallbackQueryHandler(client_pressed, pattern=matches(NS, "c"))
    leave = CallbackQueryHandler(cancel_pressed, pattern=matches(NS, "x"))
    return conversation(
        "practice-booking",
        entry_points=[CallbackQueryHandler(from_agenda, pattern=matches(NS, "a")), pick],
        states={
            CLIENT: [pick, leave, MessageHandler(text, typed_client)],
            WHEN: [
                CallbackQueryHandler(book_pressed, pattern=matches(NS, "ok")),
                pick,
                leave,
                MessageHandler(text, typed_when),
            ],
        },
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the Book buttons' conversation."""
    conv = build()
    application.add_handler(conv)
    leave_elsewhere(application, conv, NS)
