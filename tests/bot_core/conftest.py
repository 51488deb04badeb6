"""The bot's plumbing runs on the shared end-to-end harness with no features of its own:
each test registers the handlers it is about (`run_bot(register)`)."""

from __future__ import annotations

import pytest

from tests.e2e_harness import (  # noqa: F401
    Register,
    fixture_bot_locale,
    fixture_bot_options,
    fixture_emu,
    fixture_run_bot,
    fixture_settings,
)


@pytest.fixture
def bot_features() -> Register | None:
    return None
