"""A real Application with the professional set-up screens, long-polling the emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po
from sqlalchemy.engine import URL
from telegram.ext import Application

from bot.app import build_application
from bot.emulator import BotApiEmulator, RateLimits, RecordedMessage
from bot.i18n import SUPPORTED, locales_dir, reload_catalogues
from core.config import Settings
from core.db.uow import Database
from tests.clock import FrozenClock

TOKEN = "424242:E2E-SETUP"
PENDING = Path(__file__).resolve().parents[2] / "locales" / "pending" / "setup.json"
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def register_setup(application: AnyApp) -> None:
    from bot.conversations import availability, onboarding, settings

    onboarding.register(application)
    settings.register(application)
    availability.register(application)


@pytest.fixture(scope="session")
def setup_locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogues plus this area's pending texts, until the lead merges them in."""
    pending = json.loads(PENDING.read_text(encoding="utf-8"))
    target = tmp_path_factory.mktemp("locales")
    for locale in SUPPORTED:
        with (locales_dir() / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalog = read_po(po, locale=locale)
        for msgid, texts in pending.items():
            found = catalog.get(msgid)
            if found is None or not found.string or found.fuzzy:
                catalog.delete(msgid)
                catalog.add(msgid, texts[locale])
        (target / locale / "LC_MESSAGES").mkdir(parents=True)
        with (target / locale / "LC_MESSAGES" / "messages.po").open("wb") as po:
            write_po(po, catalog)
    return target


@pytest.fixture(autouse=True)
def translations(setup_locales: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BOOKINGBOT_LOCALES_DIR", str(setup_locales))
    reload_catalogues()
    yield
    monkeypatch.undo()
    reload_catalogues()


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def bot_settings(database_url: URL) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        database_url=database_url.render_as_string(hide_password=False),
        default_locale="pt_BR",
        default_timezone="America/Sao_Paulo",
    )


@asynccontextmanager
async def _running(
    emu: BotApiEmulator, db: Database, settings: Settings, clock: FrozenClock
) -> AsyncIterator[AnyApp]:
    app = build_application(
        settings=settings,
        db=db,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        clock=clock,
        register=register_setup,
        persistence_interval=0.2,
    )
    async with app:
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
def run_bot(emu: BotApiEmulator, db: Database, bot_settings: Settings, clock: FrozenClock) -> Any:
    """`async with run_bot() as app:` runs the bot with the set-up screens."""
    return lambda: _running(emu, db, bot_settings, clock)


class Chat:
    """One person's side of the chat: type, press, and read what the bot answers."""

    def __init__(self, emu: BotApiEmulator, user_id: int) -> None:
        self.emu, self.uid = emu, user_id

    async def command(self, name: str, payload: str | None = None) -> RecordedMessage:
        await self.emu.send_command(self.uid, name, payload)
        return await self.next()

    async def say(self, text: str) -> RecordedMessage:
        await self.emu.send_text(self.uid, text)
        return await self.next()

    async def next(self) -> RecordedMessage:
        return await self.emu.next_bot_message(self.uid, timeout=5)

    async def press(self, message: RecordedMessage, button: str) -> None:
        await self.emu.press(self.uid, message.message_id, button)

    async def press_and_wait_edit(self, message: RecordedMessage, button: str) -> RecordedMessage:
        versions = len(message.history)
        await self.press(message, button)
        await self.emu.wait_for(self.uid, lambda _chat: len(message.history) > versions)
        return message


def button_texts(message: RecordedMessage) -> list[str]:
    return [b["text"] for b in message.buttons]
