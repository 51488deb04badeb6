"""The control API: act as users and read what the bot did, from tests or a demo.

Everything a user does becomes the update the real Telegram would deliver (message,
callback_query, my_chat_member), so the bot under test cannot tell the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .entities import command_entities
from .markup import reply_buttons
from .state import CallbackPress, ChatLog, EmuUser, RecordedMessage, new_query_id, now
from .world import World, scope_key

T = TypeVar("T")


class ControlApi:
    """Mixed into BotApiEmulator; `world` is the emulated Telegram."""

    world: World

    # -- users -----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        *,
        phone_number: str | None = None,
        started: bool = False,
    ) -> EmuUser:
        """Create a user. Until they write (or `started=True`) the bot cannot message them."""
        if user_id in self.world.chats:
            raise ValueError(f"user {user_id} already exists")
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = EmuUser(user_id, first_name, last_name, username, language_code, phone_number)
        self.world.chats[user_id] = ChatLog(user, started=started)
        return user

    @property
    def users(self) -> list[EmuUser]:
        return [chat.user for chat in self.world.chats.values()]

    def user(self, user_id: int) -> EmuUser:
        return self.chat(user_id).user

    def chat(self, user_id: int) -> ChatLog:
        chat = self.world.chats.get(user_id)
        if chat is None:
            raise KeyError(f"no user {user_id}; call add_user first")
        return chat

    # -- acting as a user -----------------------------------------------------------

    def _user_message(self, user_id: int, **fields: Any) -> RecordedMessage:
        chat = self.chat(user_id)
        if chat.blocked:
            raise RuntimeError(f"user {user_id} has blocked the bot; call unblock first")
        if fields.get("reply_to_message_id") is not None:
            chat.message(fields["reply_to_message_id"])
        chat.started = True
        message = chat.record(False, chat.user.to_api(), **fields)
        keyboard = chat.reply_keyboard
        if keyboard is not None and keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        self.world.updates.push("message", chat.message_api(message))
        return message

    async def send_text(
        self, user_id: int, text: str, *, reply_to: int | None = None
    ) -> RecordedMessage:
        """The user types `text`; a leading `/command` gets its bot_command entity."""
        if not text.strip():
            raise ValueError("Telegram clients do not send empty messages")
        return self._user_message(
            user_id, text=text, entities=command_entities(text), reply_to_message_id=reply_to
        )

    async def send_command(
        self, user_id: int, command: str, payload: str | None = None
    ) -> RecordedMessage:
        """`/command payload`, as a deep link (`t.me/bot?start=payload`) or typed."""
        text = "/" + command.lstrip("/")
        if payload:
            text += f" {payload}"
        return await self.send_text(user_id, text)

    async def send_contact(self, user_id: int, phone_number: str | None = None) -> RecordedMessage:
        """The user shares their own contact (what a request_contact button sends)."""
        user = self.user(user_id)
        phone = phone_number or user.phone_number
        if not phone:
            raise ValueError(f"user {user_id} has no phone_number; pass one")
        user.phone_number = phone
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": user.first_name,
            "user_id": user.id,
        }
        if user.last_name:
            contact["last_name"] = user.last_name
        return self._user_message(user_id, contact=contact)

    async def send_location(
        self, user_id: int, latitude: float, longitude: float
    ) -> RecordedMessage:
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._user_message(user_id, location=location)

    async def send_photo(
        self, user_id: int, data: bytes, caption: str | None = None
    ) -> RecordedMessage:
        """Send image bytes (PNG/JPEG/GIF/WebP; see files.make_png for a tiny one)."""
        sizes = self.world.files.add_photo(data)
        if sizes is None:
            raise ValueError("not an image Telegram would accept as a photo")
        return self._user_message(user_id, photo=sizes, caption=caption)

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> RecordedMessage:
        stored = self.world.files.add_document(data, file_name, mime_type)
        return self._user_message(user_id, document=stored.to_document(), caption=caption)

    async def tap(
        self, user_id: int, text: str, *, location: tuple[float, float] | None = None
    ) -> RecordedMessage:
        """Tap a button of the reply keyboard the bot is showing this user."""
        chat = self.chat(user_id)
        buttons = reply_buttons(chat.reply_keyboard)
        button = next((b for b in buttons if b.get("text") == text), None)
        if button is None:
            shown = [b.get("text") for b in buttons]
            raise ValueError(f"no reply keyboard button {text!r}; shown: {shown}")
        if button.get("request_contact"):
            return await self.send_contact(user_id)
        if button.get("request_location"):
            if location is None:
                raise ValueError("a request_location button needs location=(lat, lon)")
            return await self.send_location(user_id, *location)
        return await self.send_text(user_id, text)

    async def press(self, user_id: int, message_id: int, button: str) -> CallbackPress:
        """Press an inline button, named by callback_data or by its text."""
        chat = self.chat(user_id)
        if chat.blocked:
            raise RuntimeError(f"user {user_id} has blocked the bot; call unblock first")
        message = chat.message(message_id)
        if message.deleted:
            raise ValueError(f"message {message_id} was deleted")
        found = message.find_button(button)
        if found is None:
            shown = [(b.get("text"), b.get("callback_data")) for b in message.buttons]
            raise ValueError(f"no inline button {button!r} on message {message_id}: {shown}")
        if "callback_data" not in found:
            raise ValueError(f"button {button!r} is not a callback button: {found}")
        press = CallbackPress(new_query_id(), chat.id, message_id, found["callback_data"])
        self.world.presses[press.query_id] = press
        chat.presses.append(press)
        self.world.updates.push(
            "callback_query",
            {
                "id": press.query_id,
                "from": chat.user.to_api(),
                "message": chat.message_api(message),
                "chat_instance": str(abs(hash((self.world.bot_id, chat.id)))),
                "data": press.data,
            },
        )
        chat.changed.notify()
        return press

    async def block(self, user_id: int) -> None:
        """The user blocks the bot: sends now fail with 403, the bot gets my_chat_member."""
        self._set_blocked(user_id, True)

    async def unblock(self, user_id: int) -> None:
        self._set_blocked(user_id, False)

    def _set_blocked(self, user_id: int, blocked: bool) -> None:
        chat = self.chat(user_id)
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot = self.world.bot_user()

        def member(status: str) -> dict[str, Any]:
            return {"user": bot, "status": status} | (
                {"until_date": 0} if status == "kicked" else {}
            )

        self.world.updates.push(
            "my_chat_member",
            {
                "chat": chat.user.chat_api(),
                "from": chat.user.to_api(),
                "date": now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )
        chat.changed.notify()

    # -- reading and waiting --------------------------------------------------------

    async def next_bot_message(self, user_id: int, timeout: float = 5.0) -> RecordedMessage:  # noqa: ASYNC109 - a plain timeout keeps test call sites short
        """The oldest bot message in this chat not yet returned here; waits for one.

        Each chat has its own read cursor, so consecutive calls walk the bot's replies
        in order. Raises TimeoutError if nothing new arrives within `timeout` seconds.
        """
        chat = self.chat(user_id)
        try:
            result: RecordedMessage = await chat.changed.wait_for(chat.unread_bot_message, timeout)
        except TimeoutError:
            raise TimeoutError(f"no new bot message for user {user_id} in {timeout} s") from None
        return result

    def mark_read(self, user_id: int) -> None:
        """Skip every bot message so far for next_bot_message."""
        self.chat(user_id).mark_read()

    async def wait_for(
        self,
        user_id: int,
        predicate: Callable[[ChatLog], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout keeps test call sites short
    ) -> T:
        """Wait until `predicate(chat)` is truthy (e.g. an edit landed) and return it."""
        chat = self.chat(user_id)
        result: T = await chat.changed.wait_for(lambda: predicate(chat), timeout)
        return result

    @property
    def flood_rejections(self) -> int:
        """How many 429 Too Many Requests answers the emulator gave."""
        return self.world.flood.rejections

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self.world.updates.pending)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The commands stored by setMyCommands for exactly this scope and language."""
        return list(self.world.commands.get((scope_key(scope), language_code), []))
