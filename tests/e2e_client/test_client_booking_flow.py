"""A client books from a deep link: calendar, a day's times or a typed time, confirmation,
name and phone the first time, booked with the calendar file."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar
from sqlalchemy import select

from bot.formatting import format_duration
from core.db.uow import Database
from core.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Notification,
    NotificationType,
    RecipientType,
    TelegramUser,
)
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_client.e2e_client_helpers import ANA_UID, ana, client_of
from tests.e2e_harness import Chat
from tests.factories import appointment_row

JOAO = 7201
THU = date(2026, 11, 26)
THU_10 = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo
THU_15 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


async def test_a_new_client_books_from_the_link_and_gets_the_calendar_file(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db)
    emu.add_user(JOAO, "João", language_code="pt-br", phone_number="5511987654321")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        welcome = await joao.next()
        card = await joao.next()
        assert welcome.text == "Olá! Que bom ter você aqui."
        assert "Ana Souza" in card.text and joao.t("profession.psychologist") in card.text
        assert "R$\xa0150,00" in card.text and "⏱ Sessão: 1 hora" in card.text
        assert joao.t("profile.no_reviews") in card.text

        await joao.press(card, joao.t("profile.button.book"))
        calendar = await joao.next()
        assert joao.t("booking.calendar.title", professional="Ana Souza") in calendar.text
        # Brazilian weeks start on Sunday: 22-24 Nov have passed and cannot be pressed.
        assert joao.labels(calendar)[:4] == [
            "✖ " + joao.day(date(2026, 11, 22)),
            "✖ " + joao.day(date(2026, 11, 23)),
            "✖ " + joao.day(date(2026, 11, 24)),
            joao.day(date(2026, 11, 25)),
        ]
        past = await joao.press(calendar, "✖ " + joao.day(date(2026, 11, 22)))
        assert past.show_alert and past.text == joao.t("booking.day.past")

        day = await joao.press_edit(calendar, joao.day(THU))
        assert "26 de novembro" in day.text
        assert joao.labels(day)[:3] == ["09:00", "10:00", "11:00"]

        confirm = await joao.press_edit(day, "10:00")
        assert "📅 " + joao.when(THU_10) in confirm.text
        assert "R$\xa0150,00" in confirm.text

        ask_name = await joao.press_edit(confirm, joao.t("booking.button.confirm"))
        assert "“João”" in ask_name.text
        await joao.press(ask_name, joao.t("booking.button.keep_name", name="João"))
        ask_phone = await joao.next()
        assert ask_phone.text == joao.t("booking.ask_phone", professional="Ana Souza")
        await emu.tap(JOAO, joao.t("booking.button.share_phone"))

        booked = await joao.next()
        ics = await joao.next()

    assert booked.text.startswith("📨 Agendado!")
    assert "aguardando confirmação" in booked.text
    assert ics.document["file_name"] == "session.ics"
    event = next(
        c
        for c in Calendar.from_ical(emu.world.files.get(ics.document["file_id"]).data).walk()
        if c.name == "VEVENT"
    )
    assert event.decoded("dtstart").astimezone(UTC) == THU_10
    assert str(event["summary"]) == "Sessão com Ana Souza"

    # The professional's request notification is queued for the dispatcher to deliver.
    async with db.system("tests") as uow:
        [request] = await uow.session.scalars(
            select(Notification).where(Notification.recipient_id == ANA_UID)
        )
    assert request.recipient_type is RecipientType.professional
    assert request.type is NotificationType.booking_requested
    row = await appointment_row(db, request.appointment_id)
    assert row.starts_at == THU_10 and row.status is AppointmentStatus.pending_confirmation


async def test_typing_amanha_as_10h_goes_straight_to_the_confirmation_and_typed_contact_works(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db)
    emu.add_user(JOAO, "joao99", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        await joao.next()

        await joao.say("amanhã às 10h")
        confirm = await joao.next()
        assert confirm.text.startswith(joao.t("booking.confirm.title"))
        assert "📅 " + joao.when(THU_10) in confirm.text
        # the cancellation policy is shown before the client commits (24 h in the factory)
        policy = joao.t("booking.confirm.policy", notice=format_duration(1440, "pt_BR"))
        assert policy in confirm.text and "24 horas" in policy

        await joao.press_edit(confirm, joao.t("booking.button.confirm"))
        await joao.say("João Pedro")
        await joao.next()
        await joao.say("123")  # not a phone number: asked again, still in the booking
        refused = await joao.next()
        await joao.say("(11) 98765-4321")
        booked = await joao.next()
        await joao.next()  # the .ics

    assert refused.text != booked.text
    assert booked.text.startswith("📨 Agendado!")
    async with db.system("tests") as uow:
        me = await uow.session.scalar(select(Client).where(Client.user_id == JOAO))
    assert (me.name, me.phone) == ("João Pedro", "+5511987654321")


async def up_to_the_name_question(joao: Chat):
    """From Ana's link to the question a first booking asks: the client's name."""
    await joao.start("ana-souza")
    await joao.next()
    card = await joao.next()
    await joao.press(card, joao.t("profile.button.book"))
    await joao.next()
    await joao.say("amanhã às 10h")
    confirm = await joao.next()
    return await joao.press_edit(confirm, joao.t("booking.button.confirm"))


async def test_a_message_hours_after_leaving_the_name_question_is_not_taken_for_a_name(
    emu: BotApiEmulator, db: Database, run_bot, clock
):
    await ana(db)
    emu.add_user(ANA_UID, "Ana", language_code="pt-br", started=True)
    emu.add_user(JOAO, "João", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        asked = await up_to_the_name_question(joao)
        assert "“João”" in asked.text

        clock.advance(hours=3)
        await joao.say("Oi Ana, posso mudar para a tarde?")
        closed = await joao.next()
        assert closed.text == joao.t("common.step_expired")
        offer = await joao.next()
        assert offer.text == joao.t("message.stray.ask", name="Ana Souza")
        sent = await joao.press_edit(offer, joao.t("message.stray.button", name="Ana Souza"))
        relayed = await emu.next_bot_message(ANA_UID)

    assert relayed.text == "✉️ João: Oi Ana, posso mudar para a tarde?"
    assert sent.text == joao.t("message.sent", name="Ana Souza")
    async with db.system("tests") as uow:
        me = await uow.session.scalar(select(Client).where(Client.user_id == JOAO))
        booked = await uow.session.scalar(select(Appointment).where(Appointment.client_id == me.id))
    assert me.name == "João" and booked is None


async def test_a_name_typed_within_the_hour_still_answers_the_question(
    emu: BotApiEmulator, db: Database, run_bot, clock
):
    await ana(db)
    emu.add_user(JOAO, "João", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await up_to_the_name_question(joao)

        clock.advance(minutes=50)
        await joao.say("João Pedro")
        ask_phone = await joao.next()

    assert ask_phone.text == joao.t("booking.ask_phone", professional="Ana Souza")
    async with db.system("tests") as uow:
        me = await uow.session.scalar(select(Client).where(Client.user_id == JOAO))
    assert me.name == "João Pedro"


async def test_pressing_buttons_counts_as_being_there_when_the_name_is_typed_later(
    emu: BotApiEmulator, db: Database, run_bot, clock
):
    await ana(db)
    emu.add_user(JOAO, "João", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")  # the last message João types before the name
        await joao.next()
        card = await joao.next()
        clock.advance(hours=2)
        await joao.press(card, joao.t("profile.button.book"))
        calendar = await joao.next()
        day = await joao.press_edit(calendar, joao.day(THU))
        confirm = await joao.press_edit(day, "10:00")
        await joao.press_edit(confirm, joao.t("booking.button.confirm"))
        await joao.say("João Pedro")
        ask_phone = await joao.next()

    assert ask_phone.text == joao.t("booking.ask_phone", professional="Ana Souza")


async def test_a_returning_client_with_a_phone_is_confirmed_at_once_when_the_professional_auto_confirms(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await ana(db, auto_confirm=True)
    await client_of(db, pro, JOAO, name="João", phone="+5511987654321")
    emu.add_user(JOAO, "João", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        await joao.next()
        await joao.say("amanhã às 15h")
        confirm = await joao.next()
        done = await joao.press_edit(confirm, joao.t("booking.button.confirm"))
        ics = await joao.next()

    assert done.text.startswith(
        joao.t("booking.done.confirmed", professional="Ana Souza", when=joao.when(THU_15))
    )
    # The cancellation notice is 24 h: the client is told until when they may change it.
    deadline = joao.when(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    assert joao.t("booking.done.policy", deadline=deadline) in done.text
    assert done.buttons == [] and ics.document is not None


async def test_a_taken_time_offers_the_nearest_free_ones(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await ana(db)
    other = await client_of(db, pro, 7299)
    await factories.appointment(db, pro, other, THU_10, minutes=60)
    emu.add_user(JOAO, "João", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        await joao.next()
        await joao.say("amanhã às 10h")
        offer = await joao.next()
        thu = joao.day(THU)
        assert offer.text == joao.t("booking.typed.not_free", when=joao.when(THU_10))
        assert joao.labels(offer)[:2] == [f"{thu} 09:00", f"{thu} 11:00"]
        confirm = await joao.press_edit(offer, f"{thu} 11:00")

    assert "📅 " + joao.when(datetime(2026, 11, 26, 14, 0, tzinfo=UTC)) in confirm.text


async def test_a_slot_taken_while_confirming_offers_the_days_free_times_again(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await ana(db)
    await client_of(db, pro, JOAO, name="João", phone="+5511987654321")
    other = await client_of(db, pro, 7299)
    emu.add_user(JOAO, "João", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        await joao.next()
        await joao.say("amanhã às 10h")
        confirm = await joao.next()
        await factories.appointment(db, pro, other, THU_10, minutes=60)
        await joao.press(confirm, joao.t("booking.button.confirm"))
        again = await joao.next()

    assert again.text.startswith(joao.t("booking.taken_race", time=joao.when(THU_10)))
    assert "10:00" not in joao.labels(again) and "11:00" in joao.labels(again)


async def test_cancel_leaves_the_booking_and_its_buttons_then_answer_as_expired(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db)
    emu.add_user(JOAO, "João", language_code="pt-br")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        calendar = await joao.next()
        await emu.send_command(JOAO, "cancel")
        cancelled = await joao.next()
        expired = await joao.press(calendar, joao.day(THU))

    assert cancelled.text == joao.t("common.cancelled")
    assert expired.show_alert and expired.text == joao.t("common.button_expired")


async def test_a_restart_in_the_middle_of_a_booking_continues_where_the_client_was(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db)
    emu.add_user(JOAO, "João", language_code="pt-br", phone_number="5511987654321")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        calendar = await joao.next()
        day = await joao.press_edit(calendar, joao.day(THU))

    async with run_bot():
        confirm = await joao.press_edit(day, "10:00")
        assert "📅 " + joao.when(THU_10) in confirm.text
        await joao.say("amanhã às 11h")  # typed text needs the persisted draft
        ask_name = await joao.next()
        await joao.press_edit(ask_name, joao.t("booking.button.confirm"))

    async with run_bot():
        await joao.press(ask_name, joao.t("booking.button.keep_name", name="João"))
        await joao.next()
        await emu.tap(JOAO, joao.t("booking.button.share_phone"))
        booked = await joao.next()
        await joao.next()
        stale = await joao.press(confirm, joao.t("booking.button.confirm"))

    eleven = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    assert booked.text.startswith("📨 Agendado!") and joao.when(eleven) in booked.text
    assert stale.show_alert and stale.text == joao.t("common.button_expired")


async def test_a_client_booking_with_a_professional_who_never_opened_the_bot_is_told_so(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db)
    # Ana's account exists (imported, or the demo's) but she has never opened the bot.
    await factories.add(db, TelegramUser(user_id=ANA_UID, first_name="Ana"))
    emu.add_user(JOAO, "João", language_code="pt-br", phone_number="5511987654321")
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await joao.start("ana-souza")
        await joao.next()
        card = await joao.next()
        await joao.press(card, joao.t("profile.button.book"))
        calendar = await joao.next()
        day = await joao.press_edit(calendar, joao.day(THU))
        confirm = await joao.press_edit(day, "10:00")
        ask_name = await joao.press_edit(confirm, joao.t("booking.button.confirm"))
        await joao.press(ask_name, joao.t("booking.button.keep_name", name="João"))
        await joao.next()
        await emu.tap(JOAO, joao.t("booking.button.share_phone"))
        booked = await joao.next()

    assert booked.text.startswith(
        joao.t("booking.done.pending_unseen", professional="Ana Souza", when=joao.when(THU_10))
    )
    assert "foi enviado" not in booked.text
