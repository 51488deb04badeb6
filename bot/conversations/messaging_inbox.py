"""``/inbox`` and conversation pages: unread counts, then a conversation newest last.

A professional sees their clients with unread messages, each a button opening the
conversation (``msg:op:<client>``, with ``:<cursor>`` for older pages); opening it marks
the client's messages read. A client sees their professionals with unread counts, each a
button to write to them (reading happens live, as messages are relayed).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import context
from bot.callbacks import Callback, arg_int, arg_uuid, matches, parse, uuid_arg
from bot.context import Ctx, reply_text, translator_for
from bot.conversations.messaging import (
    NS,
    Target,
    keyboard,
    reply_button,
    to_professional_data,
)
from bot.formatting import format_datetime
from bot.i18n import BUTTON_EXPIRED, N_, Translator
from core.models import MessageSender, MessageType
from core.services import clients, messages

__all__ = ["conversation_button", "inbox", "open_conversation", "register"]

PAGE = 10
EXCERPT = 300  # characters of one message shown in a page
INBOX_LINE = N_("message.inbox_line")


def _open_data(client_id: uuid.UUID, before: datetime | None = None) -> str:
    args: tuple[str, ...] = (uuid_arg(client_id),)
    if before is not None:
        # Microseconds: the core's cursor is an exact timestamp.
        args += (str(int(before.timestamp() * 1_000_000)),)
    return Callback(NS, "op", args).encode()


def conversation_button(tr: Translator, client_id: uuid.UUID) -> InlineKeyboardButton:
    """A professional's button opening the conversation with one client (e.g. on a client
    card)."""
    return InlineKeyboardButton(
        tr.t(N_("message.button_open")), callback_data=_open_data(client_id)
    )


async def inbox(update: Update, ctx: Ctx) -> None:
    """/inbox: unread messages per client for a professional, per professional for a client."""
    assert update.effective_user is not None
    tr = await translator_for(update, ctx)
    buttons: list[InlineKeyboardButton] = []
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        counts = await messages.unread_counts(uow)
        if uow.professional_id is not None:
            for client_id, n in sorted(counts.items(), key=lambda item: -item[1]):
                client = await clients.tenant_client(uow, client_id)
                label = tr.t(INBOX_LINE, name=client.name, count=n)
                buttons.append(InlineKeyboardButton(label, callback_data=_open_data(client_id)))
            empty = N_("message.inbox_empty")
        else:
            for pid, name in await clients.my_professionals(uow):
                label = tr.t(INBOX_LINE, name=name, count=counts.get(pid, 0))
                buttons.append(InlineKeyboardButton(label, callback_data=to_professional_data(pid)))
            empty = N_("message.no_professional")
    title = tr.t(N_("message.inbox_title")) if buttons else tr.t(empty)
    await reply_text(update, ctx, title, reply_markup=keyboard(*buttons) if buttons else None)


def _line(tr: Translator, item: messages.MessageView, name: str, tz: str) -> str:
    who = name if item.sender is MessageSender.client else tr.t(N_("message.you"))
    text = item.text or ""
    if len(text) > EXCERPT:
        text = text[: EXCERPT - 1] + "…"
    if item.type is MessageType.photo:
        text = f"📷 {text}".rstrip()
    elif item.type is not MessageType.text:
        text = f"📎 {text}".rstrip()
    when = format_datetime(item.created_at, tr.locale, tz)
    return tr.t(N_("message.history_line"), when=when, name=who, text=text)


async def open_conversation(update: Update, ctx: Ctx) -> None:
    """msg:op:<client>[:<before>]: a page of the conversation, newest last; marks it read."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await query.answer()
    parsed = parse(query.data)
    client_id = arg_uuid(parsed.arg(0)) if parsed else None
    micros = arg_int(parsed.arg(1)) if parsed else None
    if client_id is None:
        await context.alert(update, ctx, BUTTON_EXPIRED)
        return
    before = datetime.fromtimestamp(micros / 1_000_000, UTC) if micros is not None else None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        client = clients.client_view(await clients.tenant_client(uow, client_id))
        page = await messages.history(uow, client_id=client_id, before=before, limit=PAGE)
        await messages.mark_read(uow, client_id=client_id, now=context.now(ctx))
        await uow.commit()
    tr = await translator_for(update, ctx)
    tz = await context.user_tz(update, ctx)
    lines = [tr.t(N_("message.history_title"), name=client.name)]
    lines += [_line(tr, item, client.name, tz) for item in reversed(page.items)]
    if not page.items:
        lines.append(tr.t(N_("message.history_empty")))
    buttons = [reply_button(tr, Target(False, client_id))]
    if page.next_before is not None:
        older = _open_data(client_id, page.next_before)
        buttons.insert(
            0, InlineKeyboardButton(tr.t(N_("message.button_older")), callback_data=older)
        )
    # Ten excerpts fit one message; the newest part is what matters if they ever do not.
    body = context.split_text("\n\n".join(lines))[-1]
    if before is None:
        await reply_text(update, ctx, body, reply_markup=keyboard(*buttons))
    else:
        await query.edit_message_text(body, reply_markup=keyboard(*buttons))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/inbox and the conversation pages (registered right after messaging)."""
    application.add_handler(CommandHandler("inbox", inbox))
    application.add_handler(CallbackQueryHandler(open_conversation, pattern=matches(NS, "op")))
