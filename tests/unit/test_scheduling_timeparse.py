"""Typed text -> wanted time, in English, Portuguese (Brazil) and Spanish."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import InvalidInput
from core.scheduling.errors import TimeInPast, TimeMissing, UnparseableTime
from core.scheduling.timeparse import nearest, parse_wanted_day, parse_wanted_time, warm_up

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")

# Wednesday 2026-11-25 10:00 local in each zone.
SP_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SAO_PAULO)
MADRID_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)
NY_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=NEW_YORK)
# Friday before the spring-forward Sundays: 2026-03-08 in New York, 2026-03-29 in Madrid.
NY_BEFORE_DST = datetime(2026, 3, 6, 15, 0, tzinfo=NEW_YORK)
MADRID_BEFORE_DST = datetime(2026, 3, 27, 18, 0, tzinfo=MADRID)
MADRID_BEFORE_FALL_BACK = datetime(2026, 10, 23, 12, 0, tzinfo=MADRID)

CASES = [
    # Portuguese (Brazil), Sao Paulo, Wednesday 2026-11-25 10:00
    ("pt-br", "amanhã às 14h", SP_NOW, "2026-11-26 14:00"),
    ("pt-br", "Amanhã, 14h30", SP_NOW, "2026-11-26 14:30"),
    ("pt-br", "amanha as 14", SP_NOW, "2026-11-26 14:00"),
    ("pt-br", "amanhã 14", SP_NOW, "2026-11-26 14:00"),
    ("pt-br", "sexta 10:30", SP_NOW, "2026-11-27 10:30"),
    ("pt-br", "sexta-feira 10h", SP_NOW, "2026-11-27 10:00"),
    ("pt-br", "sex 10h", SP_NOW, "2026-11-27 10:00"),
    ("pt-br", "25/12 15h", SP_NOW, "2026-12-25 15:00"),
    ("pt-br", "25/11 15h", SP_NOW, "2026-11-25 15:00"),
    ("pt-br", "1/3/2027 10h", SP_NOW, "2027-03-01 10:00"),
    ("pt-br", "hoje 18h", SP_NOW, "2026-11-25 18:00"),
    ("pt-br", "hoje às 18:30", SP_NOW, "2026-11-25 18:30"),
    ("pt-br", "depois de amanhã às 9", SP_NOW, "2026-11-27 09:00"),
    ("pt-br", "próxima segunda 8h", SP_NOW, "2026-11-30 08:00"),
    ("pt-br", "segunda que vem 9h", SP_NOW, "2026-11-30 09:00"),
    ("pt-br", "quarta-feira às 19h30", SP_NOW, "2026-11-25 19:30"),
    ("pt-br", "quarta 9h", SP_NOW, "2026-12-02 09:00"),
    ("pt-br", "sábado às 9", SP_NOW, "2026-11-28 09:00"),
    ("pt-br", "14:30", SP_NOW, "2026-11-25 14:30"),
    ("pt-br", "9", SP_NOW, "2026-11-26 09:00"),
    ("pt-br", "às 15", SP_NOW, "2026-11-25 15:00"),
    ("pt-br", "em 2 dias ao meio-dia", SP_NOW, "2026-11-27 12:00"),
    ("pt-br", "daqui a 2 dias às 9h", SP_NOW, "2026-11-27 09:00"),
    ("pt-br", "em uma semana às 10h", SP_NOW, "2026-12-02 10:00"),
    ("pt-br", "dia 3 às 10h", SP_NOW, "2026-12-03 10:00"),
    ("pt-br", "3 de dezembro às 15h", SP_NOW, "2026-12-03 15:00"),
    ("pt-br", "primeiro de dezembro às 10", SP_NOW, "2026-12-01 10:00"),
    ("pt-br", "10 de janeiro às 9h", SP_NOW, "2027-01-10 09:00"),
    ("pt-br", "amanhã às 5 da tarde", SP_NOW, "2026-11-26 17:00"),
    ("pt-br", "amanhã de manhã às 9", SP_NOW, "2026-11-26 09:00"),
    ("pt-br", "hoje à noite às 8", SP_NOW, "2026-11-25 20:00"),
    ("pt-br", "8 da noite", SP_NOW, "2026-11-25 20:00"),
    ("pt-br", "amanhã às 9 e meia", SP_NOW, "2026-11-26 09:30"),
    ("pt-br", "quinta, 26/11 às 10h", SP_NOW, "2026-11-26 10:00"),
    ("pt-br", "quero marcar amanhã às 14h por favor", SP_NOW, "2026-11-26 14:00"),
    ("pt-br", "meia-noite", SP_NOW, "2026-11-26 00:00"),
    ("pt-br", "03/dez às 10h", SP_NOW, "2026-12-03 10:00"),  # read by dateparser
    ("pt-br", "daqui a 2 horas", SP_NOW, "2026-11-25 12:00"),
    # English, Sao Paulo and New York
    ("en", "tomorrow at 9", SP_NOW, "2026-11-26 09:00"),
    ("en", "next tuesday 3pm", SP_NOW, "2026-12-01 15:00"),
    ("en", "in 2 days at noon", SP_NOW, "2026-11-27 12:00"),
    ("en", "10am", SP_NOW, "2026-11-26 10:00"),
    ("en", "14:30", SP_NOW, "2026-11-25 14:30"),
    ("en", "2:30 p.m.", SP_NOW, "2026-11-25 14:30"),
    ("en", "dec 25 at 3pm", NY_NOW, "2026-12-25 15:00"),
    ("en", "12/25 3pm", NY_NOW, "2026-12-25 15:00"),
    ("en", "friday at 10:30", NY_NOW, "2026-11-27 10:30"),
    ("en", "Wednesday at 5 pm", NY_NOW, "2026-11-25 17:00"),
    ("en", "next wednesday at 9", NY_NOW, "2026-12-02 09:00"),
    ("en", "today 6pm", NY_NOW, "2026-11-25 18:00"),
    ("en", "the day after tomorrow at 9", NY_NOW, "2026-11-27 09:00"),
    ("en", "on the 3rd at 10am", NY_NOW, "2026-12-03 10:00"),
    ("en", "1st of december at 9am", NY_NOW, "2026-12-01 09:00"),
    ("en", "tonight at 8", NY_NOW, "2026-11-25 20:00"),
    ("en", "half past 9", NY_NOW, "2026-11-26 09:30"),
    ("en", "monday next week at 9", NY_NOW, "2026-11-30 09:00"),
    ("en", "in a week at 10am", NY_NOW, "2026-12-02 10:00"),
    ("en", "at noon tomorrow", NY_NOW, "2026-11-26 12:00"),
    ("en", "12am tomorrow", NY_NOW, "2026-11-26 00:00"),
    # Spanish, Madrid
    ("es", "mañana a las 10", MADRID_NOW, "2026-11-26 10:00"),
    ("es", "mañana 10", MADRID_NOW, "2026-11-26 10:00"),
    ("es", "el viernes a las 5 de la tarde", MADRID_NOW, "2026-11-27 17:00"),
    ("es", "pasado mañana a las 9", MADRID_NOW, "2026-11-27 09:00"),
    ("es", "hoy a las 18", MADRID_NOW, "2026-11-25 18:00"),
    ("es", "lunes 9:00", MADRID_NOW, "2026-11-30 09:00"),
    ("es", "el próximo lunes a las 8", MADRID_NOW, "2026-11-30 08:00"),
    ("es", "el lunes a las 9 y media", MADRID_NOW, "2026-11-30 09:30"),
    ("es", "25/12 15h", MADRID_NOW, "2026-12-25 15:00"),
    ("es", "el 25 de diciembre a las 15:30", MADRID_NOW, "2026-12-25 15:30"),
    ("es", "dentro de 2 días al mediodía", MADRID_NOW, "2026-11-27 12:00"),
    ("es", "mañana por la mañana a las 9", MADRID_NOW, "2026-11-26 09:00"),
    ("es", "el 3 a las 10", MADRID_NOW, "2026-12-03 10:00"),
    ("es", "3 de enero de 2027 a las 11", MADRID_NOW, "2027-01-03 11:00"),
    ("es", "el miércoles 3 de marzo a las 10", MADRID_NOW, "2027-03-03 10:00"),
    ("es", "esta noche a las 9", MADRID_NOW, "2026-11-25 21:00"),
    ("es", "a las 8 de la noche", MADRID_NOW, "2026-11-25 20:00"),
    ("es", "sábado 11:00", MADRID_NOW, "2026-11-28 11:00"),
    # Across daylight-saving changes
    ("en", "sunday 9am", NY_BEFORE_DST, "2026-03-08 09:00"),
    ("en", "mar 8 at 10am", NY_BEFORE_DST, "2026-03-08 10:00"),
    ("en", "8/3 at 10am", NY_BEFORE_DST, "2026-03-08 10:00"),
    ("en", "tomorrow at 5pm", NY_BEFORE_DST, "2026-03-07 17:00"),
    ("en", "in 3 days at 9", NY_BEFORE_DST, "2026-03-09 09:00"),
    ("es", "domingo a las 9", MADRID_BEFORE_DST, "2026-03-29 09:00"),
    ("es", "29/3 9h", MADRID_BEFORE_DST, "2026-03-29 09:00"),
]


@pytest.mark.parametrize(("language", "text", "now", "expected"), CASES)
def test_an_everyday_phrase_resolves_to_the_expected_local_time(
    language: str, text: str, now: datetime, expected: str
) -> None:
    tz = now.tzinfo
    assert isinstance(tz, ZoneInfo)
    got = parse_wanted_time(text, language=language, tz=tz, now=now)
    assert got.tzinfo is not None
    assert got.astimezone(tz).strftime("%Y-%m-%d %H:%M") == expected


def test_the_table_covers_at_least_45_phrases_in_three_languages() -> None:
    assert len(CASES) >= 45
    assert {c[0] for c in CASES} == {"en", "pt-br", "es"}


def test_the_result_carries_the_right_utc_offset_on_a_dst_change_day() -> None:
    got = parse_wanted_time("sunday 9am", language="en", tz=NEW_YORK, now=NY_BEFORE_DST)
    assert got.utcoffset() == timedelta(hours=-4)


def test_a_time_inside_the_spring_forward_gap_moves_past_the_gap() -> None:
    got = parse_wanted_time("sunday at 2:30am", language="en", tz=NEW_YORK, now=NY_BEFORE_DST)
    assert got.strftime("%Y-%m-%d %H:%M%z") == "2026-03-08 03:30-0400"


def test_a_repeated_fall_back_time_means_its_first_occurrence() -> None:
    got = parse_wanted_time(
        "domingo a las 2:30", language="es", tz=MADRID, now=MADRID_BEFORE_FALL_BACK
    )
    assert got.strftime("%Y-%m-%d %H:%M%z") == "2026-10-25 02:30+0200"


@pytest.mark.parametrize("language", ["pt", "pt-BR", "pt_BR", "PT-br"])
def test_portuguese_is_accepted_under_any_spelling_of_its_code(language: str) -> None:
    got = parse_wanted_time("amanhã às 14h", language=language, tz=SAO_PAULO, now=SP_NOW)
    assert got == datetime(2026, 11, 26, 14, 0, tzinfo=SAO_PAULO)


def test_an_unsupported_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_wanted_time("demain 10h", language="fr", tz=SAO_PAULO, now=SP_NOW)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pt-br", "banana"),
        ("pt-br", ""),
        ("pt-br", "   "),
        ("pt-br", "asdf 99"),
        ("pt-br", "banana 15h"),
        ("pt-br", "25h"),
        ("pt-br", "31/02 10h"),
        ("pt-br", "9 ou 10"),
        ("pt-br", "quinta 14h e 15h"),
        ("pt-br", "amanhã sexta 10h"),
        ("pt-br", "próxima semana"),
        ("en", "99:99"),
        ("en", "13pm"),
        ("en", "whenever you can"),
        ("es", "cuando quieras"),
        ("es", "el martes 3 de marzo a las 10"),
    ],
)
def test_nonsense_is_refused_as_unparseable(language: str, text: str) -> None:
    with pytest.raises(UnparseableTime) as caught:
        parse_wanted_time(text, language=language, tz=SAO_PAULO, now=SP_NOW)
    assert caught.value.params["text"] == text
    assert caught.value.msgid == "slots.time_unparseable"


# Monday 2026-12-07 10:00 in London, where the bot shows English dates day first.
LONDON = ZoneInfo("Europe/London")
LONDON_DEC_7 = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("language", "order", "text", "expected"),
    [
        # English shown as "Wed 09/12": read the same way.
        ("en", "DMY", "09/12 10:45", "2026-12-09 10:45"),
        ("en", "DMY", "01/12/2027 10:00", "2027-12-01 10:00"),
        ("en", "DMY", "1/1 9am", "2027-01-01 09:00"),
        # Only one reading is a real date: it is the one meant, whatever the order.
        ("en", "DMY", "12/25 3pm", "2026-12-25 15:00"),
        ("en", "MDY", "12/9 10:45", "2026-12-09 10:45"),
        ("en", "MDY", "25/12 3pm", "2026-12-25 15:00"),
        ("pt-br", "DMY", "09/12 às 10h", "2026-12-09 10:00"),
        ("es", "DMY", "9/12 a las 10", "2026-12-09 10:00"),
    ],
)
def test_a_numeric_date_is_read_in_the_order_the_bot_shows_dates(
    language: str, order: str, text: str, expected: str
) -> None:
    got = parse_wanted_time(text, language=language, tz=LONDON, now=LONDON_DEC_7, date_order=order)
    assert got.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "26/11 14:00"),
        ("en", "01/12 10:00"),
        ("pt-br", "26/11 às 14h"),
        ("es", "26/11 a las 14"),
        ("pt-br", "26 de novembro às 14h"),
        ("en", "november 26 at 2pm"),
    ],
)
def test_a_date_without_a_year_that_has_just_passed_is_past_not_next_year(
    language: str, text: str
) -> None:
    with pytest.raises(TimeInPast) as caught:
        parse_wanted_time(text, language=language, tz=LONDON, now=LONDON_DEC_7, date_order="DMY")
    assert caught.value.params["when"].year == 2026
    with pytest.raises(TimeInPast):
        parse_wanted_day(text, language=language, tz=LONDON, now=LONDON_DEC_7, date_order="DMY")


def test_a_date_without_a_year_further_back_than_ahead_is_next_years() -> None:
    got = parse_wanted_day("7/6", language="en", tz=LONDON, now=LONDON_DEC_7, date_order="DMY")
    assert got == date(2027, 6, 7)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pt-br", "24/11 15h"),
        ("pt-br", "hoje 8h"),
        ("pt-br", "hoje às 9:59"),
        ("pt-br", "1/3/2026 10h"),
        ("en", "today at 9am"),
        ("en", "yesterday at 9"),  # read by dateparser
        ("es", "hoy a las 7"),
    ],
)
def test_a_moment_already_past_is_refused(language: str, text: str) -> None:
    with pytest.raises(TimeInPast) as caught:
        parse_wanted_time(text, language=language, tz=SAO_PAULO, now=SP_NOW)
    assert caught.value.params["when"] < SP_NOW


@pytest.mark.parametrize(
    ("language", "text", "day"),
    [
        ("pt-br", "amanhã", date(2026, 11, 26)),
        ("pt-br", "sexta", date(2026, 11, 27)),
        ("pt-br", "25/12", date(2026, 12, 25)),
        ("pt-br", "3 de dezembro", date(2026, 12, 3)),
        ("pt-br", "hoje à tarde", date(2026, 11, 25)),
        ("en", "tomorrow", date(2026, 11, 26)),
        ("es", "mañana", date(2026, 11, 26)),
    ],
)
def test_a_day_without_a_time_raises_time_missing_with_the_day(
    language: str, text: str, day: date
) -> None:
    with pytest.raises(TimeMissing) as caught:
        parse_wanted_time(text, language=language, tz=SAO_PAULO, now=SP_NOW)
    assert caught.value.params["day"] == day


def test_the_parse_errors_are_invalid_input_for_the_bot() -> None:
    for error in (UnparseableTime, TimeInPast, TimeMissing):
        assert issubclass(error, InvalidInput)


@pytest.mark.parametrize(
    ("language", "text", "day"),
    [
        ("pt-br", "amanhã", date(2026, 11, 26)),
        ("pt-br", "hoje", date(2026, 11, 25)),
        ("pt-br", "sexta", date(2026, 11, 27)),
        ("pt-br", "quarta", date(2026, 12, 2)),
        ("pt-br", "25/12", date(2026, 12, 25)),
        ("pt-br", "amanhã às 14h", date(2026, 11, 26)),
        ("en", "next friday", date(2026, 11, 27)),
        ("es", "el 3", date(2026, 12, 3)),
    ],
)
def test_parse_wanted_day_gives_the_local_day(language: str, text: str, day: date) -> None:
    assert parse_wanted_day(text, language=language, tz=SAO_PAULO, now=SP_NOW) == day


def test_parse_wanted_day_refuses_a_past_day_and_nonsense() -> None:
    with pytest.raises(TimeInPast):
        parse_wanted_day("1/3/2026", language="pt-br", tz=SAO_PAULO, now=SP_NOW)
    with pytest.raises(UnparseableTime):
        parse_wanted_day("banana", language="pt-br", tz=SAO_PAULO, now=SP_NOW)


def test_the_day_is_the_users_local_day_not_utcs() -> None:
    # 23:30 in Sao Paulo is already the next day in UTC.
    late = datetime(2026, 11, 25, 23, 30, tzinfo=SAO_PAULO)
    assert parse_wanted_day("hoje", language="pt", tz=SAO_PAULO, now=late) == date(2026, 11, 25)


def _slots(*hours: int) -> list[datetime]:
    return [datetime(2026, 11, 26, h, tzinfo=SAO_PAULO) for h in hours]


def test_nearest_returns_the_closest_free_slots_in_chronological_order() -> None:
    wanted = datetime(2026, 11, 26, 12, tzinfo=SAO_PAULO)
    # 11 is an hour away; 10 and 14 are two hours away and the earlier one wins the tie.
    assert nearest(wanted, _slots(9, 10, 11, 14, 15)) == _slots(10, 11, 14)


def test_nearest_includes_the_wanted_time_itself_when_free() -> None:
    wanted = datetime(2026, 11, 26, 9, tzinfo=SAO_PAULO)
    assert nearest(wanted, _slots(15, 9, 11, 10), n=2) == _slots(9, 10)


def test_nearest_copes_with_few_or_no_slots() -> None:
    wanted = datetime(2026, 11, 26, 9, tzinfo=SAO_PAULO)
    assert nearest(wanted, _slots(18), n=3) == _slots(18)
    assert nearest(wanted, [], n=3) == []
    assert nearest(wanted, _slots(10), n=0) == []


def test_warming_up_loads_the_date_parser_for_the_given_languages() -> None:
    warm_up(("pt", "es"))
    got = parse_wanted_time("03/dez às 10h", language="pt", tz=SAO_PAULO, now=SP_NOW)
    assert got == datetime(2026, 12, 3, 10, tzinfo=SAO_PAULO)
