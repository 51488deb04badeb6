"""The bot's aiohttp transport behaves towards the Bot API as PTB's own client does."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.transport import AiohttpRequest
from emulator import BotApiEmulator, RateLimits

TOKEN = "515151:TRANSPORT-TEST"
ANA = 2002


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    emulator.add_user(ANA, "Ana", language_code="pt", started=True)
    try:
        yield emulator
    finally:
        await emulator.stop()


def bot_at(base: str, **timeouts: float) -> Bot:
    return Bot(
        TOKEN,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=AiohttpRequest(**timeouts),
    )


async def test_a_document_with_an_accented_name_and_buttons_arrives_whole(emu):
    payload = "BEGIN:VCALENDAR\r\nSUMMARY:Sessão às 15h\r\nEND:VCALENDAR\r\n".encode() * 50
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Cancelar", callback_data="c:1")]])
    async with bot_at(emu.base_url.removesuffix("/bot")) as bot:
        sent = await bot.send_document(
            ANA, payload, filename="sessão.ics", caption="Sua sessão", reply_markup=keyboard
        )
        downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()

    received = emu.chat(ANA).bot_messages[-1]
    assert received.document["file_name"] == "sessão.ics"
    assert received.caption == "Sua sessão"
    assert [b["text"] for b in received.buttons] == ["Cancelar"]
    assert bytes(downloaded) == payload


async def test_a_message_with_nested_options_is_sent_as_telegram_reads_it(emu):
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("qui 26/11", callback_data="bk:d:2026-11-26")]]
    )
    async with bot_at(emu.base_url.removesuffix("/bot")) as bot:
        sent = await bot.send_message(ANA, "Escolha um dia — ou escreva 🙂", reply_markup=keyboard)
        edited = await bot.edit_message_text("Outro texto", chat_id=ANA, message_id=sent.message_id)

    message = emu.chat(ANA).message(sent.message_id)
    assert message.text == "Outro texto"
    assert [v.text for v in message.history] == ["Escolha um dia — ou escreva 🙂", "Outro texto"]
    assert edited.text == "Outro texto"


async def test_a_refusal_of_the_bot_api_is_raised_with_telegrams_own_words(emu):
    async with bot_at(emu.base_url.removesuffix("/bot")) as bot:
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=ANA, message_id=999_999)


async def test_an_unreachable_bot_api_is_a_network_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = bot_at(f"http://127.0.0.1:{port}")
    with pytest.raises(NetworkError, match="Cannot connect"):
        await bot.initialize()
    await bot.shutdown()


async def test_a_bot_api_that_does_not_answer_in_time_is_a_timeout():
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        bot = bot_at(f"http://127.0.0.1:{port}", read_timeout=0.2)
        with pytest.raises(TimedOut):
            await bot.initialize()
        await bot.shutdown()
    finally:
        await runner.cleanup()
