"""The HTTP client the bot talks to the Bot API with: aiohttp behind PTB's ``BaseRequest``.

python-telegram-bot's default client is httpx. Under load it is the bot's largest single
cost: about a fifth of the CPU of a booking step in ``bench/bench_bot_updates.py``, and
worse the more chats are served at once, because httpcore's pool walks every open
connection for every request. aiohttp (already a dependency: the emulator's server) keeps
idle connections per host in a queue, and its parser is compiled.

PTB reads only ``(status, body)`` from ``do_request`` and turns statuses into its own
errors; this class maps aiohttp's failures to PTB's ``TimedOut`` and ``NetworkError`` so the
rest of the bot (AIORateLimiter, the error handler, the dispatcher) sees what it would with
httpx.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_JSON = {"Content-Type": "application/json"}


_DEFAULT = BaseRequest.DEFAULT_NONE


def _pick(value: Any, default: float | None) -> float | None:
    """A per-call timeout, or this request object's default when the caller gave none.

    PTB passes ``BaseRequest.DEFAULT_NONE`` (a sentinel, public on ``BaseRequest``) for "not
    given"; an explicit ``None`` means "no timeout". Anything that is not a number or None
    is such a sentinel.
    """
    if value is None or isinstance(value, int | float):
        return value
    return default


def _add(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first + second


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` over one ``aiohttp.ClientSession`` (created on ``initialize``).

    `connection_pool_size` bounds the connections open at once (PTB's default is 256 for
    bot calls; use 1 for ``getUpdates``). Timeouts mean what they mean for PTB's
    ``HTTPXRequest``; aiohttp has no separate write timeout, so for an upload the (media)
    write timeout is added to the read timeout.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # PTB parses the body itself; aiohttp need not guess encodings or raise.
                raise_for_status=False,
                auto_decompress=True,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        connect = _pick(connect_timeout, self._connect_timeout)
        read = _pick(read_timeout, self._read_timeout)
        body: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None and request_data.contains_files:
            # A slow upload is a long write: the request gets the media write allowance too.
            read = _add(read, _pick(write_timeout, self._media_write_timeout))
            form = aiohttp.FormData(quote_fields=False)
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        elif request_data is not None and request_data.parameters:
            # One JSON document (PTB's own json_payload would encode nested objects twice).
            body, headers = json.dumps(request_data.parameters).encode(), _JSON
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` spans waiting for a free connection and opening one.
            connect=_add(_pick(pool_timeout, self._pool_timeout), connect),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
