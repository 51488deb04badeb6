"""The booking calendar: paging by week, a client in another time zone, nothing free."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.i18n import CANCELLED
from core.db.uow import Database
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_client.e2e_client_helpers import ana
from tests.e2e_harness import Chat, all_features
from tests.factories import account

JOHN = 7601
THU = date(2026, 11, 26)


async def _open_calendar(chat: Chat, *, welcome: bool = True):
    await chat.start("ana-souza")
    if welcome:
        await chat.next()
    card = await chat.next()
    await chat.press(card, chat.t("profile.button.book"))
    return await chat.next()


async def test_the_calendar_pages_by_week_and_never_back_into_the_past(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, welcome_message=None)
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        calendar = await _open_calendar(john, welcome=False)
        # British weeks start on Monday: 23-24 Nov have passed.
        first_week = john.labels(calendar)
        assert first_week[:3] == ["✖ Mon 23/11", "✖ Tue 24/11", "Wed 25/11"]
        assert first_week[-1] == "▶"
        await john.press_edit(calendar, "▶")
        second_week = john.labels(calendar)

    assert second_week[:7] == [
        "Mon 30/11",
        "Tue 01/12",
        "Wed 02/12",
        "Thu 03/12",
        "Fri 04/12",
        "Sat 05/12",
        "Sun 06/12",
    ]
    assert second_week[7:] == ["◀", "▶"]
    assert john.t("booking.calendar.week", range="30 Nov\u2009–\u20096 Dec") in calendar.text


async def test_a_client_in_another_zone_sees_their_own_times_and_the_professionals(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, welcome_message=None)
    await account(db, JOHN, first_name="John", timezone="Europe/Lisbon")
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        calendar = await _open_calendar(john, welcome=False)
        assert john.t("booking.zone_note", zone="Europe/Lisbon") in calendar.text
        day = await john.press_edit(calendar, "Thu 26/11")
        # 09:00-18:00 in São Paulo is 12:00-21:00 in Lisbon.
        assert john.labels(day)[:2] == ["12:00", "13:00"]
        confirm = await john.press_edit(day, "12:00")

    noon = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert "📅 " + john.when(noon, "Europe/Lisbon") in confirm.text
    assert (
        john.t(
            "booking.confirm.their_time",
            time="09:00",
            professional="Ana Souza",
            zone="America/Sao_Paulo",
        )
        in confirm.text
    )


async def test_a_professional_with_nothing_free_is_offered_to_follow(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, name="Bia Lima", slug="ana-souza", locale="en")
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        calendar = await _open_calendar(john, welcome=False)
        followed = await john.press(calendar, john.t("profile.button.follow"))

    assert john.t("booking.calendar.nothing", professional="Bia Lima") in calendar.history[0].text
    assert followed.text == john.t("profile.followed", name="Bia Lima")


async def test_book_goes_straight_to_the_calendar_of_ones_only_professional(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await ana(db, welcome_message=None)
    await factories.client(db, pro, user_id=JOHN, name="John")
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        await emu.send_command(JOHN, "book")
        calendar = await john.next()

    assert calendar.text.startswith(john.t("booking.calendar.title", professional="Ana Souza"))
    assert "Thu 26/11" in john.labels(calendar)


async def test_words_that_are_no_time_are_explained_a_day_shows_its_times_and_a_time_confirms(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, welcome_message=None)
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        await _open_calendar(john, welcome=False)
        await john.say("whenever suits you, really")
        puzzled = await john.next()
        await john.say("friday")  # a day alone: that day's free times
        friday = await john.next()
        await john.say("tomorrow at 3pm")
        confirm = await john.next()

    assert puzzled.text == john.t("slots.time_unparseable", text="whenever suits you, really")
    assert friday.text.startswith(john.t("booking.day.title", day="Friday, 27 November 2026"))
    assert john.labels(friday)[:2] == ["09:00", "10:00"]
    assert "📅 " + john.when(datetime(2026, 11, 26, 18, 0, tzinfo=UTC)) in confirm.text


async def test_a_date_typed_as_the_calendar_shows_it_is_read_day_first_in_english(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, welcome_message=None)
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        calendar = await _open_calendar(john, welcome=False)
        await john.press_edit(calendar, "▶")
        assert "Tue 01/12" in john.labels(calendar)
        await john.say("01/12 10:00")  # as the button shows it: 1 December
        confirm = await john.next()
        await john.say("24/11 10:00")  # a day just gone, not next year's 24 November
        past = await john.next()

    assert "📅 " + john.when(datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) in confirm.text
    assert past.text == john.t("slots.time_in_past", text="24/11 10:00")


@pytest.mark.parametrize(
    ("locale", "order"), [("en", "day/month"), ("pt_BR", "dia/mês"), ("es", "día/mes")]
)
def test_the_hint_for_an_unreadable_time_says_dates_are_day_first(locale: str, order: str):
    from bot.i18n import get_translator

    assert order in get_translator(locale).t("slots.time_unparseable", text="?")


async def test_timezone_from_inside_the_calendar_changes_the_zone_and_the_calendar_goes_on(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, welcome_message=None)
    await account(db, JOHN, first_name="John", timezone="Europe/Lisbon")
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot(all_features):
        calendar = await _open_calendar(john, welcome=False)
        assert "/timezone" in calendar.text  # the screen says how to change it
        await emu.send_command(JOHN, "timezone")
        await john.next()  # the choice of zones
        await john.say("America/New_York")
        changed = await john.next()
        day = await john.press_edit(calendar, "Thu 26/11")

    assert changed.text.startswith(john.t("timezone.set", zone="", time="")[:10])
    assert "America/New_York" in changed.text
    # 09:00-18:00 in São Paulo is 07:00-16:00 in New York.
    assert john.labels(day)[:2] == ["07:00", "08:00"]


async def test_cancelling_the_zone_choice_inside_the_calendar_keeps_the_calendar(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, welcome_message=None)
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot(all_features):
        await _open_calendar(john, welcome=False)
        await emu.send_command(JOHN, "timezone")
        await john.next()
        await emu.tap(JOHN, john.t("timezone.cancel_button"))
        cancelled = await john.next()
        await john.say("tomorrow at 3pm")  # the booking still listens
        confirm = await john.next()

    assert cancelled.text == john.t(CANCELLED)
    assert "📅 " + john.when(datetime(2026, 11, 26, 18, 0, tzinfo=UTC)) in confirm.text


async def test_a_free_typed_time_off_the_slot_grid_goes_to_the_confirmation(
    emu: BotApiEmulator, db: Database, run_bot
):
    # 45-minute sessions and a 10-minute buffer: the day's slots are 09:00, 09:55, 10:50...
    await ana(db, welcome_message=None, session_duration=45, buffer_minutes=10)
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        await _open_calendar(john, welcome=False)
        await john.say("next wednesday 10am")
        confirm = await john.next()

    assert confirm.text.startswith(john.t("booking.confirm.title"))
    assert "📅 " + john.when(datetime(2026, 12, 2, 13, 0, tzinfo=UTC)) in confirm.text


async def test_a_typed_time_inside_the_minimum_notice_is_called_too_soon(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, welcome_message=None, min_notice_minutes=24 * 60)
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        await _open_calendar(john, welcome=False)
        await john.say("today at 3pm")
        offer = await john.next()

    earliest = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert offer.text.startswith(
        john.t("booking.min_notice", notice_minutes=24 * 60, earliest=earliest)
    )
    assert "not free" not in offer.text
