"""Bot API methods about the bot itself: identity, updates, commands, files, callbacks."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .files import MAX_DOWNLOAD_BYTES
from .params import ApiError, Params, bad_request
from .state import CallbackAnswer
from .world import Handler, World, scope_key

POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")


async def get_me(world: World, p: Params) -> dict[str, Any]:
    return world.bot_user() | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(world: World, p: Params) -> list[dict[str, Any]]:
    if world.webhook_url:
        raise ApiError(409, WEBHOOK_CONFLICT)
    queue = world.updates
    offset = p.get_int("offset")
    limit = min(max(p.get_int("limit") or 100, 1), 100)
    timeout = max(p.get_float("timeout") or 0.0, 0.0)
    allowed = p.get_json("allowed_updates")
    if isinstance(allowed, list):
        queue.set_allowed([str(kind) for kind in allowed])
    queue.confirm(offset)
    generation = queue.new_poll()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != queue.poll_generation:
            raise ApiError(409, POLL_CONFLICT)
        batch = queue.pending[:limit]
        remaining = deadline - loop.time()
        if batch or remaining <= 0 or world.closing:
            queue.delivered += len(batch)
            return batch
        await queue.changed.wait(remaining)


async def set_webhook(world: World, p: Params) -> bool:
    url = p.get_str("url") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    # Recorded only: the emulator never pushes updates, so a set webhook just makes
    # getUpdates answer 409 as Telegram does.
    world.webhook_url = url
    if p.get_bool("drop_pending_updates"):
        world.updates.clear()
    return True


async def delete_webhook(world: World, p: Params) -> bool:
    world.webhook_url = ""
    if p.get_bool("drop_pending_updates"):
        world.updates.clear()
    return True


async def get_webhook_info(world: World, p: Params) -> dict[str, Any]:
    return {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending),
    }


async def always_true(world: World, p: Params) -> bool:
    return True


async def answer_callback_query(world: World, p: Params) -> bool:
    query_id = p.get_str("callback_query_id") or ""
    press = world.presses.get(query_id)
    if press is None or press.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    press.answer = CallbackAnswer(
        text=text or None,
        show_alert=p.get_bool("show_alert"),
        url=p.get_str("url"),
        cache_time=p.get_int("cache_time") or 0,
    )
    press.answered.set()
    chat = world.chats.get(press.chat_id)
    if chat is not None:
        chat.changed.notify()
    return True


async def get_file(world: World, p: Params) -> dict[str, Any]:
    stored = world.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.file_size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.to_file()


def _scope_and_language(world: World, p: Params) -> tuple[str, str]:
    scope = p.get_json("scope", error="can't parse BotCommandScope JSON object")
    if scope is not None:
        if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        if "chat_id" in scope:
            scope = scope | {"chat_id": _chat_ref(world, scope["chat_id"])}
        if "user_id" in scope:
            scope = scope | {"user_id": int(scope["user_id"])}
    return scope_key(scope), _language(p)


def _language(p: Params) -> str:
    language = p.get_str("language_code") or ""
    if language and not _LANGUAGE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return language


def _chat_ref(world: World, value: Any) -> int:
    try:
        chat_id = int(value)
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None
    if chat_id not in world.chats:
        raise bad_request("chat not found")
    return chat_id


async def set_my_commands(world: World, p: Params) -> bool:
    raw = p.get_json("commands", error="can't parse commands JSON object")
    if raw is None:
        raw = []
    if not isinstance(raw, list) or len(raw) > 100:
        raise bad_request("can't parse commands JSON object")
    commands: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        if "description" not in item:
            raise bad_request("can't parse BotCommand: Can't find field \"description\"")
        name = str(item.get("command", ""))
        description = str(item["description"])
        if not _COMMAND_NAME.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": name, "description": description})
    key = _scope_and_language(world, p)
    if commands:
        world.commands[key] = commands
    else:
        world.commands.pop(key, None)
    return True


async def get_my_commands(world: World, p: Params) -> list[dict[str, str]]:
    return list(world.commands.get(_scope_and_language(world, p), []))


async def delete_my_commands(world: World, p: Params) -> bool:
    world.commands.pop(_scope_and_language(world, p), None)
    return True


async def set_chat_menu_button(world: World, p: Params) -> bool:
    button = p.get_json("menu_button", error="can't parse MenuButton JSON object")
    if button is None:
        button = {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse MenuButton JSON object")
    if p.has("chat_id"):
        world.chat_of(p).menu_button = button
    else:
        world.default_menu_button = button
    return True


async def get_chat_menu_button(world: World, p: Params) -> dict[str, Any]:
    if p.has("chat_id"):
        chat = world.chat_of(p)
        if chat.menu_button is not None:
            return chat.menu_button
    return world.default_menu_button


async def get_chat(world: World, p: Params) -> dict[str, Any]:
    chat = world.chat_of(p)
    return chat.user.chat_api() | {
        "accent_color_id": chat.id % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


def _profile_methods(setting: str, limit: int) -> tuple[Handler, Handler]:
    async def setter(world: World, p: Params) -> bool:
        language = _language(p)
        value = p.get_str(setting) or ""
        if len(value) > limit:
            raise bad_request(f"{setting} is too long")
        world.profile[(setting, language)] = value
        return True

    async def getter(world: World, p: Params) -> dict[str, str]:
        language = _language(p)
        value = world.profile.get((setting, language)) or world.profile.get((setting, ""), "")
        if setting == "name" and not value:
            value = world.bot_first_name
        return {setting: value}

    return setter, getter


_set_name, _get_name = _profile_methods("name", 64)
_set_description, _get_description = _profile_methods("description", 512)
_set_short, _get_short = _profile_methods("short_description", 120)

METHODS: dict[str, Handler] = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "logout": always_true,
    "close": always_true,
    "answercallbackquery": answer_callback_query,
    "getfile": get_file,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setchatmenubutton": set_chat_menu_button,
    "getchatmenubutton": get_chat_menu_button,
    "getchat": get_chat,
    "setmyname": _set_name,
    "getmyname": _get_name,
    "setmydescription": _set_description,
    "getmydescription": _get_description,
    "setmyshortdescription": _set_short,
    "getmyshortdescription": _get_short,
}
