"""Dates, money and durations come out in the reader's language and time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.formatting import (
    format_date,
    format_datetime,
    format_day_short,
    format_duration,
    format_money,
    format_relative,
    format_time,
    format_weekday,
)

SAO_PAULO = "America/Sao_Paulo"
# 17:00 UTC is 14:00 in São Paulo (UTC-3, no daylight saving since 2019).
THURSDAY_5PM_UTC = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("pt_BR", f"R${NBSP}150,00"), ("en", "R$150.00"), ("es", f"150,00{NBSP}BRL")],
)
def test_money_in_cents_is_shown_with_the_locales_currency_format(locale, expected):
    assert format_money(15000, "BRL", locale) == expected


def test_money_uses_each_currencys_own_minor_units():
    assert format_money(1500, "JPY", "en") == "JP¥1,500"
    assert format_money(123456, "eur", "pt_BR") == f"€{NBSP}1.234,56"
    assert format_money(5, "USD", "es") == f"0,05{NBSP}US$"


@pytest.mark.parametrize("locale", ["en", "pt_BR", "es"])
def test_time_is_shown_on_a_24_hour_clock_in_the_readers_zone(locale):
    assert format_time(THURSDAY_5PM_UTC, locale, SAO_PAULO) == "14:00"


def test_a_tzinfo_object_works_as_well_as_a_zone_name():
    assert format_time(THURSDAY_5PM_UTC, "en", ZoneInfo("Europe/Madrid")) == "18:00"
    assert format_time(THURSDAY_5PM_UTC, "en", timezone(timedelta(hours=-5))) == "12:00"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Thursday, 26 November 2026"),
        ("pt_BR", "quinta-feira, 26 de novembro de 2026"),
        ("es", "jueves, 26 de noviembre de 2026"),
    ],
)
def test_the_full_date_is_spelled_out_in_the_readers_language(locale, expected):
    assert format_date(THURSDAY_5PM_UTC, locale, SAO_PAULO) == expected


def test_a_short_date_format_can_be_asked_for():
    assert format_date(THURSDAY_5PM_UTC, "pt_BR", SAO_PAULO, format="short") == "26/11/2026"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Thu 26 Nov, 14:00"),
        ("pt_BR", "qui., 26 de nov. 14:00"),
        ("es", "jue, 26 nov, 14:00"),
    ],
)
def test_date_and_time_together_follow_the_locales_pattern(locale, expected):
    assert format_datetime(THURSDAY_5PM_UTC, locale, SAO_PAULO) == expected


def test_date_and_time_can_include_the_year():
    assert format_datetime(THURSDAY_5PM_UTC, "en", SAO_PAULO, with_year=True) == (
        "Thu, 26 Nov 2026, 14:00"
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Thu 26/11"), ("pt_BR", "qui., 26/11"), ("es", "jue, 26/11")],
)
def test_calendar_buttons_get_a_compact_day_first_label(locale, expected):
    assert format_day_short(THURSDAY_5PM_UTC, locale, SAO_PAULO) == expected


def test_late_evening_in_the_readers_zone_is_still_the_same_day():
    # 02:00 UTC on Friday is 23:00 on Thursday in São Paulo.
    friday_2am_utc = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)

    assert format_day_short(friday_2am_utc, "en", SAO_PAULO) == "Thu 26/11"
    assert format_weekday(friday_2am_utc, "pt_BR", SAO_PAULO) == "quinta-feira"
    assert format_day_short(friday_2am_utc, "en", "UTC") == "Fri 27/11"


def test_plain_dates_need_no_time_zone():
    assert format_day_short(date(2026, 1, 5), "pt_BR") == "seg., 05/01"
    assert format_weekday(date(2026, 1, 5), "es") == "lunes"


@pytest.mark.parametrize(
    ("width", "expected"),
    [("wide", "Thursday"), ("abbreviated", "Thu"), ("narrow", "T")],
)
def test_weekday_names_come_in_several_widths(width, expected):
    assert format_weekday(THURSDAY_5PM_UTC, "en", SAO_PAULO, width=width) == expected


def test_a_naive_datetime_is_refused_rather_than_guessed_as_utc():
    with pytest.raises(ValueError, match="naive"):
        format_time(datetime(2026, 11, 26, 17, 0), "en", SAO_PAULO)


def test_a_datetime_without_the_readers_zone_is_refused():
    with pytest.raises(TypeError, match="time zone"):
        format_date(THURSDAY_5PM_UTC, "en")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "1 hour and 30 minutes"),
        ("pt_BR", "1 hora e 30 minutos"),
        ("es", "1 hora y 30 minutos"),
    ],
)
def test_durations_are_written_out_in_words(locale, expected):
    assert format_duration(90, locale) == expected


def test_whole_hours_and_short_sessions_drop_the_zero_part():
    assert format_duration(60, "en") == "1 hour"
    assert format_duration(120, "pt_BR") == "2 horas"
    assert format_duration(45, "es") == "45 minutos"


def test_short_durations_fit_on_a_button():
    assert [format_duration(m, "pt_BR", short=True) for m in (45, 60, 90)] == [
        "45 min",
        "1 h",
        "1 h 30 min",
    ]


def test_a_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        format_duration(-5, "en")


@pytest.mark.parametrize(
    ("now_utc", "locale", "expected"),
    [
        (datetime(2026, 11, 26, 12, tzinfo=UTC), "en", "today at 14:00"),
        (datetime(2026, 11, 25, 12, tzinfo=UTC), "pt_BR", "amanhã às 14:00"),
        (datetime(2026, 11, 27, 12, tzinfo=UTC), "es", "ayer a las 14:00"),
        (datetime(2026, 11, 20, 12, tzinfo=UTC), "pt_BR", "qui., 26 de nov. às 14:00"),
        (datetime(2025, 12, 20, 12, tzinfo=UTC), "en", "Thu, 26 Nov 2026 at 14:00"),
    ],
)
def test_relative_times_say_today_or_tomorrow_when_they_can(now_utc, locale, expected):
    assert format_relative(THURSDAY_5PM_UTC, locale, SAO_PAULO, now=now_utc) == expected


def test_today_and_tomorrow_are_judged_in_the_readers_zone():
    # 01:00 UTC Friday is 22:00 Thursday in São Paulo: "today" there, "tomorrow" in UTC.
    appointment = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    assert format_relative(appointment, "en", SAO_PAULO, now=now) == "today at 22:00"
    assert format_relative(appointment, "en", "UTC", now=now) == "tomorrow at 01:00"


def test_money_counts_in_iso_minor_units_even_where_cldr_shows_none() -> None:
    # COP has two ISO decimals though CLDR shows whole pesos: a whole amount looks as
    # usual, a deposit with centavos keeps them rather than being rounded.
    assert format_money(5_000_000, "COP", "es") == f"50.000{NBSP}COP"
    assert format_money(1_234_560, "COP", "es") == f"12.345,60{NBSP}COP"
    assert format_money(1234, "KWD", "en") == "KWD1.234"
