"""Any update from a person means their chat with the bot is open.

Before any feature sees the update, the person's account is marked as having the chat
open and not blocked (whatever an earlier 403 said: a first ``/start`` brings no
``my_chat_member`` update), and what was held for them while they had not opened it is
queued again. They are told, in one short note ahead of everything else, how many
notifications are on their way and which were left out as no longer useful.

Checked once per person per :data:`RECHECK` in this process, so the hot path pays one
statement per person every few minutes, not one per update.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot import context
from bot.context import Ctx, reply_text, translator_for
from bot.i18n import Translator
from core.services import reachability
from core.services.reachability import (
    LEFT_OUT_PAST_AGENDA,
    LEFT_OUT_PAST_SESSION,
    LEFT_OUT_SUPERSEDED,
    Release,
)

__all__ = [
    "REACH_GROUP",
    "RECHECK",
    "note_chat_open",
    "professional_told",
    "register",
    "release_note",
    "set_waker",
]

log = logging.getLogger(__name__)

REACH_GROUP = -4  # before the stale-step guard (-3) and the length guard (-2)
RECHECK = timedelta(minutes=10)
_SEEN = "bookingbot.chat_open_seen"
_WAKE = "bookingbot.dispatch_wake"
_SEEN_SIZE = 8192


def set_waker(
    application: Application[Any, Any, Any, Any, Any, Any], wake: Callable[[], None]
) -> None:
    """How to make the dispatcher look at the outbox now (the background work sets it)."""
    application.bot_data[_WAKE] = wake


def _recently_seen(ctx: Ctx, user_id: int) -> bool:
    seen: OrderedDict[int, float] = ctx.bot_data.setdefault(_SEEN, OrderedDict())
    now = time.monotonic()
    until = seen.get(user_id)
    if until is not None and until > now:
        return True
    seen[user_id] = now + RECHECK.total_seconds()
    seen.move_to_end(user_id)
    while len(seen) > _SEEN_SIZE:
        seen.popitem(last=False)
    return False


def _forget(ctx: Ctx, user_id: int) -> None:
    seen: OrderedDict[int, float] = ctx.bot_data.setdefault(_SEEN, OrderedDict())
    seen.pop(user_id, None)


async def note_chat_open(update: Update, ctx: Ctx) -> None:
    """The person is here: reachable again, and what waited for them is on its way."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or update.my_chat_member is not None:
        return  # blocking and unblocking are bot.background's
    if chat is not None and chat.type != "private":
        return
    if _recently_seen(ctx, user.id):
        return
    try:
        async with context.db(ctx).system("reachability") as uow:
            release = await reachability.chat_opened(
                uow,
                user_id=user.id,
                first_name=user.first_name,
                username=user.username,
                language_code=user.language_code,
                now=context.now(ctx),
            )
            await uow.commit()
    except Exception:
        # The update itself must still be answered; the next one tries again.
        _forget(ctx, user.id)
        log.warning("Cannot record that user %s has the chat open", user.id, exc_info=True)
        return
    if not release.any:
        return
    log.info(
        "User %s opened the chat: %d held notification(s) queued, %s left out",
        user.id,
        release.delivered,
        dict(release.left_out),
    )
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, release_note(tr, release))
    wake = ctx.bot_data.get(_WAKE)
    if wake is not None:
        wake()


def release_note(tr: Translator, release: Release) -> str:
    """What waited for the person: how many are on their way, and what was left out."""
    if release.delivered:
        lines = [tr.tn("reach.held.delivered", release.delivered)]
    else:
        lines = [tr.t("reach.held.none_useful")]
    counts = release.left_out
    parts = []
    if counts[LEFT_OUT_PAST_SESSION]:
        parts.append(tr.tn("reach.left_out.past_sessions", counts[LEFT_OUT_PAST_SESSION]))
    if counts[LEFT_OUT_PAST_AGENDA]:
        parts.append(tr.tn("reach.left_out.past_agendas", counts[LEFT_OUT_PAST_AGENDA]))
    if counts[LEFT_OUT_SUPERSEDED]:
        parts.append(tr.tn("reach.left_out.superseded", counts[LEFT_OUT_SUPERSEDED]))
    if parts:
        lines.append(tr.t("reach.held.left_out", items="; ".join(parts)))
    return "\n".join(lines)


async def professional_told(ctx: Ctx, professional_id: uuid.UUID) -> bool:
    """Whether the professional has the bot's chat open, so news reaches them now (when
    unsure, as the database being unreachable would leave it, yes)."""
    try:
        async with context.db(ctx).system("reachability") as uow:
            return await reachability.professional_chat_open(uow, professional_id=professional_id)
    except Exception:
        log.warning("Cannot tell whether professional %s has the chat open", professional_id)
        return True


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run before every other handler, on every update."""
    application.add_handler(TypeHandler(Update, note_chat_open), group=REACH_GROUP)
