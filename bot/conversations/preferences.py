"""``/language`` and ``/timezone``, for clients and professionals alike.

The choice is stored on the person's account (``clients.set_language`` /
``clients.set_timezone``) and every later message follows it, this very reply
included. A professional's command menu is re-registered in the new language.

A zone is chosen from a reply keyboard: a city button, the "share my location" button
(the nearest city of the onboarding's table, ``onboarding_shared.CITIES``) or a typed city
or IANA name. The confirmation shows the
local time there, so a wrong guess is noticed at once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import context
from bot.app import register_commands
from bot.callbacks import Callback, matches, parse, register_namespace
from bot.context import Ctx, forget_prefs, reply_text, translator_for
from bot.conversations.onboarding_shared import (
    common_zones,
    nearest_zone,
    zone_from_text,
    zone_label,
)
from bot.errors import reply_error
from bot.formatting import format_time
from bot.handlers import basics
from bot.i18n import BUTTON_EXPIRED, CANCELLED, N_, Translator
from core.db.uow import UnitOfWork
from core.errors import DomainError
from core.services import clients

__all__ = ["LANGUAGES", "NS", "register"]

log = logging.getLogger(__name__)

NS = register_namespace("lang", __name__)
CONVERSATION = "preferences_timezone"
CHOOSING_ZONE = 1
AUTO = "auto"
# Each language named in itself: someone who cannot read the current one still finds theirs.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("pt_BR", "Português"),
    ("es", "Español"),
)
ZONES_PER_ROW = 3

SHARE_LOCATION = N_("timezone.share_location")
CANCEL_BUTTON = N_("timezone.cancel_button")


async def _ensure_account(uow: UnitOfWork, update: Update) -> None:
    user = update.effective_user
    assert user is not None
    await clients.ensure_account(
        uow, first_name=user.first_name, username=user.username, language_code=user.language_code
    )


# --- language -----------------------------------------------------------------------------


def _language_data(code: str) -> str:
    return Callback(NS, "set", (code,)).encode()


async def language_command(update: Update, ctx: Ctx) -> None:
    """/language: the three languages, each named in itself, and "same as Telegram"."""
    tr = await translator_for(update, ctx)
    current = dict(LANGUAGES).get(tr.locale, tr.locale)
    rows = [
        [InlineKeyboardButton(label, callback_data=_language_data(code))]
        for code, label in LANGUAGES
    ]
    rows.append(
        [InlineKeyboardButton(tr.t(N_("language.auto")), callback_data=_language_data(AUTO))]
    )
    await reply_text(
        update,
        ctx,
        tr.t(N_("language.choose"), language=current),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def set_language(update: Update, ctx: Ctx) -> None:
    """lang:set:<locale|auto>: store the choice and answer in the new language."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await query.answer()
    parsed = parse(query.data)
    code = parsed.arg(0) if parsed is not None else None
    if code != AUTO and code not in dict(LANGUAGES):
        await context.alert(update, ctx, BUTTON_EXPIRED)
        return
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        await _ensure_account(uow, update)
        await clients.set_language(uow, locale=None if code == AUTO else code)
        is_professional = uow.professional_id is not None
        await uow.commit()
    forget_prefs(update, ctx)
    tr = await translator_for(update, ctx)
    if is_professional and update.effective_chat is not None:
        try:
            await register_commands(
                ctx.bot, professional_chat_id=update.effective_chat.id, locale=tr.locale
            )
        except TelegramError:
            # The menu is a nicety; the language itself is saved.
            log.warning(
                "Cannot re-register the menu of %s", update.effective_chat.id, exc_info=True
            )
    await query.edit_message_text(tr.t(N_("language.set")))


# --- time zone ----------------------------------------------------------------------------


