"""Payment settings: the platform fee, the Stripe API base, the public URLs derived."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from core.config import Settings
from core.payments.stripe_gateway import gateway_from_settings


def test_payment_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_FEE_PERCENT", "2.5")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:8420/")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example.com/")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.platform_fee_percent == Decimal("2.5")
    assert settings.stripe_api_base == "http://127.0.0.1:8420"
    assert settings.stripe_webhook_url == "https://bot.example.com/stripe/webhook"
    assert settings.stripe_connect_return_url == "https://bot.example.com/stripe/connect/return"
    assert settings.stripe_connect_refresh_url == "https://bot.example.com/stripe/connect/refresh"


def test_without_settings_there_is_no_fee_and_no_public_url() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.platform_fee_percent == 0
    assert settings.stripe_webhook_url is None and settings.stripe_connect_return_url is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("platform_fee_percent", "101"),
        ("platform_fee_percent", "-1"),
        ("public_base_url", "bot.example.com"),
    ],
)
def test_a_fee_beyond_0_to_100_or_a_url_without_scheme_is_refused(name: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **{name: value})  # type: ignore[arg-type]


async def test_payments_are_off_without_a_secret_key_and_on_with_one() -> None:
    assert gateway_from_settings(Settings(_env_file=None, stripe_secret_key=None)) is None  # type: ignore[call-arg]
    gateway = gateway_from_settings(
        Settings(_env_file=None, stripe_secret_key="sk_test_x", platform_fee_percent=Decimal(3))  # type: ignore[call-arg]
    )
    assert gateway is not None
    await gateway.close()
