"""Fixtures for the client conversations: the emulator, a real Application with the client
features, and the pending translations of every area so texts read as users see them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po
from sqlalchemy.engine import URL
from telegram.ext import Application

from bot.app import build_application
from bot.emulator import BotApiEmulator, RateLimits
from bot.i18n import SUPPORTED
from core.config import Settings
from core.db.uow import Database
from tests.clock import FrozenClock

TOKEN = "626262:E2E-CLIENT-TEST"
REPO_LOCALES = Path(__file__).resolve().parents[2] / "locales"

AnyApp = Application[Any, Any, Any, Any, Any, Any]
RunBot = Callable[..., AbstractAsyncContextManager[AnyApp]]


def client_features(application: AnyApp) -> None:
    """The client side as the lead registers it: conversations before the message relay."""
    from bot.conversations import booking, client_start, messaging, my_bookings, review

    booking.register(application)
    review.register(application)
    client_start.register(application)
    my_bookings.register(application)
    messaging.register(application)


@pytest.fixture(scope="session")
def locales_with_pending(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogues plus every area's pending texts (the lead merges them for real)."""
    pending: dict[str, dict[str, str]] = {}
    for path in sorted((REPO_LOCALES / "pending").glob("*.json")):
        for msgid, texts in json.loads(path.read_text("utf-8")).items():
            if isinstance(texts, dict):
                pending.setdefault(msgid, texts)
    target = tmp_path_factory.mktemp("locales")
    for locale in SUPPORTED:
        source = REPO_LOCALES / locale / "LC_MESSAGES" / "messages.po"
        with source.open("rb") as fileobj:
            catalog = read_po(fileobj, locale=locale)
        for msgid, texts in pending.items():
            known = catalog.get(msgid)
            if (known is None or not known.string) and isinstance(texts.get(locale), str):
                catalog.add(msgid, texts[locale])
        folder = target / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "messages.po").open("wb") as fileobj:
            write_po(fileobj, catalog)
    return target


@pytest.fixture(autouse=True)
def _pending_texts(locales_with_pending: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKINGBOT_LOCALES_DIR", str(locales_with_pending))


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
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
async def _running(
    emu: BotApiEmulator, db: Database, settings: Settings, clock: FrozenClock
) -> AsyncIterator[AnyApp]:
    app = build_application(
        settings=settings,
        db=db,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        clock=clock,
        register=client_features,
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
    """`async with run_bot() as app:` runs the bot with the client features."""

    def start() -> AbstractAsyncContextManager[AnyApp]:
        return _running(emu, db, settings, clock)

    return start
