"""What the core keeps of Stripe's objects: small frozen records read from their JSON.

Parsed from plain mappings (a webhook's `data.object`, or an API answer's `to_dict()`),
so the same reader serves both and tests need no network. Amounts come back in our
minor units (`money.from_stripe`); currency codes uppercase, as the rest of the core.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.payments.money import from_stripe

__all__ = [
    "CHECKOUT_EVENTS",
    "CheckoutRequest",
    "CheckoutSession",
    "ConnectedAccount",
    "OnboardingLink",
    "Refund",
    "WebhookEvent",
    "payment_methods_for",
]

# The checkout.session events that move a held booking.
CHECKOUT_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)


def _instant(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value is not None else None


def _upper(value: Any) -> str | None:
    return str(value).upper() if value else None


def _appointment_id(metadata: Any) -> uuid.UUID | None:
    raw = (metadata or {}).get("appointment_id") if isinstance(metadata, Mapping) else None
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def payment_methods_for(country: str | None, currency: str) -> tuple[str, ...]:
    """The methods a Checkout Session offers: cards, and Pix for a Brazilian account in BRL.

    Sent as `allowed_payment_method_types`, a filter on what Stripe finds eligible for
    the account, so Pix shows only once the account has it enabled.
    """
    if (country or "").upper() == "BR" and currency.upper() == "BRL":
        return ("card", "pix")
    return ("card",)


@dataclass(frozen=True)
class ConnectedAccount:
    """A professional's own Stripe account, as `account.updated` or a retrieve tells it."""

    id: str
    charges_enabled: bool
    details_submitted: bool
    payouts_enabled: bool
    country: str | None
    default_currency: str | None
    disabled_reason: str | None = None
    currently_due: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """Whether clients can pay this account now."""
        return self.charges_enabled and self.details_submitted

    def payment_methods(self, currency: str) -> tuple[str, ...]:
        """The methods a Checkout Session on this account offers in `currency`."""
        return payment_methods_for(self.country, currency)

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> ConnectedAccount:
        """Read an `account` object."""
        if obj.get("object") != "account":
            raise ValueError(f"not an account: {obj.get('object')!r}")
        requirements = obj.get("requirements") or {}
        return cls(
            id=str(obj["id"]),
            charges_enabled=bool(obj.get("charges_enabled")),
            details_submitted=bool(obj.get("details_submitted")),
            payouts_enabled=bool(obj.get("payouts_enabled")),
            country=_upper(obj.get("country")),
            default_currency=_upper(obj.get("default_currency")),
            disabled_reason=requirements.get("disabled_reason"),
            currently_due=tuple(requirements.get("currently_due") or ()),
        )


@dataclass(frozen=True)
class OnboardingLink:
    """A one-time Account Link: open `url` before `expires_at` (a few minutes)."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class CheckoutRequest:
    """A hosted payment page for one appointment, on the professional's account."""

    account_id: str
    appointment_id: uuid.UUID
    amount: int  # minor units of `currency`
    currency: str
    description: str  # the line the client sees, already in their language
    expires_at: datetime  # the hold's end: 30 min to 24 h ahead (holds.checkout_expiry)
    success_url: str
    cancel_url: str
    idempotency_key: str
    payment_methods: Sequence[str] = ("card",)
    locale: str | None = None  # the bot's locale code ("pt_BR", "es", "en")
    customer_email: str | None = None


@dataclass(frozen=True)
class CheckoutSession:
    """A Checkout Session: its page, its state and what it charged."""

    id: str
    account_id: str | None
    url: str | None
    status: str  # open, complete, expired
    payment_status: str  # paid, unpaid, no_payment_required
    amount_total: int | None
    currency: str | None
    expires_at: datetime | None
    created: datetime | None
    payment_intent_id: str | None
    appointment_id: uuid.UUID | None
    payment_method_types: tuple[str, ...] = ()
    livemode: bool = False

    @property
    def paid(self) -> bool:
        """Whether the money is in (for Pix, only after async_payment_succeeded)."""
        return self.payment_status == "paid"

    @classmethod
    def from_object(cls, obj: Mapping[str, Any], account_id: str | None) -> CheckoutSession:
        """Read a `checkout.session` object of connected account `account_id`."""
        if obj.get("object") != "checkout.session":
            raise ValueError(f"not a checkout session: {obj.get('object')!r}")
        currency = _upper(obj.get("currency"))
        total = obj.get("amount_total")
        intent = obj.get("payment_intent")
        if isinstance(intent, Mapping):  # expanded
            intent = intent.get("id")
        return cls(
            id=str(obj["id"]),
            account_id=account_id,
            url=obj.get("url"),
            status=str(obj.get("status")),
            payment_status=str(obj.get("payment_status")),
            amount_total=from_stripe(int(total), currency)
            if total is not None and currency
            else None,
            currency=currency,
            expires_at=_instant(obj.get("expires_at")),
            created=_instant(obj.get("created")),
            payment_intent_id=str(intent) if intent else None,
            appointment_id=_appointment_id(obj.get("metadata")),
            payment_method_types=tuple(obj.get("payment_method_types") or ()),
            livemode=bool(obj.get("livemode")),
        )


@dataclass(frozen=True)
class Refund:
    """A refund on a connected account; `status` may be pending for Pix."""

    id: str
    amount: int
    currency: str
    status: str  # pending, requires_action, succeeded, failed, canceled
    payment_intent_id: str | None
    appointment_id: uuid.UUID | None

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> Refund:
        """Read a `refund` object."""
        if obj.get("object") != "refund":
            raise ValueError(f"not a refund: {obj.get('object')!r}")
        currency = str(obj["currency"]).upper()
        return cls(
            id=str(obj["id"]),
            amount=from_stripe(int(obj["amount"]), currency),
            currency=currency,
            status=str(obj.get("status")),
            payment_intent_id=obj.get("payment_intent"),
            appointment_id=_appointment_id(obj.get("metadata")),
        )


@dataclass(frozen=True)
class WebhookEvent:
    """A verified Stripe event; `account` is the connected account it happened on."""

    id: str
    type: str
    account: str | None
    created: datetime
    livemode: bool
    object: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_payload(cls, event: Mapping[str, Any]) -> WebhookEvent:
        """Read an `event` object (already verified)."""
        if event.get("object") != "event":
            raise ValueError(f"not an event: {event.get('object')!r}")
        return cls(
            id=str(event["id"]),
            type=str(event["type"]),
            account=event.get("account"),
            created=datetime.fromtimestamp(int(event["created"]), UTC),
            livemode=bool(event.get("livemode")),
            object=(event.get("data") or {}).get("object") or {},
        )

    def checkout_session(self) -> CheckoutSession | None:
        """The session a checkout.session.* event is about, else None."""
        if self.type not in CHECKOUT_EVENTS:
            return None
        return CheckoutSession.from_object(self.object, self.account)

    def connected_account(self) -> ConnectedAccount | None:
        """The account an account.updated event is about, else None."""
        if self.type != "account.updated":
            return None
        return ConnectedAccount.from_object(self.object)
