"""Helpers of the gateway tests: an onboarded account, a checkout request, a paid session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core.payments.holds import checkout_expiry
from core.payments.stripe_gateway import StripeGateway
from core.payments.stripe_objects import CheckoutRequest, ConnectedAccount
from tests.payments.fake_stripe import API_KEY, FakeStripe

WEBHOOK_SECRET = "whsec_test_bookingbot"


def make_gateway(api_base: str, **kwargs: object) -> StripeGateway:
    options: dict[str, object] = {"webhook_secret": WEBHOOK_SECRET, "max_network_retries": 0}
    options.update(kwargs)
    return StripeGateway(API_KEY, api_base=api_base, **options)  # type: ignore[arg-type]


@dataclass
class Inbox:
    """A webhook endpoint for tests: what arrived, raw, with its signature header."""

    url: str = ""
    received: list[tuple[bytes, str | None]] = field(default_factory=list)


async def onboarded_account(
    gateway: StripeGateway, fake: FakeStripe, country: str = "BR"
) -> ConnectedAccount:
    account = await gateway.create_account(
        professional_id=uuid.uuid4(), idempotency_key=f"acct-{uuid.uuid4()}", country=country
    )
    await fake.onboard(account.id)
    return await gateway.retrieve_account(account.id)


def checkout_request(account: ConnectedAccount, **changes: object) -> CheckoutRequest:
    now = datetime.now(UTC)
    currency = str(changes.pop("currency", account.default_currency or "BRL"))
    fields: dict[str, object] = {
        "account_id": account.id,
        "appointment_id": uuid.uuid4(),
        "amount": 6000,
        "currency": currency,
        "description": "Sessão com Dra. Ana Souza, qui 12 mar 14:00",
        "expires_at": checkout_expiry(now, now + timedelta(hours=2)),
        "success_url": "https://t.me/bookingbot_test?start=paid",
        "cancel_url": "https://t.me/bookingbot_test?start=unpaid",
        "idempotency_key": f"checkout-{uuid.uuid4()}",
        "payment_methods": account.payment_methods(currency),
        "locale": "pt_BR",
    }
    fields.update(changes)
    return CheckoutRequest(**fields)  # type: ignore[arg-type]


async def paid_session(gateway: StripeGateway, fake: FakeStripe) -> tuple[str, str, uuid.UUID]:
    account = await onboarded_account(gateway, fake)
    request = checkout_request(account)
    session = await gateway.create_checkout(request)
    await fake.complete(session.id, method="card")
    paid = await gateway.retrieve_checkout(account_id=account.id, session_id=session.id)
    assert paid.payment_intent_id is not None
    return account.id, paid.payment_intent_id, request.appointment_id
