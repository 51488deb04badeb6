"""What the professional screens share: the booking link and its QR code, the city and zone
table behind the time-zone buttons and location sharing, typed durations, profession and
field labels, and domain errors explained with the label of their field.
"""

from __future__ import annotations

import io
import math
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import Callback
from bot.context import Ctx, reply_text, translator_for
from bot.formatting import babel_locale
from bot.i18n import N_, Translator
from core.errors import DomainError
from core.models import Profession
from core.scheduling.lexicon import fold
from core.services.professionals import SettingsChange

__all__ = [
    "CITIES",
    "FIELD_LABELS",
    "PROFESSIONS",
    "booking_link",
    "button",
    "common_zones",
    "default_currency",
    "explain",
    "nearest_zone",
    "parse_minutes",
    "profession_label",
    "qr_png",
    "rows",
    "send_link",
    "zone_from_text",
    "zone_label",
]

# The profession choices of onboarding (value -> label msgid).
PROFESSIONS: dict[str, str] = {
    Profession.psychologist.value: N_("profession.psychologist"),
    Profession.personal_trainer.value: N_("profession.personal_trainer"),
    Profession.nutritionist.value: N_("profession.nutritionist"),
    Profession.tutor.value: N_("profession.tutor"),
    Profession.physiotherapist.value: N_("profession.physiotherapist"),
    Profession.coach.value: N_("profession.coach"),
    # On a profile card "other" reads "Professional"; as a choice it is "something else".
    Profession.other.value: N_("onboarding.profession_other"),
}
# Core field names (as domain errors report them) -> their label for the reader.
FIELD_LABELS: dict[str, str] = {
    "name": N_("field.name"),
    "profession": N_("field.profession"),
    "bio": N_("field.bio"),
    "welcome_message": N_("field.welcome_message"),
    "session_duration": N_("field.session_duration"),
    "price_cents": N_("field.price"),
    "currency": N_("field.currency"),
    "payment_type": N_("field.payment_type"),
    "payment_percentage": N_("field.payment_percentage"),
    "auto_confirm": N_("field.auto_confirm"),
    "pix_key_type": N_("field.pix_key_type"),
    "pix_key": N_("field.pix_key"),
    "buffer_minutes": N_("field.buffer_minutes"),
    "min_notice_minutes": N_("field.min_notice_minutes"),
    "booking_horizon_days": N_("field.booking_horizon_days"),
    "cancellation_notice_minutes": N_("field.cancellation_notice_minutes"),
    "max_future_bookings": N_("field.max_future_bookings"),
    "timezone": N_("field.timezone"),
    "locale": N_("field.locale"),
    "active": N_("field.active"),
    "morning_agenda_hour": N_("field.morning_agenda_hour"),
    "phone": N_("field.phone"),
    "email": N_("field.email"),
}

# --- cities and zones ---------------------------------------------------------------------

