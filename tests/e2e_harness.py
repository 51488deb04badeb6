"""The end-to-end harness: the Bot API emulator, bot settings on the test database, and the
real Application built by `bot.app.build_application`, long-polling the emulator.

A folder's conftest imports the fixtures it uses, e.g.
`from tests.e2e_harness import fixture_emu, fixture_run_bot  # noqa: F401` (each function is
`fixture_<name>` registered as `<name>`, so a test's `emu` argument does not shadow an
import). Of the three that say how a folder differs, it imports the defaults it keeps and
defines the others: `bot_features` (which features are registered), `bot_locale` (the default
language) and `bot_options` (more `build_application` keywords).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import URL
from telegram.ext import Application

from bot.app import build_application
from bot.formatting import format_datetime, format_day_short
from bot.i18n import Translator, get_translator
from core.config import Settings
from core.db.uow import Database
from emulator import BotApiEmulator, CallbackAnswer, RateLimits, RecordedMessage
from tests.clock import FrozenClock

TOKEN = "515151:E2E-TEST"

AnyApp = Application[Any, Any, Any, Any, Any, Any]
Register = Callable[[AnyApp], None]
RunBot = Callable[..., AbstractAsyncContextManager[AnyApp]]


def all_features(application: AnyApp) -> None:
    """Every feature, registered as the real bot does."""
    from bot.handlers import register_features

    register_features(application)


def settings_for(database_url: URL, *, token: str = TOKEN, locale: str = "pt_BR") -> Settings:
    """Bot settings on the test database, ignoring any .env of the machine running the tests."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=token,
        database_url=database_url.render_as_string(hide_password=False),
        default_locale=locale,
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
    """The real Application long-polling `emu` until the block ends."""
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
            if app.post_stop is not None:  # what run_polling does after stop()
                await app.post_stop(app)


@pytest.fixture(name="bot_features")
def fixture_bot_features() -> Register | None:
    """The features `run_bot()` registers; a folder overrides this to test a subset."""
    return all_features


@pytest.fixture(name="bot_locale")
def fixture_bot_locale() -> str:
    """The bot's default language (for people whose Telegram language we do not know)."""
    return "pt_BR"


@pytest.fixture(name="bot_options")
def fixture_bot_options() -> dict[str, Any]:
    """More `build_application` keywords for every `run_bot()` of a folder."""
    return {}


@pytest.fixture(name="emu")
async def fixture_emu() -> AsyncIterator[BotApiEmulator]:
    """Telegram without flood control; tests about limits build their own emulator."""
    async with BotApiEmulator(TOKEN, rate_limits=RateLimits.off()) as emulator:
        yield emulator


@pytest.fixture(name="settings")
def fixture_settings(database_url: URL, bot_locale: str) -> Settings:
    return settings_for(database_url, locale=bot_locale)


@pytest.fixture(name="run_bot")
def fixture_run_bot(
    emu: BotApiEmulator,
    db: Database,
    settings: Settings,
    clock: FrozenClock,
    bot_features: Register | None,
    bot_options: dict[str, Any],
) -> RunBot:
    """`async with run_bot() as app:` runs the real bot against the emulator; `register`
    replaces the folder's features, `emulator` the `emu` fixture."""

    def start(
        register: Register | None = None, *, emulator: BotApiEmulator | None = None, **options: Any
    ) -> AbstractAsyncContextManager[AnyApp]:
        return running_bot(
            emulator or emu,
            db,
            settings,
            clock,
            register or bot_features,
            **{**bot_options, **options},
        )

    return start


def button_texts(message: RecordedMessage) -> list[str]:
    """The labels of a message's inline buttons, in order."""
    return [b["text"] for b in message.buttons]


class Chat:
    """One person's chat with the bot, in their language."""

    def __init__(self, emu: BotApiEmulator, user_id: int, locale: str) -> None:
        self.emu, self.uid, self.locale = emu, user_id, locale
        self.tr: Translator = get_translator(locale)

    def t(self, msgid: str, /, **params: Any) -> str:
        return self.tr.t(msgid, **params)

    def day(self, day: date) -> str:
        """A calendar day button's label."""
        return format_day_short(day, self.locale)

    def when(self, value: datetime, zone: str = "America/Sao_Paulo") -> str:
        return format_datetime(value, self.locale, zone)

    async def next(self, timeout: float = 5.0) -> RecordedMessage:  # noqa: ASYNC109
        return await self.emu.next_bot_message(self.uid, timeout)

    async def start(self, payload: str) -> None:
        await self.emu.send_command(self.uid, "start", payload)

    async def say(self, text: str) -> None:
        await self.emu.send_text(self.uid, text)

    async def press(self, message: RecordedMessage, button: str) -> CallbackAnswer:
        """Press and wait for the spinner to stop; the answer may be an alert."""
        press = await self.emu.press(self.uid, message.message_id, button)
        return await press.wait_answer()

    async def press_edit(self, message: RecordedMessage, button: str) -> RecordedMessage:
        """Press a button that turns its message into the next screen."""
        versions = len(message.history)
        await self.emu.press(self.uid, message.message_id, button)
        await self.emu.wait_for(self.uid, lambda chat: len(message.history) > versions)
        return message

    def labels(self, message: RecordedMessage) -> list[str]:
        return button_texts(message)
