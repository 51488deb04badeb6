"""Exactly once: dispatchers racing, one stopped mid-way, one frozen with work in hand."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from reminders_support import fast_dispatcher, make_bot, many_due_reminders
from telegram import Bot
from telegram.error import NetworkError

from bot.reminders_and_outbox.dispatcher import Dispatcher, DispatchStats, Limiter

LEASE = timedelta(minutes=2)


def delivered(emu, chats) -> Counter[int]:
    """How many messages each chat received."""
    return Counter({chat: len(emu.chat(chat).bot_messages) for chat in chats})


async def drain(dispatcher: Dispatcher) -> DispatchStats:
    """Run passes until one finds nothing to do."""
    total = DispatchStats()
    while True:
        stats = await dispatcher.run_once()
        total += stats
        if stats.reminders == 0 and stats.notifications == 0:
            return total


async def test_two_dispatchers_at_once_send_each_of_1000_reminders_exactly_once(
    db, emu, bot, clock
):
    chats = await many_due_reminders(db, emu, count=1000, now=clock())
    a = fast_dispatcher(db, bot, clock, "worker-a", batch=50)
    b = fast_dispatcher(db, bot, clock, "worker-b", batch=50)

    stats_a, stats_b = await asyncio.gather(drain(a), drain(b))

    assert set(delivered(emu, chats).values()) == {1}
    assert stats_a.sent + stats_b.sent == 1000
    # Both really worked: the race was run, not won by whoever started first.
    assert stats_a.sent > 0 and stats_b.sent > 0


async def test_a_dispatcher_stopped_mid_batch_leaves_nothing_lost_and_nothing_twice(
    db, emu, bot, clock
):
    chats = await many_due_reminders(db, emu, count=100, now=clock())
    async with make_bot(emu, CountingBot, target=30) as counting:
        # Slow enough (200 messages/s) that the stop lands in the middle of the batch.
        a = fast_dispatcher(db, counting, clock, "worker-a", batch=100, limiter=Limiter(rate=200))
        task = asyncio.create_task(a.run_once())
        await asyncio.wait_for(counting.reached.wait(), 10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0.05)  # messages already on the wire are recorded, not cut off
    half_way = sum(delivered(emu, chats).values())
    assert 30 <= half_way < 100

    b = fast_dispatcher(db, bot, clock, "worker-b")
    stats = await drain(b)

    assert stats.sent == 100 - half_way
    assert set(delivered(emu, chats).values()) == {1}


class CountingBot(Bot):
    """A Bot that lets a test wait until it has sent `target` messages."""

    def __init__(self, *args, target: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Bot objects are frozen after __init__; only private names may still be set.
        self._left = target
        self._reached = asyncio.Event()

    @property
    def reached(self) -> asyncio.Event:
        return self._reached

    async def send_message(self, *args, **kwargs):
        message = await super().send_message(*args, **kwargs)
        self._left -= 1
        if self._left <= 0:
            self.reached.set()
        return message


class FreezingBot(CountingBot):
    """Sends `target` messages, then hangs on every send until `thaw`, as a frozen process."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._thawed = asyncio.Event()

    async def send_message(self, *args, **kwargs):
        if self.reached.is_set():
            await self._thawed.wait()
            raise NetworkError("the connection died while the process was frozen")
        return await super().send_message(*args, **kwargs)

    def thaw(self) -> None:
        self._thawed.set()


async def test_work_held_by_a_frozen_dispatcher_is_sent_by_another_once_the_lease_expires(
    db, emu, clock
):
    chats = await many_due_reminders(db, emu, count=100, now=clock())
    async with make_bot(emu, FreezingBot, target=30) as frozen_bot:
        a = fast_dispatcher(db, frozen_bot, clock, "worker-a", batch=100, lease=LEASE)
        frozen = asyncio.create_task(a.run_once())
        await asyncio.wait_for(frozen_bot.reached.wait(), 10)
        await asyncio.sleep(0.05)

        async with make_bot(emu) as bot:
            b = fast_dispatcher(db, bot, clock, "worker-b", lease=LEASE)
            assert (await b.run_once()).reminders == 0  # still leased to the frozen one
            clock.advance(seconds=LEASE.total_seconds() + 1)
            stats = await drain(b)

        frozen_bot.thaw()
        late = await frozen

    assert late.sent >= 30 and stats.sent == 100 - late.sent
    assert set(delivered(emu, chats).values()) == {1}
