"""Messaging and preferences run on the shared end-to-end harness, with only these two
features registered and English as the bot's default language."""

from __future__ import annotations

import pytest

from bot.conversations import messaging, messaging_inbox, preferences
from tests.e2e_harness import (  # noqa: F401
    AnyApp,
    Register,
    fixture_bot_options,
    fixture_emu,
    fixture_run_bot,
    fixture_settings,
)


def register_chat_features(app: AnyApp) -> None:
    """Our two features, in the order FEATURES lists them (after other conversations):
    the message relay last, since it offers to send on any text nobody waited for."""
    preferences.register(app)
    messaging.register(app)
    messaging_inbox.register(app)


@pytest.fixture
def bot_features() -> Register | None:
    return register_chat_features


@pytest.fixture
def bot_locale() -> str:
    return "en"
