"""The Stripe gateway's refunds, webhooks and failures, against the fake and localstripe
(PaymentIntents, refunds, card declines, and webhooks it signs itself)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import aiohttp
import pytest

from core.payments.errors import (
    AlreadyRefunded,
    CardDeclined,
    PaymentsUnavailable,
)
from core.payments.money import RefundCause
from core.payments.stripe_gateway import StripeGateway, WebhookRejected, stripe_errors
from tests.payments.fake_stripe import API_KEY, FakeStripe
from tests.payments.gateway_support import (
    Inbox,
    checkout_request,
    make_gateway,
    onboarded_account,
    paid_session,
)

# --- refunds ------------------------------------------------------------------------------


async def test_a_refund_is_made_once_per_key_on_the_connected_account(
    gateway: StripeGateway, fake_stripe: FakeStripe, localstripe_url: str
) -> None:
    account_id, intent_id, appointment = await paid_session(gateway, fake_stripe)
    args = {
        "account_id": account_id,
        "payment_intent_id": intent_id,
        "amount": 3600,
        "currency": "BRL",
        "cause": RefundCause.client_cancelled,
        "appointment_id": appointment,
        "idempotency_key": f"refund-{appointment}-1",
    }
    first = await gateway.refund(**args)  # type: ignore[arg-type]
    retried = await gateway.refund(**args)  # type: ignore[arg-type]
    assert first.id == retried.id and first.id.startswith("re_")
    assert (first.amount, first.currency, first.status) == (3600, "BRL", "succeeded")
    assert first.appointment_id == appointment
    assert fake_stripe.requests[-1].account == account_id
    assert fake_stripe.requests[-1].form["reason"] == "requested_by_customer"
    # localstripe holds the money: one refund of R$ 36,00 against the charge.
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {API_KEY}"}) as http:
        async with http.get(f"{localstripe_url}/v1/refunds?payment_intent={intent_id}") as r:
            refunds = (await r.json())["data"]
    assert [r["amount"] for r in refunds] == [3600]


async def test_refunding_what_is_already_refunded_says_so(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    account_id, intent_id, appointment = await paid_session(gateway, fake_stripe)
    for n, amount in enumerate((3600, 2400)):
        await gateway.refund(
            account_id=account_id,
            payment_intent_id=intent_id,
            amount=amount,
            currency="BRL",
            cause=RefundCause.professional_cancelled,
            appointment_id=appointment,
            idempotency_key=f"refund-{appointment}-{n}",
        )
    with pytest.raises(AlreadyRefunded):
        await gateway.refund(
            account_id=account_id,
            payment_intent_id=intent_id,
            amount=100,
            currency="BRL",
            cause=RefundCause.professional_cancelled,
            appointment_id=appointment,
            idempotency_key=f"refund-{appointment}-again",
        )


# --- webhooks -----------------------------------------------------------------------------


async def _one_signed_event(fake: FakeStripe, inbox: Inbox, **deliver: int) -> tuple[bytes, str]:
    event = fake.event(
        "checkout.session.expired", {"object": "checkout.session", "id": "cs_x"}, None
    )
    await fake.deliver(event, inbox.url, **deliver)
    body, signature = inbox.received[-1]
    assert signature is not None
    return body, signature


async def test_a_forged_signature_is_refused(
    gateway: StripeGateway, fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    body, signature = await _one_signed_event(fake_stripe, webhook_inbox)
    forged = signature.split(",v1=")[0] + ",v1=" + "0" * 64
    with pytest.raises(WebhookRejected):
        gateway.parse_webhook(body, forged)
    with pytest.raises(WebhookRejected):
        gateway.parse_webhook(body, None)


async def test_a_body_changed_after_signing_is_refused(
    gateway: StripeGateway, fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    body, signature = await _one_signed_event(fake_stripe, webhook_inbox)
    with pytest.raises(WebhookRejected):
        gateway.parse_webhook(body.replace(b"cs_x", b"cs_y"), signature)


async def test_an_event_signed_ten_minutes_ago_is_refused_as_a_replay(
    gateway: StripeGateway, fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    old = int(datetime.now(UTC).timestamp()) - 600
    body, signature = await _one_signed_event(fake_stripe, webhook_inbox, timestamp=old)
    with pytest.raises(WebhookRejected):
        gateway.parse_webhook(body, signature)


async def test_an_event_signed_with_another_secret_is_refused(
    fake_stripe: FakeStripe, webhook_inbox: Inbox
) -> None:
    body, signature = await _one_signed_event(fake_stripe, webhook_inbox)
    other = make_gateway(fake_stripe.url, webhook_secret="whsec_someone_else")
    try:
        with pytest.raises(WebhookRejected):
            other.parse_webhook(body, signature)
    finally:
        await other.close()


async def test_events_signed_by_localstripe_verify_too(
    localstripe_url: str, webhook_inbox: Inbox
) -> None:
    """A second, independent signer: localstripe's own payment_intent.succeeded."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {API_KEY}"}) as http:
        # One hook id for the whole run: registering again re-points it.
        await http.post(
            f"{localstripe_url}/_config/webhooks/bookingbot-tests",
            data={
                "url": webhook_inbox.url,
                "secret": "whsec_localstripe",
                "events[]": "payment_intent.succeeded",
            },
        )
    gateway = make_gateway(localstripe_url, webhook_secret="whsec_localstripe")
    try:
        with stripe_errors("test charge"):
            intent = await gateway.client.v1.payment_intents.create_async(
                {
                    "amount": 1500,
                    "currency": "brl",
                    "payment_method": "pm_card_visa",
                    "confirm": True,
                }
            )
        # localstripe sends a second later, and other tests' payments may arrive too.
        ours = []
        for _ in range(50):
            events = [gateway.parse_webhook(body, sig) for body, sig in webhook_inbox.received]
            ours = [e for e in events if e.object.get("id") == intent.id]
            if ours:
                break
            await asyncio.sleep(0.1)
        [event] = ours
        assert (event.type, event.account) == ("payment_intent.succeeded", None)
        assert event.object["amount"] == 1500
    finally:
        await gateway.close()


# --- failures -----------------------------------------------------------------------------


async def test_a_declined_card_is_told_apart_from_an_outage(localstripe_url: str) -> None:
    gateway = make_gateway(localstripe_url)
    try:
        with pytest.raises(CardDeclined) as caught, stripe_errors("test charge"):
            await gateway.client.v1.payment_intents.create_async(
                {
                    "amount": 1500,
                    "currency": "brl",
                    "payment_method": "pm_card_chargeCustomerFail",
                    "confirm": True,
                }
            )
        assert caught.value.params["code"] == "card_declined"
    finally:
        await gateway.close()


async def test_stripe_down_is_payments_unavailable_and_a_warning_in_the_log(
    fake_stripe: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = make_gateway(fake_stripe.url, max_network_retries=1)
    try:
        account = await onboarded_account(gateway, fake_stripe)
        await fake_stripe.stop()
        with caplog.at_level(logging.WARNING), pytest.raises(PaymentsUnavailable) as caught:
            await gateway.create_checkout(checkout_request(account))
        assert caught.value.msgid == "payments.unavailable"
        assert "checkout create failed" in caplog.text
        with pytest.raises(PaymentsUnavailable):
            await gateway.retrieve_account(account.id)
    finally:
        await gateway.close()
