"""The control API over HTTP (JSON), for demos and tests in another process.

    POST /control/users                      {"id", "first_name", "last_name"?, "username"?,
                                              "language_code"?, "phone_number"?, "started"?}
    GET  /control/users
    POST /control/users/{id}/text            {"text", "reply_to"?}
    POST /control/users/{id}/command         {"command", "payload"?}
    POST /control/users/{id}/contact         {"phone_number"?}
    POST /control/users/{id}/location        {"latitude", "longitude"}
    POST /control/users/{id}/photo           {"data_base64", "caption"?}
    POST /control/users/{id}/document        {"data_base64", "file_name"?, "mime_type"?,
                                              "caption"?}
    POST /control/users/{id}/tap             {"text", "latitude"?, "longitude"?}
    POST /control/users/{id}/press           {"message_id", "button"}
    POST /control/users/{id}/block | /unblock
    GET  /control/chats/{id}                 messages with history, presses, keyboard
    GET  /control/chats/{id}/next?timeout=5  next unread bot message (408 on timeout)
    GET  /control/stats                      flood rejections, pending updates, calls

Answers are `{"ok": true, "result": ...}` or `{"ok": false, "error": "..."}`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from .control import ControlApi
from .state import ChatLog

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def chat_json(chat: ChatLog) -> dict[str, Any]:
    return {
        "user": asdict(chat.user),
        "started": chat.started,
        "blocked": chat.blocked,
        "reply_keyboard": chat.reply_keyboard,
        "menu_button": chat.menu_button,
        "messages": [m.to_json() for m in chat.messages],
        "callback_presses": [p.to_json() for p in chat.presses],
        "actions": list(chat.actions),
    }


def _guard(handler: Route) -> Route:
    """Turn the control API's exceptions into JSON errors with a fitting status."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as exc:
            status, message = exc.status, str(exc)
        except KeyError as exc:
            status, message = 404, str(exc.args[0] if exc.args else exc)
        except TimeoutError as exc:
            status, message = 408, str(exc) or "timed out"
        except (ValueError, TypeError, RuntimeError, binascii.Error) as exc:
            status, message = 400, str(exc)
        return web.json_response({"ok": False, "error": message}, status=status)

    return wrapped


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise ControlError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _require(body: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if name not in body]
    if missing:
        raise ControlError(400, f"missing field(s): {', '.join(missing)}")


def _uid(request: web.Request) -> int:
    try:
        return int(request.match_info["uid"])
    except ValueError:
        raise ControlError(400, "user ids are integers") from None


def control_routes(emu: ControlApi) -> list[web.RouteDef]:
    async def add_user(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "id", "first_name")
        user = emu.add_user(
            int(body["id"]),
            str(body["first_name"]),
            body.get("last_name"),
            body.get("username"),
            body.get("language_code"),
            phone_number=body.get("phone_number"),
            started=bool(body.get("started", False)),
        )
        return _ok(asdict(user))

    async def list_users(request: web.Request) -> web.StreamResponse:
        return _ok([asdict(user) for user in emu.users])

    async def text(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "text")
        message = await emu.send_text(
            _uid(request), str(body["text"]), reply_to=body.get("reply_to")
        )
        return _ok(message.to_json())

    async def command(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "command")
        message = await emu.send_command(_uid(request), str(body["command"]), body.get("payload"))
        return _ok(message.to_json())

    async def contact(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        message = await emu.send_contact(_uid(request), body.get("phone_number"))
        return _ok(message.to_json())

    async def location(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "latitude", "longitude")
        message = await emu.send_location(
            _uid(request), float(body["latitude"]), float(body["longitude"])
        )
        return _ok(message.to_json())

    async def photo(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "data_base64")
        data = base64.b64decode(body["data_base64"], validate=True)
        message = await emu.send_photo(_uid(request), data, body.get("caption"))
        return _ok(message.to_json())

    async def document(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "data_base64")
        message = await emu.send_document(
            _uid(request),
            base64.b64decode(body["data_base64"], validate=True),
            str(body.get("file_name") or "document.bin"),
            body.get("mime_type"),
            body.get("caption"),
        )
        return _ok(message.to_json())

    async def tap(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "text")
        where = None
        if "latitude" in body and "longitude" in body:
            where = (float(body["latitude"]), float(body["longitude"]))
        message = await emu.tap(_uid(request), str(body["text"]), location=where)
        return _ok(message.to_json())

    async def press(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        _require(body, "message_id", "button")
        pressed = await emu.press(_uid(request), int(body["message_id"]), str(body["button"]))
        return _ok(pressed.to_json())

    async def block(request: web.Request) -> web.StreamResponse:
        await emu.block(_uid(request))
        return _ok(True)

    async def unblock(request: web.Request) -> web.StreamResponse:
        await emu.unblock(_uid(request))
        return _ok(True)

    async def chat(request: web.Request) -> web.StreamResponse:
        return _ok(chat_json(emu.chat(_uid(request))))

    async def next_message(request: web.Request) -> web.StreamResponse:
        timeout = float(request.query.get("timeout", "5"))
        message = await emu.next_bot_message(_uid(request), timeout=min(timeout, 300.0))
        return _ok(message.to_json())

    async def stats(request: web.Request) -> web.StreamResponse:
        world = emu.world
        return _ok(
            {
                "flood_rejections": world.flood.rejections,
                "pending_updates": len(world.updates.pending),
                "delivered_updates": world.updates.delivered,
                "calls": dict(world.calls),
            }
        )

    user = "/control/users/{uid}"
    return [
        web.post("/control/users", _guard(add_user)),
        web.get("/control/users", _guard(list_users)),
        web.post(f"{user}/text", _guard(text)),
        web.post(f"{user}/command", _guard(command)),
        web.post(f"{user}/contact", _guard(contact)),
        web.post(f"{user}/location", _guard(location)),
        web.post(f"{user}/photo", _guard(photo)),
        web.post(f"{user}/document", _guard(document)),
        web.post(f"{user}/tap", _guard(tap)),
        web.post(f"{user}/press", _guard(press)),
        web.post(f"{user}/block", _guard(block)),
        web.post(f"{user}/unblock", _guard(unblock)),
        web.get("/control/chats/{uid}", _guard(chat)),
        web.get("/control/chats/{uid}/next", _guard(next_message)),
        web.get("/control/stats", _guard(stats)),
    ]
