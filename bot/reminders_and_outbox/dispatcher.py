"""The delivery loop: reminders and outbox notifications pushed as chat messages, once each.

Each pass claims due work in short transactions (``core.services.reminders`` and
``core.services.outbox``), sends outside any transaction, and records the outcomes in
short ones again (outcomes ready together share one). A message is sent only while its
lease is ours, and once its HTTP request has started, cancelling the dispatcher no
longer interrupts it: what reached Telegram is recorded, so a stopping bot neither
loses nor repeats a message. (A process killed between Telegram's answer and the write
may repeat that one message after the lease expires; nothing is ever lost.)

When the database goes away (a restart, a crash, a failover), an outcome that cannot be
written is held and written when it is back (``Recorder``); a chat's next message waits
for it, so this process never sends a message twice, and sending resumes within a pass
(at most `interval` seconds) of the database answering again.

Telegram's limits: about 30 messages per second overall and one per second per chat.
The Application's rate limiter is used when the bot has one, else :class:`Limiter`.
A 429 waits ``retry_after`` and tries again; a 403 for a person who blocked the bot
marks them unreachable and settles the message. A person who never opened the bot's chat
("bot can't initiate conversation with a user", or "chat not found" for an id Telegram
never saw talk to the bot) has blocked nothing: their notifications are held until they
write (``core.services.reachability``), reminders to them settled. Other failures retry
with backoff and are logged at ERROR when given up.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import uuid
import warnings
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Protocol

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot import health
from bot.reminders_and_outbox.pacing import Limiter, Recorder, Work, default_worker_id
from bot.reminders_and_outbox.rendering import Rendered, render_notification, render_reminder
from core.clock import Clock
from core.db.uow import Database, UnitOfWork
from core.errors import DatabaseUnavailable
from core.services import outbox, reachability, reminders
from core.services.outbox import OutboxItem
from core.services.reminders import ReminderJob

__all__ = ["DispatchStats", "Dispatcher", "Limiter", "default_worker_id"]

log = logging.getLogger(__name__)

LOOP = "dispatcher"  # its name in bot.health


@dataclass
class DispatchStats:
    """What one pass (or a run, summed with +=) did."""

    reminders: int = 0  # claimed
    notifications: int = 0  # claimed
    agendas: int = 0  # morning agendas queued
    sent: int = 0
    retried: int = 0  # failed, will be tried again after a backoff
    failed: int = 0  # given up, logged at ERROR
    unreachable: int = 0  # the person blocked the bot: settled without a message
    held: int = 0  # the person never opened the bot: kept for when they do
    no_chat: int = 0  # a client without Telegram: nothing to send
    rate_limited: int = 0  # 429 answers waited out
    lease_lost: int = 0  # not sent: the lease ran out first; another worker will
    unavailable: int = 0  # stages that found the database unavailable

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


class _Outcome(enum.Enum):
    sent = "sent"
    forbidden = "forbidden"  # blocked (or deactivated): stop knocking
    not_started = "not_started"  # never opened the chat: wait for them
    rejected = "rejected"  # 400: the same request would fail again
    error = "error"


class _Delivery(Protocol):
    """One claimed message: where it goes and how its outcome is written back."""

    key: uuid.UUID
    chat_id: int | None
    unreachable: bool
    claimed_until: datetime

    def describe(self) -> str: ...
    def render(self, now: datetime) -> Rendered: ...
    async def done(self, uow: UnitOfWork, now: datetime) -> bool: ...

    # Kept for when the person opens the chat; False if that is not done for this kind.
    async def hold(self, uow: UnitOfWork, now: datetime, error: str) -> bool: ...

    # The retry time, None when given up (or settled for good), False when the lease was lost.
    async def failed(
        self, uow: UnitOfWork, now: datetime, error: str, permanent: bool
    ) -> datetime | bool | None: ...


class _ReminderDelivery:
    def __init__(self, job: ReminderJob, worker_id: str, max_attempts: int) -> None:
        self.job, self._worker, self._max = job, worker_id, max_attempts
        self.key = job.appointment_id
        self.chat_id = job.client_user_id
        self.unreachable = job.reader is not None and job.reader.unreachable
        self.claimed_until = job.claimed_until

    def describe(self) -> str:
        return f"{self.job.kind.value} reminder of appointment {self.key}"

    def render(self, now: datetime) -> Rendered:
        return render_reminder(self.job, now)

    async def done(self, uow: UnitOfWork, now: datetime) -> bool:
        return await reminders.mark_reminder_done(uow, job=self.job, worker_id=self._worker)

    async def hold(self, uow: UnitOfWork, now: datetime, error: str) -> bool:
        # A reminder is about a moment: by the time the person opens the chat it may be
        # past, and the booking shows in /mybookings anyway. Settled, not kept.
        await reminders.mark_reminder_done(uow, job=self.job, worker_id=self._worker)
        return False

    async def failed(
        self, uow: UnitOfWork, now: datetime, error: str, permanent: bool
    ) -> datetime | bool | None:
        if permanent:
            await reminders.mark_reminder_done(uow, job=self.job, worker_id=self._worker)
            return None
        return await reminders.retry_reminder_later(
            uow, job=self.job, worker_id=self._worker, now=now, max_attempts=self._max
        )


class _NotificationDelivery:
    def __init__(self, item: OutboxItem, worker_id: str, max_attempts: int) -> None:
        self.item, self._worker, self._max = item, worker_id, max_attempts
        self.key = item.id
        self.chat_id: int | None = item.recipient_id
        self.unreachable = item.reader.unreachable
        self.claimed_until = item.claimed_until

    def describe(self) -> str:
        return f"{self.item.type.value} notification {self.key}"

    def render(self, now: datetime) -> Rendered:
        return render_notification(self.item, now)

    async def done(self, uow: UnitOfWork, now: datetime) -> bool:
        return await outbox.mark_notification_sent(
            uow, notification_id=self.key, worker_id=self._worker, now=now
        )

    async def hold(self, uow: UnitOfWork, now: datetime, error: str) -> bool:
        return await reachability.hold_notification(
            uow, item=self.item, worker_id=self._worker, now=now, error=error
        )

    async def failed(
        self, uow: UnitOfWork, now: datetime, error: str, permanent: bool
    ) -> datetime | bool | None:
        outcome = await outbox.mark_notification_failed(
            uow,
            item=self.item,
            worker_id=self._worker,
            now=now,
            error=error,
            permanent=permanent,
            max_attempts=self._max,
        )
        return False if outcome is None else outcome.retry_at


# Telegram's answers (lower-cased) for a person who never opened the bot's chat.
_NOT_STARTED = "can't initiate conversation"
_UNKNOWN_CHAT = "chat not found"


def _retry_after_seconds(err: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that an int retry_after will become a timedelta; accept both.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Dispatcher:
    """Delivers due reminders and outbox rows; any number may run at once, in any process."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        worker_id: str | None = None,
        batch: int = 100,
        lease: timedelta = timedelta(minutes=2),
        *,
        limiter: Limiter | None = None,
        concurrency: int = 16,
        max_attempts: int = outbox.MAX_ATTEMPTS,
        max_flood_waits: int = 10,
        lease_margin: timedelta = timedelta(seconds=5),
    ) -> None:
        self.db, self.bot, self.clock = db, bot, clock
        self.worker_id = worker_id or default_worker_id()
        self.batch, self.lease = batch, lease
        # The Application's AIORateLimiter (ExtBot.rate_limiter) already paces requests.
        has_own = getattr(bot, "rate_limiter", None) is not None
        self.limiter = limiter if limiter is not None else (None if has_own else Limiter())
        self._slots = asyncio.Semaphore(concurrency)
        self._recorder = Recorder(db)
        self._max_attempts = max_attempts
        self._max_flood_waits = max_flood_waits
        self._margin = lease_margin
        self._woken = asyncio.Event()
        self.passes = 0  # passes completed (the demo waits for one after each line)

    async def run_once(self) -> DispatchStats:
        """One pass: queue due agendas, then send a batch of the outbox and one of reminders.

        A stage that fails is logged and does not keep the others from running; one that
        finds the database unavailable is counted in ``unavailable`` (``run_forever`` says
        so once per outage and waits for the database).
        """
        stats = DispatchStats()
        # The outbox before reminders: news of a move or a cancellation comes first.
        for stage in (self._agendas, self._outbox, self._reminders):
            try:
                await stage(stats)
            except DatabaseUnavailable:
                stats.unavailable += 1
                log.debug("Dispatch stage %s: database unavailable", stage.__name__)
            except Exception:
                log.exception("Dispatch stage %s of %s failed", stage.__name__, self.worker_id)
        self.passes += 1
        return stats

    async def _agendas(self, stats: DispatchStats) -> None:
        async with self.db.system("reminders") as uow:
            stats.agendas = await reminders.queue_morning_agendas(uow, now=self.clock())
            await uow.commit()

    async def _outbox(self, stats: DispatchStats) -> None:
        async with self.db.system("outbox") as uow:
            items = await outbox.claim_notifications(
                uow, now=self.clock(), worker_id=self.worker_id, lease=self.lease, limit=self.batch
            )
            await uow.commit()
        stats.notifications = len(items)
        await self._deliver(
            [_NotificationDelivery(i, self.worker_id, self._max_attempts) for i in items], stats
        )

    async def _reminders(self, stats: DispatchStats) -> None:
        async with self.db.system("reminders") as uow:
            jobs = await reminders.claim_due_reminders(
                uow, now=self.clock(), worker_id=self.worker_id, lease=self.lease, limit=self.batch
            )
            await uow.commit()
        stats.reminders = len(jobs)
        await self._deliver(
            [_ReminderDelivery(j, self.worker_id, self._max_attempts) for j in jobs], stats
        )

    def wake(self) -> None:
        """Look at the outbox now rather than at the end of the wait (call from the loop)."""
        self._woken.set()

    async def _pause(self, stop_event: asyncio.Event, interval: float) -> None:
        stop = asyncio.ensure_future(stop_event.wait())
        woken = asyncio.ensure_future(self._woken.wait())
        try:
            await asyncio.wait({stop, woken}, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            woken.cancel()
        self._woken.clear()

    async def run_forever(self, stop_event: asyncio.Event, interval: float = 5.0) -> None:
        """Pass after pass until `stop_event` is set; a full batch goes again without waiting,
        and :meth:`wake` cuts a wait short.

        While the database is unavailable it says so once, then tries again after 0.5, 1,
        2 ... seconds (never longer than `interval`), and says when it is back.
        """
        away_since: float | None = None
        waits = 0
        while not stop_event.is_set():
            busy = False
            stats = DispatchStats()
            try:
                stats = await self.run_once()
                busy = self.batch in (stats.reminders, stats.notifications)
            except Exception:  # run_once logs its stages' failures; this is a last resort
                log.exception("Dispatch pass of %s failed; trying again shortly", self.worker_id)
            wait = interval
            if stats.unavailable:
                health.database_wait(LOOP)
                if away_since is None:
                    away_since = time.monotonic()
                    log.warning(
                        "Dispatch of %s: the database is unavailable; waiting for it",
                        self.worker_id,
                    )
                wait = min(interval, 0.5 * 2 ** min(waits, 10))
                waits += 1
                busy = False
            elif away_since is not None:
                health.database_back(LOOP)
                log.info(
                    "Dispatch of %s resumed: the database is back after %.1f s",
                    self.worker_id,
                    time.monotonic() - away_since,
                )
                away_since, waits = None, 0
            if busy:
                await asyncio.sleep(0)
                continue
            await self._pause(stop_event, wait)

    async def close(self) -> None:
        """Stop recording outcomes (after the last pass): those still waiting are logged."""
        await self._recorder.close()

    # --- delivering one batch ---------------------------------------------------------

    async def _deliver(self, batch: list[_Delivery], stats: DispatchStats) -> None:
        # One chat's messages go in order, one after the other; chats go side by side.
        by_chat: dict[int | None, list[_Delivery]] = {}
        for delivery in batch:
            by_chat.setdefault(delivery.chat_id, []).append(delivery)
        started: set[uuid.UUID] = set()
        try:
            results = await asyncio.gather(
                *(self._chat(group, stats, started) for group in by_chat.values()),
                return_exceptions=True,
            )
        except asyncio.CancelledError:
            unsent = [d for d in batch if d.key not in started]
            await asyncio.shield(self._release(unsent))
            raise
        for result in results:
            if isinstance(result, BaseException):
                log.error("Delivering a chat's messages failed", exc_info=result)

    async def _chat(
        self, group: list[_Delivery], stats: DispatchStats, started: set[uuid.UUID]
    ) -> None:
        for delivery in group:
            if delivery.chat_id is None or delivery.unreachable:
                started.add(delivery.key)
                await asyncio.shield(self._settle_unsendable(delivery, stats))
                continue
            try:
                rendered = delivery.render(self.clock())
            except Exception as err:
                log.exception("Cannot render %s", delivery.describe())
                started.add(delivery.key)
                await asyncio.shield(self._failed(delivery, repr(err), False, stats))
                continue
            async with self._slots:
                if self.limiter is not None:
                    await self.limiter.acquire(delivery.chat_id)
                if self.clock() >= delivery.claimed_until - self._margin:
                    stats.lease_lost += 1
                    continue
                started.add(delivery.key)
                # From here on a cancel must not separate a sent message from its record.
                await asyncio.shield(self._send_and_record(delivery, rendered, stats))

    async def _send_and_record(
        self, delivery: _Delivery, rendered: Rendered, stats: DispatchStats
    ) -> None:
        assert delivery.chat_id is not None
        outcome, error = await self._send(delivery.chat_id, rendered, stats)
        if outcome is _Outcome.sent:
            stats.sent += 1
            ok = await self._write(delivery, lambda uow: delivery.done(uow, self.clock()))
            if ok is False:
                log.warning("Sent %s after losing its lease", delivery.describe())
        elif outcome is _Outcome.forbidden:
            await self._settle_unsendable(delivery, stats, blocked=True)
        elif outcome is _Outcome.not_started:
            await self._hold(delivery, error, stats)
        else:
            await self._failed(delivery, error, outcome is _Outcome.rejected, stats)

    async def _send(
        self, chat_id: int, rendered: Rendered, stats: DispatchStats
    ) -> tuple[_Outcome, str]:
        for _ in range(self._max_flood_waits + 1):
            try:
                await self.bot.send_message(chat_id, rendered.text, reply_markup=rendered.markup)
            except RetryAfter as err:
                stats.rate_limited += 1
                wait = _retry_after_seconds(err)
                if self.limiter is not None:
                    self.limiter.pause(wait)
                await asyncio.sleep(wait)
                if self.limiter is not None:
                    await self.limiter.acquire(chat_id)
                continue
            except Forbidden as err:
                if _NOT_STARTED in str(err).lower():
                    return _Outcome.not_started, str(err)
                return _Outcome.forbidden, str(err)
            except BadRequest as err:
                if _UNKNOWN_CHAT in str(err).lower():
                    return _Outcome.not_started, f"BadRequest: {err}"
                return _Outcome.rejected, f"BadRequest: {err}"
            except Exception as err:
                return _Outcome.error, f"{type(err).__name__}: {err}"
            return _Outcome.sent, ""
        return _Outcome.error, "RetryAfter: still rate limited after waiting"

    async def _settle_unsendable(
        self, delivery: _Delivery, stats: DispatchStats, *, blocked: bool = False
    ) -> None:
        now = self.clock()
        if delivery.chat_id is None:
            stats.no_chat += 1
            log.info("No Telegram chat for %s; settled unsent", delivery.describe())
            await self._write(delivery, lambda uow: delivery.done(uow, now))
            return
        stats.unreachable += 1
        chat_id = delivery.chat_id
        reason = "Forbidden: bot was blocked by the user" if blocked else "recipient unreachable"
        log.info("User %s is unreachable; %s settled unsent", chat_id, delivery.describe())

        async def write(uow: UnitOfWork) -> object:
            if blocked:
                await outbox.mark_unreachable(uow, user_id=chat_id, now=now)
            return await delivery.failed(uow, now, reason, True)

        await self._write(delivery, write)

    async def _hold(self, delivery: _Delivery, error: str, stats: DispatchStats) -> None:
        now = self.clock()
        chat_id = delivery.chat_id
        assert chat_id is not None
        stats.held += 1
        log.info(
            "User %s has not opened the bot's chat; %s kept for when they do",
            chat_id,
            delivery.describe(),
        )

        async def write(uow: UnitOfWork) -> object:
            await reachability.mark_not_started(uow, user_id=chat_id, now=now)
            return await delivery.hold(uow, now, error)

        await self._write(delivery, write)

    async def _failed(
        self, delivery: _Delivery, error: str, permanent: bool, stats: DispatchStats
    ) -> None:
        now = self.clock()
        retry_at = await self._write(
            delivery, lambda uow: delivery.failed(uow, now, error, permanent)
        )
        if isinstance(retry_at, datetime):
            stats.retried += 1
            log.warning("Sending %s failed (%s); retry at %s", delivery.describe(), error, retry_at)
        elif retry_at is None:
            stats.failed += 1
            log.error("Gave up sending %s: %s", delivery.describe(), error)

    async def _write(self, delivery: _Delivery, work: Work) -> Any:
        """Record an outcome (grouped with others in one transaction); False if impossible."""
        try:
            return await self._recorder.record(work)
        except Exception:
            log.exception("Cannot record the outcome of %s", delivery.describe())
            return False

    async def _release(self, unsent: list[_Delivery]) -> None:
        reminder_ids = [d.key for d in unsent if isinstance(d, _ReminderDelivery)]
        notification_ids = [d.key for d in unsent if isinstance(d, _NotificationDelivery)]
        try:
            async with self.db.system("outbox") as uow:
                await reminders.release_reminders(
                    uow, appointment_ids=reminder_ids, worker_id=self.worker_id
                )
                await outbox.release_notifications(
                    uow, notification_ids=notification_ids, worker_id=self.worker_id
                )
                await uow.commit()
        except Exception:
            log.warning("Cannot release unsent work; its lease will expire", exc_info=True)
