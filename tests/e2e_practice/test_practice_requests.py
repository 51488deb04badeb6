"""A professional answers booking requests: from the request message and from /pending."""

from __future__ import annotations

from datetime import timedelta

from bot.conversations.requests import request_keyboard
from bot.formatting import format_datetime
from core.models import AppointmentStatus, NotificationType, Professional, RecipientType
from emulator import BotApiEmulator
from tests import factories as f
from tests.e2e_practice.practice_support import PRO, ZONE, edited, tr

REQUEST_TEXT = "New booking request from Ana Souza"


async def _request(db, pro: Professional, clock, name: str = "Ana Souza", **over):
    client = await f.client(db, pro, name=name)
    start = clock() + over.pop("ahead", timedelta(days=1))
    status = over.pop("status", AppointmentStatus.pending_confirmation)
    return client, await f.appointment(db, pro, client, start, status=status, **over)


async def _send_request(app, emu: BotApiEmulator, appointment_id) -> int:
    """What the dispatcher sends: the request text with Confirm / Decline."""
    sent = await app.bot.send_message(
        PRO, REQUEST_TEXT, reply_markup=request_keyboard(tr, appointment_id)
    )
    emu.mark_read(PRO)
    return sent.message_id


async def test_confirming_a_request_from_its_message_shows_it_confirmed_and_tells_the_client(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    client, appt = await _request(db, pro, clock)
    async with run_bot() as app:
        message_id = await _send_request(app, emu, appt.id)
        press = await emu.press(PRO, message_id, tr.t("requests.button.confirm"))
        answer = await press.wait_answer()
        message = await edited(emu, message_id)

    assert answer.text == tr.t("requests.confirmed", client="Ana Souza")
    assert message.text == f"{REQUEST_TEXT}\n\n{tr.t('requests.mark.confirmed')}"
    assert message.buttons == []
    assert (await f.appointment_row(db, appt.id)).status is AppointmentStatus.confirmed
    told = await f.notifications_of(db, appt.id)
    assert [(n.type, n.recipient_type, n.recipient_id) for n in told] == [
        (NotificationType.booking_confirmed, RecipientType.client, client.user_id)
    ]


async def test_declining_asks_for_a_reason_and_passes_it_on_to_the_client(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    _client, appt = await _request(db, pro, clock)
    when = format_datetime(appt.starts_at, "en", ZONE)
    async with run_bot() as app:
        message_id = await _send_request(app, emu, appt.id)
        await emu.press(PRO, message_id, tr.t("requests.button.decline"))
        question = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "I'm away at a conference that day")
        done = await emu.next_bot_message(PRO)
        message = await edited(emu, message_id)

    assert question.text == tr.t("requests.ask_reason", client="Ana Souza", when=when)
    assert tr.t("requests.button.no_reason") in [b["text"] for b in question.buttons]
    assert done.text == tr.t("requests.declined", client="Ana Souza")
    assert message.text == f"{REQUEST_TEXT}\n\n{tr.t('requests.mark.declined')}"
    assert message.buttons == []
    row = await f.appointment_row(db, appt.id)
    assert row.status is AppointmentStatus.declined
    assert row.cancellation_reason == "I'm away at a conference that day"
    told = await f.notifications_of(db, appt.id)
    assert told[-1].type is NotificationType.booking_declined
    assert told[-1].params["reason"] == "I'm away at a conference that day"


async def test_declining_without_a_reason_takes_one_press(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    _client, appt = await _request(db, pro, clock)
    async with run_bot() as app:
        message_id = await _send_request(app, emu, appt.id)
        await emu.press(PRO, message_id, tr.t("requests.button.decline"))
        question = await emu.next_bot_message(PRO)
        await emu.press(PRO, question.message_id, tr.t("requests.button.no_reason"))
        prompt = await edited(emu, question.message_id)
        await edited(emu, message_id)

    assert prompt.text == tr.t("requests.declined", client="Ana Souza")
    row = await f.appointment_row(db, appt.id)
    assert row.status is AppointmentStatus.declined
    assert row.cancellation_reason is None


async def test_a_request_answered_or_cancelled_meanwhile_is_explained_not_answered_again(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    _a, cancelled = await _request(db, pro, clock, status=AppointmentStatus.cancelled)
    _b, confirmed = await _request(
        db,
        pro,
        clock,
        name="Bruno Lima",
        ahead=timedelta(days=2),
        status=AppointmentStatus.confirmed,
    )
    async with run_bot() as app:
        first = await _send_request(app, emu, cancelled.id)
        second = await _send_request(app, emu, confirmed.id)
        on_cancelled = await (
            await emu.press(PRO, first, tr.t("requests.button.confirm"))
        ).wait_answer()
        on_confirmed = await (
            await emu.press(PRO, second, tr.t("requests.button.decline"))
        ).wait_answer()
        first_now = await edited(emu, first)
        second_now = await edited(emu, second)

    assert on_cancelled.show_alert
    assert on_cancelled.text == tr.t("requests.stale.cancelled", client="Ana Souza")
    assert on_confirmed.text == tr.t("requests.stale.confirmed", client="Bruno Lima")
    assert first_now.buttons == [] and second_now.buttons == []
    status = tr.t("requests.mark.status", status=tr.t("practice.status.cancelled"))
    assert first_now.text == f"{REQUEST_TEXT}\n\n{status}"
    assert (await f.appointment_row(db, cancelled.id)).status is AppointmentStatus.cancelled
    assert (await f.appointment_row(db, confirmed.id)).status is AppointmentStatus.confirmed
    assert emu.chat(PRO).bot_messages[-1].message_id == second  # no reason was asked


async def test_pending_lists_the_waiting_requests_and_confirms_one_from_the_list(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    _a, ana = await _request(db, pro, clock)
    _b, bruno = await _request(db, pro, clock, name="Bruno Lima", ahead=timedelta(days=2))
    await _request(
        db,
        pro,
        clock,
        name="Carla Dias",
        ahead=timedelta(days=3),
        status=AppointmentStatus.confirmed,
    )
    async with run_bot():
        await emu.send_command(PRO, "pending")
        listing = await emu.next_bot_message(PRO)
        first_text = listing.text
        await emu.press(PRO, listing.message_id, "✓ 1. Ana Souza")
        redrawn = await edited(emu, listing.message_id)

    assert first_text.startswith(tr.t("requests.title", count=2))
    assert "Ana Souza" in first_text and "Bruno Lima" in first_text
    assert "Carla Dias" not in first_text
    assert format_datetime(ana.starts_at, "en", ZONE) in first_text
    assert "Ana Souza" not in redrawn.text
    assert redrawn.text.startswith(tr.t("requests.title", count=1))
    assert [b["text"] for b in redrawn.buttons] == [
        "✓ 1. Bruno Lima",
        tr.t("requests.button.decline_n", n=1),
    ]
    assert (await f.appointment_row(db, ana.id)).status is AppointmentStatus.confirmed
    assert (await f.appointment_row(db, bruno.id)).status is AppointmentStatus.pending_confirmation


async def test_pending_with_nothing_waiting_says_so(emu: BotApiEmulator, run_bot, pro):
    async with run_bot():
        await emu.send_command(PRO, "pending")
        reply = await emu.next_bot_message(PRO)

    assert reply.text == tr.t("requests.none")
    assert reply.buttons == []


async def test_a_session_a_client_moved_shows_as_a_move_waiting_for_an_answer(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    from datetime import UTC, datetime

    from core.services import booking

    client = await f.client(db, pro, name="Ana Souza", user_id=7131)
    was = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # Friday 10:00 in São Paulo
    moved_to = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)  # Saturday 10:00
    session = await f.appointment(db, pro, client, was, minutes=60)
    async with db.for_user(client.user_id) as uow:
        await booking.reschedule(uow, appointment_id=session.id, new_start=moved_to, now=clock())
        await uow.commit()
    await f.client(db, pro, name="Bruno Lima")
    async with run_bot():
        await emu.send_command(PRO, "pending")
        pending = await emu.next_bot_message(PRO)
        await emu.send_command(PRO, "agenda")
        week = await emu.next_bot_message(PRO)

    moved = tr.t("requests.moved_from", was=format_datetime(was, "en", ZONE))
    assert moved in pending.text
    assert tr.t("agenda.moved_mark") in week.text
    async with db.for_user(PRO) as uow:
        [waiting] = await booking.pending_requests(uow)
    assert waiting.moved_from == was and waiting.starts_at == moved_to
