"""A professional sets their weekly hours and time off in the chat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import uuid_arg
from bot.conversations.availability_render import explain_error, period_text
from bot.i18n import get_translator
from core.db.uow import Database
from core.errors import WindowOverlap
from core.services import availability
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_harness import button_texts
from tests.e2e_setup.setup_support import Chat

RITA, JOAO = 7301, 7302


def t(locale: str, msgid: str, **params: object) -> str:
    return get_translator(locale).t(msgid, **params)


async def _week(db: Database, user_id: int) -> list[tuple[int, time, time]]:
    async with db.for_user(user_id) as uow:
        return [(w.weekday, w.start, w.end) for w in await availability.list_week(uow)]


async def test_a_typed_week_replaces_every_window_and_is_shown_back(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await factories.professional(db, user_id=RITA, locale="pt_BR")
    await factories.weekly_window(db, pro, 0, time(10), time(11))
    emu.add_user(RITA, "Rita", language_code="pt-br")
    chat = Chat(emu, RITA)
    async with run_bot():
        before = await chat.command("availability")
        after = await chat.say("seg-sex 9-12 14-18")

    assert "Domingo: 10:00–11:00" in before.text
    assert after.text.startswith(t("pt_BR", "avail.week_saved"))
    assert "Segunda-feira: 09:00–12:00, 14:00–18:00" in after.text
    assert "Sexta-feira: 09:00–12:00, 14:00–18:00" in after.text
    assert f"Domingo: {t('pt_BR', 'avail.closed')}" in after.text
    week = await _week(db, RITA)
    assert len(week) == 10 and {day for day, _, _ in week} == {1, 2, 3, 4, 5}


async def test_adding_hours_that_overlap_the_day_is_refused_with_the_reason(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await factories.professional(db, user_id=JOAO, locale="en")
    await factories.weekly_window(db, pro, 1, time(9), time(12))
    emu.add_user(JOAO, "João", language_code="en")
    chat = Chat(emu, JOAO)
    async with run_bot():
        screen = await chat.command("availability")
        await chat.press_and_wait_edit(screen, "avl:day:1")
        assert screen.text.startswith("🗓 Monday: 09:00–12:00")
        await chat.press_and_wait_edit(screen, "avl:add:1")
        await chat.press_and_wait_edit(screen, "avl:st:1:11")
        assert "14:00" in button_texts(screen) and "11:00" not in button_texts(screen)
        await chat.press_and_wait_edit(screen, "avl:put:1:11:14")
        refused = screen.text
        await chat.press_and_wait_edit(screen, "avl:add:1")
        await chat.press_and_wait_edit(screen, "avl:st:1:14")
        await chat.press_and_wait_edit(screen, "avl:put:1:14:18")

    overlap = WindowOverlap(first="09:00-12:00", second="11:00-14:00", day_of_week=1)
    assert refused.startswith(f"⚠️ {explain_error(get_translator('en'), overlap)}")
    assert "🗓 Monday: 09:00–12:00\n" in refused
    assert screen.text.startswith(t("en", "avail.window_added", window="14:00–18:00"))
    assert await _week(db, JOAO) == [(1, time(9), time(12)), (1, time(14), time(18))]


async def test_hours_typed_on_a_days_screen_replace_only_that_day(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await factories.professional(db, user_id=JOAO, locale="en")
    await factories.weekly_window(db, pro, 1, time(9), time(12))
    await factories.weekly_window(db, pro, 2, time(9), time(12))
    emu.add_user(JOAO, "João", language_code="en")
    chat = Chat(emu, JOAO)
    async with run_bot():
        screen = await chat.command("availability")
        await chat.press_and_wait_edit(screen, "avl:day:2")
        saved = await chat.say("8-11:30 13h-17h")

    assert saved.text.startswith(t("en", "avail.day_saved"))
    assert "Tuesday: 08:00–11:30, 13:00–17:00" in saved.text
    assert await _week(db, JOAO) == [
        (1, time(9), time(12)),
        (2, time(8), time(11, 30)),
        (2, time(13), time(17)),
    ]


async def test_a_typed_day_off_is_added_listed_with_the_sessions_inside_it_and_removable(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await factories.professional(db, user_id=RITA, locale="pt_BR")
    client = await factories.client(db, pro, name="Maria Lima")
    await factories.appointment(db, pro, client, datetime(2026, 12, 25, 18, 0, tzinfo=UTC))
    emu.add_user(RITA, "Rita", language_code="pt-br")
    chat = Chat(emu, RITA)
    async with run_bot():
        empty = await chat.command("timeoff")
        added = await chat.say("25/12")
        listed = await chat.command("timeoff")
        remove = listed.buttons[-1]
        await chat.press_and_wait_edit(listed, remove["callback_data"])

    tr = get_translator("pt_BR")
    day = period_text(
        tr,
        datetime(2026, 12, 25, 3, 0, tzinfo=UTC),
        datetime(2026, 12, 26, 3, 0, tzinfo=UTC),
        "America/Sao_Paulo",
    )
    assert empty.text.startswith(t("pt_BR", "timeoff.none"))
    assert added.text.startswith(t("pt_BR", "timeoff.added", period=day))
    assert "Maria Lima" in added.text and "15:00" in added.text and "/agenda" in added.text
    assert f"• {day}" in listed.history[0].text
    assert remove["text"] == t("pt_BR", "avail.remove", what=day)
    assert listed.text.startswith(t("pt_BR", "timeoff.removed"))
    async with db.for_user(RITA) as uow:
        assert await availability.list_time_off(uow, now=datetime(2026, 11, 25, tzinfo=UTC)) == []


async def test_someone_who_is_not_a_professional_is_told_so(
    emu: BotApiEmulator, db: Database, run_bot
):
    emu.add_user(JOAO, "João", language_code="en")
    async with run_bot():
        refused = await Chat(emu, JOAO).command("availability")

    assert refused.text == t("en", "professional.not_registered")


async def test_forged_buttons_show_the_week_or_say_the_time_off_is_gone(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, user_id=RITA, locale="en")
    emu.add_user(RITA, "Rita", language_code="en")
    chat = Chat(emu, RITA)
    async with run_bot() as app:

        async def forged(data: str):
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Forged", callback_data=data)]])
            await app.bot.send_message(RITA, "forged", reply_markup=markup)
            return await chat.next()

        await chat.command("availability")
        day_99 = await forged("avl:day:99")
        await chat.press_and_wait_edit(day_99, "Forged")
        gone_button = await forged(f"tof:rm:{uuid_arg(uuid.uuid4())}")
        await chat.press(gone_button, "Forged")
        gone = await chat.next()

    assert day_99.text.startswith(t("en", "avail.week_title", zone="São Paulo (America/Sao_Paulo)"))
    assert gone.text == t("en", "availability.time_off_not_found")


async def test_followers_hear_once_a_day_when_new_hours_open(
    emu: BotApiEmulator, db: Database, run_bot, clock
):
    from bot.reminders_and_outbox.dispatcher import Dispatcher
    from core.models import Follow

    pro = await factories.professional(db, user_id=RITA, locale="pt_BR", name="Rita Lima")
    follower = factories.next_user_id()
    await factories.add(db, Follow(professional_id=pro.id, user_id=follower))
    emu.add_user(RITA, "Rita", language_code="pt-br")
    emu.add_user(follower, "Bia", language_code="pt-br", started=True)
    chat = Chat(emu, RITA)
    async with run_bot() as app:
        await chat.command("availability")
        await chat.say("seg-sex 9-12")
        await chat.command("availability")
        await chat.say("seg-sáb 9-12")
        await Dispatcher(db, app.bot, clock).run_once()
        told = await emu.next_bot_message(follower)

    assert told.text == t("pt_BR", "notify.new_availability", professional_name="Rita Lima")
    assert button_texts(told) == [t("pt_BR", "notify.button.book")]
    # the second change the same day does not bother the follower again
    assert len(emu.chat(follower).bot_messages) == 1


async def test_an_extra_date_just_gone_is_refused_and_one_next_year_shows_its_year(
    emu: BotApiEmulator, db: Database, run_bot
):
    # Now is Wednesday 25 November 2026.
    await factories.professional(db, user_id=RITA, locale="pt_BR")
    emu.add_user(RITA, "Rita", language_code="pt-br")
    chat = Chat(emu, RITA)
    async with run_bot():
        week = await chat.command("availability")
        extra = await chat.press_and_wait_edit(week, t("pt_BR", "avail.extra_button"))
        assert extra.text
        past = await chat.say("24/11 9-12")
        saved = await chat.say("05/01 9-12")

    assert "24/11" in past.text and t("pt_BR", "avail.extra_saved") not in past.text
    assert saved.text.startswith(t("pt_BR", "avail.extra_saved"))
    assert "05/01/2027: 09:00–12:00" in saved.text
    async with db.for_user(RITA) as uow:
        [window] = await availability.list_extra_windows(
            uow, now=datetime(2026, 11, 25, tzinfo=UTC)
        )
    assert window.day.isoformat() == "2027-01-05"
