"""Messages between a client and their professional, relayed live in the chat of the bookings.

A client starts from the profile card's Message button (:func:`message_button`, data
``msg:to:<professional>``) or ``/message``; a professional from the Reply button under a
relayed message (``msg:re:<client>``) or ``/inbox`` (``bot.conversations.messaging_inbox``).
The sender's next text, photo or document is stored by the core
(``core.services.messages``) and re-sent at once to the other side with the sender's name
and a Reply button. Telegram's own reply to a relayed message works too: the target is
read from that message's Reply button, so no mapping needs keeping.

Delivery: the core also queues a ``message.new`` outbox row in the same transaction. The
live relay is the delivery; once it reached the recipient, the row is marked read in the
recipient's scope (``notifications.mark_read``), and the outbox stays the fallback when
the relay could not be made (the recipient blocked the bot, Telegram was down). This
relies on the dispatcher skipping rows already read (reported to the lead).

A message counts as read (``messages.mark_read``) when its recipient opens the
conversation: presses Reply or Message, writes back, or opens it from ``/inbox``.

Text, a photo or a document that no conversation waits for is offered on (:func:`stray`):
"Send this message to Ana?" with one Send button per professional; nothing is sent
without that tap.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import context
from bot.callbacks import Callback, arg_uuid, matches, parse, register_namespace, uuid_arg
from bot.context import Ctx, read_prefs, reply, reply_text, translator_for
from bot.errors import reply_error
from bot.handlers import basics
from bot.i18n import BUTTON_EXPIRED, N_, Translator, get_translator
from core.db.uow import UnitOfWork
from core.errors import DomainError
from core.models import MessageSender, MessageType, NotificationType
from core.services import clients, messages, notifications

__all__ = [
    "CONVERSATION",
    "NS",
    "Target",
    "keyboard",
    "message_button",
    "register",
    "reply_button",
    "to_professional_data",
]

log = logging.getLogger(__name__)

NS = register_namespace("msg", __name__)
CONVERSATION = "messaging"
WRITING = 1
LEAVE_GROUP = 1  # after the features' group: see `leave`
_TARGET = "messaging.target"  # user_data: Target.encode() while a message is being written
# user_data: messages written outside any conversation, by their Telegram message id, kept
# until their Send button is pressed (the newest few only).
_STRAY = "messaging.stray"
_STRAY_KEPT = 5
CAPTION_LIMIT = 1024

BUTTON_MESSAGE = N_("message.button")
BUTTON_REPLY = N_("message.button_reply")
BUTTON_AGAIN = N_("message.button_again")
BUTTON_SEND_STRAY = N_("message.stray.button")
ASK_STRAY = N_("message.stray.ask")


@dataclass(frozen=True)
class Target:
    """Who a message goes to: a professional (written by their client) or a client."""

    to_professional: bool
    id: uuid.UUID

    def encode(self) -> str:
        return f"{'p' if self.to_professional else 'c'}:{self.id}"

    @classmethod
    def decode(cls, value: object) -> Target | None:
        if not isinstance(value, str) or value[:2] not in ("p:", "c:"):
            return None
        try:
            return cls(value.startswith("p:"), uuid.UUID(value[2:]))
        except ValueError:
            return None

    @classmethod
    def of_button(cls, data: object) -> Target | None:
        """The target of a msg:to / msg:re button, None for any other data."""
        parsed = parse(data)
        if parsed is None or parsed.ns != NS or parsed.action not in ("to", "re"):
            return None
        other = arg_uuid(parsed.arg(0))
        return cls(parsed.action == "to", other) if other is not None else None

    def button_data(self) -> str:
        return Callback(NS, "to" if self.to_professional else "re", (uuid_arg(self.id),)).encode()


def to_professional_data(professional_id: uuid.UUID) -> str:
    """Callback data of a client's "write to this professional" button: msg:to:<id>."""
    return Target(True, professional_id).button_data()


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    """One button per row."""
    return InlineKeyboardMarkup([[b] for b in buttons])


def message_button(tr: Translator, professional_id: uuid.UUID) -> InlineKeyboardButton:
    """The profile card's Message button."""
    return InlineKeyboardButton(
        tr.t(BUTTON_MESSAGE), callback_data=to_professional_data(professional_id)
    )


def reply_button(tr: Translator, target: Target) -> InlineKeyboardButton:
    """A Reply button writing to `target`."""
    return InlineKeyboardButton(tr.t(BUTTON_REPLY), callback_data=target.button_data())


