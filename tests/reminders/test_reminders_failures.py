"""When Telegram says no: 429 is waited out, 403 stops for good, other errors back off and end
visible in the log and the outbox row, never silently lost."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from reminders_support import (
    appointment_row,
    book,
    fast_dispatcher,
    make_bot,
    many_due_reminders,
    notification_rows,
)
from sqlalchemy import select
from telegram import Bot
from telegram.error import NetworkError

from bot.reminders_and_outbox.dispatcher import Limiter
from core.models import NotificationType, RecipientType, TelegramUser
from core.services.notifications import notify
from emulator import BotApiEmulator, RateLimits
from tests import factories as f

# PTB 22 warns from inside RetryAfter itself about a future timedelta type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

START = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 11, 1, tzinfo=UTC)


class FlakyBot(Bot):
    """Fails the first `failures` sends as a dropped connection would."""

    def __init__(self, *args, failures: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._failures = failures

    async def send_message(self, *args, **kwargs):
        if self._failures > 0:
            self._failures -= 1
            raise NetworkError("connection reset by peer")
        return await super().send_message(*args, **kwargs)


async def unreachable_at(db, user_id):
    async with db.system("tests") as uow:
        return await uow.session.scalar(
            select(TelegramUser.unreachable_at).where(TelegramUser.user_id == user_id)
        )


async def queue(db, pair, recipient_id, **over):
    values = {
        "recipient_id": recipient_id,
        "recipient_type": RecipientType.professional,
        "professional_id": pair.pro.id,
        "type": NotificationType.new_message,
        "msgid": "message.new",
        "params": {"sender_name": "Bruna", "preview": "Hi!"},
    }
    values.update(over)
    async with db.system("tests") as uow:
        await notify(uow, **values)
        await uow.commit()


async def test_a_client_who_blocked_the_bot_is_marked_unreachable_and_not_retried(
    db, emu, clock, people, dispatcher_for
):
    pair = await people()
    appt = await book(db, pair, START, scheduled_at=LONG_AGO)
    await emu.block(pair.client.user_id)
    d = dispatcher_for()

    clock.set(START - timedelta(hours=24))
    stats = await d.run_once()
    assert stats.unreachable == 1 and stats.sent == 0
    assert await unreachable_at(db, pair.client.user_id) == clock()
    assert (await appointment_row(db, appt.id)).reminder_sent_24h

    # Later passes do not knock again, not even for the 1 h reminder.
    calls = emu.world.calls["sendMessage"]
    clock.set(START - timedelta(hours=1))
    stats = await d.run_once()
    assert emu.world.calls["sendMessage"] == calls
    assert stats.unreachable == 1
    assert emu.chat(pair.client.user_id).bot_messages == []


async def test_a_blocked_recipient_without_an_account_row_gets_one_marking_them_unreachable(
    db, emu, clock, people, dispatcher_for
):
    pair = await people()
    await emu.block(pair.pro.user_id)  # professionals have no telegram_users row here
    await queue(db, pair, pair.pro.user_id)

    stats = await dispatcher_for().run_once()

    assert stats.unreachable == 1
    assert await unreachable_at(db, pair.pro.user_id) == clock()
    [row] = await notification_rows(db)
    assert row.failed_at == clock() and row.sent_at is None and "blocked" in row.last_error


async def test_a_429_is_waited_out_and_every_reminder_still_arrives_once(db, clock):
    # Telegram's shape of limits, scaled down so the test hits them in milliseconds.
    limits = RateLimits(global_per_second=40, global_burst=5, retry_after_step=0.05)
    async with BotApiEmulator("777:FLOOD", rate_limits=limits) as tight:
        chats = await many_due_reminders(db, tight, count=20, now=clock())
        async with make_bot(tight) as bot:
            # Our own pacing switched off, so that Telegram has to say 429.
            d = fast_dispatcher(db, bot, clock, "w", limiter=Limiter(rate=1e6, chat_rate=1e6))
            stats = await d.run_once()

        assert stats.rate_limited > 0 and tight.flood_rejections == stats.rate_limited
        assert stats.sent == 20
        assert {len(tight.chat(c).bot_messages) for c in chats} == {1}


async def test_our_own_pacing_keeps_telegram_from_saying_429(db, clock):
    # Telegram tolerates bursts; a loaded test machine bunches requests up a little.
    limits = RateLimits(global_per_second=100, global_burst=20, retry_after_step=0.05)
    async with BotApiEmulator("777:FLOOD", rate_limits=limits) as tight:
        await many_due_reminders(db, tight, count=30, now=clock())
        async with make_bot(tight) as bot:
            d = fast_dispatcher(db, bot, clock, "w", limiter=Limiter(rate=60, burst=1))
            stats = await d.run_once()

    assert stats.sent == 30 and stats.rate_limited == 0 and tight.flood_rejections == 0


async def test_a_failed_send_is_retried_after_a_backoff(db, emu, clock, people):
    pair = await people()
    await book(db, pair, START, scheduled_at=LONG_AGO)
    clock.set(START - timedelta(hours=24))
    async with make_bot(emu, FlakyBot, failures=1) as flaky:
        d = fast_dispatcher(db, flaky, clock, "w")
        assert (await d.run_once()).retried == 1
        assert (await d.run_once()).reminders == 0  # backing off
        clock.advance(seconds=31)
        assert (await d.run_once()).sent == 1

    [message] = emu.chat(pair.client.user_id).bot_messages
    assert "tomorrow" in message.text


async def test_a_notification_that_keeps_failing_is_given_up_and_logged_as_an_error(
    db, emu, clock, people, caplog
):
    pair = await people()
    await queue(db, pair, pair.pro.user_id)
    async with make_bot(emu, FlakyBot, failures=100) as flaky:
        d = fast_dispatcher(db, flaky, clock, "w", max_attempts=3)
        with caplog.at_level(logging.WARNING, logger="bot.reminders_and_outbox.dispatcher"):
            for _ in range(3):
                await d.run_once()
                clock.advance(hours=1)
            assert (await d.run_once()).notifications == 0

    [row] = await notification_rows(db)
    assert row.attempts == 3 and row.failed_at is not None and row.sent_at is None
    assert "connection reset" in row.last_error
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "Gave up" in errors[0].getMessage()


async def test_telegram_refusing_the_request_fails_the_row_at_once_with_the_reason(
    db, emu, clock, people, dispatcher_for, caplog
):
    pair = await people()
    # A text past Telegram's 4096 characters: the same request would be refused again.
    # ("chat not found" is someone who never opened the bot: held, see
    # test_outbox_reachability.)
    await queue(db, pair, pair.pro.user_id, params={"sender_name": "B", "preview": "x" * 5000})

    with caplog.at_level(logging.ERROR, logger="bot.reminders_and_outbox.dispatcher"):
        stats = await dispatcher_for().run_once()

    [row] = await notification_rows(db)
    assert stats.failed == 1 and row.attempts == 1 and "too long" in row.last_error.lower()
    assert any("Gave up" in r.getMessage() for r in caplog.records)


async def test_a_client_without_telegram_has_their_reminder_settled_without_a_message(
    db, emu, clock, people, dispatcher_for
):
    pair = await people()
    by_hand = await f.client(db, pair.pro, user_id=None, name="Carla")
    appt = await f.appointment(db, pair.pro, by_hand, START, scheduled_at=LONG_AGO)

    clock.set(START - timedelta(hours=24))
    stats = await dispatcher_for().run_once()

    assert stats.no_chat == 1 and stats.sent == 0
    assert (await appointment_row(db, appt.id)).reminder_sent_24h
