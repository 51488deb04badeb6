"""The professional set-up screens run on the shared end-to-end harness, with conversation
state saved often so a restart mid-onboarding finds it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e_harness import (  # noqa: F401
    AnyApp,
    Register,
    fixture_bot_locale,
    fixture_emu,
    fixture_run_bot,
    fixture_settings,
)


def register_setup(application: AnyApp) -> None:
    from bot.conversations import availability, onboarding, settings

    onboarding.register(application)
    settings.register(application)
    availability.register(application)


@pytest.fixture
def bot_features() -> Register | None:
    return register_setup


@pytest.fixture
def bot_options() -> dict[str, Any]:
    return {"persistence_interval": 0.2}
