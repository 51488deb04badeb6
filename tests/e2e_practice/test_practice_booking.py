"""The professional books a one-off session for a client, from the client card or /agenda.

The clock stands at Wednesday 25 November 2026, 10:00 in São Paulo (13:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.formatting import format_datetime
from core.models import Appointment, AppointmentStatus, Notification, RecipientType
from emulator import BotApiEmulator
from tests import factories as f
from tests.e2e_harness import button_texts
from tests.e2e_practice.practice_support import PRO, ZONE, edited, tr

BRUNA = 7111
THU_10 = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thursday 10:00 in São Paulo


async def _booked(db) -> list[Appointment]:
    async with db.system("tests") as uow:
        return list(await uow.session.scalars(select(Appointment)))


async def _notes_for(db, user_id: int) -> list[Notification]:
    async with db.system("tests") as uow:
        return list(
            await uow.session.scalars(
                select(Notification).where(Notification.recipient_id == user_id)
            )
        )


async def test_book_on_the_client_card_books_a_confirmed_session_and_tells_the_client(
    emu: BotApiEmulator, db, run_bot, pro
):
    await f.client(db, pro, name="Bruna Dias", user_id=BRUNA)
    when = format_datetime(THU_10, "en", ZONE)
    async with run_bot():
        await emu.send_command(PRO, "clients")
        listing = await emu.next_bot_message(PRO)
        await emu.press(PRO, listing.message_id, "Bruna Dias")
        card = await edited(emu, listing.message_id)
        await emu.press(PRO, card.message_id, tr.t("practice_booking.button.book"))
        ask = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "tomorrow 10am")
        offer = await emu.next_bot_message(PRO)
        offered = offer.text
        await emu.press(PRO, offer.message_id, f"✓ {when}")
        done = await edited(emu, offer.message_id)

    assert ask.text == tr.t("practice_booking.ask_when", client="Bruna Dias")
    assert offered == tr.t("practice_booking.exact", client="Bruna Dias", when=when)
    assert done.text == tr.t("practice_booking.booked", client="Bruna Dias", when=when)
    [session] = await _booked(db)
    assert session.starts_at == THU_10 and session.status is AppointmentStatus.confirmed
    assert session.booked_by is RecipientType.professional
    [note] = await _notes_for(db, BRUNA)
    assert note.appointment_id == session.id and note.recipient_type is RecipientType.client


async def test_book_on_the_agenda_asks_for_whom_then_offers_the_days_free_times(
    emu: BotApiEmulator, db, run_bot, pro
):
    await f.client(db, pro, name="Bruna Dias", user_id=BRUNA)
    await f.client(db, pro, name="Carla Mendes", user_id=None)
    async with run_bot():
        await emu.send_command(PRO, "agenda")
        week = await emu.next_bot_message(PRO)
        await emu.press(PRO, week.message_id, tr.t("practice_booking.button.book_on_agenda"))
        who = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "carla")  # one match: straight to when
        ask = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "thursday")
        day = await emu.next_bot_message(PRO)
        times = button_texts(day)
        await emu.press(PRO, day.message_id, "✓ 10:00")
        done = await edited(emu, day.message_id)

    assert tr.t("practice_booking.button.book_on_agenda") in button_texts(week)
    assert who.text == tr.t("practice_booking.ask_client")
    assert {"Bruna Dias", "Carla Mendes"} <= set(button_texts(who))
    assert ask.text == tr.t("practice_booking.ask_when", client="Carla Mendes")
    assert times[:2] == ["✓ 09:00", "✓ 10:00"]
    when = format_datetime(THU_10, "en", ZONE)
    # Carla was added by hand and has no Telegram: Paula is told to let her know.
    assert done.text == tr.t(
        "practice_booking.booked_no_telegram", client="Carla Mendes", when=when
    )
    [session] = await _booked(db)
    assert session.starts_at == THU_10


async def test_a_time_taken_meanwhile_is_refused_and_nothing_is_booked_twice(
    emu: BotApiEmulator, db, run_bot, pro
):
    bruna = await f.client(db, pro, name="Bruna Dias", user_id=BRUNA)
    other = await f.client(db, pro, name="Diego Alves")
    when = format_datetime(THU_10, "en", ZONE)
    async with run_bot():
        await emu.send_command(PRO, "clients")
        listing = await emu.next_bot_message(PRO)
        await emu.press(PRO, listing.message_id, "Bruna Dias")
        card = await edited(emu, listing.message_id)
        await emu.press(PRO, card.message_id, tr.t("practice_booking.button.book"))
        await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "tomorrow 10am")
        offer = await emu.next_bot_message(PRO)
        await f.appointment(db, pro, other, THU_10, minutes=60)  # Diego got it first
        press = await emu.press(PRO, offer.message_id, f"✓ {when}")
        answer = await press.wait_answer()

    assert answer.show_alert
    sessions = await _booked(db)
    assert [s.client_id for s in sessions] == [other.id]
    assert bruna.id not in [s.client_id for s in sessions]
