"""How long an unpaid booking may hold its slot, and the Checkout expiry that matches it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.payments.errors import InvalidHoldDuration
from core.payments.holds import HoldMethod, checkout_expiry, validate_hold_minutes

NOW = datetime(2026, 3, 12, 14, 0, 0, 500_000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("method", "minutes"),
    [(HoldMethod.card, 30), (HoldMethod.card, 1440), (HoldMethod.pix, 10), (HoldMethod.pix, 1440)],
)
def test_deadlines_within_what_the_method_allows_are_kept(method: HoldMethod, minutes: int) -> None:
    assert validate_hold_minutes(method, minutes) == minutes


@pytest.mark.parametrize(
    ("method", "minutes", "low", "high"),
    [
        (HoldMethod.card, 29, 30, 1440),
        (HoldMethod.card, 1441, 30, 1440),
        (HoldMethod.pix, 5, 10, 1440),
        (HoldMethod.pix, 2000, 10, 1440),
    ],
)
def test_deadlines_outside_the_methods_window_are_refused_with_its_bounds(
    method: HoldMethod, minutes: int, low: int, high: int
) -> None:
    with pytest.raises(InvalidHoldDuration) as caught:
        validate_hold_minutes(method, minutes)
    assert (caught.value.params["min"], caught.value.params["max"]) == (low, high)


def test_a_hold_inside_stripes_window_is_the_sessions_expiry_in_whole_seconds() -> None:
    ends = NOW + timedelta(hours=2)
    assert checkout_expiry(NOW, ends) == ends.replace(microsecond=0) + timedelta(seconds=1)


def test_a_hold_ending_too_soon_for_stripe_gets_the_earliest_expiry_stripe_takes() -> None:
    expiry = checkout_expiry(NOW, NOW + timedelta(minutes=5))
    assert timedelta(minutes=31) <= expiry - NOW <= timedelta(minutes=31, seconds=1)


def test_a_hold_beyond_a_day_is_capped_below_stripes_24_hours() -> None:
    expiry = checkout_expiry(NOW, NOW + timedelta(days=3))
    assert timedelta(hours=23, minutes=58) < expiry - NOW < timedelta(hours=24)