def _zone_keyboard(tr: Translator) -> ReplyKeyboardMarkup:
    labels: list[KeyboardButton | str] = [
        zone_label(zone, tr.locale) for zone in common_zones(tr.locale)
    ]
    rows: list[list[KeyboardButton | str]] = [
        [KeyboardButton(tr.t(SHARE_LOCATION), request_location=True)]
    ]
    rows += [labels[i : i + ZONES_PER_ROW] for i in range(0, len(labels), ZONES_PER_ROW)]
    rows.append([tr.t(CANCEL_BUTTON)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True)


def _zone_text(ctx: Ctx, tr: Translator, msgid: str, zone: str) -> str:
    label = f"{zone_label(zone, tr.locale)} ({zone})"
    return tr.t(msgid, zone=label, time=format_time(context.now(ctx), tr.locale, zone))


async def timezone_command(update: Update, ctx: Ctx) -> int:
    """/timezone: the current zone and its time, and the ways to choose another."""
    tr = await translator_for(update, ctx)
    zone = await context.user_tz(update, ctx)
    text = _zone_text(ctx, tr, N_("timezone.choose"), zone)
    await reply_text(update, ctx, text, reply_markup=_zone_keyboard(tr))
    return CHOOSING_ZONE


async def _set_zone(update: Update, ctx: Ctx, name: str) -> int:
    assert update.effective_user is not None
    try:
        async with context.db(ctx).for_user(update.effective_user.id) as uow:
            await _ensure_account(uow, update)
            account = await clients.set_timezone(uow, timezone=name)
            await uow.commit()
    except DomainError as err:  # not a zone: say so and keep the keyboard up
        state: int = await reply_error(update, ctx, err, state=CHOOSING_ZONE)
        return state
    forget_prefs(update, ctx)
    tr = await translator_for(update, ctx)
    text = _zone_text(ctx, tr, N_("timezone.set"), account.timezone or name)
    await reply_text(update, ctx, text, reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


async def zone_typed(update: Update, ctx: Ctx) -> int:
    """A city button, a typed city of the table, or a typed IANA name."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip()
    tr = await translator_for(update, ctx)
    if text == tr.t(CANCEL_BUTTON):
        return await cancel(update, ctx)
    # Not a city or zone we know: the core's refusal says what a zone name looks like.
    return await _set_zone(update, ctx, zone_from_text(text) or text)


async def zone_located(update: Update, ctx: Ctx) -> int:
    """A shared location: the zone of the nearest city of the table."""
    message = update.effective_message
    assert message is not None and message.location is not None
    zone = nearest_zone(message.location.latitude, message.location.longitude)
    return await _set_zone(update, ctx, zone)


async def cancel(update: Update, ctx: Ctx) -> int:
    """/cancel or the Cancel button: leave the zone choice (only it: a booking screen it
    was opened from goes on), and take the keyboard away."""
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, tr.t(CANCELLED), reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


def _first(
    callback: Callable[[Update, Ctx], Awaitable[int]],
) -> Callable[[Update, Ctx], Coroutine[Any, Any, int]]:
    """Handle the update here and nowhere else (no later group sees it)."""

    @functools.wraps(callback)
    async def handle(update: Update, ctx: Ctx) -> int:
        raise ApplicationHandlerStop(await callback(update, ctx))

    return handle


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/language (with its buttons, valid at any time) and the /timezone conversation."""
    application.add_handler(CommandHandler("language", language_command))
    application.add_handler(CallbackQueryHandler(set_language, pattern=matches(NS, "set")))
    # The zone choice may be opened from inside another conversation (the booking screen
    # says "to change it: /timezone"): it runs in the prompt group, ahead of them, and
    # stops the update there, so its answer is not also read as, say, a wanted time.
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("timezone", _first(timezone_command))],
            states={
                CHOOSING_ZONE: [
                    MessageHandler(filters.LOCATION, _first(zone_located)),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, _first(zone_typed)),
                ]
            },
            fallbacks=[CommandHandler("cancel", _first(cancel))],
            allow_reentry=True,
            name=CONVERSATION,
            persistent=True,
        ),
        group=basics.PROMPT_GROUP,
    )
