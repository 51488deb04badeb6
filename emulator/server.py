"""HTTP routes: the Bot API at /bot<token>/<method>, downloads, and /control."""

from __future__ import annotations

import logging
import mimetypes

from aiohttp import web

from . import api_bot, api_messages
from .control import ControlApi
from .control_http import control_routes
from .files import MAX_UPLOAD_BYTES
from .params import NOT_FOUND, ApiError, Params
from .world import Handler, World

log = logging.getLogger(__name__)

METHODS: dict[str, Handler] = {**api_bot.METHODS, **api_messages.METHODS}


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.to_json(), status=error.code)


def build_app(world: World, control: ControlApi) -> web.Application:
    # Room for a 50 MB document plus multipart overhead, like Telegram's upload limit.
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)

    async def bot_api(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != world.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        # Telegram matches method names case-insensitively.
        handler = METHODS.get(method.lower())
        if handler is None:
            return _error(NOT_FOUND)
        try:
            params = await Params.from_request(request)
            world.calls[method] += 1
            result = await handler(world, params)
        except web.HTTPRequestEntityTooLarge:
            return _error(ApiError(413, "Request Entity Too Large"))
        except ApiError as error:
            log.debug("%s -> %s %s", method, error.code, error.description)
            return _error(error)
        return web.json_response({"ok": True, "result": result})

    async def download(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != world.token:
            return _error(ApiError(401, "Unauthorized"))
        stored = world.files.by_path(request.match_info["path"])
        if stored is None:
            return _error(NOT_FOUND)
        content_type = (
            stored.mime_type
            or mimetypes.guess_type(stored.file_path)[0]
            or "application/octet-stream"
        )
        return web.Response(body=stored.data, content_type=content_type)

    async def not_found(request: web.Request) -> web.StreamResponse:
        return _error(NOT_FOUND)

    app.add_routes(control_routes(control))
    app.add_routes(
        [
            web.route("*", "/bot{token}/{method}", bot_api),
            web.get("/file/bot{token}/{path:.+}", download),
            web.route("*", "/{tail:.*}", not_found),
        ]
    )
    return app
