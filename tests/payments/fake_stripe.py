"""A small fake of what localstripe lacks: Checkout Sessions, Connect accounts and account
links, and refunds on connected accounts with idempotency keys. Objects follow the shapes
of Stripe's API reference (stripe/openapi `fixtures3.json`: `checkout.session`, `account`,
`account_link`, `refund`, `event`): prefixed ids, `object`, `livemode`, Unix timestamps.

Money moves in localstripe behind it: completing a session by card creates and confirms a
real PaymentIntent there (test card `pm_card_visa`), and a refund here creates the refund
there, after the checks localstripe does not make (the PaymentIntent belongs to the
`Stripe-Account`, the amount is not more than what is left). localstripe has no Pix, so a
Pix payment that settles is backed by a card PaymentIntent in it.

What localstripe 1.15 cannot do, and why this fake exists (checked against stripe 16.1):
no /v1/checkout/sessions, /v1/accounts or /v1/account_links (404); the `Idempotency-Key`
and `Stripe-Account` headers are ignored (the same key twice makes two refunds); refunds
refuse `reason` and `refund_application_fee` ("Unexpected reason").

Control, from Python or over HTTP (`POST /_fake/...`, no API key): `complete` a session
(card, or Pix that stays pending), `settle_pix` (paid or failed), `expire_now`, `onboard`
an account; each sends the signed event to the webhook URL given.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.payments.fake_stripe_resources import Accounts, Checkout, Intent, Refunds, public
from tests.payments.stripe_wire import ACCOUNT, FORM, new_id, sign, stripe_error, unflatten

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

API_KEY = "sk_test_fake_platform"


@dataclass
class Recorded:
    """One API request as the fake received it."""

    method: str
    path: str
    form: dict[str, Any]
    account: str | None
    idempotency_key: str | None


@dataclass
class FakeStripe(Accounts, Checkout, Refunds):
    localstripe_url: str
    webhook_secret: str
    api_key: str = API_KEY
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    session_account: dict[str, str | None] = field(default_factory=dict)
    intents: dict[str, Intent] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    _replays: dict[tuple[str, str], tuple[str, int, str]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _http: aiohttp.ClientSession | None = None
    url: str = ""

    # --- lifecycle --------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._parse, self._auth, self._idempotency])
        app.add_routes(
            [
                web.post("/v1/accounts", self._create_account),
                web.get("/v1/accounts/{id}", self._retrieve_account),
                web.post("/v1/account_links", self._create_account_link),
                web.post("/v1/checkout/sessions", self._create_session),
                web.get("/v1/checkout/sessions/{id}", self._retrieve_session),
                web.post("/v1/checkout/sessions/{id}/expire", self._expire_session),
                web.post("/v1/refunds", self._create_refund),
                web.get("/v1/refunds/{id}", self._retrieve_refund),
                web.post("/_fake/sessions/{id}/complete", self._control_complete),
                web.post("/_fake/sessions/{id}/pix", self._control_pix),
                web.post("/_fake/sessions/{id}/expire_now", self._control_expire),
                web.post("/_fake/accounts/{id}/onboard", self._control_onboard),
            ]
        )
        return app

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{bound}"
        self._http = aiohttp.ClientSession(headers={"Authorization": f"Bearer {self.api_key}"})
        return self.url

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- middlewares ------------------------------------------------------------------

    @web.middleware
    async def _parse(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_fake/"):
            request[FORM] = await request.json() if request.can_read_body else {}
        else:
            body = await request.text() if request.method == "POST" else request.query_string
            request[FORM] = unflatten(body)
            request[ACCOUNT] = request.headers.get("Stripe-Account")
            self.requests.append(
                Recorded(
                    request.method,
                    request.path,
                    request[FORM],
                    request[ACCOUNT],
                    request.headers.get("Idempotency-Key"),
                )
            )
        return await handler(request)

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/_fake/"):
            if request.headers.get("Authorization") != f"Bearer {self.api_key}":
                raise stripe_error(401, "Invalid API Key provided", type="authentication_error")
            account = request[ACCOUNT]
            if account is not None and account not in self.accounts:
                raise stripe_error(
                    403,
                    f"The provided key does not have access to account '{account}' "
                    "(or that account does not exist).",
                    code="account_invalid",
                )
        return await handler(request)

    @web.middleware
    async def _idempotency(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None or request.path.startswith("/_fake/"):
            return await handler(request)
        scope = (request[ACCOUNT] or "", key)
        fingerprint = json.dumps([request.path, request[FORM]], sort_keys=True)
        if scope in self._replays:
            first, status, body = self._replays[scope]
            if first != fingerprint:
                raise stripe_error(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                    type="idempotency_error",
                )
            return web.Response(
                status=status,
                text=body,
                content_type="application/json",
                headers={"Idempotent-Replayed": "true", "Idempotency-Key": key},
            )
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            # Card declines are results and replay; a request refused before it ran does not.
            if exc.status == 402:
                self._replays[scope] = (fingerprint, exc.status, exc.text or "")
            raise
        if isinstance(response, web.Response) and response.status < 300:
            self._replays[scope] = (fingerprint, response.status, response.text or "")
        return response

    # --- events -----------------------------------------------------------------------

    def event(
        self,
        type: str,
        obj: dict[str, Any],
        account: str | None,
        previous: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An `event` object as Stripe sends it (Connect events carry `account`)."""
        data: dict[str, Any] = {"object": json.loads(json.dumps(public(obj)))}
        if previous is not None:
            data["previous_attributes"] = previous
        event = {
            "id": new_id("evt_", 24),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type,
        }
        if account is not None:
            event["account"] = account
        self.events.append(event)
        return event

    async def emit(
        self,
        type: str,
        obj: dict[str, Any],
        account: str | None,
        webhook_url: str | None,
        previous: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event and, when a URL is given, deliver it signed."""
        event = self.event(type, obj, account, previous)
        if webhook_url:
            await self.deliver(event, webhook_url)
        return event

    async def deliver(
        self, event: dict[str, Any], url: str, *, timestamp: int | None = None
    ) -> int:
        """POST `event` to `url` with a `Stripe-Signature`; return the HTTP status."""
        assert self._http is not None
        payload = json.dumps(event, indent=2).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, self.webhook_secret, timestamp=timestamp),
        }
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=payload, headers=headers) as r,
        ):
            return r.status

    # --- control over HTTP ------------------------------------------------------------

    async def _control_complete(self, request: web.Request) -> web.Response:
        body = request[FORM]
        event = await self.complete(
            request.match_info["id"],
            method=body.get("method", "card"),
            webhook_url=body.get("webhook_url"),
        )
        return web.json_response(event)

    async def _control_pix(self, request: web.Request) -> web.Response:
        body = request[FORM]
        event = await self.settle_pix(
            request.match_info["id"], paid=bool(body["paid"]), webhook_url=body.get("webhook_url")
        )
        return web.json_response(event)

    async def _control_expire(self, request: web.Request) -> web.Response:
        event = await self.expire_now(
            request.match_info["id"], webhook_url=request[FORM].get("webhook_url")
        )
        return web.json_response(event)

    async def _control_onboard(self, request: web.Request) -> web.Response:
        event = await self.onboard(
            request.match_info["id"], webhook_url=request[FORM].get("webhook_url")
        )
        return web.json_response(event)