# --- reading and storing through the core ------------------------------------------------


async def _read_and_peer(uow: UnitOfWork, target: Target, ctx: Ctx) -> messages.Peer:
    """Mark the other side's messages read and say who the conversation is with."""
    if target.to_professional:
        await messages.mark_read(uow, professional_id=target.id, now=context.now(ctx))
        return await messages.professional_peer(uow, professional_id=target.id)
    await messages.mark_read(uow, client_id=target.id, now=context.now(ctx))
    return await messages.client_peer(uow, client_id=target.id)


@dataclass(frozen=True)
class _Body:
    type: MessageType
    text: str | None
    file_id: str | None


def _body(message: Message) -> _Body:
    if message.photo:
        return _Body(MessageType.photo, message.caption, message.photo[-1].file_id)
    if message.document is not None:
        return _Body(MessageType.document, message.caption, message.document.file_id)
    return _Body(MessageType.text, message.text, None)


async def _store(
    ctx: Ctx, user_id: int, target: Target, body: _Body
) -> tuple[messages.Peer, messages.MessageView]:
    now, text, file_id, kind = context.now(ctx), body.text, body.file_id, body.type
    async with context.db(ctx).for_user(user_id) as uow:
        if target.to_professional:
            sent = await messages.send_from_client(
                uow, professional_id=target.id, text=text, file_id=file_id, type=kind, now=now
            )
        else:
            sent = await messages.send_from_professional(
                uow, client_id=target.id, text=text, file_id=file_id, type=kind, now=now
            )
        # Writing back means the other side's messages were seen.
        peer = await _read_and_peer(uow, target, ctx)
        await uow.commit()
    return peer, sent


# --- starting a message -------------------------------------------------------------------


async def _prompt(update: Update, ctx: Ctx, target: Target) -> int:
    assert update.effective_user is not None and ctx.user_data is not None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        peer = await _read_and_peer(uow, target, ctx)
        await uow.commit()
    ctx.user_data[_TARGET] = target.encode()
    await reply(update, ctx, N_("message.write_to"), name=peer.recipient_name)
    return WRITING


