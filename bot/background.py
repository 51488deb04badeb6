"""Work the bot does on its own: delivering reminders and notifications, and keeping
recurring series materialised. Everything it needs lives in the database, so a restart
(or a second process) simply picks up where the last one stopped.

Each loop runs under :func:`supervise`: should it ever crash (or end while the bot runs),
that is logged with its traceback, counted (``bot.health``) and the loop started again
after a backoff. A loop never dies silently. While the database is unavailable the loops
themselves wait for it and resume on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.ext import Application, ChatMemberHandler

from bot import context, health
from bot.context import Ctx
from bot.handlers import reachability
from bot.reminders_and_outbox.dispatcher import Dispatcher
from bot.reminders_and_outbox.pacing import Limiter, default_worker_id
from core.errors import DatabaseUnavailable
from core.services import outbox, recurring

log = logging.getLogger(__name__)

_TASKS = "bookingbot.background_tasks"
_STOP = "bookingbot.background_stop"
_DISPATCHER = "bookingbot.dispatcher"
DISPATCH_INTERVAL = 5.0
MATERIALIZE_EVERY = timedelta(hours=1)
RECURRING = "recurring"  # the upkeep loop's name in bot.health
# Seconds before a crashed loop starts again: the first restart is quick, a loop that
# keeps crashing is retried less and less often.
RESTART_DELAYS = (1.0, 5.0, 30.0, 60.0)
# A loop that ran this long before crashing starts again from the first delay.
STABLE_AFTER = 300.0


async def supervise(
    name: str,
    loop: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
    *,
    delays: tuple[float, ...] = RESTART_DELAYS,
) -> None:
    """Run `loop` until `stop` is set, starting it again whenever it crashes or ends early.

    Each restart is logged (with the traceback) and counted in ``bot.health``.
    """
    crashes = 0
    while not stop.is_set():
        started = time.monotonic()
        health.loop_started(name)
        try:
            await loop()
        except Exception:
            log.exception("Background loop %s crashed", name)
        else:
            if stop.is_set():
                return
            log.error("Background loop %s ended while the bot runs", name)
        if time.monotonic() - started > STABLE_AFTER:
            crashes = 0
        delay = delays[min(crashes, len(delays) - 1)]
        crashes += 1
        health.loop_restarted(name)
        log.warning("Background loop %s starts again in %g s (restart %d)", name, delay, crashes)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)


async def _materialize_forever(
    app: Application[Any, Any, Any, Any, Any, Any], stop: asyncio.Event
) -> None:
    database = context.db(app)
    clock = context.clock(app)
    failures = 0
    while not stop.is_set():
        wait = MATERIALIZE_EVERY.total_seconds()
        try:
            async with database.system("recurring") as uow:
                report = await recurring.materialize_all(uow, now=clock())
                await uow.commit()
            if report.created or report.skipped:
                log.info(
                    "recurring: %d created, %d skipped", len(report.created), len(report.skipped)
                )
            if failures and health.database_back(RECURRING):
                log.info("Recurring series materialised again after the database came back")
            failures = 0
        except DatabaseUnavailable:
            # Not an hour: try again soon (5 s, 10 s, 20 s ... up to the hour).
            if health.database_wait(RECURRING):
                log.warning("Cannot materialise recurring series: the database is unavailable")
            wait = min(wait, 5.0 * 2 ** min(failures, 10))
            failures += 1
        except Exception:
            log.exception("Materialising recurring series failed; trying again later")
            wait = min(wait, 60.0 * 2 ** min(failures, 10))
            failures += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)


async def start(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start the dispatcher and the recurring-series upkeep (called from post_init)."""
    stop = asyncio.Event()
    dispatcher = Dispatcher(
        context.db(app),
        app.bot,
        context.clock(app),
        default_worker_id(),
        limiter=Limiter(),
    )
    app.bot_data[_STOP] = stop
    app.bot_data[_DISPATCHER] = dispatcher
    reachability.set_waker(app, dispatcher.wake)
    app.bot_data[_TASKS] = [
        asyncio.create_task(
            supervise("dispatcher", lambda: dispatcher.run_forever(stop, DISPATCH_INTERVAL), stop),
            name="dispatcher",
        ),
        asyncio.create_task(
            supervise(RECURRING, lambda: _materialize_forever(app, stop), stop), name=RECURRING
        ),
    ]


def dispatcher_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Dispatcher | None:
    """The running dispatcher of `app`, if its background work was started."""
    found: Dispatcher | None = app.bot_data.get(_DISPATCHER)
    return found


async def stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Let the background work finish its current step and end (called from post_stop)."""
    event: asyncio.Event | None = app.bot_data.pop(_STOP, None)
    tasks: list[asyncio.Task[None]] = app.bot_data.pop(_TASKS, [])
    dispatcher: Dispatcher | None = app.bot_data.pop(_DISPATCHER, None)
    if event is not None:
        event.set()
    for task in tasks:
        try:
            await asyncio.wait_for(task, 30)
        except Exception:
            log.exception("Background task %s did not stop cleanly", task.get_name())
    if dispatcher is not None:
        await dispatcher.close()


async def _membership(update: Update, ctx: Ctx) -> None:
    """Blocking or unblocking the bot: stop or resume pushing messages to that person."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    blocked = change.new_chat_member.status in ("kicked", "left")
    async with context.db(ctx).system("reachability") as uow:
        if blocked:
            await outbox.mark_unreachable(uow, user_id=change.from_user.id, now=context.now(ctx))
        else:
            await outbox.mark_reachable(uow, user_id=change.from_user.id)
        await uow.commit()


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Handle the bot being blocked or unblocked in a private chat."""
    application.add_handler(ChatMemberHandler(_membership, ChatMemberHandler.MY_CHAT_MEMBER))
