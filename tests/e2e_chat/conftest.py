"""End-to-end harness for messaging and preferences: the real Application long-polling the
emulator, on the test database, with our features registered.

Until the lead merges ``locales/pending/chat.json`` into the catalogues, the texts of these
features exist only there; the ``catalogues`` fixture serves the repository's catalogues
with that file merged in, so the tests see real English, Portuguese and Spanish text.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po
from telegram.ext import Application

from bot.app import build_application
from bot.conversations import messaging, preferences
from bot.emulator import BotApiEmulator, RateLimits
from bot.i18n import SUPPORTED, locales_dir
from core.config import Settings
from core.db.uow import Database
from tests.clock import FrozenClock

TOKEN = "626262:E2E-CHAT-TEST"
PENDING = Path(__file__).resolve().parents[2] / "locales" / "pending" / "chat.json"

AnyApp = Application[Any, Any, Any, Any, Any, Any]
RunBot = Callable[..., AbstractAsyncContextManager[AnyApp]]


def register_chat_features(app: AnyApp) -> None:
    """Our two features, in the order the lead lists them (after other conversations)."""
    messaging.register(app)
    preferences.register(app)


@pytest.fixture(scope="session")
def merged_locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's catalogues with this area's pending translations filled in."""
    out = tmp_path_factory.mktemp("locales")
    pending = json.loads(PENDING.read_text("utf-8")) if PENDING.exists() else {}
    for locale in SUPPORTED:
        source = locales_dir() / locale / "LC_MESSAGES" / "messages.po"
        with source.open("rb") as fileobj:
            catalog = read_po(fileobj, locale=locale)
        for msgid, texts in pending.items():
            catalog.add(msgid, texts[locale])
        target = out / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.po").open("wb") as fileobj:
            write_po(fileobj, catalog)
    return out


@pytest.fixture(autouse=True)
def catalogues(merged_locales: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BOOKINGBOT_LOCALES_DIR", str(merged_locales))
    yield


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def settings(database_url: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        database_url=database_url.render_as_string(hide_password=False),
        default_locale="en",
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
        register=register_chat_features,
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
def run_bot(emu: BotApiEmulator, db: Database, settings: Settings, clock: FrozenClock) -> RunBot:
    """`async with run_bot() as app:` runs the real bot with our features."""

    def start() -> AbstractAsyncContextManager[AnyApp]:
        return _running(emu, db, settings, clock)

    return start