# (English city name, IANA zone, latitude, longitude, currency). Several cities share a
# zone where one point per zone would let a neighbouring zone win (Brasília vs Cuiabá).
CITIES: tuple[tuple[str, str, float, float, str], ...] = (
    ("São Paulo", "America/Sao_Paulo", -23.55, -46.63, "BRL"),
    ("Rio de Janeiro", "America/Sao_Paulo", -22.91, -43.17, "BRL"),
    ("Brasília", "America/Sao_Paulo", -15.79, -47.88, "BRL"),
    ("Belo Horizonte", "America/Sao_Paulo", -19.92, -43.94, "BRL"),
    ("Porto Alegre", "America/Sao_Paulo", -30.03, -51.23, "BRL"),
    ("Salvador", "America/Bahia", -12.97, -38.51, "BRL"),
    ("Recife", "America/Recife", -8.05, -34.88, "BRL"),
    ("Fortaleza", "America/Fortaleza", -3.73, -38.52, "BRL"),
    ("Belém", "America/Belem", -1.46, -48.49, "BRL"),
    ("Manaus", "America/Manaus", -3.12, -60.02, "BRL"),
    ("Cuiabá", "America/Cuiaba", -15.60, -56.10, "BRL"),
    ("Rio Branco", "America/Rio_Branco", -9.97, -67.81, "BRL"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires", -34.60, -58.38, "ARS"),
    ("Montevideo", "America/Montevideo", -34.90, -56.16, "UYU"),
    ("Asunción", "America/Asuncion", -25.26, -57.58, "PYG"),
    ("Santiago", "America/Santiago", -33.45, -70.67, "CLP"),
    ("La Paz", "America/La_Paz", -16.50, -68.15, "BOB"),
    ("Lima", "America/Lima", -12.05, -77.04, "PEN"),
    ("Bogotá", "America/Bogota", 4.71, -74.07, "COP"),
    ("Caracas", "America/Caracas", 10.48, -66.90, "VES"),
    ("Guayaquil", "America/Guayaquil", -2.17, -79.92, "USD"),
    ("Panama", "America/Panama", 8.98, -79.52, "USD"),
    ("Costa Rica", "America/Costa_Rica", 9.93, -84.08, "CRC"),
    ("Guatemala", "America/Guatemala", 14.63, -90.51, "GTQ"),
    ("Mexico City", "America/Mexico_City", 19.43, -99.13, "MXN"),
    ("Cancún", "America/Cancun", 21.16, -86.85, "MXN"),
    ("Tijuana", "America/Tijuana", 32.51, -117.04, "MXN"),
    ("Santo Domingo", "America/Santo_Domingo", 18.49, -69.93, "DOP"),
    ("Puerto Rico", "America/Puerto_Rico", 18.47, -66.11, "USD"),
    ("New York", "America/New_York", 40.71, -74.01, "USD"),
    ("Chicago", "America/Chicago", 41.88, -87.63, "USD"),
    ("Denver", "America/Denver", 39.74, -104.99, "USD"),
    ("Phoenix", "America/Phoenix", 33.45, -112.07, "USD"),
    ("Los Angeles", "America/Los_Angeles", 34.05, -118.24, "USD"),
    ("Toronto", "America/Toronto", 43.65, -79.38, "CAD"),
    ("Vancouver", "America/Vancouver", 49.28, -123.12, "CAD"),
    ("Honolulu", "Pacific/Honolulu", 21.31, -157.86, "USD"),
    ("Azores", "Atlantic/Azores", 37.74, -25.67, "EUR"),
    ("Canary Islands", "Atlantic/Canary", 28.10, -15.41, "EUR"),
    ("Lisbon", "Europe/Lisbon", 38.72, -9.14, "EUR"),
    ("Porto", "Europe/Lisbon", 41.15, -8.61, "EUR"),
    ("Madrid", "Europe/Madrid", 40.42, -3.70, "EUR"),
    ("London", "Europe/London", 51.51, -0.13, "GBP"),
    ("Dublin", "Europe/Dublin", 53.35, -6.26, "EUR"),
    ("Paris", "Europe/Paris", 48.86, 2.35, "EUR"),
    ("Berlin", "Europe/Berlin", 52.52, 13.40, "EUR"),
    ("Zurich", "Europe/Zurich", 47.37, 8.54, "CHF"),
    ("Rome", "Europe/Rome", 41.90, 12.50, "EUR"),
    ("Luanda", "Africa/Luanda", -8.84, 13.23, "AOA"),
    ("Maputo", "Africa/Maputo", -25.97, 32.57, "MZN"),
    ("Tokyo", "Asia/Tokyo", 35.68, 139.69, "JPY"),
    ("Sydney", "Australia/Sydney", -33.87, 151.21, "AUD"),
)
_MAIN_CITY = {zone: name for name, zone, *_ in reversed(CITIES)}
_CURRENCY = {zone: currency for _, zone, _, _, currency in CITIES}
_COMMON = {
    "pt_BR": ("America/Sao_Paulo", "America/Manaus", "America/Fortaleza", "Europe/Lisbon",
              "America/New_York", "Europe/London"),
    "es": ("Europe/Madrid", "America/Mexico_City", "America/Argentina/Buenos_Aires",
           "America/Bogota", "America/Santiago", "America/Lima"),
    "en": ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
           "America/Sao_Paulo", "Europe/Lisbon"),
}  # fmt: skip


