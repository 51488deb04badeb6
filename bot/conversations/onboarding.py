"""/register: a professional's onboarding, ending with their booking link and its QR code.

Steps: name (Telegram's, or typed) -> profession -> time zone (a city, a shared location
or an IANA name) -> session length -> price -> currency. Each answer is checked by the
core (``SettingsChange.of``) as it is given, so a bad one is re-asked at once with the
reason; the draft lives in ``user_data`` and the conversation is persistent, so a restart
continues at the same step.
"""

from __future__ import annotations

import warnings
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import app as bot_app
from bot import context
from bot.callbacks import matches, parse, register_namespace
from bot.context import Ctx, forget_prefs, reply_text, translator_for
from bot.conversations.onboarding_shared import (
    PROFESSIONS,
    booking_link,
    button,
    common_zones,
    default_currency,
    explain,
    keyboard,
    nearest_zone,
    parse_minutes,
    profession_label,
    send_link,
    zone_from_text,
    zone_label,
)
from bot.formatting import babel_locale, format_duration, format_time
from bot.handlers.basics import end_conversations
from bot.i18n import CANCELLED, N_, Translator, get_translator
from core.errors import DomainError
from core.scheduling.lexicon import fold
from core.services import professionals
from core.services.professionals import SettingsChange

__all__ = ["build", "register"]

NS = register_namespace("reg", owner=__name__)
NAME, PROFESSION, TIMEZONE, DURATION, PRICE, CURRENCY = range(6)
DRAFT = "onboarding"
DURATIONS = (30, 45, 50, 60, 90)
CURRENCIES = ("BRL", "EUR", "USD", "GBP", "MXN", "ARS")
_ANSWERS = ("name", "profession", "timezone", "session_duration", "price_cents")
ASK_NAME = N_("onboarding.ask_name")
ASK_PROFESSION = N_("onboarding.ask_profession")
ASK_TIMEZONE = N_("onboarding.ask_timezone")
ASK_DURATION = N_("onboarding.ask_duration")
ASK_PRICE = N_("onboarding.ask_price")
ASK_CURRENCY = N_("onboarding.ask_currency")
ZONE_TYPED = N_("onboarding.timezone_set")
ZONE_LOCATED = N_("onboarding.timezone_from_location")

# --- the conversation -----------------------------------------------------------------------


def _draft(ctx: Ctx) -> dict[str, Any]:
    draft: dict[str, Any] = ctx.user_data.setdefault(DRAFT, {})  # type: ignore[union-attr]
    return draft


def _button(label: str, action: str, *args: str) -> InlineKeyboardButton:
    return button(NS, label, action, *args)


def _with_reason(tr: Translator, reason: str | None, msgid: str, **params: object) -> str:
    question = tr.t(msgid, **params)
    return f"{reason}\n\n{question}" if reason else question


async def _ask_name(update: Update, ctx: Ctx, reason: str | None = None) -> int:
    tr = await translator_for(update, ctx)
    suggested = _draft(ctx).get("suggested", "")
    keep = keyboard([_button(tr.t("onboarding.keep_name", name=suggested), "keep")], 1)
    text = _with_reason(tr, reason, ASK_NAME, name=suggested)
    await reply_text(update, ctx, text, reply_markup=keep if suggested else None)
    return NAME


async def _ask_profession(update: Update, ctx: Ctx, reason: str | None = None) -> int:
    tr = await translator_for(update, ctx)
    buttons = [_button(tr.t(msgid), "prof", value) for value, msgid in PROFESSIONS.items()]
    text = _with_reason(tr, reason, ASK_PROFESSION)
    await reply_text(update, ctx, text, reply_markup=keyboard(buttons, 2))
    return PROFESSION


async def _ask_timezone(update: Update, ctx: Ctx, reason: str | None = None) -> int:
    tr = await translator_for(update, ctx)
    cities = [KeyboardButton(zone_label(zone, tr.locale)) for zone in common_zones(tr.locale)]
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton(tr.t("onboarding.share_location"), request_location=True)]]
        + [cities[i : i + 2] for i in range(0, len(cities), 2)],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    text = _with_reason(tr, reason, ASK_TIMEZONE)
    await reply_text(update, ctx, text, reply_markup=markup)
    return TIMEZONE


async def _ask_duration(update: Update, ctx: Ctx, reason: str | None = None) -> int:
    tr = await translator_for(update, ctx)
    buttons = [_button(format_duration(m, tr.locale, short=True), "dur", str(m)) for m in DURATIONS]
    text = _with_reason(tr, reason, ASK_DURATION)
    await reply_text(update, ctx, text, reply_markup=keyboard(buttons, 5))
    return DURATION


async def _ask_price(update: Update, ctx: Ctx, reason: str | None = None) -> int:
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, _with_reason(tr, reason, ASK_PRICE))
    return PRICE


