"""The fake's resources: Connect accounts and links, Checkout Sessions, refunds.

Mixed into `FakeStripe` (tests/payments/fake_stripe.py), which holds the state, the
middlewares and the events these handlers emit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.payments.stripe_wire import ACCOUNT, FORM, as_int, new_id, stripe_error

# Stripe's minimum charge amounts (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts)
# for the currencies the tests use.
MINIMUM_CHARGE = {"brl": 50, "usd": 50, "eur": 50, "gbp": 30, "jpy": 50}
DEFAULT_CURRENCY = {"BR": "brl", "US": "usd", "ES": "eur", "PT": "eur", "GB": "gbp", "JP": "jpy"}


@dataclass
class Intent:
    """A PaymentIntent in localstripe and the connected account it belongs to."""

    id: str
    account: str | None
    amount: int
    currency: str
    method: str
    refunded: int = 0


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without the fake's own bookkeeping keys."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


class Accounts:
    """`/v1/accounts`, `/v1/account_links`, and onboarding finished."""

    async def _create_account(self, request: web.Request) -> web.Response:
        form = request[FORM]
        country = str(form.get("country") or "US").upper()
        controller = form.get("controller") or {}
        dashboard = (controller.get("stripe_dashboard") or {}).get("type", "full")
        kind = {"full": "standard", "express": "express"}.get(dashboard, "custom")
        account_id = new_id("acct_", 16)
        self.accounts[account_id] = {
            "id": account_id,
            "object": "account",
            "type": form.get("type") or kind,
            "controller": {
                "type": "application",
                "is_controller": True,
                "stripe_dashboard": {"type": dashboard},
                "fees": {"payer": (controller.get("fees") or {}).get("payer", "account")},
                "losses": {"payments": (controller.get("losses") or {}).get("payments", "stripe")},
                "requirement_collection": controller.get("requirement_collection", "stripe"),
            },
            "business_type": None,
            "capabilities": {},
            "charges_enabled": False,
            "details_submitted": False,
            "payouts_enabled": False,
            "country": country,
            "default_currency": DEFAULT_CURRENCY.get(country, "usd"),
            "email": form.get("email"),
            "metadata": form.get("metadata") or {},
            "created": int(time.time()),
            "requirements": {
                "alternatives": [],
                "current_deadline": None,
                "currently_due": ["external_account", "tos_acceptance.date", "tos_acceptance.ip"],
                "disabled_reason": "requirements.past_due",
                "errors": [],
                "eventually_due": ["external_account"],
                "past_due": ["external_account"],
                "pending_verification": [],
            },
            "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        }
        return web.json_response(self.accounts[account_id])

    async def _retrieve_account(self, request: web.Request) -> web.Response:
        account = self.accounts.get(request.match_info["id"])
        if account is None:
            raise stripe_error(
                404,
                f"No such account: '{request.match_info['id']}'",
                code="resource_missing",
                param="account",
            )
        return web.json_response(account)

    async def _create_account_link(self, request: web.Request) -> web.Response:
        form = request[FORM]
        account = form.get("account")
        if account not in self.accounts:
            raise stripe_error(
                404, f"No such account: '{account}'", code="resource_missing", param="account"
            )
        if form.get("type") not in ("account_onboarding", "account_update"):
            raise stripe_error(400, "Invalid type", param="type")
        for param in ("refresh_url", "return_url"):
            if not str(form.get(param, "")).startswith(("http://", "https://")):
                raise stripe_error(400, f"Not a valid URL: {param}", param=param)
        created = int(time.time())
        return web.json_response(
            {
                "object": "account_link",
                "created": created,
                "expires_at": created + 300,
                "url": f"https://connect.stripe.com/setup/s/{account}/{new_id('', 12)}",
            }
        )

    async def onboard(self, account_id: str, *, webhook_url: str | None = None) -> dict[str, Any]:
        """The professional finished onboarding: the account can charge; account.updated."""
        account = self.accounts[account_id]
        previous = {"charges_enabled": False, "details_submitted": False}
        capabilities = {"card_payments": "active", "transfers": "active"}
        if account["country"] == "BR":
            capabilities["pix_payments"] = "active"
        account.update(
            charges_enabled=True,
            details_submitted=True,
            payouts_enabled=True,
            capabilities=capabilities,
        )
        account["requirements"].update(
            currently_due=[], eventually_due=[], past_due=[], disabled_reason=None
        )
        return await self.emit("account.updated", account, account_id, webhook_url, previous)


class Checkout:
    """`/v1/checkout/sessions`, and the client paying (card, Pix) or not."""

    async def _create_session(self, request: web.Request) -> web.Response:
        form, account_id = request[FORM], request[ACCOUNT]
        account = self.accounts.get(account_id) if account_id else None
        if form.get("mode") != "payment":
            raise stripe_error(400, "This fake serves mode=payment only.", param="mode")
        items = form.get("line_items") or []
        if not items:
            raise stripe_error(400, "Missing required param: line_items.", param="line_items")
        currencies = {str(i["price_data"]["currency"]) for i in items}
        if len(currencies) != 1:
            raise stripe_error(400, "All line items must share one currency.", param="line_items")
        currency = currencies.pop()
        total = sum(
            as_int(i["price_data"]["unit_amount"], "line_items[0][price_data][unit_amount]")
            * as_int(i.get("quantity", 1), "line_items[0][quantity]")
            for i in items
        )
        minimum = MINIMUM_CHARGE.get(currency, 1)
        if total < minimum:
            raise stripe_error(
                400,
                f"The Checkout Session's total amount due must add up to at least {minimum} "
                f"{currency} (in the currency's minor unit).",
                code="amount_too_small",
                param="line_items[0][price_data][unit_amount]",
            )
        created = int(time.time())
        expires_at = as_int(form.get("expires_at", created + 86400), "expires_at")
        if not created + 1800 <= expires_at <= created + 86400:
            raise stripe_error(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        intent_data = form.get("payment_intent_data") or {}
        fee = intent_data.get("application_fee_amount")
        if fee is not None and (account is None or not 0 <= as_int(fee, "fee") <= total):
            raise stripe_error(
                400,
                "application_fee_amount needs a Stripe-Account and cannot exceed the total.",
                param="payment_intent_data[application_fee_amount]",
            )
        allowed = list(form.get("allowed_payment_method_types") or ["card"])
        country = account["country"] if account else "US"
        # A filter on what is eligible: Pix only for a Brazilian account charging BRL.
        methods = [
            m
            for m in allowed
            if m == "card" or (m == "pix" and country == "BR" and currency == "brl")
        ]
        if not methods:
            raise stripe_error(
                400,
                "No valid payment method types for this Checkout Session.",
                param="allowed_payment_method_types",
            )
        session_id = new_id("cs_test_", 58)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "allowed_payment_method_types": allowed,
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": form.get("client_reference_id"),
            "created": created,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": form.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "locale": form.get("locale"),
            "metadata": form.get("metadata") or {},
            "mode": "payment",
            "payment_intent": None,
            "payment_method_options": form.get("payment_method_options") or {},
            "payment_method_types": methods,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form.get("success_url"),
            "ui_mode": "hosted",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            # Kept for the PaymentIntent created on completion (not part of the object).
            "_intent_data": intent_data,
        }
        self.sessions[session_id] = session
        self.session_account[session_id] = account_id
        return web.json_response(public(session))

    def _session(self, request: web.Request) -> dict[str, Any]:
        session_id = request.match_info["id"]
        if session_id not in self.sessions or self.session_account[session_id] != request.get(
            ACCOUNT
        ):
            raise stripe_error(
                404,
                f"No such checkout.session: '{session_id}'",
                code="resource_missing",
                param="session",
            )
        return self.sessions[session_id]

    async def _retrieve_session(self, request: web.Request) -> web.Response:
        return web.json_response(public(self._session(request)))

    async def _expire_session(self, request: web.Request) -> web.Response:
        session = self._session(request)
        if session["status"] != "open":
            raise stripe_error(
                400, 'Only Checkout Sessions with a status in ["open"] can be expired.'
            )
        await self.expire_now(session["id"])
        return web.json_response(public(session))

    async def _charge(self, session: dict[str, Any], method: str) -> str:
        """A confirmed PaymentIntent in localstripe for the session's total."""
        assert self._http is not None
        metadata = (session["_intent_data"].get("metadata") or {}) | {"session": session["id"]}
        form = {
            "amount": str(session["amount_total"]),
            "currency": session["currency"],
            "payment_method": "pm_card_visa",
            "confirm": "true",
            **{f"metadata[{k}]": str(v) for k, v in metadata.items()},
        }
        async with self._http.post(f"{self.localstripe_url}/v1/payment_intents", data=form) as r:
            intent = await r.json()
            if r.status != 200 or intent.get("status") != "succeeded":
                raise RuntimeError(f"localstripe did not charge: {r.status} {intent}")
        account = self.session_account[session["id"]]
        self.intents[intent["id"]] = Intent(
            intent["id"], account, session["amount_total"], session["currency"], method
        )
        return str(intent["id"])

    async def complete(
        self, session_id: str, *, method: str = "card", webhook_url: str | None = None
    ) -> dict[str, Any]:
        """The client pays on the hosted page: by card (paid now) or Pix (paid later)."""
        session = self.sessions[session_id]
        if session["status"] != "open" or method not in session["payment_method_types"]:
            raise ValueError(f"cannot complete {session['status']} session with {method}")
        session["status"] = "complete"
        session["customer_details"] = {"email": session["customer_email"], "name": None}
        if method == "card":
            session["payment_intent"] = await self._charge(session, "card")
            session["payment_status"] = "paid"
        session["_method"] = method
        return await self.emit(
            "checkout.session.completed",
            public(session),
            self.session_account[session_id],
            webhook_url,
        )

    async def settle_pix(
        self, session_id: str, *, paid: bool, webhook_url: str | None = None
    ) -> dict[str, Any]:
        """The Pix of a completed session is paid (or never arrives)."""
        session = self.sessions[session_id]
        if session.get("_method") != "pix" or session["payment_status"] == "paid":
            raise ValueError("only a pending Pix session can settle")
        if paid:
            session["payment_intent"] = await self._charge(session, "pix")
            session["payment_status"] = "paid"
        kind = "succeeded" if paid else "failed"
        return await self.emit(
            f"checkout.session.async_payment_{kind}",
            public(session),
            self.session_account[session_id],
            webhook_url,
        )

    async def expire_now(
        self, session_id: str, *, webhook_url: str | None = None
    ) -> dict[str, Any]:
        """The session's time ran out (or it was expired through the API)."""
        session = self.sessions[session_id]
        session["status"] = "expired"
        return await self.emit(
            "checkout.session.expired",
            public(session),
            self.session_account[session_id],
            webhook_url,
        )


