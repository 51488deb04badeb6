"""Outbox rows of every kind reach their reader once, in their language and zone, with the
buttons that still make sense; the morning agenda comes once a day at the chosen hour."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from reminders_support import UNKNOWN_MSGID, book, fast_dispatcher, notification_rows
from test_reminders_concurrency import drain

from bot.callbacks import parse
from bot.i18n import get_translator
from core.models import AppointmentStatus, NotificationType, RecipientType
from core.services import booking
from core.services.notifications import notify
from tests import factories as f

THURSDAY = 4  # availability weekdays count from Sunday = 0
# Thursday 2026-11-26 10:00 in New York (EST) is 15:00 UTC and 12:00 in Sao Paulo.
THU_10_NY = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def actions(message) -> list[tuple[str, str]]:
    """(namespace, action) of each inline button."""
    found = []
    for button in message.buttons:
        parsed = parse(button["callback_data"])
        assert parsed is not None, f"unparseable button data {button['callback_data']!r}"
        found.append((parsed.ns, parsed.action))
    return found


async def queue(db, pair, *, recipient_id, recipient_type, type, msgid, params, appt=None):
    async with db.system("tests") as uow:
        await notify(
            uow,
            recipient_id=recipient_id,
            recipient_type=recipient_type,
            professional_id=pair.pro.id,
            type=type,
            msgid=msgid,
            params=params,
            appointment_id=appt,
        )
        await uow.commit()


async def request_as_client(db, pair, start, now):
    await f.weekly_window(db, pair.pro, THURSDAY, time(10), time(17))
    async with db.for_user(pair.client.user_id) as uow:
        view = await booking.request(uow, professional_id=pair.pro.id, start=start, now=now)
        await uow.commit()
    return view


async def test_a_booking_request_reaches_the_professional_in_their_zone_with_answer_buttons(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/New_York", client_tz="America/Sao_Paulo")
    view = await request_as_client(db, pair, THU_10_NY, clock())

    stats = await dispatcher_for().run_once()

    assert stats.sent == 1
    [message] = emu.chat(pair.pro.user_id).bot_messages
    assert "10:00" in message.text and "12:00" not in message.text
    assert actions(message) == [("rq", "ok"), ("rq", "no")]
    assert view.id.hex not in message.text  # no raw ids for the reader

    async with db.for_user(pair.pro.user_id) as uow:
        await booking.confirm(uow, appointment_id=view.id, now=clock())
        await uow.commit()
    await dispatcher_for().run_once()
    [confirmed] = emu.chat(pair.client.user_id).bot_messages
    assert "12:00" in confirmed.text  # the client reads Sao Paulo time


async def test_a_request_answered_before_its_message_went_out_comes_without_buttons(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/New_York")
    view = await request_as_client(db, pair, THU_10_NY, clock())
    async with db.for_user(pair.pro.user_id) as uow:
        await booking.decline(uow, appointment_id=view.id, now=clock())
        await uow.commit()

    await dispatcher_for().run_once()

    [message] = emu.chat(pair.pro.user_id).bot_messages
    assert message.buttons == []


async def test_times_in_a_notification_are_shown_in_the_readers_zone(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/New_York")
    await queue(
        db,
        pair,
        recipient_id=pair.pro.user_id,
        recipient_type=RecipientType.professional,
        type=NotificationType.booking_requested,
        msgid="test.booking",
        params={"client_name": "Bruna", "starts_at": THU_10_NY},
    )

    await dispatcher_for().run_once()

    [message] = emu.chat(pair.pro.user_id).bot_messages
    assert message.text == "New request from Bruna for Thu 26 Nov, 10:00."


async def test_every_kind_of_notification_reads_as_a_sentence_even_without_its_text(
    db, emu, clock, people, dispatcher_for
):
    pair = await people()
    for kind in NotificationType:
        await queue(
            db,
            pair,
            recipient_id=pair.client.user_id,
            recipient_type=RecipientType.client,
            type=kind,
            msgid=UNKNOWN_MSGID,
            params={"starts_at": THU_10_NY},
        )

    await drain(dispatcher_for(batch=5))

    got = [m.text for m in emu.chat(pair.client.user_id).bot_messages]
    assert len(got) == len(NotificationType)
    assert not any(UNKNOWN_MSGID in t or "notify." in t for t in got)
    assert len(set(got)) == len(got)  # each kind says what happened, differently


async def test_a_review_request_offers_the_review_button_once_the_session_is_completed(
    db, emu, clock, people, dispatcher_for
):
    pair = await people()
    appt = await book(
        db,
        pair,
        clock() - timedelta(hours=2),
        scheduled_at=clock() - timedelta(days=3),
        status=AppointmentStatus.completed,
    )
    await queue(
        db,
        pair,
        recipient_id=pair.client.user_id,
        recipient_type=RecipientType.client,
        type=NotificationType.review_request,
        msgid=UNKNOWN_MSGID,
        params={},
        appt=appt.id,
    )

    await dispatcher_for().run_once()

    [message] = emu.chat(pair.client.user_id).bot_messages
    assert actions(message) == [("mb", "rv")]


async def test_two_dispatchers_deliver_each_outbox_row_once(db, emu, clock, people, bot):
    pairs = [await people() for _ in range(10)]
    for i in range(200):
        pair = pairs[i % 10]
        await queue(
            db,
            pair,
            recipient_id=pair.pro.user_id,
            recipient_type=RecipientType.professional,
            type=NotificationType.new_message,
            msgid="test.booking",
            params={"client_name": f"client {i}", "starts_at": THU_10_NY},
        )
    a = fast_dispatcher(db, bot, clock, "worker-a", batch=15)
    b = fast_dispatcher(db, bot, clock, "worker-b", batch=15)

    await asyncio.gather(drain(a), drain(b))

    texts = [m.text for p in pairs for m in emu.chat(p.pro.user_id).bot_messages]
    assert sorted(texts) == sorted(
        f"New request from client {i} for Thu 26 Nov, 12:00." for i in range(200)
    )
    assert all(row.sent_at is not None for row in await notification_rows(db))


async def test_the_morning_agenda_comes_once_at_the_chosen_local_hour_with_the_days_sessions(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/New_York", morning_agenda_hour=8)
    other = await f.client(db, pair.pro, name="Davi")
    long_ago = datetime(2026, 11, 1, tzinfo=UTC)
    await book(db, pair, THU_10_NY, scheduled_at=long_ago)
    await f.appointment(
        db,
        pair.pro,
        other,
        THU_10_NY + timedelta(hours=4),
        status=AppointmentStatus.pending_confirmation,
    )
    await f.appointment(
        db, pair.pro, other, THU_10_NY + timedelta(hours=6), status=AppointmentStatus.cancelled
    )
    await book(db, pair, THU_10_NY + timedelta(days=1), scheduled_at=long_ago)
    pro_chat = emu.chat(pair.pro.user_id)
    d = dispatcher_for()

    clock.set(datetime(2026, 11, 26, 12, 59, tzinfo=UTC))  # 07:59 in New York
    await d.run_once()
    assert pro_chat.bot_messages == []

    clock.set(datetime(2026, 11, 26, 13, 0, tzinfo=UTC))  # 08:00
    await d.run_once()
    [agenda] = pro_chat.bot_messages
    en = get_translator("en")
    # Neither the cancelled session nor Friday's; the pending one is marked as such.
    assert agenda.text.splitlines() == [
        en.t("agenda.morning", day="Thursday, 26 November 2026"),
        en.t("agenda.line", start="10:00", end="10:50", client="Bruna"),
        en.t("agenda.line_pending", start="14:00", end="14:50", client="Davi"),
    ]

    await d.run_once()
    clock.set(datetime(2026, 11, 26, 23, 0, tzinfo=UTC))
    await fast_dispatcher(db, d.bot, clock, "worker-b").run_once()
    assert len(pro_chat.bot_messages) == 1

    clock.set(datetime(2026, 11, 27, 13, 30, tzinfo=UTC))  # Friday 08:30
    await d.run_once()
    assert "27 November" in pro_chat.bot_messages[-1].text


async def test_a_day_without_sessions_sends_no_agenda(db, emu, clock, people, dispatcher_for):
    pair = await people(pro_tz="America/Sao_Paulo", morning_agenda_hour=7)
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))  # 07:00 in Sao Paulo

    stats = await dispatcher_for().run_once()

    assert stats.agendas == 0 and emu.chat(pair.pro.user_id).bot_messages == []


async def test_the_reason_a_professional_gives_for_declining_reaches_the_client(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/New_York")
    view = await request_as_client(db, pair, THU_10_NY, clock())
    async with db.for_user(pair.pro.user_id) as uow:
        await booking.decline(
            uow, appointment_id=view.id, now=clock(), reason="I'm at a conference that week"
        )
        await uow.commit()

    await dispatcher_for().run_once()

    [message] = emu.chat(pair.client.user_id).bot_messages
    assert "I'm at a conference that week" in message.text
    assert "/book" in message.text  # still says how to pick another time


async def test_the_reason_given_for_a_cancellation_reaches_the_other_side(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/New_York")
    by_pro = await request_as_client(db, pair, THU_10_NY, clock())
    async with db.for_user(pair.client.user_id) as uow:
        later = THU_10_NY + timedelta(minutes=100)
        by_client = await booking.request(
            uow, professional_id=pair.pro.id, start=later, now=clock()
        )
        await uow.commit()
    async with db.for_user(pair.pro.user_id) as uow:
        await booking.confirm(uow, appointment_id=by_pro.id, now=clock())
        await uow.commit()
    async with db.for_user(pair.pro.user_id) as uow:
        await booking.cancel(uow, appointment_id=by_pro.id, now=clock(), reason="I'm ill")
        await uow.commit()
    async with db.for_user(pair.client.user_id) as uow:
        await booking.cancel(uow, appointment_id=by_client.id, now=clock(), reason="Exam day")
        await uow.commit()

    await drain(dispatcher_for())

    assert "I'm ill" in emu.chat(pair.client.user_id).bot_messages[-1].text
    assert "Exam day" in emu.chat(pair.pro.user_id).bot_messages[-1].text


async def test_a_decline_without_a_reason_shows_no_empty_reason_line(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/New_York")
    view = await request_as_client(db, pair, THU_10_NY, clock())
    async with db.for_user(pair.pro.user_id) as uow:
        await booking.decline(uow, appointment_id=view.id, now=clock())
        await uow.commit()

    await dispatcher_for().run_once()

    [message] = emu.chat(pair.client.user_id).bot_messages
    assert "Dr. Ana Lima" in message.text and "/book" in message.text
    assert "{reason}" not in message.text and "None" not in message.text
    assert "\n\n\n" not in message.text
