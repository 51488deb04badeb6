"""/settings: every setting of a professional, with its current value, changed by a button
or by typing; /link: the booking link and its QR code again.

The menu and the choice screens are plain buttons that work whenever they are pressed;
only a typed value needs the conversation (state ``TYPING``, the field in ``user_data``).
The core checks each value (``SettingsChange.of`` and ``update_settings``); a refusal is
explained with the field's label and the same value is asked again.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
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
from bot.callbacks import matches as cb_matches
from bot.callbacks import parse, register_namespace
from bot.context import Ctx, forget_prefs, reply_text, translator_for
from bot.conversations.onboarding_shared import (
    booking_link,
    button,
    nearest_zone,
    parse_minutes,
    send_link,
    zone_from_text,
)
from bot.conversations.settings_render import (
    PIX_LABELS,
    SETTINGS_NS,
    SPECS,
    Unreadable,
    editor,
    explain_error,
    menu_markup,
    menu_text,
    saved_notice,
)
from bot.handlers.basics import cancel, end_conversations
from bot.i18n import N_, Translator
from core.errors import DatabaseUnavailable, DomainError
from core.models import PaymentType
from core.services import professionals
from core.services.professionals import ProfessionalView, SettingsChange
from core.validation import parse_time_of_day

__all__ = ["build", "my_link", "register", "show_menu"]

NS = register_namespace(SETTINGS_NS, owner=__name__)
TYPING = 0
DRAFT = "settings"


# --- saving -------------------------------------------------------------------------------


async def _me(update: Update, ctx: Ctx) -> ProfessionalView:
    assert update.effective_user is not None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        return await professionals.get_me(uow)


async def _save(update: Update, ctx: Ctx, values: dict[str, Any]) -> ProfessionalView:
    changes = SettingsChange.of(**values)
    assert update.effective_user is not None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        me = await professionals.update_settings(uow, changes=changes)
        await uow.commit()
    if "locale" in values or "timezone" in values:
        forget_prefs(update, ctx)
    if "locale" in values and update.effective_chat is not None:
        try:
            await bot_app.register_commands(
                ctx.bot, professional_chat_id=update.effective_chat.id, locale=me.locale
            )
        except TelegramError:
            pass  # the menu is a nicety; the commands work without it
    return me


def _typed_values(code: str, text: str, ctx: Ctx) -> dict[str, Any]:
    """What a typed answer means for a field; raises a domain error when unreadable."""
    spec = SPECS[code]
    field = spec.field
    if spec.kind == "minutes":
        minutes = parse_minutes(text)
        if minutes is None:
            raise Unreadable(field=field, hint=N_("settings.hint.minutes"))
        return {field: minutes}
    if spec.kind in ("int", "pct"):
        digits = text.strip().rstrip("%").strip()
        if not digits.isdigit():
            raise Unreadable(field=field, hint=N_("settings.hint.number"))
        if spec.kind == "pct":
            return {"payment_type": PaymentType.partial, field: int(digits)}
        return {field: int(digits)}
    if spec.kind == "hour":
        return {field: parse_time_of_day(text, field=field).hour}
    if spec.kind == "tz":
        zone = zone_from_text(text)
        if zone is None:
            raise Unreadable(field=field, hint=N_("settings.hint.timezone"))
        return {field: zone}
    if spec.kind == "pix":
        kind = ctx.user_data.get(DRAFT, {}).get("pix_type")  # type: ignore[union-attr]
        return {"pix_key_type": kind, "pix_key": text}
    return {field: text}


# --- handlers -----------------------------------------------------------------------------


async def show_menu(update: Update, ctx: Ctx) -> int:
    """/settings: every setting with its value, a button each."""
    end_conversations(ctx.application, update)
    me = await _me(update, ctx)
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, menu_text(tr, me), reply_markup=menu_markup(tr))
    return ConversationHandler.END


async def my_link(update: Update, ctx: Ctx) -> None:
    """/link (and the menu's button): the booking link and its QR code."""
    me = await _me(update, ctx)
    tr = await translator_for(update, ctx)
    link = booking_link(ctx, me.slug)
    await send_link(update, ctx, tr.t("settings.link", link=link), me.slug)


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as err:
        if "not modified" not in str(err).lower():
            raise


async def pressed(update: Update, ctx: Ctx) -> int:
    """Every button of the settings screens."""
    query = update.callback_query
    assert query is not None
    parsed = parse(query.data)
    code = parsed.arg(0) if parsed else None
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = await translator_for(update, ctx)
    if parsed is not None and parsed.action == "link":
        await query.answer()
        await my_link(update, ctx)
        return ConversationHandler.END
    if parsed is None or code not in SPECS:  # the menu button, or a forged code
        await query.answer()
        await _edit(update, menu_text(tr, await _me(update, ctx)), menu_markup(tr))
        return ConversationHandler.END
    assert code is not None
    spec, action, value = SPECS[code], parsed.action, parsed.arg(1) or ""
    if action == "pick" and spec.kind == "pix" and value in PIX_LABELS:
        await query.answer()
        ctx.user_data[DRAFT] = {"code": code, "pix_type": value}  # type: ignore[index]
        text = tr.t("settings.ask_pix_key", type=tr.t(PIX_LABELS[value]))
        back = button(NS, tr.t("settings.back"), "menu")
        await _edit(update, text, InlineKeyboardMarkup([[back]]))
        return TYPING
    if action == "pick" and value == PaymentType.partial.value:
        await query.answer()
        return await _open_editor(update, ctx, tr, "pct")
    try:
        if action == "ed" and spec.kind == "toggle":
            me = await _me(update, ctx)
            me = await _save(update, ctx, {spec.field: not getattr(me, spec.field)})
        elif action == "pick" and spec.kind == "pay":
            me = await _save(update, ctx, {spec.field: value})
        elif action == "v" and (spec.kind in ("choice", "tz") or value.isdigit()):
            typed = value if spec.kind in ("choice", "tz") else int(value)
            extra = {"payment_type": PaymentType.partial} if spec.kind == "pct" else {}
            me = await _save(update, ctx, {spec.field: typed, **extra})
        elif action == "clr" and spec.nullable:
            cleared = {"pix_key_type": None, "pix_key": None} if spec.kind == "pix" else {}
            me = await _save(update, ctx, cleared or {spec.field: None})
        else:
            await query.answer()
            return await _open_editor(update, ctx, tr, code)
    except DatabaseUnavailable:
        raise  # "try again in a moment", and the screen stays usable
    except DomainError as err:
        # Not answered yet, so the reason shows as an alert over the screen.
        await context.alert_text(update, ctx, explain_error(tr, err))
        return ConversationHandler.END
    await query.answer()
    tr = await translator_for(update, ctx)  # the language may just have changed
    shown = "pay" if code == "pct" else code
    await _edit(update, menu_text(tr, me, saved_notice(tr, me, shown)), menu_markup(tr))
    return ConversationHandler.END


async def _open_editor(update: Update, ctx: Ctx, tr: Translator, code: str) -> int:
    me = await _me(update, ctx)
    text, markup = editor(tr, me, code)
    await _edit(update, text, markup)
    if SPECS[code].kind in ("toggle", "pay", "pix") or code == "lang":
        return ConversationHandler.END
    ctx.user_data[DRAFT] = {"code": code}  # type: ignore[index]
    return TYPING


async def typed(update: Update, ctx: Ctx) -> int:
    """A typed value for the field being edited."""
    assert update.effective_message is not None
    return await _apply_typed(update, ctx, update.effective_message.text or "")


async def located(update: Update, ctx: Ctx) -> int:
    """A shared location while editing the time zone picks the nearest zone."""
    message = update.effective_message
    assert message is not None and message.location is not None
    zone = nearest_zone(message.location.latitude, message.location.longitude)
    return await _apply_typed(update, ctx, zone)


async def _apply_typed(update: Update, ctx: Ctx, text: str) -> int:
    draft = ctx.user_data.get(DRAFT) or {}  # type: ignore[union-attr]
    code = draft.get("code")
    if code not in SPECS:
        return ConversationHandler.END
    try:
        me = await _save(update, ctx, _typed_values(code, text, ctx))
    except DomainError as err:
        tr = await translator_for(update, ctx)
        await reply_text(update, ctx, explain_error(tr, err))
        return TYPING
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = await translator_for(update, ctx)
    shown = "pay" if code == "pct" else code
    await reply_text(
        update, ctx, menu_text(tr, me, saved_notice(tr, me, shown)), reply_markup=menu_markup(tr)
    )
    return ConversationHandler.END


def build() -> ConversationHandler[Any]:
    """The settings screens; only typing a value is a conversation state."""
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("settings", show_menu),
                CallbackQueryHandler(pressed, pattern=cb_matches(NS)),
            ],
            states={
                TYPING: [
                    MessageHandler(text, typed),
                    MessageHandler(filters.LOCATION, located),
                    CallbackQueryHandler(pressed, pattern=cb_matches(NS)),
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel), CommandHandler("settings", show_menu)],
            name="settings",
            persistent=True,
            allow_reentry=True,
        )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /settings and /link."""
    application.add_handler(build())
    application.add_handler(CommandHandler("link", my_link))
