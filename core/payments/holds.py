"""How long a booking that must be paid may hold its slot, by payment method.

A card payment goes through a Stripe Checkout Session, whose `expires_at` Stripe accepts
from 30 minutes to 24 hours after creation; the hold ends when the session does. A Pix
payment to the professional's own key has no provider clock: up to 24 hours, and at
least 10 minutes so a client can open their bank app and pay.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from core.payments.errors import InvalidHoldDuration

__all__ = [
    "CARD_HOLD_MAX",
    "CARD_HOLD_MIN",
    "CHECKOUT_EXPIRY_MARGIN",
    "PIX_HOLD_MAX",
    "PIX_HOLD_MIN",
    "HoldMethod",
    "checkout_expiry",
    "hold_bounds",
    "validate_hold_minutes",
]


class HoldMethod(enum.StrEnum):
    """How the held booking is being paid."""

    card = "card"  # Stripe Checkout (cards, and Pix through Stripe for Brazilian accounts)
    pix = "pix"  # copia e cola to the professional's own key


CARD_HOLD_MIN = timedelta(minutes=30)
CARD_HOLD_MAX = timedelta(hours=24)
PIX_HOLD_MIN = timedelta(minutes=10)
PIX_HOLD_MAX = timedelta(hours=24)
# Stripe measures its 30 min..24 h window on its own clock when the request arrives;
# a minute of slack on each side keeps a slow request or a skewed clock inside it.
CHECKOUT_EXPIRY_MARGIN = timedelta(minutes=1)

_BOUNDS = {
    HoldMethod.card: (CARD_HOLD_MIN, CARD_HOLD_MAX),
    HoldMethod.pix: (PIX_HOLD_MIN, PIX_HOLD_MAX),
}


def hold_bounds(method: HoldMethod) -> tuple[timedelta, timedelta]:
    """The shortest and longest hold `method` allows."""
    return _BOUNDS[method]


def validate_hold_minutes(method: HoldMethod, minutes: int) -> int:
    """Check a professional's payment deadline setting, in minutes, for `method`."""
    low, high = _BOUNDS[method]
    low_min, high_min = int(low.total_seconds()) // 60, int(high.total_seconds()) // 60
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not (low_min <= minutes <= high_min)
    ):
        raise InvalidHoldDuration(
            field="hold_minutes", value=minutes, method=str(method), min=low_min, max=high_min
        )
    return minutes


def checkout_expiry(now: datetime, hold_ends: datetime) -> datetime:
    """The `expires_at` to give a Checkout Session created at `now` for a hold ending then.

    The hold's end when Stripe accepts it; otherwise the nearest instant it does accept
    (a retry late in a short hold gets 30 minutes more, never less than Stripe allows):
    the caller keeps the returned instant as the hold's deadline, so the two never part.
    Whole seconds, since Stripe takes a Unix timestamp.
    """
    earliest = now + CARD_HOLD_MIN + CHECKOUT_EXPIRY_MARGIN
    latest = now + CARD_HOLD_MAX - CHECKOUT_EXPIRY_MARGIN
    chosen = min(max(hold_ends, earliest), latest)
    return chosen.replace(microsecond=0) + (
        timedelta(seconds=1) if chosen.microsecond else timedelta()
    )
