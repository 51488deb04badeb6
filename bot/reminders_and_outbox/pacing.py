"""The dispatcher's plumbing: pacing sends to Telegram's limits, and writing outcomes in groups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot import health
from core import errors
from core.db.uow import Database, UnitOfWork

__all__ = ["Limiter", "Recorder", "default_worker_id"]

log = logging.getLogger(__name__)

Work = Callable[[UnitOfWork], Awaitable[Any]]
OUTCOMES = "dispatch-outcomes"  # the recorder's name in bot.health


def default_worker_id() -> str:
    """A name for this process's dispatcher, unique across hosts and restarts."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Limiter:
    """Telegram's sending limits kept on our side (generic cell rate algorithm).

    Slots are reserved before sleeping, so concurrent senders queue up in order
    without a lock. The default stays just under 30/s: running exactly at the limit
    turns every bit of network jitter into a 429. A small burst lets a pause (claiming
    the next batch) be made up, still far inside Telegram's own burst allowance.
    """

    def __init__(
        self,
        rate: float = 29.0,
        *,
        burst: int = 5,
        chat_rate: float = 1.0,
        chat_burst: int = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._chat_interval = 1.0 / chat_rate
        self._chat_tolerance = (chat_burst - 1) * self._chat_interval
        self._clock = clock
        self._tat = 0.0
        self._chats: dict[int, float] = {}

    async def acquire(self, chat_id: int) -> None:
        """Wait for this chat's turn, then for the bot's."""
        now = self._clock()
        start = max(self._chats.get(chat_id, 0.0), now)
        self._chats[chat_id] = start + self._chat_interval
        wait = start - self._chat_tolerance - now
        if wait > 0:
            await asyncio.sleep(wait)
        now = self._clock()
        start = max(self._tat, now)
        self._tat = start + self._interval
        wait = start - self._tolerance - now
        if wait > 0:
            await asyncio.sleep(wait)
        if len(self._chats) > 10_000:
            self._chats = {chat: tat for chat, tat in self._chats.items() if tat > now}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing leaves before `seconds` from now."""
        self._tat = max(self._tat, self._clock() + seconds)


class Recorder:
    """Writes delivery outcomes, all those waiting together in one short transaction.

    A commit waits for the disk; one per message would cap delivery well below what
    Telegram allows. Should a group fail, each of its writes is tried alone (a bug in one
    does not sink the others). While the database is unavailable nothing is given up:
    the writes wait for it, retrying with a backoff, and are made when it is back. A
    message that reached Telegram is then recorded as sent, never sent a second time by
    this process (its caller waits, its row stays leased to us). Every write checks the
    lease, so writing one twice (a commit whose answer was lost) changes nothing.
    """

    def __init__(
        self,
        db: Database,
        *,
        max_group: int = 200,
        retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0),
    ) -> None:
        self._db = db
        self._max_group = max_group
        self._delays = retry_delays
        self._waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._away_since: float | None = None
        self._closed = False

    async def record(self, work: Work) -> Any:
        """Run `work` in a transaction shared with the other waiting writes; its result."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_exception(errors.DatabaseUnavailable())
            return await future
        self._waiting.append((work, future))
        if self._flusher is None or self._flusher.done():
            # A task of its own: a cancelled caller does not stop the writes of others.
            self._flusher = asyncio.create_task(self._flush_all(), name="dispatch-outcomes")
        return await future

    @property
    def waiting(self) -> int:
        """Writes not made yet (held while the database is away)."""
        return len(self._waiting)

    async def close(self) -> None:
        """Stop writing; writes still waiting fail with DatabaseUnavailable (logged by callers)."""
        self._closed = True
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        left, self._waiting = self._waiting, []
        if left:
            log.error(
                "Stopping with %d delivery outcomes unrecorded (database unavailable):"
                " those messages may be sent again when their lease ends",
                len(left),
            )
        for _, future in left:
            if not future.done():
                future.set_exception(errors.DatabaseUnavailable())

    async def _flush_all(self) -> None:
        failures = 0
        while self._waiting:
            group = self._waiting[: self._max_group]
            del self._waiting[: self._max_group]
            try:
                results = await self._together(group)
            except errors.DatabaseUnavailable:
                # Nothing of the group is known to be written: keep it first in line.
                self._waiting[:0] = group
                await self._wait_for_database(failures)
                failures += 1
                continue
            except Exception:
                log.debug("A group of %d writes failed; writing each alone", len(group))
                for work, future in group:
                    await self._alone(work, future)
            else:
                for (_, future), result in zip(group, results, strict=True):
                    if not future.done():
                        future.set_result(result)
            failures = 0
            self._back()

    async def _together(self, group: list[tuple[Work, asyncio.Future[Any]]]) -> list[Any]:
        async with self._db.system("dispatch") as uow:
            results = [await work(uow) for work, _ in group]
            await uow.commit()
        return results

    async def _alone(self, work: Work, future: asyncio.Future[Any]) -> None:
        tries = 0
        while True:
            try:
                async with self._db.system("dispatch") as uow:
                    result = await work(uow)
                    await uow.commit()
            except errors.DatabaseUnavailable:
                await self._wait_for_database(tries)  # not a try: the database decides
                tries += 1
                continue
            except Exception as err:
                if tries >= len(self._delays):
                    if not future.done():
                        future.set_exception(err)
                    return
                await asyncio.sleep(self._delays[tries])
                tries += 1
                continue
            if not future.done():
                future.set_result(result)
            self._back()
            return

    async def _wait_for_database(self, failures: int) -> None:
        health.database_wait(OUTCOMES)
        if self._away_since is None:
            self._away_since = time.monotonic()
            log.warning(
                "Cannot record %d delivery outcomes: the database is unavailable;"
                " holding them (and the sends waiting on them) until it is back",
                len(self._waiting) or 1,
            )
        await asyncio.sleep(self._delays[min(failures, len(self._delays) - 1)])

    def _back(self) -> None:
        if self._away_since is not None:
            health.database_back(OUTCOMES)
            log.info(
                "Delivery outcomes recorded again after %.1f s without the database",
                time.monotonic() - self._away_since,
            )
            self._away_since = None