async def start_from_button(update: Update, ctx: Ctx) -> int | None:
    """msg:to:<professional> (a client) or msg:re:<client> (a professional): write next."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    target = Target.of_button(query.data)
    if target is None:
        await context.alert(update, ctx, BUTTON_EXPIRED)
        return None
    # Leave any other conversation (a half-done booking would read the message as a time).
    basics.end_conversations(ctx.application, update)
    return await _prompt(update, ctx, target)


async def message_command(update: Update, ctx: Ctx) -> int | None:
    """/message: write to your professional, or choose one when you have several."""
    assert update.effective_user is not None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        mine = await clients.my_professionals(uow)
        is_professional = uow.professional_id is not None
    if len(mine) == 1:
        return await _prompt(update, ctx, Target(True, mine[0][0]))
    if not mine:
        msgid = N_("message.use_inbox") if is_professional else N_("message.no_professional")
        await reply(update, ctx, msgid)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    buttons = [
        InlineKeyboardButton(name, callback_data=to_professional_data(pid)) for pid, name in mine
    ]
    await reply_text(
        update, ctx, tr.t(N_("message.choose_professional")), reply_markup=keyboard(*buttons)
    )
    return None


# --- sending and relaying ----------------------------------------------------------------


async def _send(
    ctx: Ctx, chat_id: int, body: _Body, head: str, text: str, markup: InlineKeyboardMarkup
) -> None:
    if body.file_id is None:
        pieces = context.split_text(text)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await ctx.bot.send_message(chat_id, piece, reply_markup=markup if last else None)
        return
    # A caption too long once prefixed with the name follows as text, so nothing is cut off.
    fits = len(text) <= CAPTION_LIMIT
    caption, media_markup = (text, markup) if fits else (head, None)
    if body.type is MessageType.photo:
        await ctx.bot.send_photo(chat_id, body.file_id, caption=caption, reply_markup=media_markup)
    else:
        await ctx.bot.send_document(
            chat_id, body.file_id, caption=caption, reply_markup=media_markup
        )
    if not fits:
        await ctx.bot.send_message(chat_id, text, reply_markup=markup)


async def _relay(ctx: Ctx, peer: messages.Peer, sent: messages.MessageView, body: _Body) -> bool:
    """Re-send the stored message to its recipient; False when it could not reach them."""
    if peer.chat_id is None:
        return False
    prefs = await read_prefs(context.db(ctx), peer.chat_id)
    tr = get_translator(prefs.locale or context.settings(ctx).default_locale)
    head = tr.t(N_("message.relay_media"), name=peer.sender_name)
    text = tr.t(N_("message.relay"), name=peer.sender_name, text=body.text) if body.text else head
    from_client = sent.sender is MessageSender.client
    back = Target(not from_client, sent.client_id if from_client else sent.professional_id)
    try:
        await _send(ctx, peer.chat_id, body, head, text, keyboard(reply_button(tr, back)))
    except TelegramError as err:
        # Blocked, never started, or Telegram unreachable: the outbox row is the fallback.
        log.info("Message %s not relayed to %s: %r", sent.id, peer.chat_id, err)
        return False
    await _settle_notification(ctx, peer.chat_id, sent.id)
    return True


async def _settle_notification(ctx: Ctx, recipient: int, message_id: uuid.UUID) -> None:
    try:
        async with context.db(ctx).for_user(recipient) as uow:
            ids = [
                n.id
                for n in await notifications.list_unread(uow)
                if n.type is NotificationType.new_message
                and n.params.get("message_id") == str(message_id)
            ]
            if ids:
                await notifications.mark_read(uow, notification_ids=ids)
                await uow.commit()
    except Exception:
        # The message itself was delivered; the worst case is a second notice of it.
        log.warning("Cannot settle the notification of message %s", message_id, exc_info=True)


async def _deliver(update: Update, ctx: Ctx, target: Target) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    body = _body(update.effective_message)
    peer, sent = await _store(ctx, update.effective_user.id, target, body)
    delivered = await _relay(ctx, peer, sent, body)
    tr = await translator_for(update, ctx)
    msgid = N_("message.sent") if delivered else N_("message.saved_for_later")
    again = InlineKeyboardButton(tr.t(BUTTON_AGAIN), callback_data=target.button_data())
    await reply_text(
        update, ctx, tr.t(msgid, name=peer.recipient_name), reply_markup=keyboard(again)
    )


async def write(update: Update, ctx: Ctx) -> int:
    """The message after the prompt: store it, relay it, tell the sender how it went."""
    assert ctx.user_data is not None
    target = Target.decode(ctx.user_data.get(_TARGET))
    if target is None:
        return ConversationHandler.END
    try:
        await _deliver(update, ctx, target)
    except DomainError as err:  # e.g. an empty caption-less text: still writing
        result: int = await reply_error(update, ctx, err, state=WRITING)
        return result
    ctx.user_data.pop(_TARGET, None)
    return ConversationHandler.END


async def unsupported(update: Update, ctx: Ctx) -> int:
    """A sticker, voice note or the like while writing: say what can be sent."""
    await reply(update, ctx, N_("message.unsupported"))
    return WRITING


class _RepliesToRelay(filters.MessageFilter):
    """A message replying (Telegram's reply) to a message with one of our Reply buttons."""

    def filter(self, message: Message) -> bool:
        return reply_target(message) is not None


def reply_target(message: Message | None) -> Target | None:
    """Where a native reply goes: read from the Reply button of the message replied to."""
    replied = message.reply_to_message if message is not None else None
    markup = replied.reply_markup if replied is not None else None
    buttons = [b for row in markup.inline_keyboard for b in row] if markup is not None else []
    found = (Target.of_button(b.callback_data) for b in buttons)
    return next((t for t in found if t is not None), None)


async def native_reply(update: Update, ctx: Ctx) -> None:
    """Telegram's own reply to a relayed message goes back to its sender."""
    target = reply_target(update.effective_message)
    if target is not None:
        await _deliver(update, ctx, target)


def _stray_data(professional_id: uuid.UUID, message_id: int) -> str:
    return Callback(NS, "st", (uuid_arg(professional_id), str(message_id))).encode()


async def stray(update: Update, ctx: Ctx) -> None:
    """Text, a photo or a document that no conversation waits for: offer to send it on.

    In a chat with their professional's bot, that is what a client most likely meant; one
    tap sends what they already wrote, nothing goes anywhere without it.
    """
    message = update.effective_message
    assert update.effective_user is not None and message is not None
    assert ctx.user_data is not None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        mine = await clients.my_professionals(uow)
        is_professional = uow.professional_id is not None
    if not mine:
        msgid = N_("message.use_inbox") if is_professional else N_("message.no_professional")
        await reply(update, ctx, msgid)
        return
    body = _body(message)
    kept = dict(ctx.user_data.get(_STRAY) or {})
    kept[str(message.message_id)] = {"type": body.type.value, "text": body.text, "id": body.file_id}
    ctx.user_data[_STRAY] = dict(list(kept.items())[-_STRAY_KEPT:])
    tr = await translator_for(update, ctx)
    buttons = [
        InlineKeyboardButton(
            tr.t(BUTTON_SEND_STRAY, name=name), callback_data=_stray_data(pid, message.message_id)
        )
        for pid, name in mine
    ]
    text = (
        tr.t(ASK_STRAY, name=mine[0][1])
        if len(mine) == 1
        else tr.t(N_("message.choose_professional"))
    )
    await reply_text(update, ctx, text, reply_markup=keyboard(*buttons))


async def send_stray(update: Update, ctx: Ctx) -> None:
    """msg:st:<professional>:<message>: send that message, kept by `stray`, to them."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    parsed = parse(query.data)
    professional_id = arg_uuid(parsed.arg(0)) if parsed is not None else None
    key = parsed.arg(1) if parsed is not None else None
    kept = ctx.user_data.get(_STRAY) if ctx.user_data is not None else None
    if not isinstance(kept, dict):
        kept = {}
    saved = kept.get(key) if key else None
    if professional_id is None or not isinstance(saved, dict):
        await context.alert(update, ctx, BUTTON_EXPIRED)
        return
    await query.answer()
    body = _Body(MessageType(saved["type"]), saved.get("text"), saved.get("id"))
    target = Target(True, professional_id)
    peer, sent = await _store(ctx, update.effective_user.id, target, body)
    kept.pop(key, None)  # sent once: the button is spent
    delivered = await _relay(ctx, peer, sent, body)
    tr = await translator_for(update, ctx)
    msgid = N_("message.sent") if delivered else N_("message.saved_for_later")
    again = InlineKeyboardButton(tr.t(BUTTON_AGAIN), callback_data=target.button_data())
    await query.edit_message_text(
        tr.t(msgid, name=peer.recipient_name), reply_markup=keyboard(again)
    )


async def leave(update: Update, ctx: Ctx) -> None:
    """Another command, or another feature's button, while a message was being written: that
    message is given up, so a later text is not sent to the professional by surprise."""
    if ctx.user_data is None or ctx.user_data.pop(_TARGET, None) is None:
        return
    for handler in ctx.application.handlers.get(0, []):
        if isinstance(handler, ConversationHandler) and handler.name == CONVERSATION:
            # PTB has no public way to end a conversation from outside (as in basics).
            handler._update_state(ConversationHandler.END, handler._get_key(update))


# --- registration -------------------------------------------------------------------------

_CONTENT = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
_OWN_COMMANDS = filters.Regex(r"^/(message|cancel)(@\w+)?(\s|$)")


def _other_button(data: object) -> bool:
    return not matches(NS)(data)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Native replies, the write-next conversation and what no conversation waited for.
    Register this after the other conversations, so that their typed steps come before a
    message being written (``/inbox`` is ``bot.conversations.messaging_inbox``, registered
    next: its commands and buttons are nothing the catch-alls here match)."""
    application.add_handler(
        MessageHandler(filters.REPLY & _CONTENT & _RepliesToRelay(), native_reply)
    )
    with warnings.catch_warnings():
        # Buttons and typed messages share the conversation on purpose, keyed per user.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[
                CallbackQueryHandler(start_from_button, pattern=matches(NS, "to")),
                CallbackQueryHandler(start_from_button, pattern=matches(NS, "re")),
                CommandHandler("message", message_command),
            ],
            states={
                WRITING: [
                    MessageHandler(_CONTENT, write),
                    MessageHandler(~filters.COMMAND, unsupported),
                ]
            },
            fallbacks=[CommandHandler("cancel", basics.cancel)],
            allow_reentry=True,
            name=CONVERSATION,
            persistent=True,
        )
    application.add_handler(conversation)
    application.add_handler(CallbackQueryHandler(send_stray, pattern=matches(NS, "st")))
    # Last of the features: what no conversation waited for (see STEP_TIMEOUT in basics).
    application.add_handler(MessageHandler(_CONTENT, stray))
    application.add_handler(
        MessageHandler(filters.COMMAND & ~_OWN_COMMANDS, leave), group=LEAVE_GROUP
    )
    application.add_handler(CallbackQueryHandler(leave, pattern=_other_button), group=LEAVE_GROUP)
