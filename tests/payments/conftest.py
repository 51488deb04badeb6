"""Stripe without the network: localstripe as a subprocess, the fake in front of it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from core.payments.stripe_gateway import StripeGateway
from tests.payments.fake_stripe import FakeStripe
from tests.payments.gateway_support import WEBHOOK_SECRET, Inbox, make_gateway


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """`localstripe --port N --from-scratch`, running for the whole session."""
    port = _free_port()
    exe = Path(sys.executable).with_name("localstripe")
    proc = subprocess.Popen(
        [str(exe), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"localstripe did not start on port {port}") from None
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
async def fake_stripe(localstripe_url: str) -> AsyncIterator[FakeStripe]:
    """The fake Stripe API (Checkout, Connect, refunds), backed by localstripe."""
    fake = FakeStripe(localstripe_url=localstripe_url, webhook_secret=WEBHOOK_SECRET)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def gateway(fake_stripe: FakeStripe) -> AsyncIterator[StripeGateway]:
    """Our gateway pointed at the fake, with a 2.5% platform fee."""
    gw = make_gateway(fake_stripe.url, platform_fee_percent=2.5)
    try:
        yield gw
    finally:
        await gw.close()


@pytest.fixture
async def webhook_inbox() -> AsyncIterator[Inbox]:
    inbox = Inbox()

    async def receive(request: web.Request) -> web.Response:
        inbox.received.append((await request.read(), request.headers.get("Stripe-Signature")))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/stripe/webhook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    inbox.url = f"http://127.0.0.1:{port}/stripe/webhook"
    try:
        yield inbox
    finally:
        await runner.cleanup()
