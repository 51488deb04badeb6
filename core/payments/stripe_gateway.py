"""The one place that talks to Stripe: Connect accounts, Checkout Sessions, refunds, webhooks.

Each professional connects their own Stripe account and every charge is a *direct charge*
on it (`stripe_account=`): the money, the dashboard, disputes and refunds are theirs,
never pooled with the platform's. Accounts are created with the controller settings
Stripe calls "Standard" (full Stripe Dashboard, the account pays Stripe's fees, Stripe
owns negative-balance losses and collects the requirements) rather than Express: a
solo professional taking their own clients' money should hold the account outright,
and the platform then carries no per-account fees or loss liability. Express fits
destination charges, where the platform is the merchant, which is not our model.

Every create carries an idempotency key, so a retry after a timeout never charges or
refunds twice. A Stripe failure becomes a domain error: `CardDeclined` for a card,
`AmountTooSmall`/`AlreadyRefunded` where the request cannot succeed, and
`PaymentsUnavailable` ("try again") for the rest, with the cause in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from stripe.params import AccountCreateParams, AccountLinkCreateParams, RefundCreateParams
from stripe.params.checkout import SessionCreateParams, SessionCreateParamsPaymentIntentData

from core.clock import Clock, system_clock
from core.config import Settings
from core.errors import DomainError
from core.payments.errors import (
    AlreadyRefunded,
    AmountTooSmall,
    CardDeclined,
    PaymentAccountNotReady,
    PaymentsUnavailable,
)
from core.payments.holds import CARD_HOLD_MAX, CARD_HOLD_MIN
from core.payments.money import RefundCause, platform_fee, to_stripe
from core.payments.stripe_objects import (
    CheckoutRequest,
    CheckoutSession,
    ConnectedAccount,
    OnboardingLink,
    Refund,
    WebhookEvent,
)

__all__ = ["StripeGateway", "WebhookRejected", "gateway_from_settings", "stripe_errors"]

log = logging.getLogger(__name__)

# Checkout's own languages for ours; anything else lets Stripe pick from the browser.
_CHECKOUT_LOCALES = {"pt_BR": "pt-BR", "es": "es", "en": "en"}
_REFUND_REASONS = {RefundCause.client_cancelled: "requested_by_customer"}


class WebhookRejected(Exception):
    """A webhook whose signature, age or body does not hold up (answer 400)."""


def _stripe_error(err: stripe.StripeError, action: str, currency: str | None = None) -> DomainError:
    """The domain error a Stripe failure means for the person who asked."""
    if isinstance(err, stripe.CardError):
        log.info("stripe %s: card declined (%s)", action, err.code)
        error = getattr(err, "error", None)
        return CardDeclined(code=err.code, decline_code=getattr(error, "decline_code", None))
    if isinstance(err, stripe.InvalidRequestError):
        if err.code == "amount_too_small":
            return AmountTooSmall(field="amount", currency=currency)
        if err.code == "charge_already_refunded":
            return AlreadyRefunded()
    # Not every error class copies the body's code onto the exception (403s do not).
    code = err.code or getattr(getattr(err, "error", None), "code", None)
    if code == "account_invalid":
        # The professional disconnected the platform, or the account is gone (403).
        log.warning("stripe %s: account unreachable: %s", action, err.user_message)
        return PaymentAccountNotReady()
    if isinstance(err, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        # Stripe down, slow or overloaded: transient, the hold stays and the client retries.
        log.warning("stripe %s failed: %s", action, err, exc_info=err)
    else:
        # A request Stripe refuses (bad key, bad parameter, idempotency key reused with
        # other parameters) is our bug or our configuration: loud in the log.
        log.error("stripe %s refused: %s", action, err, exc_info=err)
    return PaymentsUnavailable()


@contextmanager
def stripe_errors(action: str, currency: str | None = None) -> Iterator[None]:
    """Turn a Stripe failure inside the block into its domain error (logged)."""
    try:
        yield
    except stripe.StripeError as err:
        raise _stripe_error(err, action, currency) from err


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class StripeGateway:
    """Stripe for the core, over the official library's `StripeClient` (async calls)."""

    def __init__(
        self,
        secret_key: str,
        *,
        webhook_secret: str | None,
        api_base: str | None = None,
        platform_fee_percent: Decimal | int = 0,
        clock: Clock = system_clock,
        max_network_retries: int = 2,
        timeout: float = 20,
    ) -> None:
        self._http = stripe.AIOHTTPClient(timeout=timeout)
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base, "connect": api_base} if api_base else None,
            http_client=self._http,
            max_network_retries=max_network_retries,
        )
        self._webhook_secret = webhook_secret
        self._fee_percent = Decimal(platform_fee_percent)
        self._clock = clock

    async def close(self) -> None:
        """Close the HTTP session (once per process, at shutdown)."""
        await self._http.close_async()

    # --- Connect accounts -----------------------------------------------------------

    async def create_account(
        self,
        *,
        professional_id: object,
        idempotency_key: str,
        email: str | None = None,
        country: str | None = None,
    ) -> ConnectedAccount:
        """Create the professional's own ("Standard") Stripe account, to be onboarded."""
        params: AccountCreateParams = {
            "controller": {
                "stripe_dashboard": {"type": "full"},
                "fees": {"payer": "account"},
                "losses": {"payments": "stripe"},
                "requirement_collection": "stripe",
            },
            "metadata": {"professional_id": str(professional_id)},
        }
        if email:
            params["email"] = email
        if country:
            params["country"] = country.upper()
        with stripe_errors("account create"):
            account = await self.client.v1.accounts.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        return ConnectedAccount.from_object(_as_dict(account))

    async def onboarding_link(
        self, *, account_id: str, refresh_url: str, return_url: str, idempotency_key: str
    ) -> OnboardingLink:
        """A one-time Account Link that opens Stripe's onboarding for `account_id`."""
        params: AccountLinkCreateParams = {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        with stripe_errors("account link"):
            link = await self.client.v1.account_links.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        return OnboardingLink(url=link.url, expires_at=datetime.fromtimestamp(link.expires_at, UTC))

    async def retrieve_account(self, account_id: str) -> ConnectedAccount:
        """The account's current state (can it charge? which country and currency?)."""
        with stripe_errors("account retrieve"):
            account = await self.client.v1.accounts.retrieve_async(account_id)
        return ConnectedAccount.from_object(_as_dict(account))

    # --- Checkout Sessions ----------------------------------------------------------

    def checkout_params(self, request: CheckoutRequest) -> SessionCreateParams:
        """The Checkout Session parameters for `request` (a direct charge on its account)."""
        now = self._clock()
        ahead = request.expires_at - now
        if not CARD_HOLD_MIN <= ahead <= CARD_HOLD_MAX:
            raise ValueError(f"expires_at must be 30 min to 24 h ahead, not {ahead}")
        currency = request.currency.lower()
        amount = to_stripe(request.amount, request.currency)
        metadata = {"appointment_id": str(request.appointment_id)}
        intent: SessionCreateParamsPaymentIntentData = {
            "metadata": metadata,
            "description": request.description[:1000],
        }
        fee = platform_fee(request.amount, self._fee_percent, request.currency)
        if fee:
            intent["application_fee_amount"] = to_stripe(fee, request.currency)
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": amount,
                        "product_data": {"name": request.description[:250]},
                    },
                }
            ],
            "allowed_payment_method_types": list(request.payment_methods),
            "expires_at": int(request.expires_at.timestamp()),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": str(request.appointment_id),
            "metadata": metadata,
            "payment_intent_data": intent,
            "locale": _CHECKOUT_LOCALES.get(request.locale or "", "auto"),
        }
        if "pix" in request.payment_methods:
            # The Pix code itself must not outlive the hold.
            params["payment_method_options"] = {
                "pix": {"expires_after_seconds": max(10, int(ahead.total_seconds()))}
            }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        return params

    async def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Open a hosted payment page on the professional's account, expiring with the hold."""
        params = self.checkout_params(request)
        with stripe_errors("checkout create", request.currency.upper()):
            session = await self.client.v1.checkout.sessions.create_async(
                params,
                {"stripe_account": request.account_id, "idempotency_key": request.idempotency_key},
            )
        return CheckoutSession.from_object(_as_dict(session), request.account_id)

    async def retrieve_checkout(self, *, account_id: str, session_id: str) -> CheckoutSession:
        """A session's current state (the reconciliation job's question)."""
        with stripe_errors("checkout retrieve"):
            session = await self.client.v1.checkout.sessions.retrieve_async(
                session_id, options={"stripe_account": account_id}
            )
        return CheckoutSession.from_object(_as_dict(session), account_id)

    async def expire_checkout(self, *, account_id: str, session_id: str) -> CheckoutSession:
        """Close an open session so nobody pays a released hold; returns its final state.

        A session that completed meanwhile cannot be expired: its state comes back
        instead (`paid` tells the caller the money arrived after all).
        """
        try:
            session = await self.client.v1.checkout.sessions.expire_async(
                session_id, options={"stripe_account": account_id}
            )
        except stripe.InvalidRequestError as err:
            current = await self.retrieve_checkout(account_id=account_id, session_id=session_id)
            if current.status != "open":
                return current
            raise _stripe_error(err, "checkout expire") from err
        except stripe.StripeError as err:
            raise _stripe_error(err, "checkout expire") from err
        return CheckoutSession.from_object(_as_dict(session), account_id)

    # --- refunds --------------------------------------------------------------------

    async def refund(
        self,
        *,
        account_id: str,
        payment_intent_id: str,
        amount: int,
        currency: str,
        cause: RefundCause,
        appointment_id: object,
        idempotency_key: str,
    ) -> Refund:
        """Refund `amount` (minor units) of a payment on the professional's account."""
        if amount <= 0:
            raise ValueError(f"a refund must be positive, not {amount}")
        params: RefundCreateParams = {
            "payment_intent": payment_intent_id,
            "amount": to_stripe(amount, currency),
            "metadata": {"appointment_id": str(appointment_id), "cause": str(cause)},
            # The platform gives its fee back in proportion: the client's refund should
            # not cost the professional the platform's cut.
            "refund_application_fee": True,
        }
        reason = _REFUND_REASONS.get(cause)
        if reason:
            params["reason"] = reason
        with stripe_errors("refund", currency.upper()):
            refund = await self.client.v1.refunds.create_async(
                params, {"stripe_account": account_id, "idempotency_key": idempotency_key}
            )
        return Refund.from_object(_as_dict(refund))

    # --- webhooks -------------------------------------------------------------------

    def parse_webhook(self, payload: bytes | str, signature: str | None) -> WebhookEvent:
        """Verify a webhook's `Stripe-Signature` (HMAC, 5 min tolerance) and read it."""
        if not self._webhook_secret:
            raise WebhookRejected("STRIPE_WEBHOOK_SECRET is not set")
        try:
            event = self.client.construct_event(payload, signature, self._webhook_secret)
        except stripe.SignatureVerificationError as err:
            raise WebhookRejected(f"bad signature: {err.user_message or err}") from err
        except ValueError as err:
            raise WebhookRejected(f"not an event: {err}") from err
        try:
            return WebhookEvent.from_payload(_as_dict(event))
        except (KeyError, TypeError, ValueError) as err:
            raise WebhookRejected(f"not an event: {err}") from err


def gateway_from_settings(
    settings: Settings, *, clock: Clock = system_clock
) -> StripeGateway | None:
    """The gateway the settings describe, or None when STRIPE_SECRET_KEY is unset."""
    if not settings.stripe_secret_key:
        return None
    return StripeGateway(
        settings.stripe_secret_key,
        webhook_secret=settings.stripe_webhook_secret,
        api_base=settings.stripe_api_base,
        platform_fee_percent=settings.platform_fee_percent,
        clock=clock,
    )
