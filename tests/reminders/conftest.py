"""Fixtures for the reminder and outbox tests: the harness's emulator and bot, a Bot on the
emulator, people, texts.

The tests read the repository's catalogues plus reminders_support's texts where missing
(ids only tests use). Assertions check what a reader notices (a time, a name, a button),
not wording.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from reminders_support import Pair, fast_dispatcher, make_bot, next_uid, write_catalogues
from telegram import Bot

from bot.i18n import locales_dir, reload_catalogues
from bot.reminders_and_outbox.dispatcher import Dispatcher
from core.db.uow import Database
from core.models import TelegramUser
from emulator import BotApiEmulator
from tests import factories as f
from tests.e2e_harness import (  # noqa: F401
    fixture_bot_features,
    fixture_bot_locale,
    fixture_bot_options,
    fixture_emu,
    fixture_run_bot,
    fixture_settings,
)


@pytest.fixture(scope="session")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("locales")
    write_catalogues(locales_dir(), target)
    return target


@pytest.fixture(autouse=True)
def _texts(catalogues: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BOOKINGBOT_LOCALES_DIR", str(catalogues))
    reload_catalogues()
    yield
    monkeypatch.delenv("BOOKINGBOT_LOCALES_DIR")
    reload_catalogues()


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with make_bot(emu) as b:
        yield b


@pytest.fixture
def dispatcher_for(db: Database, bot: Bot, clock: Any) -> Any:
    def make(name: str = "worker-a", **kw: Any) -> Dispatcher:
        return fast_dispatcher(db, bot, clock, name, **kw)

    return make


@pytest.fixture
def people(db: Database, emu: BotApiEmulator) -> Any:
    """Make a professional and a Telegram client of theirs, both able to receive messages."""

    async def make(
        *,
        pro_tz: str = "America/Sao_Paulo",
        pro_locale: str = "en",
        client_tz: str | None = None,
        client_locale: str | None = "en",
        client_name: str = "Bruna",
        pro_name: str = "Dr. Ana Lima",
        **pro_over: Any,
    ) -> Pair:
        pro_uid, client_uid = next_uid(), next_uid()
        pro = await f.professional(
            db, user_id=pro_uid, name=pro_name, timezone=pro_tz, locale=pro_locale, **pro_over
        )
        cli = await f.client(db, pro, user_id=client_uid, name=client_name)
        await f.add(
            db,
            TelegramUser(
                user_id=client_uid, first_name=client_name, locale=client_locale, timezone=client_tz
            ),
        )
        emu.add_user(pro_uid, pro_name, started=True)
        emu.add_user(client_uid, client_name, started=True)
        return Pair(pro, cli)

    return make
