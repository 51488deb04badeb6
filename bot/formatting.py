"""Dates, times, money and durations in the reader's language and time zone (Babel, CLDR).

Every function takes the bot's locale code (``"en"``, ``"pt_BR"``, ``"es"``; anything
else goes through ``normalize_locale``). Datetimes must be timezone-aware: they are
converted to the reader's zone ``tz`` (an IANA name such as ``"America/Sao_Paulo"`` or
a tzinfo) before formatting, because a naive datetime silently means "UTC" to Babel.
Plain ``date`` values need no zone.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.lists import format_list
from babel.units import format_unit

from bot.i18n import get_translator, normalize_locale
from core.payments.money import exponent

__all__ = [
    "FORMAT_LOCALES",
    "TzLike",
    "babel_locale",
    "format_date",
    "format_datetime",
    "format_day_short",
    "format_duration",
    "format_money",
    "format_relative",
    "format_time",
    "format_weekday",
]

TzLike = str | tzinfo
DateFormat = Literal["full", "long", "medium", "short"]
WeekdayWidth = Literal["wide", "abbreviated", "short", "narrow"]

# Babel's plain "en" is US English (11/26, 2:00 PM). Our English readers are anyone whose
# language we lack, mostly outside the US, so they get day-first dates and a 24-hour clock.
FORMAT_LOCALES: dict[str, str] = {"en": "en_GB", "pt_BR": "pt_BR", "es": "es"}


def babel_locale(locale: str | None) -> Locale:
    """Return the Babel Locale used to format for one of the bot's locales."""
    return _babel_locale(normalize_locale(locale))


@cache
def _babel_locale(supported: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES[supported])


def _zone(tz: TzLike) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _to_zone(value: datetime, tz: TzLike | None) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
    if tz is None:
        raise TypeError("a datetime needs the reader's time zone (tz)")
    return value.astimezone(_zone(tz))


def _local_day(value: date | datetime, tz: TzLike | None) -> date:
    if isinstance(value, datetime):
        return _to_zone(value, tz).date()
    return value


def format_date(
    value: date | datetime,
    locale: str,
    tz: TzLike | None = None,
    *,
    format: DateFormat = "full",
) -> str:
    """Return the day as "Thursday, 26 November 2026" ("quinta-feira, 26 de novembro de 2026")."""
    return babel_dates.format_date(_local_day(value, tz), format, locale=babel_locale(locale))


def format_time(value: datetime, locale: str, tz: TzLike) -> str:
    """Return the clock time in the reader's zone, e.g. "14:00"."""
    local = _to_zone(value, tz)
    return babel_dates.format_time(local, "short", tzinfo=local.tzinfo, locale=babel_locale(locale))


def _date_for_sentence(day: date, locale: Locale, with_year: bool) -> str:
    return babel_dates.format_skeleton("yMMMEd" if with_year else "MMMEd", day, locale=locale)


def format_datetime(value: datetime, locale: str, tz: TzLike, *, with_year: bool = False) -> str:
    """Return weekday, day and time in the reader's zone, e.g. "Thu 26 Nov, 14:00"."""
    local = _to_zone(value, tz)
    babel_loc = babel_locale(locale)
    day = _date_for_sentence(local.date(), babel_loc, with_year)
    time = format_time(local, locale, tz)
    # CLDR's own glue ("{1}, {0}" or "{1} {0}") keeps the order and punctuation native.
    pattern = str(babel_loc.datetime_formats["medium"]).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", time)


_WEEKDAY_PATTERNS = {"wide": "cccc", "abbreviated": "ccc", "short": "cccccc", "narrow": "ccccc"}


def format_weekday(
    value: date | datetime,
    locale: str,
    tz: TzLike | None = None,
    *,
    width: WeekdayWidth = "wide",
) -> str:
    """Return the weekday name, e.g. "Thursday", "quinta-feira", "jueves"."""
    # "c" is CLDR's stand-alone weekday: the form used outside a sentence, as in a header.
    pattern = _WEEKDAY_PATTERNS[width]
    return babel_dates.format_date(_local_day(value, tz), pattern, locale=babel_locale(locale))


def format_day_short(value: date | datetime, locale: str, tz: TzLike | None = None) -> str:
    """Return a compact day for calendar buttons: "Thu 26/11", "qui., 26/11", "jue, 26/11"."""
    day = _local_day(value, tz)
    return babel_dates.format_skeleton("MEd", day, locale=babel_locale(locale))


def format_money(cents: int, currency: str, locale: str) -> str:
    """Return an amount given in minor units, e.g. 15000 BRL -> "R$ 150,00" (pt_BR)."""
    currency = currency.upper()
    # Minor units differ by currency (JPY has none, KWD has three): the core's ISO 4217
    # exponent is what every stored amount counts in.
    amount = Decimal(cents).scaleb(-exponent(currency))
    shown = babel_numbers.get_currency_precision(currency)
    # CLDR shows some currencies without their minor unit (COP, HUF); an amount that has
    # one (a 40% deposit of COP 123.457) keeps its decimals instead of being rounded.
    exact = amount == amount.quantize(Decimal(1).scaleb(-shown))
    return babel_numbers.format_currency(
        amount, currency, locale=babel_locale(locale), currency_digits=exact
    )


def format_duration(minutes: int, locale: str, *, short: bool = False) -> str:
    """Return a length of time: "1 hour and 30 minutes", or "1 h 30 min" when short."""
    if minutes < 0:
        raise ValueError(f"negative duration: {minutes} minutes")
    babel_loc = babel_locale(locale)
    hours, rest = divmod(minutes, 60)
    if short:
        # Babel 2.18's short units are wrong for pt/es ("1 horas"); "h" and "min" are the
        # SI-style abbreviations readers of all three languages use, so spell them out here.
        parts = []
        if hours:
            parts.append(f"{babel_numbers.format_decimal(hours, locale=babel_loc)} h")
        if rest or not hours:
            parts.append(f"{rest} min")
        return " ".join(parts)
    words = []
    if hours:
        words.append(format_unit(hours, "duration-hour", length="long", locale=babel_loc))
    if rest or not hours:
        words.append(format_unit(rest, "duration-minute", length="long", locale=babel_loc))
    return format_list(words, style="standard", locale=babel_loc)


def format_relative(
    value: datetime,
    locale: str,
    tz: TzLike,
    *,
    now: datetime | None = None,
) -> str:
    """Return "today at 14:00", "tomorrow at 14:00" or "Thu 26 Nov at 14:00" (reader's zone)."""
    local = _to_zone(value, tz)
    local_now = _to_zone(now or datetime.now(local.tzinfo), tz)
    time = format_time(local, locale, tz)
    tr = get_translator(locale)
    days_ahead = (local.date() - local_now.date()).days
    if days_ahead == 0:
        # TRANSLATORS: {time} is a clock time such as 14:00; lower case, used mid-sentence.
        return tr.t("time.today_at", time=time)
    if days_ahead == 1:
        # TRANSLATORS: {time} is a clock time such as 14:00; lower case, used mid-sentence.
        return tr.t("time.tomorrow_at", time=time)
    if days_ahead == -1:
        # TRANSLATORS: {time} is a clock time such as 14:00; lower case, used mid-sentence.
        return tr.t("time.yesterday_at", time=time)
    with_year = local.year != local_now.year
    day = _date_for_sentence(local.date(), babel_locale(locale), with_year)
    # TRANSLATORS: {date} is a short day such as "Thu 26 Nov", {time} a clock time (14:00).
    return tr.t("time.date_at", date=day, time=time)
