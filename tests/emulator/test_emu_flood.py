"""Flood control answers 429 with retry_after, and PTB's AIORateLimiter copes with it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from emulator import BotApiEmulator, RateLimits

TOKEN = "777:FLOOD"

# PTB 22 warns from inside RetryAfter itself about a future timedelta type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def tight() -> AsyncIterator[BotApiEmulator]:
    """Telegram's shape of limits, scaled so a test hits them in milliseconds."""
    limits = RateLimits(
        global_per_second=30,
        global_burst=30,
        chat_per_second=20,
        chat_burst=3,
        retry_after_step=0.05,
    )
    emulator = BotApiEmulator(TOKEN, rate_limits=limits)
    emulator.add_user(1, "Ana", started=True)
    emulator.add_user(2, "Bia", started=True)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


async def test_a_burst_in_one_chat_is_answered_429_with_telegrams_body(
    tight: BotApiEmulator,
) -> None:
    url = f"{tight.url}/bot{TOKEN}/sendMessage"
    async with httpx.AsyncClient() as client:
        answers = [(await client.post(url, json={"chat_id": 1, "text": f"m{i}"})) for i in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    body = answers[-1].json()
    assert body["ok"] is False and body["error_code"] == 429
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )
    assert 0 < body["parameters"]["retry_after"] <= 0.1
    assert tight.flood_rejections == 1
    assert len(tight.chat(1).bot_messages) == 3


async def test_ptb_sees_a_retry_after_error_without_a_rate_limiter(tight: BotApiEmulator) -> None:
    async with Bot(TOKEN, base_url=tight.base_url) as bot:
        for _ in range(3):
            await bot.send_message(1, "ok")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "too fast")


async def test_aio_rate_limiter_gets_every_message_through_despite_429s(
    tight: BotApiEmulator,
) -> None:
    app = tight.application_builder().rate_limiter(AIORateLimiter(max_retries=20)).build()
    async with app:
        await asyncio.gather(*(app.bot.send_message(1, f"n{i}") for i in range(10)))

    assert tight.flood_rejections > 0
    assert sorted(m.text for m in tight.chat(1).bot_messages) == sorted(f"n{i}" for i in range(10))


async def test_the_overall_limit_counts_every_chat() -> None:
    limits = RateLimits(global_per_second=1, global_burst=2, chat_per_second=100, chat_burst=100)
    async with BotApiEmulator(TOKEN, rate_limits=limits) as emu:
        for user_id in (1, 2, 3):
            emu.add_user(user_id, f"u{user_id}", started=True)
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            await bot.send_message(1, "a")
            await bot.send_message(2, "b")
            with pytest.raises(RetryAfter) as refused:
                await bot.send_message(3, "c")

    assert refused.value.retry_after == 1
    assert emu.world.flood.rejections_by_chat == {3: 1}


async def test_flood_control_can_be_switched_off(emu: BotApiEmulator, ana, bot: Bot) -> None:
    await asyncio.gather(*(bot.send_message(ana.id, str(i)) for i in range(40)))

    assert emu.flood_rejections == 0
    assert len(emu.chat(ana.id).bot_messages) == 40
