"""The dispatcher's plumbing: pacing sends to Telegram's limits, and writing outcomes in groups."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from core.db.uow import Database, UnitOfWork

__all__ = ["Limiter", "Recorder", "default_worker_id"]

log = logging.getLogger(__name__)

Work = Callable[[UnitOfWork], Awaitable[Any]]


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
    Telegram allows. Should a group fail, each of its writes is tried alone, and a
    brief database outage is waited out before giving up (logged).
    """

    def __init__(self, db: Database, *, max_group: int = 200) -> None:
        self._db = db
        self._max_group = max_group
        self._waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, work: Work) -> Any:
        """Run `work` in a transaction shared with the other waiting writes; its result."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, future))
        if self._flusher is None or self._flusher.done():
            # A task of its own: a cancelled caller does not stop the writes of others.
            self._flusher = asyncio.create_task(self._flush_all())
        return await future

    async def _flush_all(self) -> None:
        while self._waiting:
            group = self._waiting[: self._max_group]
            del self._waiting[: self._max_group]
            try:
                results = await self._together(group)
            except Exception:
                log.debug("A group of %d writes failed; writing each alone", len(group))
                for work, future in group:
                    await self._alone(work, future)
            else:
                for (_, future), result in zip(group, results, strict=True):
                    if not future.done():
                        future.set_result(result)

    async def _together(self, group: list[tuple[Work, asyncio.Future[Any]]]) -> list[Any]:
        async with self._db.system("dispatch") as uow:
            results = [await work(uow) for work, _ in group]
            await uow.commit()
        return results

    async def _alone(self, work: Work, future: asyncio.Future[Any]) -> None:
        for pause in (0.2, 1.0, 3.0, None):
            try:
                async with self._db.system("dispatch") as uow:
                    result = await work(uow)
                    await uow.commit()
            except Exception as err:
                if pause is None:
                    if not future.done():
                        future.set_exception(err)
                    return
                await asyncio.sleep(pause)
            else:
                if not future.done():
                    future.set_result(result)
                return
