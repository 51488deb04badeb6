"""What the emulated Telegram remembers: users, their private chats, messages, updates.

Every message keeps all its versions so that tests can see what the user saw before an
edit. Waiting is done with `Notifier`, which lets both sync code (recording a message)
and async code (long polling, test helpers) share one event loop without locks.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .markup import inline_buttons

DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


class Notifier:
    """A broadcast "something changed" signal that can be fired from sync code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109 - a plain timeout keeps test call sites short
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_for(self, predicate: Callable[[], Any], timeout: float) -> Any:  # noqa: ASYNC109 - a plain timeout keeps test call sites short
        """Return the first truthy `predicate()`; raise TimeoutError after `timeout` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            await self.wait(remaining)


def now() -> int:
    return int(time.time())


@dataclass
class EmuUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone_number: str | None = None

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    def chat_api(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key):
                chat[key] = getattr(self, key)
        return chat


@dataclass
class MessageVersion:
    """One state of a message; the first is what was sent, the last what is shown."""

    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    edit_date: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "entities": self.entities,
            "caption": self.caption,
            "caption_entities": self.caption_entities,
            "reply_markup": self.reply_markup,
            "edit_date": self.edit_date,
        }


@dataclass
class RecordedMessage:
    message_id: int
    chat_id: int
    from_bot: bool
    sender: dict[str, Any]
    date: int
    history: list[MessageVersion]
    photo: list[dict[str, Any]] | None = None
    document: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    forward_origin: dict[str, Any] | None = None
    parse_mode: str | None = None
    deleted: bool = False

    @property
    def current(self) -> MessageVersion:
        return self.history[-1]

    @property
    def text(self) -> str | None:
        return self.current.text

    @property
    def entities(self) -> list[dict[str, Any]]:
        return self.current.entities

    @property
    def caption(self) -> str | None:
        return self.current.caption

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.current.reply_markup

    @property
    def edit_date(self) -> int | None:
        return self.current.edit_date

    @property
    def edited(self) -> bool:
        return len(self.history) > 1

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row flattened."""
        return inline_buttons(self.reply_markup)

    def find_button(self, button: str) -> dict[str, Any] | None:
        """An inline button by its callback_data, or else by its visible text."""
        for candidate in self.buttons:
            if candidate.get("callback_data") == button:
                return candidate
        for candidate in self.buttons:
            if candidate.get("text") == button:
                return candidate
        return None

    def to_json(self) -> dict[str, Any]:
        """A control-API record, with history; not a Bot API `Message`."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "date": self.date,
            "text": self.text,
            "entities": self.entities,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "photo": self.photo,
            "document": self.document,
            "contact": self.contact,
            "location": self.location,
            "reply_to_message_id": self.reply_to_message_id,
            "deleted": self.deleted,
            "history": [version.to_json() for version in self.history],
        }


@dataclass
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class CallbackPress:
    """One press of an inline button and, once the bot calls answerCallbackQuery, its answer."""

    query_id: str
    chat_id: int
    message_id: int
    data: str
    answer: CallbackAnswer | None = None
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_answer(self, timeout: float = 5.0) -> CallbackAnswer:  # noqa: ASYNC109 - a plain timeout keeps test call sites short
        await asyncio.wait_for(self.answered.wait(), timeout)
        assert self.answer is not None
        return self.answer

    def to_json(self) -> dict[str, Any]:
        answer = self.answer
        return {
            "query_id": self.query_id,
            "message_id": self.message_id,
            "data": self.data,
            "answer": None if answer is None else answer.__dict__.copy(),
        }


class ChatLog:
    """A user's private chat with the bot: every message both ways, presses, actions."""

    def __init__(self, user: EmuUser, *, started: bool = False) -> None:
        self.user = user
        self.messages: list[RecordedMessage] = []
        self.presses: list[CallbackPress] = []
        self.actions: list[str] = []
        self.started = started
        self.blocked = False
        self.reply_keyboard: dict[str, Any] | None = None
        self.menu_button: dict[str, Any] | None = None
        self.changed = Notifier()
        self._next_message_id = 1
        self._read_upto = 0

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def bot_messages(self) -> list[RecordedMessage]:
        return [m for m in self.messages if m.from_bot]

    @property
    def user_messages(self) -> list[RecordedMessage]:
        return [m for m in self.messages if not m.from_bot]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return [p.answer for p in self.presses if p.answer is not None]

    def get(self, message_id: int) -> RecordedMessage | None:
        for message in self.messages:
            if message.message_id == message_id:
                return message
        return None

    def message(self, message_id: int) -> RecordedMessage:
        found = self.get(message_id)
        if found is None:
            raise KeyError(f"no message {message_id} in chat {self.id}")
        return found

    def record(self, from_bot: bool, sender: dict[str, Any], **fields: Any) -> RecordedMessage:
        version = MessageVersion(
            text=fields.pop("text", None),
            entities=fields.pop("entities", None) or [],
            caption=fields.pop("caption", None),
            caption_entities=fields.pop("caption_entities", None) or [],
            reply_markup=fields.pop("reply_markup", None),
        )
        message = RecordedMessage(
            message_id=self._next_message_id,
            chat_id=self.id,
            from_bot=from_bot,
            sender=sender,
            date=now(),
            history=[version],
            **fields,
        )
        self._next_message_id += 1
        self.messages.append(message)
        self.changed.notify()
        return message

    def edit(self, message: RecordedMessage, **changes: Any) -> None:
        current = message.current
        version = MessageVersion(
            text=changes.get("text", current.text),
            entities=changes.get("entities", current.entities),
            caption=changes.get("caption", current.caption),
            caption_entities=changes.get("caption_entities", current.caption_entities),
            reply_markup=changes.get("reply_markup", current.reply_markup),
            edit_date=now(),
        )
        message.history.append(version)
        self.changed.notify()

    def unread_bot_message(self) -> RecordedMessage | None:
        for message in self.messages:
            if message.from_bot and message.message_id > self._read_upto:
                self._read_upto = message.message_id
                return message
        return None

    def mark_read(self) -> None:
        self._read_upto = self._next_message_id - 1

    def message_api(self, message: RecordedMessage, *, nested: bool = True) -> dict[str, Any]:
        """The Bot API `Message` object as Telegram would return or deliver it."""
        api: dict[str, Any] = {
            "message_id": message.message_id,
            "from": message.sender,
            "chat": self.user.chat_api(),
            "date": message.date,
        }
        current = message.current
        if message.edit_date:
            api["edit_date"] = message.edit_date
        if message.forward_origin:
            api["forward_origin"] = message.forward_origin
        if nested and message.reply_to_message_id is not None:
            replied = self.get(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                api["reply_to_message"] = self.message_api(replied, nested=False)
        if current.text is not None:
            api["text"] = current.text
            if current.entities:
                api["entities"] = current.entities
        for key in ("photo", "document", "contact", "location"):
            if getattr(message, key) is not None:
                api[key] = getattr(message, key)
        if current.caption:
            api["caption"] = current.caption
            if current.caption_entities:
                api["caption_entities"] = current.caption_entities
        # Telegram echoes only inline keyboards; reply keyboards live on the client.
        if current.reply_markup and "inline_keyboard" in current.reply_markup:
            api["reply_markup"] = current.reply_markup
        return api


class UpdateQueue:
    """Pending updates for getUpdates, with Telegram's confirm-by-offset semantics."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.pending: list[dict[str, Any]] = []
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.changed = Notifier()
        self.poll_generation = 0
        self.delivered = 0
        self._next_id = first_update_id

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update unless the bot's allowed_updates filters it out."""
        if kind not in self.allowed:
            return None
        update_id = self._next_id
        self._next_id += 1
        self.pending.append({"update_id": update_id, kind: payload})
        self.changed.notify()
        return update_id

    def set_allowed(self, kinds: list[str]) -> None:
        self.allowed = frozenset(kinds) if kinds else DEFAULT_UPDATE_TYPES

    def confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def clear(self) -> None:
        self.pending.clear()

    def new_poll(self) -> int:
        """Start a getUpdates call; an older one still waiting gets a 409 Conflict."""
        self.poll_generation += 1
        self.changed.notify()
        return self.poll_generation


def new_query_id() -> str:
    return str(secrets.randbits(62))
