"""Generic handlers every user meets: /start without a link, /help, /cancel, the too-long
guard and the expired-button catch-all.

They are fallbacks: features register first in group 0 and win when they match (a
``/start <slug>`` deep link, a conversation's own /cancel). The guard runs before
everything, in group -1.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import context
from bot.callbacks import expired_button
from bot.context import Ctx, prefs, reply, reply_text, translator_for
from bot.i18n import CANCELLED, N_

__all__ = [
    "GUARD_GROUP",
    "MAX_COMMAND_LENGTH",
    "MAX_TEXT_LENGTH",
    "PROMPT_GROUP",
    "STALE_GROUP",
    "STEP_TIMEOUT",
    "cancel",
    "end_conversations",
    "help_command",
    "register",
    "register_guards",
    "start",
    "unknown_command",
]

log = logging.getLogger(__name__)

STALE_GROUP = -3
GUARD_GROUP = -2
# A short prompt opened from inside another conversation (/timezone from the booking
# screen) answers first: its typed reply must not reach the conversation beneath it.
PROMPT_GROUP = -1
# A step waiting for typed text (a name, a comment, a time in words) is left after this
# long without a word from the person: what they write hours later is a new message (to
# their professional, say), not a late answer to a question they walked away from.
STEP_TIMEOUT = timedelta(hours=1)
_LAST_SEEN = "last_seen"  # user_data: when this person last wrote (epoch seconds)
# A deep-link payload is at most 64 characters, a command name 32: a longer command line
# is not something a button or link of ours produced.
MAX_COMMAND_LENGTH = 100
# The longest text we store (a message to a professional); Telegram's own limit too.
MAX_TEXT_LENGTH = 4096

WELCOME = N_("start.welcome")
HELP_CLIENT = N_("help.client")
HELP_PROFESSIONAL = N_("help.professional")
NOTHING_TO_CANCEL = N_("common.nothing_to_cancel")
TOO_LONG = N_("common.too_long")
STEP_EXPIRED = N_("common.step_expired")
UNKNOWN_COMMAND = N_("common.unknown_command")


async def start(update: Update, ctx: Ctx) -> None:
    """/start that no feature claimed: who we are, how to book, how professionals join."""
    user = update.effective_user
    await reply(
        update,
        ctx,
        WELCOME,
        name=user.first_name if user else "",
        bot=ctx.bot.username,
    )


async def help_command(update: Update, ctx: Ctx) -> None:
    """/help: the client commands, and the professional ones for a professional."""
    tr = await translator_for(update, ctx)
    text = tr.t(HELP_CLIENT)
    if (await prefs(update, ctx)).is_professional:
        text = f"{text}\n\n{tr.t(HELP_PROFESSIONAL)}"
    await reply_text(update, ctx, text)


def end_conversations(
    application: Application[Any, Any, Any, Any, Any, Any], update: Update
) -> int:
    """End every conversation this update's user is in; return how many were open."""
    ended = 0
    for handlers in application.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ConversationHandler):
                continue
            # PTB has no public way to end a conversation from outside its handler; these
            # internals are stable across 20-22 (pinned <23 in pyproject).
            try:
                key = handler._get_key(update)
            except RuntimeError:  # the handler is keyed on something this update lacks
                continue
            if handler._conversations.get(key) is None:
                continue
            handler._update_state(ConversationHandler.END, key)
            job = handler.timeout_jobs.pop(key, None)
            if job is not None:
                job.schedule_removal()
            ended += 1
    return ended


async def cancel(update: Update, ctx: Ctx) -> int:
    """/cancel: leave whatever conversation is open. Also usable as a conversation fallback."""
    ended = end_conversations(ctx.application, update)
    await reply(update, ctx, CANCELLED if ended else NOTHING_TO_CANCEL)
    return ConversationHandler.END


async def unknown_command(update: Update, ctx: Ctx) -> None:
    """A /command no feature knows: say so, and where the list of commands is."""
    message = update.effective_message
    text = message.text if message is not None and message.text else "/"
    command = text.split(maxsplit=1)[0].split("@", 1)[0]
    await reply(update, ctx, UNKNOWN_COMMAND, command=command)


class _TooLong(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        text = message.text
        if text is None:
            return False
        limit = MAX_COMMAND_LENGTH if text.startswith("/") else MAX_TEXT_LENGTH
        return len(text) > limit


TOO_LONG_TEXT = _TooLong(name="TooLong")


async def refuse_too_long(update: Update, ctx: Ctx) -> None:
    """Politely refuse a text longer than anything we accept, before any feature sees it."""
    message = update.effective_message
    text = message.text if message else ""
    limit = MAX_COMMAND_LENGTH if text and text.startswith("/") else MAX_TEXT_LENGTH
    await reply(update, ctx, TOO_LONG, limit=limit)
    raise ApplicationHandlerStop


async def leave_stale_steps(update: Update, ctx: Ctx) -> None:
    """Before anything else: a message after a long silence leaves any waiting step.

    Silence is no message and no button press. Only a message that is not a command is
    acted on: a button carries what it is about, and a command starts something new
    anyway. The time is kept in the person's (persisted) data, so this holds across
    restarts too.
    """
    data = ctx.user_data
    if data is None:
        return
    now = context.now(ctx).timestamp()
    seen = data.get(_LAST_SEEN)
    data[_LAST_SEEN] = now
    message = update.message
    if message is None or (message.text or "").startswith("/"):
        return
    if isinstance(seen, int | float) and now - seen > STEP_TIMEOUT.total_seconds():
        ended = end_conversations(ctx.application, update)
        if ended:
            log.info("Left %d stale conversation(s) of update %s", ended, update.update_id)
            await reply(update, ctx, STEP_EXPIRED)  # then the message goes where it belongs


def register_guards(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Handlers that must run before every feature (groups -4 to -2)."""
    from bot.handlers import reachability

    reachability.register(application)
    application.add_handler(TypeHandler(Update, leave_stale_steps), group=STALE_GROUP)
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGES & TOO_LONG_TEXT, refuse_too_long),
        group=GUARD_GROUP,
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The generic fallbacks, after every feature's handlers in group 0."""
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("cancel", cancel))
    # A command nobody handles (a typo, an old one) gets an answer rather than silence.
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    # Last of all: a press no feature claimed is from a finished conversation or forged.
    application.add_handler(CallbackQueryHandler(expired_button))
