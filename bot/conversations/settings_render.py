"""Texts and keyboards of /settings: what each setting is, how its value reads, its editor.

Every setting has a short code (``SPECS``) that keeps callback data small; the value of
each is formatted for the reader (money, durations, languages, zones).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from babel.numbers import get_currency_name
from babel.units import format_unit
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversations.onboarding_shared import (
    FIELD_LABELS,
    button,
    common_zones,
    explain,
    rows,
    zone_label,
)
from bot.formatting import babel_locale, format_duration, format_money
from bot.i18n import N_, Translator
from core.errors import DomainError
from core.models import PaymentType, PixKeyType
from core.services.professionals import ProfessionalView

SETTINGS_NS = "set"
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
    name = str(Locale.parse(locale).get_display_name(locale) or locale)
    return name[:1].upper() + name[1:]


def _days(tr: Translator, n: int) -> str:
    locale = babel_locale(tr.locale)
    text = str(format_unit(n, "duration-day", length="long", locale=locale))
    # Babel's Portuguese data lacks the long plural forms of "day" (it prints the unit id).
    if "duration" in text:
        text = str(format_unit(n, "duration-day", length="short", locale=locale))
    return text


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


def label(tr: Translator, code: str) -> str:
    return tr.t(FIELD_LABELS[SPECS[code].field])


def _b(text: str, action: str, *args: str) -> InlineKeyboardButton:
    return button(SETTINGS_NS, text, action, *args)


def menu_text(tr: Translator, me: ProfessionalView, notice: str | None = None) -> str:
    lines = [f"{label(tr, code)}: {value_text(tr, me, code)}" for code in MENU]
    body = tr.t("settings.title") + "\n\n" + "\n".join(lines)
    return f"{notice}\n\n{body}" if notice else body


def menu_markup(tr: Translator) -> InlineKeyboardMarkup:
    buttons = [_b(label(tr, code), "ed", code) for code in MENU]
    buttons.append(_b(tr.t("settings.my_link"), "link"))
    return InlineKeyboardMarkup(rows(buttons, 2))


def editor(tr: Translator, me: ProfessionalView, code: str) -> tuple[str, InlineKeyboardMarkup]:
    spec = SPECS[code]
    text = tr.t(
        "settings.editor",
        field=label(tr, code),
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


class Unreadable(DomainError):
    """A typed value we cannot even read; params: field, hint (a msgid)."""

    msgid = N_("settings.unreadable")


def explain_error(tr: Translator, err: DomainError) -> str:
    if isinstance(err, Unreadable):
        hint = tr.t(str(err.params["hint"]))
        return tr.t(
            "settings.invalid", field=tr.t(FIELD_LABELS[str(err.params["field"])]), reason=hint
        )
    return explain(tr, err)


def saved_notice(tr: Translator, me: ProfessionalView, code: str) -> str:
    return tr.t("settings.saved", field=label(tr, code), value=value_text(tr, me, code))
