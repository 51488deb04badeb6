"""The professional's practice screens run on the shared end-to-end harness, with requests,
agenda, clients and recurring sessions registered and English as the default language."""

from __future__ import annotations

import pytest

from bot.conversations import (
    agenda,
    clients,
    messaging,
    messaging_inbox,
    practice_booking,
    recurring,
    requests,
)
from core.db.uow import Database
from core.models import Professional
from emulator import BotApiEmulator
from tests import factories as f
from tests.e2e_harness import (  # noqa: F401
    AnyApp,
    Register,
    fixture_bot_options,
    fixture_emu,
    fixture_run_bot,
    fixture_settings,
)
from tests.e2e_practice.practice_support import PRO


def register_practice(app: AnyApp) -> None:
    """The practice modules, then messaging (the card's Message button is its own)."""
    requests.register(app)
    agenda.register(app)
    clients.register(app)
    recurring.register(app)
    practice_booking.register(app)
    messaging.register(app)
    messaging_inbox.register(app)


@pytest.fixture
def bot_features() -> Register | None:
    return register_practice


@pytest.fixture
def bot_locale() -> str:
    return "en"


@pytest.fixture
async def pro(db: Database, emu: BotApiEmulator) -> Professional:
    """Paula, a psychologist in São Paulo who reads the bot in English, 60-minute sessions,
    available 09:00-18:00 every day."""
    paula = await f.professional(
        db, user_id=PRO, name="Paula Reis", locale="en", session_duration=60
    )
    await f.open_week(db, paula)
    emu.add_user(PRO, "Paula", language_code="en", started=True)
    return paula
