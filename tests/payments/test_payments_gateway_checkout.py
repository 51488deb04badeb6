"""The Stripe gateway against the fake: Connect accounts and Checkout Sessions."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from core.payments.errors import (
    AmountTooSmall,
    PaymentAccountNotReady,
    PaymentsUnavailable,
)
from core.payments.stripe_gateway import StripeGateway
from core.payments.stripe_objects import ConnectedAccount
from tests.payments.fake_stripe import FakeStripe
from tests.payments.gateway_support import Inbox, checkout_request, make_gateway, onboarded_account

# --- Connect accounts ---------------------------------------------------------------------


async def test_a_professional_gets_their_own_standard_account_and_an_onboarding_link(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await gateway.create_account(
        professional_id=uuid.uuid4(),
        idempotency_key="acct-1",
        email="ana@example.com",
        country="br",
    )
    assert account.id.startswith("acct_")
    assert (account.country, account.default_currency, account.ready) == ("BR", "BRL", False)
    sent = fake_stripe.requests[-1]
    assert sent.form["controller"]["stripe_dashboard"] == {"type": "full"}
    assert sent.form["controller"]["fees"] == {"payer": "account"}
    assert fake_stripe.accounts[account.id]["type"] == "standard"

    link = await gateway.onboarding_link(
        account_id=account.id,
        refresh_url="https://bot.example.com/stripe/connect/refresh",
        return_url="https://bot.example.com/stripe/connect/return",
        idempotency_key="link-1",
    )
    assert link.url.startswith("https://connect.stripe.com/setup/s/" + account.id)
    assert timedelta(minutes=1) < link.expires_at - datetime.now(UTC) <= timedelta(minutes=5)


async def test_creating_an_account_twice_with_one_key_makes_one_account(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    pro = uuid.uuid4()
    first = await gateway.create_account(professional_id=pro, idempotency_key="acct-same")
    second = await gateway.create_account(professional_id=pro, idempotency_key="acct-same")
    assert first.id == second.id
    assert len(fake_stripe.accounts) == 1


async def test_finished_onboarding_arrives_as_a_signed_account_updated_event(
    gateway: StripeGateway, fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    account = await gateway.create_account(professional_id=uuid.uuid4(), idempotency_key="a")
    await fake_stripe.onboard(account.id, webhook_url=webhook_inbox.url)
    [(body, signature)] = webhook_inbox.received
    event = gateway.parse_webhook(body, signature)
    assert (event.type, event.account) == ("account.updated", account.id)
    status = event.connected_account()
    assert status is not None and status.ready and status.charges_enabled


# --- Checkout Sessions --------------------------------------------------------------------


async def test_a_checkout_session_is_a_direct_charge_on_the_professionals_account(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe, "BR")
    request = checkout_request(account)
    session = await gateway.create_checkout(request)

    assert session.id.startswith("cs_test_") and session.url and session.status == "open"
    assert (session.amount_total, session.currency) == (6000, "BRL")
    assert session.expires_at == request.expires_at
    assert session.appointment_id == request.appointment_id
    assert session.payment_method_types == ("card", "pix")
    sent = fake_stripe.requests[-1]
    assert (sent.account, sent.idempotency_key) == (account.id, request.idempotency_key)
    assert sent.form["line_items"][0]["price_data"]["unit_amount"] == "6000"
    # 2.5% of R$ 60,00 is R$ 1,50 for the platform.
    assert sent.form["payment_intent_data"]["application_fee_amount"] == "150"
    assert sent.form["payment_intent_data"]["metadata"] == {
        "appointment_id": str(request.appointment_id)
    }
    assert sent.form["locale"] == "pt-BR"
    pix_seconds = int(sent.form["payment_method_options"]["pix"]["expires_after_seconds"])
    assert abs(pix_seconds - (request.expires_at - datetime.now(UTC)).total_seconds()) < 60


async def test_an_account_outside_brazil_is_offered_cards_only(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe, "ES")
    session = await gateway.create_checkout(checkout_request(account))
    assert session.currency == "EUR"
    assert session.payment_method_types == ("card",)
    assert "payment_method_options" not in fake_stripe.requests[-1].form


async def test_yen_go_to_stripe_in_whole_units_and_come_back_the_same(
    fake_stripe: FakeStripe,
) -> None:
    gateway = make_gateway(fake_stripe.url)
    try:
        account = await onboarded_account(gateway, fake_stripe, "JP")
        session = await gateway.create_checkout(checkout_request(account, amount=5000))
        assert fake_stripe.requests[-1].form["line_items"][0]["price_data"]["unit_amount"] == "5000"
        assert "application_fee_amount" not in fake_stripe.requests[-1].form["payment_intent_data"]
        assert (session.amount_total, session.currency) == (5000, "JPY")
    finally:
        await gateway.close()


async def test_icelandic_kronur_go_to_stripe_with_two_zero_decimals(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe, "US")
    session = await gateway.create_checkout(checkout_request(account, amount=9900, currency="ISK"))
    assert fake_stripe.requests[-1].form["line_items"][0]["price_data"]["unit_amount"] == "990000"
    assert session.amount_total == 9900


async def test_the_same_checkout_key_twice_opens_one_session(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    request = checkout_request(account)
    first = await gateway.create_checkout(request)
    again = await gateway.create_checkout(request)
    assert first.id == again.id
    assert len(fake_stripe.sessions) == 1


async def test_a_key_reused_with_other_parameters_is_refused_and_logged(
    gateway: StripeGateway, fake_stripe: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    request = checkout_request(account)
    await gateway.create_checkout(request)
    changed = checkout_request(account, idempotency_key=request.idempotency_key, amount=7000)
    with caplog.at_level(logging.ERROR), pytest.raises(PaymentsUnavailable):
        await gateway.create_checkout(changed)
    assert "idempotent" in caplog.text
    assert len(fake_stripe.sessions) == 1


async def test_an_amount_below_stripes_minimum_is_too_small_not_an_outage(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    with pytest.raises(AmountTooSmall) as caught:
        await gateway.create_checkout(checkout_request(account, amount=30))
    assert caught.value.params["currency"] == "BRL"


async def test_a_hold_outside_stripes_window_is_refused_before_anycheckout_request(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    sent = len(fake_stripe.requests)
    with pytest.raises(ValueError, match="30 min to 24 h"):
        await gateway.create_checkout(
            checkout_request(account, expires_at=datetime.now(UTC) + timedelta(minutes=10))
        )
    assert len(fake_stripe.requests) == sent


async def test_an_account_the_platform_cannot_reach_is_not_ready(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    gone = ConnectedAccount(**{**account.__dict__, "id": "acct_revoked0000000"})
    with pytest.raises(PaymentAccountNotReady):
        await gateway.create_checkout(checkout_request(gone))


async def test_a_card_payment_reads_back_as_paid_from_its_webhook_and_from_stripe(
    gateway: StripeGateway, fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    request = checkout_request(account)
    session = await gateway.create_checkout(request)
    await fake_stripe.complete(session.id, method="card", webhook_url=webhook_inbox.url)

    [(body, signature)] = webhook_inbox.received
    event = gateway.parse_webhook(body, signature)
    paid = event.checkout_session()
    assert event.type == "checkout.session.completed" and event.account == account.id
    assert paid is not None and paid.paid and paid.appointment_id == request.appointment_id
    assert paid.payment_intent_id and paid.payment_intent_id.startswith("pi_")
    # The reconciliation job's view: the same, asked of Stripe.
    again = await gateway.retrieve_checkout(account_id=account.id, session_id=session.id)
    assert (again.status, again.paid, again.payment_intent_id) == (
        "complete",
        True,
        paid.payment_intent_id,
    )


async def test_a_pix_payment_is_pending_at_completion_and_paid_when_it_settles(
    gateway: StripeGateway, fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    session = await gateway.create_checkout(checkout_request(account))
    await fake_stripe.complete(session.id, method="pix", webhook_url=webhook_inbox.url)
    await fake_stripe.settle_pix(session.id, paid=True, webhook_url=webhook_inbox.url)

    events = [gateway.parse_webhook(body, sig) for body, sig in webhook_inbox.received]
    assert [e.type for e in events] == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]
    completed, settled = (e.checkout_session() for e in events)
    assert completed is not None and not completed.paid
    assert settled is not None and settled.paid and settled.payment_intent_id


async def test_a_pix_that_never_arrives_ends_in_async_payment_failed(
    gateway: StripeGateway, fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    session = await gateway.create_checkout(checkout_request(account))
    await fake_stripe.complete(session.id, method="pix")
    await fake_stripe.settle_pix(session.id, paid=False, webhook_url=webhook_inbox.url)
    [(body, signature)] = webhook_inbox.received
    event = gateway.parse_webhook(body, signature)
    failed = event.checkout_session()
    assert event.type == "checkout.session.async_payment_failed"
    assert failed is not None and not failed.paid and failed.payment_intent_id is None


async def test_expiring_an_open_session_closes_it(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    session = await gateway.create_checkout(checkout_request(account))
    expired = await gateway.expire_checkout(account_id=account.id, session_id=session.id)
    assert (expired.status, expired.paid) == ("expired", False)
    assert fake_stripe.events[-1]["type"] == "checkout.session.expired"


async def test_expiring_a_session_paid_meanwhile_tells_the_caller_it_was_paid(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account = await onboarded_account(gateway, fake_stripe)
    session = await gateway.create_checkout(checkout_request(account))
    await fake_stripe.complete(session.id, method="card")
    final = await gateway.expire_checkout(account_id=account.id, session_id=session.id)
    assert (final.status, final.paid) == ("complete", True)
