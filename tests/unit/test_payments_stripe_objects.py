"""Stripe objects read into the core's records, from the shapes of Stripe's API reference.

The literals below are Stripe's own example objects, trimmed, from stripe/openapi
`openapi/fixtures3.json` (the fixtures stripe-mock serves), so the readers are checked
against Stripe's shapes and not only against our fake's.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from core.payments.stripe_objects import (
    CheckoutSession,
    ConnectedAccount,
    Refund,
    WebhookEvent,
    payment_methods_for,
)

APPOINTMENT = uuid.UUID("7b0f4e8e-1d1c-4c57-9a55-0f5a4e7c2b11")

# fixtures3.json resources["checkout.session"], with our metadata and an amount.
SESSION: dict[str, Any] = {
    "after_expiration": {"recovery": {"allow_promotion_codes": True, "enabled": True}},
    "amount_subtotal": 15000,
    "amount_total": 15000,
    "cancel_url": "https://example.com/cancel",
    "client_reference_id": str(APPOINTMENT),
    "created": 1234567890,
    "currency": "brl",
    "customer": None,
    "customer_details": {"email": "example@example.com", "name": None, "phone": None},
    "expires_at": 1234567890,
    "id": "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY",
    "livemode": False,
    "metadata": {"appointment_id": str(APPOINTMENT)},
    "mode": "payment",
    "object": "checkout.session",
    "payment_intent": "pi_1PgafyB7WZ01zgkWSjxsAJo3",
    "payment_method_types": ["card"],
    "payment_status": "unpaid",
    "status": "open",
    "success_url": "https://example.com/success",
    "url": "https://checkout.stripe.com/pay/c/cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY",
}

# fixtures3.json resources["account"].
ACCOUNT: dict[str, Any] = {
    "business_type": None,
    "capabilities": {"card_payments": "active", "transfers": "active"},
    "charges_enabled": False,
    "controller": {"type": "account"},
    "country": "US",
    "created": 1234567890,
    "default_currency": "usd",
    "details_submitted": False,
    "email": "site@stripe.com",
    "id": "acct_1PgafTB7WZ01zgkW",
    "metadata": {},
    "object": "account",
    "payouts_enabled": False,
    "requirements": {
        "currently_due": ["external_account", "tos_acceptance.date"],
        "disabled_reason": "requirements.past_due",
    },
    "type": "standard",
}

# fixtures3.json resources["refund"].
REFUND: dict[str, Any] = {
    "amount": 100,
    "balance_transaction": None,
    "charge": "ch_1PgafuB7WZ01zgkWXYmPNZs8",
    "created": 1234567890,
    "currency": "usd",
    "destination_details": {"card": {"type": "reversal"}, "type": "card"},
    "id": "re_1Pgc72B7WZ01zgkWqPvrRrPE",
    "metadata": {},
    "object": "refund",
    "payment_intent": None,
    "reason": None,
    "status": "succeeded",
}


def _event(type: str, obj: dict[str, Any], account: str | None) -> dict[str, Any]:
    # fixtures3.json resources["event"], carrying `obj` (a Connect event has `account`).
    event = {
        "api_version": None,
        "created": 1234567890,
        "data": {"object": obj},
        "id": "evt_1Pgc76B7WZ01zgkWwyRHS12y",
        "livemode": False,
        "object": "event",
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": type,
    }
    if account:
        event["account"] = account
    return event


def test_stripes_example_session_reads_as_an_open_unpaid_page_for_our_appointment() -> None:
    session = CheckoutSession.from_object(SESSION, "acct_1PgafTB7WZ01zgkW")
    assert (session.status, session.paid) == ("open", False)
    assert (session.amount_total, session.currency) == (15000, "BRL")
    assert session.appointment_id == APPOINTMENT
    assert session.expires_at == datetime(2009, 2, 13, 23, 31, 30, tzinfo=UTC)
    assert session.payment_intent_id == "pi_1PgafyB7WZ01zgkWSjxsAJo3"


def test_a_session_in_a_zero_decimal_currency_keeps_its_amount() -> None:
    session = CheckoutSession.from_object(SESSION | {"currency": "jpy", "amount_total": 5000}, None)
    assert (session.amount_total, session.currency) == (5000, "JPY")


def test_a_session_whose_metadata_is_not_ours_has_no_appointment() -> None:
    for metadata in ({}, {"appointment_id": "not-a-uuid"}, None):
        assert (
            CheckoutSession.from_object(SESSION | {"metadata": metadata}, None).appointment_id
            is None
        )


def test_stripes_example_account_is_not_ready_until_onboarding_is_done() -> None:
    account = ConnectedAccount.from_object(ACCOUNT)
    assert not account.ready
    assert (account.country, account.default_currency) == ("US", "USD")
    assert account.disabled_reason == "requirements.past_due"
    ready = ConnectedAccount.from_object(
        ACCOUNT | {"charges_enabled": True, "details_submitted": True}
    )
    assert ready.ready


def test_stripes_example_refund_reads_in_minor_units() -> None:
    refund = Refund.from_object(REFUND)
    assert (refund.id, refund.amount, refund.currency, refund.status) == (
        "re_1Pgc72B7WZ01zgkWqPvrRrPE",
        100,
        "USD",
        "succeeded",
    )


def test_a_connect_event_names_the_account_and_carries_its_object() -> None:
    event = WebhookEvent.from_payload(
        _event("checkout.session.completed", SESSION | {"payment_status": "paid"}, "acct_1")
    )
    assert (event.id, event.account) == ("evt_1Pgc76B7WZ01zgkWwyRHS12y", "acct_1")
    session = event.checkout_session()
    assert session is not None and session.paid and session.account_id == "acct_1"
    assert event.connected_account() is None


def test_account_updated_reads_the_account_and_other_events_read_nothing() -> None:
    event = WebhookEvent.from_payload(_event("account.updated", ACCOUNT, ACCOUNT["id"]))
    assert event.connected_account() == ConnectedAccount.from_object(ACCOUNT)
    other = WebhookEvent.from_payload(_event("charge.refunded", REFUND, None))
    assert other.checkout_session() is None and other.connected_account() is None


def test_an_object_of_another_kind_is_not_read_as_a_session() -> None:
    with pytest.raises(ValueError):
        CheckoutSession.from_object(REFUND, None)


@pytest.mark.parametrize(
    ("country", "currency", "methods"),
    [
        ("BR", "BRL", ("card", "pix")),
        ("br", "brl", ("card", "pix")),
        ("BR", "USD", ("card",)),
        ("US", "BRL", ("card",)),
        (None, "BRL", ("card",)),
    ],
)
def test_pix_is_offered_only_by_a_brazilian_account_charging_reais(
    country: str | None, currency: str, methods: tuple[str, ...]
) -> None:
    assert payment_methods_for(country, currency) == methods
