"""Work the bot does on its own: delivering reminders and notifications, and keeping
recurring series materialised. Everything it needs lives in the database, so a restart
(or a second process) simply picks up where the last one stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.ext import Application, ChatMemberHandler

from bot import context
from bot.context import Ctx
from bot.dispatch import Dispatcher
from bot.dispatch_support import Limiter, default_worker_id
from bot.handlers import reachability
from core.services import outbox, recurring

log = logging.getLogger(__name__)

_TASKS = "bookingbot.background_tasks"
_STOP = "bookingbot.background_stop"
_DISPATCHER = "bookingbot.dispatcher"
DISPATCH_INTERVAL = 5.0
MATERIALIZE_EVERY = timedelta(hours=1)


async def _materialize_forever(
    app: Application[Any, Any, Any, Any, Any, Any], stop: asyncio.Event
) -> None:
    database = context.db(app)
    clock = context.clock(app)
    while not stop.is_set():
        try:
            async with database.system("recurring") as uow:
                report = await recurring.materialize_all(uow, now=clock())
                await uow.commit()
            if report.created or report.skipped:
                log.info(
                    "recurring: %d created, %d skipped", len(report.created), len(report.skipped)
                )
        except Exception:
            log.exception("Materialising recurring series failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), MATERIALIZE_EVERY.total_seconds())


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
        asyncio.create_task(dispatcher.run_forever(stop, DISPATCH_INTERVAL), name="dispatcher"),
        asyncio.create_task(_materialize_forever(app, stop), name="recurring"),
    ]


def dispatcher_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Dispatcher | None:
    """The running dispatcher of `app`, if its background work was started."""
    found: Dispatcher | None = app.bot_data.get(_DISPATCHER)
    return found


async def stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Let the background work finish its current step and end (called from post_stop)."""
    app.bot_data.pop(_DISPATCHER, None)
    event: asyncio.Event | None = app.bot_data.pop(_STOP, None)
    tasks: list[asyncio.Task[None]] = app.bot_data.pop(_TASKS, [])
    if event is not None:
        event.set()
    for task in tasks:
        try:
            await asyncio.wait_for(task, 30)
        except Exception:
            log.exception("Background task %s did not stop cleanly", task.get_name())


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
