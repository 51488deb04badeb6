"""The client conversations run on the shared end-to-end harness with the client features."""

from __future__ import annotations

import pytest

from tests.e2e_harness import (  # noqa: F401
    AnyApp,
    Register,
    fixture_bot_locale,
    fixture_bot_options,
    fixture_emu,
    fixture_run_bot,
    fixture_settings,
)


def client_features(application: AnyApp) -> None:
    """The client side as the lead registers it: conversations before the message relay."""
    from bot.conversations import (
        booking,
        client_start,
        messaging,
        messaging_inbox,
        my_bookings,
        review,
    )

    booking.register(application)
    review.register(application)
    client_start.register(application)
    my_bookings.register(application)
    messaging.register(application)
    messaging_inbox.register(application)


@pytest.fixture
def bot_features() -> Register | None:
    return client_features
