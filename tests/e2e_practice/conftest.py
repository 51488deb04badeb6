"""Fixtures for the professional's practice screens: the emulator, settings on the test
database, and the real Application with requests, agenda, clients and recurring sessions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po
from sqlalchemy.engine import URL
from telegram.ext import Application

from bot.app import build_application
from bot.conversations import agenda, clients, messaging, recurring, requests
from bot.emulator import BotApiEmulator, RateLimits
from bot.i18n import SUPPORTED, locales_dir
from core.config import Settings
from core.db.uow import Database
from core.models import Professional
from tests import factories as f
from tests import factories_booking as fb
from tests.clock import FrozenClock
from tests.e2e_practice.practice_support import PRO

TOKEN = "727272:PRACTICE-TEST"

AnyApp = Application[Any, Any, Any, Any, Any, Any]
RunBot = Callable[..., AbstractAsyncContextManager[AnyApp]]


def register_practice(app: AnyApp) -> None:
    """The four practice modules, then messaging (the card's Message button is its own)."""
    requests.register(app)
    agenda.register(app)
    clients.register(app)
    recurring.register(app)
    messaging.register(app)


@pytest.fixture(scope="session")
def merged_locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogues with every area's pending translations filled in, until the lead
    merges them (then this changes nothing)."""
    out = tmp_path_factory.mktemp("practice_locales")
    pending: dict[str, dict[str, str]] = {}
    for path in sorted((locales_dir() / "pending").glob("*.json")):
        try:
            pending.update(json.loads(path.read_text("utf-8")))
        except ValueError:
            # Another area's file caught mid-write: its texts are not what we test.
            if path.name == "practice.json":
                raise
    for locale in SUPPORTED:
        with (locales_dir() / locale / "LC_MESSAGES" / "messages.po").open("rb") as fileobj:
            catalog = read_po(fileobj, locale=locale)
        for msgid, texts in pending.items():
            found = catalog.get(msgid)
            if found is None:
                catalog.add(msgid, texts[locale])
            elif not found.string or found.fuzzy:
                # Catalog.add would keep the empty text of an id already extracted.
                found.string = texts[locale]
                found.flags.discard("fuzzy")
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
    """Telegram without flood control: these tests are about the screens, not limits."""
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
        default_locale="en",
        default_timezone="America/Sao_Paulo",
    )


@asynccontextmanager
async def running_bot(
    emu: BotApiEmulator, db: Database, settings: Settings, clock: FrozenClock
) -> AsyncIterator[AnyApp]:
    app = build_application(
        settings=settings,
        db=db,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        clock=clock,
        register=register_practice,
    )
    async with app:
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
    """`async with run_bot() as app:` runs the real bot with the practice screens."""

    def start() -> Any:
        return running_bot(emu, db, settings, clock)

    return start


@pytest.fixture
async def pro(db: Database, emu: BotApiEmulator) -> Professional:
    """Paula, a psychologist in São Paulo who reads the bot in English, 60-minute sessions,
    available 09:00-18:00 every day."""
    paula = await f.professional(
        db, user_id=PRO, name="Paula Reis", locale="en", session_duration=60
    )
    await fb.open_week(db, paula)
    emu.add_user(PRO, "Paula", language_code="en", started=True)
    return paula
