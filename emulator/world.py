"""The whole emulated Telegram for one bot: shared by the HTTP routes and the control API."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from .files import FileStore
from .limits import FloodControl, RateLimits
from .params import Params, bad_request, forbidden
from .state import CallbackPress, ChatLog, UpdateQueue

Handler = Callable[["World", Params], Awaitable[Any]]


def scope_key(scope: dict[str, Any] | None) -> str:
    """A stable key for a BotCommandScope; absent means the default scope."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))


class World:
    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_first_name: str,
        rate_limits: RateLimits,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        bot_id = token.split(":", 1)[0]
        if not bot_id.isdigit():
            raise ValueError("a bot token looks like '123456:secret'")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.chats: dict[int, ChatLog] = {}
        self.updates = UpdateQueue()
        self.files = FileStore()
        self.flood = FloodControl(rate_limits, clock)
        self.presses: dict[str, CallbackPress] = {}
        # (scope key, language code) -> commands, as setMyCommands stores them.
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # (setting name, language code) -> value for setMyName/Description/ShortDescription.
        self.profile: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        self.webhook_url = ""
        self.calls: Counter[str] = Counter()
        self.closing = False

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def chat_of(self, p: Params, name: str = "chat_id") -> ChatLog:
        """The private chat named by a parameter, as Telegram resolves it."""
        raw = p.get_str(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        try:
            chat_id = int(raw)
        except ValueError:
            raise bad_request("chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, p: Params, name: str = "chat_id") -> ChatLog:
        chat = self.chat_of(p, name)
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat
