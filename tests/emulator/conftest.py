"""Fixtures for the Bot API emulator tests: a running emulator, a PTB Bot, an Application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import Application, BaseHandler, BaseRateLimiter

from emulator import BotApiEmulator, EmuUser, RateLimits

TOKEN = "424242:EMULATOR-TEST"
ANA = 1001

RunApp = Callable[..., AbstractAsyncContextManager[Application[Any, Any, Any, Any, Any, Any]]]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """An emulator without flood control; flood tests build their own."""
    emulator = BotApiEmulator(TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def ana(emu: BotApiEmulator) -> EmuUser:
    """A user who has already opened the chat, so the bot may write first."""
    return emu.add_user(
        ANA, "Ana", "Silva", "ana_s", "pt", phone_number="+5511999990000", started=True
    )


def make_bot(emu: BotApiEmulator) -> Bot:
    return Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with make_bot(emu) as client:
        yield client


@asynccontextmanager
async def running_app(
    emu: BotApiEmulator,
    *handlers: BaseHandler[Any, Any, Any],
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real PTB Application long-polling the emulator, stopped on exit."""
    builder = emu.application_builder()
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    for handler in handlers:
        app.add_handler(handler)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=2)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
def run_app(emu: BotApiEmulator) -> RunApp:
    def start(*handlers: BaseHandler[Any, Any, Any], **kwargs: Any) -> Any:
        return running_app(emu, *handlers, **kwargs)

    return start
