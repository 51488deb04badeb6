"""End to end: a client books through the bot, the professional confirms from the request
the dispatcher delivered, and both reminders reach the client's chat at the right times."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.reminders_and_outbox.dispatcher import Dispatcher
from core.db.uow import Database
from emulator import BotApiEmulator
from tests.clock import FrozenClock
from tests.e2e_client.e2e_client_helpers import ANA_UID, ana
from tests.e2e_harness import Chat, RunBot

JOAO = 7301
FRI = date(2026, 11, 27)
FRI_10 = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # 10:00 in Sao Paulo


def data_of(message, action: str) -> str:
    """The callback data of the button whose data starts with `action` (e.g. "rq:ok")."""
    return next(
        b["callback_data"] for b in message.buttons if b["callback_data"].startswith(action)
    )


async def test_a_booking_made_through_the_bot_gets_both_reminders_at_the_right_times(
    emu: BotApiEmulator, db: Database, clock: FrozenClock, run_bot: RunBot
):
    await ana(db)
    emu.add_user(ANA_UID, "Ana", language_code="pt-br", started=True)
    emu.add_user(JOAO, "João", language_code="pt-br", phone_number="5511987654321")
    joao, ana_chat = Chat(emu, JOAO, "pt_BR"), Chat(emu, ANA_UID, "pt_BR")

    async with run_bot() as app:
        dispatcher = Dispatcher(db, app.bot, clock, "e2e")
        # Wednesday: João books Friday 10:00 from Ana's link.
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        calendar = await joao.next()
        day = await joao.press_edit(calendar, joao.day(FRI))
        confirm = await joao.press_edit(day, "10:00")
        ask_name = await joao.press_edit(confirm, joao.t("booking.button.confirm"))
        await joao.press(ask_name, joao.t("booking.button.keep_name", name="João"))
        await joao.next()
        await emu.tap(JOAO, joao.t("booking.button.share_phone"))
        await joao.next()  # booked, waiting for Ana
        await joao.next()  # the calendar file

        # The dispatcher brings Ana the request; she confirms from its button.
        await dispatcher.run_once()
        request = await ana_chat.next()
        assert "10:00" in request.text
        press = await emu.press(ANA_UID, request.message_id, data_of(request, "rq:ok"))
        await press.wait_answer()
        await dispatcher.run_once()
        confirmed = await joao.next()
        assert "10:00" in confirmed.text

        # Thursday 10:00: the day-before reminder, with "I'm coming".
        clock.set(datetime(2026, 11, 26, 12, 59, tzinfo=UTC))
        await dispatcher.run_once()
        assert emu.chat(JOAO).unread_bot_message() is None
        clock.set(datetime(2026, 11, 26, 13, 0, tzinfo=UTC))
        await dispatcher.run_once()
        day_before = await joao.next()
        assert "amanhã às 10:00" in day_before.text and "Ana Souza" in day_before.text
        coming = await joao.press(day_before, joao.t("reminder.button.coming"))
        assert coming.text

        # Friday 09:00: the hour-before reminder, and nothing more after it.
        clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
        await dispatcher.run_once()
        hour_before = await joao.next()
        assert "hoje às 10:00" in hour_before.text
        clock.set(datetime(2026, 11, 27, 12, 50, tzinfo=UTC))
        await dispatcher.run_once()

    reminders = [m for m in emu.chat(JOAO).bot_messages if "Ana Souza" in (m.text or "")]
    assert day_before in reminders and hour_before in reminders
    assert emu.chat(JOAO).bot_messages[-1] is hour_before
