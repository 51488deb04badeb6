"""/settings: every setting of a professional, with its current value, changed by a button
or by typing; /link: the booking link and its QR code again.

The menu and the choice screens are plain buttons that work whenever they are pressed;
only a typed value needs the conversation (state ``TYPING``, the field in ``user_data``).
The core checks each value (``SettingsChange.of`` and ``update_settings``); a refusal is
explained with the field's label and the same value is asked again.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.numbers import get_currency_name
from babel.units import format_unit
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
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
    FIELD_LABELS,
    booking_link,
    button,
    common_zones,
    explain,
    nearest_zone,
    parse_minutes,
    rows,
    send_link,
    zone_from_text,
    zone_label,
)
from bot.formatting import babel_locale, format_duration, format_money
from bot.handlers.basics import cancel, end_conversations
from bot.i18n import N_, Translator
from core.errors import DomainError
from core.models import PaymentType, PixKeyType
from core.services import professionals
from core.services.professionals import ProfessionalView, SettingsChange
from core.validation import parse_time_of_day

__all__ = ["build", "my_link", "register", "show_menu"]

NS = register_namespace("set", owner=__name__)
TYPING = 0
DRAFT = "settings"
SUPPORTED_LOCALES = ("en", "pt_BR", "es")


@dataclass(frozen=True)
class Spec:
    """How one setting is shown and changed; `kind` picks the editor."""

    field: str
    kind: str  # text | minutes | int | price | choice | toggle | hour | tz | pix | pay | pct
    presets: tuple[str, ...] = ()
    nullable: bool = False


# Short codes keep the callback data well under Telegram's 64 bytes.
SPECS: dict[str, Spec] = {
    "nm": Spec("name", "text"),
    "bio": Spec("bio", "text", nullable=True),
    "wel": Spec("welcome_message", "text", nullable=True),
    "dur": Spec("session_duration", "minutes", ("30", "45", "50", "60", "90")),
    "prc": Spec("price_cents", "price"),
    "cur": Spec("currency", "choice", ("BRL", "EUR", "USD", "GBP", "MXN", "ARS", "COP", "CLP")),
    "pay": Spec("payment_type", "pay", tuple(PaymentType)),
    "ac": Spec("auto_confirm", "toggle"),
    "pix": Spec("pix_key", "pix", tuple(PixKeyType), nullable=True),
    "buf": Spec("buffer_minutes", "minutes", ("0", "10", "15", "30")),
    "ntc": Spec("min_notice_minutes", "minutes", ("0", "60", "120", "720", "1440")),
    "hor": Spec("booking_horizon_days", "int", ("14", "30", "60", "90")),
    "cxl": Spec("cancellation_notice_minutes", "minutes", ("0", "720", "1440", "2880")),
    "max": Spec("max_future_bookings", "int", ("1", "2", "4", "8")),
    "tz": Spec("timezone", "tz"),
    "lang": Spec("locale", "choice", SUPPORTED_LOCALES),
    "act": Spec("active", "toggle"),
    "agd": Spec("morning_agenda_hour", "hour", ("6", "7", "8", "9"), nullable=True),
    "ph": Spec("phone", "text", nullable=True),
    "em": Spec("email", "text", nullable=True),
    # Not in the menu: asked after choosing a partial payment.
    "pct": Spec("payment_percentage", "pct", ("30", "50")),
}
MENU = [code for code in SPECS if code != "pct"]
HINTS = {
    "text": N_("settings.hint.text"),
    "minutes": N_("settings.hint.minutes"),
    "int": N_("settings.hint.number"),
    "price": N_("settings.hint.price"),
    "choice": N_("settings.hint.choice"),
    "pay": N_("settings.hint.choice"),
    "pix": N_("settings.hint.pix_type"),
    "hour": N_("settings.hint.hour"),
    "tz": N_("settings.hint.timezone"),
    "pct": N_("settings.hint.percentage"),
}
PAYMENT_LABELS = {
    PaymentType.upfront.value: N_("settings.payment.upfront"),
    PaymentType.partial.value: N_("settings.payment.partial"),
    PaymentType.after_session.value: N_("settings.payment.after_session"),
    PaymentType.none.value: N_("settings.payment.none"),
}
PIX_LABELS = {
    PixKeyType.cpf.value: N_("settings.pix.cpf"),
    PixKeyType.cnpj.value: N_("settings.pix.cnpj"),
    PixKeyType.email.value: N_("settings.pix.email"),
    PixKeyType.phone.value: N_("settings.pix.phone"),
    PixKeyType.random.value: N_("settings.pix.random"),
}


# --- showing values -----------------------------------------------------------------------


def _language_name(locale: str) -> str:
    return str(Locale.parse(locale).get_display_name(locale) or locale).capitalize()


def _days(tr: Translator, n: int) -> str:
    return str(format_unit(n, "duration-day", length="long", locale=babel_locale(tr.locale)))


def _short(text: str | None, tr: Translator, limit: int = 60) -> str:
    if not text:
        return tr.t("settings.not_set")
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _preset_label(tr: Translator, spec: Spec, value: str) -> str:
    if spec.kind == "minutes":
        return format_duration(int(value), tr.locale, short=True)
    if spec.field == "booking_horizon_days":
        return _days(tr, int(value))
    if spec.kind == "hour":
        return f"{int(value):02d}:00"
    if spec.kind == "pct":
        return f"{value}%"
    if spec.field == "locale":
        return _language_name(value)
    if spec.kind == "pay":
        return tr.t(PAYMENT_LABELS[value])
    if spec.kind == "pix":
        return tr.t(PIX_LABELS[value])
    if spec.kind == "tz":
        return zone_label(value, tr.locale)
    return value


def value_text(tr: Translator, me: ProfessionalView, code: str) -> str:
    """The current value of a setting, formatted for the reader."""
    spec = SPECS[code]
    value = getattr(me, spec.field)
    if spec.kind == "toggle":
        return tr.t("settings.on") if value else tr.t("settings.off")
    if spec.kind == "minutes":
        return format_duration(value, tr.locale, short=True)
    if code == "prc":
        return format_money(value, me.currency, tr.locale)
    if code == "cur":
        return f"{value} ({get_currency_name(value, locale=tr.locale)})"
    if code == "pay":
        label = tr.t(PAYMENT_LABELS[value.value])
        return f"{label} ({me.payment_percentage}%)" if value is PaymentType.partial else label
    if code == "pix":
        if not value or me.pix_key_type is None:
            return tr.t("settings.not_set")
        return f"{tr.t(PIX_LABELS[me.pix_key_type.value])}: {value}"
    if code == "hor":
        return _days(tr, value)
    if code == "tz":
        return f"{zone_label(value, tr.locale)} ({value})"
    if code == "lang":
        return _language_name(value)
    if code == "agd":
        return tr.t("settings.not_set") if value is None else f"{value:02d}:00"
    if value is None or value == "":
        return tr.t("settings.not_set")
    return _short(str(value), tr)


def _label(tr: Translator, code: str) -> str:
    return tr.t(FIELD_LABELS[SPECS[code].field])


def _b(label: str, action: str, *args: str) -> InlineKeyboardButton:
    return button(NS, label, action, *args)


def menu_text(tr: Translator, me: ProfessionalView, notice: str | None = None) -> str:
    lines = [f"{_label(tr, code)}: {value_text(tr, me, code)}" for code in MENU]
    body = tr.t("settings.title") + "\n\n" + "\n".join(lines)
    return f"{notice}\n\n{body}" if notice else body


def menu_markup(tr: Translator) -> InlineKeyboardMarkup:
    buttons = [_b(_label(tr, code), "ed", code) for code in MENU]
    buttons.append(_b(tr.t("settings.my_link"), "link"))
    return InlineKeyboardMarkup(rows(buttons, 2))


def _editor(tr: Translator, me: ProfessionalView, code: str) -> tuple[str, InlineKeyboardMarkup]:
    spec = SPECS[code]
    text = tr.t(
        "settings.editor",
        field=_label(tr, code),
        value=value_text(tr, me, "pay" if code == "pct" else code),
        hint=tr.t(HINTS[spec.kind]),
    )
    presets = common_zones(tr.locale) if spec.kind == "tz" else spec.presets
    action = "pick" if spec.kind in ("pay", "pix") else "v"
    buttons = [_b(_preset_label(tr, spec, v), action, code, v) for v in presets]
    layout = rows(buttons, 2 if spec.kind in ("pay", "pix", "tz", "choice") else 4)
    if spec.nullable:
        layout.append([_b(tr.t("settings.clear"), "clr", code)])
    layout.append([_b(tr.t("settings.back"), "menu")])
    return text, InlineKeyboardMarkup(layout)


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
            raise _Unreadable(field=field, hint=N_("settings.hint.minutes"))
        return {field: minutes}
    if spec.kind in ("int", "pct"):
        digits = text.strip().rstrip("%").strip()
        if not digits.isdigit():
            raise _Unreadable(field=field, hint=N_("settings.hint.number"))
        if spec.kind == "pct":
            return {"payment_type": PaymentType.partial, field: int(digits)}
        return {field: int(digits)}
    if spec.kind == "hour":
        return {field: parse_time_of_day(text, field=field).hour}
    if spec.kind == "tz":
        zone = zone_from_text(text)
        if zone is None:
            raise _Unreadable(field=field, hint=N_("settings.hint.timezone"))
        return {field: zone}
    if spec.kind == "pix":
        kind = ctx.user_data.get(DRAFT, {}).get("pix_type")  # type: ignore[union-attr]
        return {"pix_key_type": kind, "pix_key": text}
    return {field: text}


class _Unreadable(DomainError):
    """A typed value we cannot even read; params: field, hint (a msgid)."""

    msgid = N_("settings.unreadable")


def _explain(tr: Translator, err: DomainError) -> str:
    if isinstance(err, _Unreadable):
        hint = tr.t(str(err.params["hint"]))
        return tr.t(
            "settings.invalid", field=tr.t(FIELD_LABELS[str(err.params["field"])]), reason=hint
        )
    return explain(tr, err)


def _saved_notice(tr: Translator, me: ProfessionalView, code: str) -> str:
    return tr.t("settings.saved", field=_label(tr, code), value=value_text(tr, me, code))


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
    if parsed is None or (code is not None and code not in SPECS):
        await query.answer()
        return ConversationHandler.END
    await query.answer()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = await translator_for(update, ctx)
    action, value = parsed.action, parsed.arg(1)
    if action == "link":
        await my_link(update, ctx)
        return ConversationHandler.END
    if action == "menu" or code is None:
        me = await _me(update, ctx)
        await _edit(update, menu_text(tr, me), menu_markup(tr))
        return ConversationHandler.END
    spec = SPECS[code]
    try:
        if action == "ed" and spec.kind == "toggle":
            me = await _me(update, ctx)
            me = await _save(update, ctx, {spec.field: not getattr(me, spec.field)})
        elif action == "pick" and spec.kind == "pix" and value:
            ctx.user_data[DRAFT] = {"code": code, "pix_type": value}  # type: ignore[index]
            text = tr.t("settings.ask_pix_key", type=tr.t(PIX_LABELS.get(value, value)))
            await _edit(update, text, InlineKeyboardMarkup([[_b(tr.t("settings.back"), "menu")]]))
            return TYPING
        elif action == "pick" and value == PaymentType.partial.value:
            return await _open_editor(update, ctx, tr, "pct")
        elif action == "pick":
            me = await _save(update, ctx, {spec.field: value})
        elif action == "v" and value is not None:
            typed = value if spec.kind in ("choice", "tz") else int(value)
            extra = {"payment_type": PaymentType.partial} if spec.kind == "pct" else {}
            me = await _save(update, ctx, {spec.field: typed, **extra})
        elif action == "clr" and spec.nullable:
            cleared = {"pix_key_type": None, "pix_key": None} if spec.kind == "pix" else {}
            me = await _save(update, ctx, cleared or {spec.field: None})
        else:
            return await _open_editor(update, ctx, tr, code)
    except DomainError as err:
        await context.alert_text(update, ctx, _explain(tr, err))
        return ConversationHandler.END
    tr = await translator_for(update, ctx)  # the language may just have changed
    shown = "pay" if code == "pct" else code
    await _edit(update, menu_text(tr, me, _saved_notice(tr, me, shown)), menu_markup(tr))
    return ConversationHandler.END


async def _open_editor(update: Update, ctx: Ctx, tr: Translator, code: str) -> int:
    me = await _me(update, ctx)
    text, markup = _editor(tr, me, code)
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
        await reply_text(update, ctx, _explain(tr, err))
        return TYPING
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = await translator_for(update, ctx)
    shown = "pay" if code == "pct" else code
    await reply_text(
        update, ctx, menu_text(tr, me, _saved_notice(tr, me, shown)), reply_markup=menu_markup(tr)
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