def nearest_zone(latitude: float, longitude: float) -> str:
    """The zone of the table's city closest to a point (great-circle distance)."""

    def distance(city: tuple[str, str, float, float, str]) -> float:
        lat1, lon1, lat2, lon2 = map(math.radians, (latitude, longitude, city[2], city[3]))
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * math.asin(min(1.0, math.sqrt(h)))

    return min(CITIES, key=distance)[1]


def common_zones(locale: str) -> tuple[str, ...]:
    """The zones offered as buttons to a reader of `locale`."""
    return _COMMON.get(locale, _COMMON["en"])


def default_currency(zone: str) -> str:
    """The currency most professionals in `zone` charge in (BRL when unknown)."""
    return _CURRENCY.get(zone, "BRL")


def zone_label(zone: str, locale: str) -> str:
    """A city name for a zone in the reader's language ("Lisboa" for Europe/Lisbon in pt)."""
    city = babel_locale(locale).time_zones.get(zone, {}).get("city")
    return str(city or _MAIN_CITY.get(zone) or zone.rsplit("/", 1)[-1].replace("_", " "))


def _zone_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, zone, *_ in CITIES:
        names.setdefault(fold(name), zone)
        for locale in ("en", "pt_BR", "es"):
            names.setdefault(fold(zone_label(zone, locale)), zone)
    return names


_ZONE_NAMES = _zone_names()


def zone_from_text(text: str) -> str | None:
    """The zone of a typed or tapped city name or IANA zone name, or None."""
    folded = " ".join(fold(text).replace("📍", "").split())
    if folded in _ZONE_NAMES:
        return _ZONE_NAMES[folded]
    try:
        return SettingsChange.of(timezone=text).timezone
    except DomainError:
        return None


# --- typed durations, link, errors ----------------------------------------------------------

_DURATION = re.compile(
    r"(?:(\d{1,3})\s*(?:d|dia|dias|day|days)\b\s*)?"
    r"(?:(\d{1,3})\s*(?:h|hs|hr|hrs|hora|horas|hour|hours)\s*)?"
    r"(?:(\d{1,5})\s*(?:m|min|mins|minuto|minutos|minute|minutes)?)?"
)


def parse_minutes(text: str) -> int | None:
    """Minutes in "50", "50 min", "1h30", "2 horas", "1 day"; None when unreadable."""
    match = _DURATION.fullmatch(" ".join(fold(text).split()))
    if match is None or not any(match.groups()):
        return None
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return days * 1440 + hours * 60 + minutes


def booking_link(ctx: Ctx, slug: str) -> str:
    """The deep link clients open to book with a professional."""
    return f"https://t.me/{ctx.bot.username}?start={slug}"


def qr_png(link: str) -> bytes:
    """A QR code of `link` as PNG bytes."""
    import segno  # imported when a QR code is drawn, not by every bot process at start

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


async def send_link(update: Update, ctx: Ctx, text: str, slug: str) -> None:
    """Send `text` (which should show the link), then the link's QR code."""
    link = booking_link(ctx, slug)
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, text)
    assert update.effective_chat is not None
    await ctx.bot.send_photo(
        update.effective_chat.id,
        photo=qr_png(link),
        filename="booking-link.png",
        caption=tr.t("onboarding.qr_caption", link=link),
    )


def explain(tr: Translator, err: DomainError) -> str:
    """A domain error's message, prefixed with the translated label of its field."""
    field = err.params.get("field")
    label_id = FIELD_LABELS.get(field) if isinstance(field, str) else None
    if label_id is None:
        return tr.render(err)
    label = tr.t(label_id)
    reason = tr.t(err.msgid, **{**err.params, "field": label})
    return tr.t("settings.invalid", field=label, reason=reason)


def profession_label(tr: Translator, profession: str) -> str:
    return tr.t(PROFESSIONS.get(profession, PROFESSIONS["other"]))


def button(ns: str, label: str, action: str, *args: str) -> InlineKeyboardButton:
    """An inline button whose data is `ns:action:args`."""
    return InlineKeyboardButton(label, callback_data=Callback(ns, action, args).encode())


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out `width` to a row."""
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def keyboard(buttons: list[InlineKeyboardButton], width: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows(buttons, width))
