"""The right reminders reach the client's chat at the right moments, and only those.

Each test moves the injected clock and runs dispatcher passes against the Bot API
emulator, then reads the client's chat as the client would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from reminders_support import appointment_row, book

from bot.i18n import get_translator
from core.models import AppointmentStatus, ExtraAvailability
from core.services import booking
from tests import factories as f

SCHEDULED_LONG_AGO = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def texts(emu, user_id) -> list[str]:
    return [m.text or "" for m in emu.chat(user_id).bot_messages]


def buttons(message) -> list[str]:
    return [b["text"] for b in message.buttons]


def actions(message) -> list[str]:
    """The buttons' actions, e.g. "mb:go" for I'm coming (the my-bookings conversation's)."""
    return [":".join(b["callback_data"].split(":")[:2]) for b in message.buttons]


def is_day_before(message) -> bool:
    """Only the 24 h reminder asks whether the client is coming."""
    return "mb:go" in actions(message)


def en():
    """The English texts as the dispatcher reads them (catalogues are set per test)."""
    return get_translator("en")


async def pass_at(clock, dispatcher, when: datetime):
    clock.set(when)
    return await dispatcher.run_once()


async def test_a_client_in_another_zone_gets_both_reminders_in_their_own_time(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/Sao_Paulo", client_tz="Europe/Lisbon")
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # 13:00 in Lisbon, 10:00 in Sao Paulo
    await book(db, pair, start, scheduled_at=SCHEDULED_LONG_AGO)
    d = dispatcher_for()
    client = pair.client.user_id

    await pass_at(clock, d, start - timedelta(hours=24, minutes=1))
    assert texts(emu, client) == []

    await pass_at(clock, d, start - timedelta(hours=24))
    [day_before] = emu.chat(client).bot_messages
    assert "Dr. Ana Lima" in day_before.text and "tomorrow" in day_before.text
    assert "13:00" in day_before.text and "10:00" not in day_before.text
    assert actions(day_before) == ["mb:go", "mb:rs", "mb:cx"]
    assert buttons(day_before) == [
        en().t("reminder.button.coming"),
        en().t("reminder.button.reschedule"),
        en().t("reminder.button.cancel"),
    ]

    # Passes keep running; the reminder is not repeated.
    await pass_at(clock, d, start - timedelta(hours=23))
    await pass_at(clock, d, start - timedelta(hours=1, minutes=1))
    assert len(texts(emu, client)) == 1

    await pass_at(clock, d, start - timedelta(hours=1))
    hour_before = emu.chat(client).bot_messages[-1]
    assert "today" in hour_before.text and "13:00" in hour_before.text
    # The 24 h cancellation notice has passed: no buttons that would only be refused.
    assert buttons(hour_before) == []
    assert en().t("reminder.too_late_to_change", professional="Dr. Ana Lima") in hour_before.text

    await pass_at(clock, d, start - timedelta(minutes=10))
    assert len(texts(emu, client)) == 2
    assert texts(emu, pair.pro.user_id) == []


async def test_a_portuguese_reader_gets_the_reminder_in_portuguese(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(client_locale="pt_BR", client_tz="America/Sao_Paulo")
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    await book(db, pair, start, scheduled_at=SCHEDULED_LONG_AGO)

    await pass_at(clock, dispatcher_for(), start - timedelta(hours=24))
    [message] = emu.chat(pair.client.user_id).bot_messages
    assert "amanhã às 10:00" in message.text
    pt = get_translator("pt_BR")
    assert buttons(message)[0] == pt.t("reminder.button.coming") != en().t("reminder.button.coming")


async def test_without_a_zone_of_their_own_the_client_reads_the_professionals_time(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(pro_tz="America/Sao_Paulo", client_tz=None)
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    await book(db, pair, start, scheduled_at=SCHEDULED_LONG_AGO)

    await pass_at(clock, dispatcher_for(), start - timedelta(hours=24))
    assert "10:00" in texts(emu, pair.client.user_id)[0]


async def test_across_new_yorks_dst_change_the_reminder_comes_24_real_hours_before(
    db, emu, clock, people, dispatcher_for
):
    # Sunday 2026-11-01 10:00 EST (15:00 UTC); clocks fell back at 02:00 that night, so
    # 24 hours earlier is Saturday 11:00 EDT, not 10:00.
    pair = await people(pro_tz="America/New_York", client_tz="America/New_York")
    other = await people(pro_tz="America/New_York", client_tz="America/Sao_Paulo")
    start = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    await book(db, pair, start, scheduled_at=datetime(2026, 10, 20, tzinfo=UTC))
    await book(db, other, start, scheduled_at=datetime(2026, 10, 20, tzinfo=UTC))
    d = dispatcher_for()

    await pass_at(clock, d, datetime(2026, 10, 31, 14, 0, tzinfo=UTC))  # 10:00 EDT Saturday
    assert texts(emu, pair.client.user_id) == []

    await pass_at(clock, d, datetime(2026, 10, 31, 15, 0, tzinfo=UTC))  # 11:00 EDT Saturday
    [ny] = texts(emu, pair.client.user_id)
    assert "tomorrow at 10:00" in ny
    [sp] = texts(emu, other.client.user_id)
    assert "tomorrow at 12:00" in sp

    await pass_at(clock, d, datetime(2026, 11, 1, 14, 0, tzinfo=UTC))  # 09:00 EST Sunday
    assert "today at 10:00" in texts(emu, pair.client.user_id)[-1]
    assert "today at 12:00" in texts(emu, other.client.user_id)[-1]


async def test_after_downtime_the_24h_reminder_is_sent_late_and_the_1h_one_on_time(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(client_tz="America/Sao_Paulo")
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    await book(db, pair, start, scheduled_at=SCHEDULED_LONG_AGO)
    d = dispatcher_for()

    await pass_at(clock, d, start - timedelta(hours=3))
    [late] = texts(emu, pair.client.user_id)
    assert "today at 10:00" in late
    await pass_at(clock, d, start - timedelta(hours=1))
    assert len(texts(emu, pair.client.user_id)) == 2


async def test_after_downtime_until_50_minutes_before_only_the_1h_reminder_is_sent(
    db, emu, clock, people, dispatcher_for
):
    pair = await people()
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    appt = await book(db, pair, start, scheduled_at=SCHEDULED_LONG_AGO)
    d = dispatcher_for()

    await pass_at(clock, d, start - timedelta(minutes=50))
    await pass_at(clock, d, start - timedelta(minutes=40))
    [only] = emu.chat(pair.client.user_id).bot_messages
    assert "I'm coming" not in buttons(only)
    row = await appointment_row(db, appt.id)
    assert row.reminder_sent_24h and row.reminder_sent_1h


@pytest.mark.parametrize(
    "status",
    [
        AppointmentStatus.cancelled,
        AppointmentStatus.declined,
        AppointmentStatus.pending_confirmation,
        AppointmentStatus.completed,
    ],
)
async def test_no_reminder_for_a_session_that_is_not_confirmed(
    db, emu, clock, people, dispatcher_for, status
):
    pair = await people()
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    await book(db, pair, start, scheduled_at=SCHEDULED_LONG_AGO, status=status)
    d = dispatcher_for()

    for before in (timedelta(hours=24), timedelta(hours=1), timedelta(minutes=5)):
        await pass_at(clock, d, start - before)
    assert texts(emu, pair.client.user_id) == []


async def test_no_reminder_once_the_session_has_started(db, emu, clock, people, dispatcher_for):
    pair = await people()
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    await book(db, pair, start, scheduled_at=SCHEDULED_LONG_AGO)

    # The bot was down from a day before until just after the start.
    stats = await pass_at(clock, dispatcher_for(), start + timedelta(minutes=1))
    assert stats.reminders == 0
    assert texts(emu, pair.client.user_id) == []


async def test_a_booking_made_less_than_24h_ahead_gets_only_the_1h_reminder(
    db, emu, clock, people, dispatcher_for
):
    pair = await people()
    start = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    await book(db, pair, start, scheduled_at=start - timedelta(hours=20))
    d = dispatcher_for()

    for before in (timedelta(hours=19), timedelta(hours=5), timedelta(hours=1, minutes=1)):
        await pass_at(clock, d, start - before)
    assert texts(emu, pair.client.user_id) == []
    await pass_at(clock, d, start - timedelta(hours=1))
    assert len(texts(emu, pair.client.user_id)) == 1


async def _reschedule_as_professional(db, pair, appt, new_start, now):
    # The new time must be one of the professional's slots: open an hour just for it.
    local = new_start.astimezone(ZoneInfo(pair.pro.timezone))
    end = (local + timedelta(hours=1)).time()
    await f.add(
        db,
        ExtraAvailability(
            professional_id=pair.pro.id, day=local.date(), start_time=local.time(), end_time=end
        ),
    )
    async with db.for_user(pair.pro.user_id) as uow:
        await booking.reschedule(uow, appointment_id=appt.id, new_start=new_start, now=now)
        await uow.commit()


async def test_a_session_rescheduled_away_gets_no_reminder_at_its_old_time_but_at_the_new_one(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(client_tz="America/Sao_Paulo", cancellation_notice_minutes=0)
    old = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    new = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 14:00 in Sao Paulo
    appt = await book(db, pair, old, scheduled_at=SCHEDULED_LONG_AGO)
    await _reschedule_as_professional(db, pair, appt, new, clock())
    d = dispatcher_for()
    emu.mark_read(pair.client.user_id)  # the "moved" notice itself is not a reminder
    client = emu.chat(pair.client.user_id)
    sent_before = len(client.bot_messages)

    for before in (timedelta(hours=24), timedelta(hours=1)):
        assert (await pass_at(clock, d, old - before)).reminders == 0
    # Only the news of the move arrived, no reminder for the old time.
    [moved] = client.bot_messages[sent_before:]
    assert not is_day_before(moved)

    await pass_at(clock, d, new - timedelta(hours=24))
    reminder = client.bot_messages[-1]
    assert is_day_before(reminder) and "tomorrow at 14:00" in reminder.text


async def test_rescheduling_after_the_24h_reminder_owes_the_reminders_of_the_new_time(
    db, emu, clock, people, dispatcher_for
):
    pair = await people(client_tz="America/Sao_Paulo", cancellation_notice_minutes=0)
    first = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    appt = await book(db, pair, first, scheduled_at=SCHEDULED_LONG_AGO)
    d = dispatcher_for()
    client = pair.client.user_id

    chat = emu.chat(client)
    await pass_at(clock, d, first - timedelta(hours=24))
    assert len(chat.bot_messages) == 1
    # Moved two days later: a 24 h reminder is owed again for the new time.
    later = first + timedelta(days=2)
    await _reschedule_as_professional(db, pair, appt, later, clock())
    await pass_at(clock, d, later - timedelta(hours=24))
    day_before = [m for m in chat.bot_messages if is_day_before(m)]
    assert len(day_before) == 2 and "tomorrow at 10:00" in day_before[-1].text

    # Moved again to 5 hours from now: too late for a 24 h one, the 1 h one still comes.
    soon = clock() + timedelta(hours=5)
    await _reschedule_as_professional(db, pair, appt, soon, clock())
    await pass_at(clock, d, soon - timedelta(hours=2))
    messages = len(chat.bot_messages)  # the two notices of the moves
    await pass_at(clock, d, soon - timedelta(hours=1))
    assert len([m for m in chat.bot_messages if is_day_before(m)]) == 2
    [hour_before] = chat.bot_messages[messages:]
    assert "today at 15:00" in hour_before.text and not is_day_before(hour_before)


async def test_a_reminder_in_flight_while_the_session_moves_does_not_swallow_the_new_ones(
    db, emu, clock, people
):
    from core.services import reminders

    pair = await people(cancellation_notice_minutes=0)
    first = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    appt = await book(db, pair, first, scheduled_at=SCHEDULED_LONG_AGO)
    clock.set(first - timedelta(hours=24))
    async with db.system("reminders") as uow:
        [job] = await reminders.claim_due_reminders(
            uow, now=clock(), worker_id="w", lease=timedelta(minutes=2), limit=10
        )
        await uow.commit()
    later = first + timedelta(days=3)
    await _reschedule_as_professional(db, pair, appt, later, clock())
    async with db.system("reminders") as uow:
        marked = await reminders.mark_reminder_done(uow, job=job, worker_id="w")
        await uow.commit()

    assert marked is False
    row = await appointment_row(db, appt.id)
    assert not row.reminder_sent_24h and row.reminder_claimed_by is None