class Refunds:
    """`/v1/refunds` on a connected account, backed by localstripe."""

    async def _create_refund(self, request: web.Request) -> web.Response:
        assert self._http is not None
        form, account = request[FORM], request[ACCOUNT]
        intent_id = form.get("payment_intent")
        intent = self.intents.get(str(intent_id))
        if intent is None or intent.account != account:
            raise stripe_error(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="payment_intent",
            )
        left = intent.amount - intent.refunded
        if left == 0:
            raise stripe_error(
                400,
                f"Charge for {intent.id} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = as_int(form.get("amount", left), "amount")
        if not 0 < amount <= left:
            raise stripe_error(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                param="amount",
            )
        backing = {"payment_intent": intent.id, "amount": str(amount)}
        backing |= {f"metadata[{k}]": str(v) for k, v in (form.get("metadata") or {}).items()}
        async with self._http.post(f"{self.localstripe_url}/v1/refunds", data=backing) as r:
            refund = await r.json()
            if r.status != 200:
                raise RuntimeError(f"localstripe did not refund: {r.status} {refund}")
        intent.refunded += amount
        refund.pop("date", None)
        refund.update(
            reason=form.get("reason"),
            # Pix refunds settle later; card refunds at once.
            status="pending" if intent.method == "pix" else "succeeded",
            destination_details={"type": intent.method},
            receipt_number=None,
            source_transfer_reversal=None,
            transfer_reversal=None,
            customer=None,
            payment_method=None,
        )
        self.refunds[refund["id"]] = refund | {"_account": account}
        return web.json_response(refund)

    async def _retrieve_refund(self, request: web.Request) -> web.Response:
        refund = self.refunds.get(request.match_info["id"])
        if refund is None or refund["_account"] != request[ACCOUNT]:
            raise stripe_error(
                404,
                f"No such refund: '{request.match_info['id']}'",
                code="resource_missing",
                param="id",
            )
        return web.json_response(public(refund))