async def _ask_currency(update: Update, ctx: Ctx, reason: str | None = None) -> int:
    tr = await translator_for(update, ctx)
    default = default_currency(_draft(ctx).get("timezone", ""))
    codes = [default, *(c for c in CURRENCIES if c != default)]
    symbols = babel_locale(tr.locale).currency_symbols
    buttons = [
        _button(
            code if symbols.get(code, code) == code else f"{code} ({symbols[code]})", "cur", code
        )
        for code in codes
    ]
    text = _with_reason(tr, reason, ASK_CURRENCY)
    await reply_text(update, ctx, text, reply_markup=keyboard(buttons, 3))
    return CURRENCY


async def _chosen(update: Update, label: str) -> None:
    """Answer the press and leave the choice written under the question, without buttons."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    text = getattr(message, "text", None)
    try:
        if text:
            await query.edit_message_text(f"{text}\n\n✓ {label}")
        else:
            await query.edit_message_reply_markup(None)
    except TelegramError:
        pass  # an old message can no longer be edited; the answer still counts


async def start(update: Update, ctx: Ctx) -> int:
    """/register: show the link of someone already registered, else ask the first step."""
    end_conversations(ctx.application, update)
    user = update.effective_user
    assert user is not None
    tr = await translator_for(update, ctx)
    async with context.db(ctx).for_user(user.id) as uow:
        me = await professionals.get_me(uow) if uow.professional_id is not None else None
    if me is not None:
        link = booking_link(ctx, me.slug)
        await send_link(
            update, ctx, tr.t("onboarding.already_registered", name=me.name, link=link), me.slug
        )
        return ConversationHandler.END
    ctx.user_data[DRAFT] = {"suggested": user.full_name[:120]}  # type: ignore[index]
    return await _ask_name(update, ctx)


async def keep_name(update: Update, ctx: Ctx) -> int:
    name = _draft(ctx).get("suggested", "")
    await _chosen(update, name)
    return await _set_name(update, ctx, name)


async def typed_name(update: Update, ctx: Ctx) -> int:
    assert update.effective_message is not None
    return await _set_name(update, ctx, update.effective_message.text or "")


async def _set_name(update: Update, ctx: Ctx, text: str) -> int:
    try:
        name = SettingsChange.of(name=text).name
    except DomainError as err:
        return await _ask_name(update, ctx, explain(await translator_for(update, ctx), err))
    _draft(ctx)["name"] = name
    return await _ask_profession(update, ctx)


async def pressed_profession(update: Update, ctx: Ctx) -> int:
    assert update.callback_query is not None
    parsed = parse(update.callback_query.data)
    value = parsed.arg(0) if parsed else None
    if value not in PROFESSIONS:
        await update.callback_query.answer()
        return await _ask_profession(update, ctx)
    await _chosen(update, profession_label(await translator_for(update, ctx), value))
    _draft(ctx)["profession"] = value
    return await _ask_timezone(update, ctx)


async def typed_profession(update: Update, ctx: Ctx) -> int:
    assert update.effective_message is not None
    typed = fold((update.effective_message.text or "").strip())
    for value, msgid in PROFESSIONS.items():
        labels = {fold(value.replace("_", " "))}
        labels |= {fold(get_translator(locale).t(msgid)) for locale in ("en", "pt_BR", "es")}
        if typed in labels:
            _draft(ctx)["profession"] = value
            return await _ask_timezone(update, ctx)
    tr = await translator_for(update, ctx)
    return await _ask_profession(update, ctx, tr.t("onboarding.use_buttons"))


async def _set_zone(update: Update, ctx: Ctx, zone: str, msgid: str) -> int:
    tr = await translator_for(update, ctx)
    _draft(ctx)["timezone"] = zone
    clock = format_time(context.now(ctx), tr.locale, ZoneInfo(zone))
    label = f"{zone_label(zone, tr.locale)} ({zone})"
    await reply_text(
        update, ctx, tr.t(msgid, zone=label, time=clock), reply_markup=ReplyKeyboardRemove()
    )
    return await _ask_duration(update, ctx)


async def typed_zone(update: Update, ctx: Ctx) -> int:
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    zone = zone_from_text(text)
    if zone is None:
        tr = await translator_for(update, ctx)
        return await _ask_timezone(update, ctx, tr.t("onboarding.timezone_unknown", text=text))
    return await _set_zone(update, ctx, zone, ZONE_TYPED)


async def shared_location(update: Update, ctx: Ctx) -> int:
    assert update.effective_message is not None and update.effective_message.location is not None
    where = update.effective_message.location
    zone = nearest_zone(where.latitude, where.longitude)
    return await _set_zone(update, ctx, zone, ZONE_LOCATED)


async def pressed_duration(update: Update, ctx: Ctx) -> int:
    assert update.callback_query is not None
    parsed = parse(update.callback_query.data)
    minutes = int(parsed.arg(0) or 0) if parsed and (parsed.arg(0) or "").isdigit() else 0
    tr = await translator_for(update, ctx)
    await _chosen(update, format_duration(minutes, tr.locale, short=True))
    return await _set_duration(update, ctx, minutes)


async def typed_duration(update: Update, ctx: Ctx) -> int:
    assert update.effective_message is not None
    minutes = parse_minutes(update.effective_message.text or "")
    if minutes is None:
        tr = await translator_for(update, ctx)
        return await _ask_duration(update, ctx, tr.t("onboarding.duration_unreadable"))
    return await _set_duration(update, ctx, minutes)


async def _set_duration(update: Update, ctx: Ctx, minutes: int) -> int:
    try:
        SettingsChange.of(session_duration=minutes)
    except DomainError as err:
        return await _ask_duration(update, ctx, explain(await translator_for(update, ctx), err))
    _draft(ctx)["session_duration"] = minutes
    return await _ask_price(update, ctx)


async def typed_price(update: Update, ctx: Ctx) -> int:
    assert update.effective_message is not None
    try:
        cents = SettingsChange.of(price_cents=update.effective_message.text or "").price_cents
    except DomainError as err:
        return await _ask_price(update, ctx, explain(await translator_for(update, ctx), err))
    _draft(ctx)["price_cents"] = cents
    return await _ask_currency(update, ctx)


async def pressed_currency(update: Update, ctx: Ctx) -> int:
    assert update.callback_query is not None
    parsed = parse(update.callback_query.data)
    code = (parsed.arg(0) if parsed else None) or ""
    await _chosen(update, code)
    return await _finish(update, ctx, code)


async def typed_currency(update: Update, ctx: Ctx) -> int:
    assert update.effective_message is not None
    return await _finish(update, ctx, update.effective_message.text or "")


async def _finish(update: Update, ctx: Ctx, currency_text: str) -> int:
    tr = await translator_for(update, ctx)
    draft = _draft(ctx)
    if any(key not in draft for key in _ANSWERS):
        return await _ask_name(update, ctx)  # the draft was lost: start again, politely
    try:
        currency = SettingsChange.of(currency=currency_text).currency
        assert currency is not None
    except DomainError as err:
        return await _ask_currency(update, ctx, explain(tr, err))
    user = update.effective_user
    assert user is not None
    async with context.db(ctx).for_user(user.id) as uow:
        me = await professionals.register(
            uow,
            name=draft["name"],
            profession=draft["profession"],
            timezone=draft["timezone"],
            locale=tr.locale,
            currency=currency,
            session_duration=draft["session_duration"],
            price_cents=draft["price_cents"],
            now=context.now(ctx),
        )
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    forget_prefs(update, ctx)
    # The menu first, so their professional commands are there when they read the link.
    assert update.effective_chat is not None
    try:
        await bot_app.register_commands(
            ctx.bot, professional_chat_id=update.effective_chat.id, locale=tr.locale
        )
    except TelegramError:
        pass  # the menu is a nicety; every command works without it
    link = booking_link(ctx, me.slug)
    await send_link(update, ctx, tr.t("onboarding.done", name=me.name, link=link), me.slug)
    return ConversationHandler.END


async def cancel(update: Update, ctx: Ctx) -> int:
    """/cancel: drop the draft and the city keyboard."""
    end_conversations(ctx.application, update)
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, tr.t(CANCELLED), reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


def build() -> ConversationHandler[Any]:
    """The onboarding conversation (persistent: a restart continues at the same step)."""
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons are tracked per chat on purpose: the draft belongs to the person.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("register", start)],
            states={
                NAME: [
                    CallbackQueryHandler(keep_name, pattern=matches(NS, "keep")),
                    MessageHandler(text, typed_name),
                ],
                PROFESSION: [
                    CallbackQueryHandler(pressed_profession, pattern=matches(NS, "prof")),
                    MessageHandler(text, typed_profession),
                ],
                TIMEZONE: [
                    MessageHandler(filters.LOCATION, shared_location),
                    MessageHandler(text, typed_zone),
                ],
                DURATION: [
                    CallbackQueryHandler(pressed_duration, pattern=matches(NS, "dur")),
                    MessageHandler(text, typed_duration),
                ],
                PRICE: [MessageHandler(text, typed_price)],
                CURRENCY: [
                    CallbackQueryHandler(pressed_currency, pattern=matches(NS, "cur")),
                    MessageHandler(text, typed_currency),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel), CommandHandler("register", start)],
            name="onboarding",
            persistent=True,
            allow_reentry=True,
        )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /register."""
    application.add_handler(build())
