"""Fixtures for the bot's plumbing: the emulator, settings on the test database, and a real
Application built by `bot.app.build_application` and long-polling the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.engine import URL
from telegram.ext import Application

from bot.app import build_application
from bot.emulator import BotApiEmulator, RateLimits
from core.config import Settings
from core.db.uow import Database
from tests.clock import FrozenClock

TOKEN = "515151:BOT-CORE-TEST"

AnyApp = Application[Any, Any, Any, Any, Any, Any]
Register = Callable[[AnyApp], None]
RunBot = Callable[..., AbstractAsyncContextManager[AnyApp]]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """Telegram without flood control: these tests are about our plumbing, not limits."""
    emulator = BotApiEmulator(TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def settings(database_url: URL) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        database_url=database_url.render_as_string(hide_password=False),
        default_locale="pt_BR",
        default_timezone="America/Sao_Paulo",
    )


@asynccontextmanager
async def running_bot(
    emu: BotApiEmulator,
    db: Database,
    settings: Settings,
    clock: FrozenClock,
    register: Register | None = None,
    **options: Any,
) -> AsyncIterator[AnyApp]:
    app = build_application(
        settings=settings,
        db=db,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        clock=clock,
        register=register,
        **options,
    )
    async with app:
        # What run_polling does between initialize() and start().
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
def run_bot(emu: BotApiEmulator, db: Database, settings: Settings, clock: FrozenClock) -> RunBot:
    """`async with run_bot(register) as app:` runs the real bot against the emulator."""

    def start(
        register: Register | None = None, *, emulator: BotApiEmulator | None = None, **options: Any
    ) -> Any:
        return running_bot(emulator or emu, db, settings, clock, register, **options)

    return start
