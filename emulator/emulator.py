"""BotApiEmulator: a local Telegram Bot API server plus the handles to drive it."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from aiohttp import web

from .control import ControlApi
from .limits import RateLimits
from .server import build_app
from .world import World

if TYPE_CHECKING:
    from telegram.ext import ApplicationBuilder


class BotApiEmulator(ControlApi):
    """Telegram for one bot, served over HTTP on localhost.

    Point python-telegram-bot at it with `application_builder()` (or `base_url` /
    `base_file_url`), drive users with the ControlApi methods, and read what the bot
    did from `chat(user_id)`.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "bookingbot",
        bot_first_name: str = "Booking Bot",
        rate_limits: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.world = World(
            token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            rate_limits=rate_limits or RateLimits(),
            clock=clock,
        )
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder.base_url` / `Bot(base_url=...)`."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port) and return the base URL."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        self.world.closing = False
        runner = web.AppRunner(build_app(self.world, self), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is None:
            return
        # Release long polls first, or cleanup would wait for their timeouts.
        self.world.closing = True
        self.world.updates.changed.notify()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def application_builder(self) -> ApplicationBuilder:
        """An ApplicationBuilder already pointed at this emulator."""
        from telegram.ext import Application

        if not self.url:
            raise RuntimeError("start the emulator first")
        return (
            Application.builder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )
