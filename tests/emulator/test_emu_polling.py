"""Updates reach a real python-telegram-bot client the way Telegram delivers them."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, Update
from telegram.error import Conflict
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from emulator import BotApiEmulator, EmuUser


async def test_a_bot_echoes_what_a_user_writes(emu: BotApiEmulator, ana: EmuUser, run_app) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"echo: {update.effective_message.text}", do_quote=True
        )

    async with run_app(MessageHandler(filters.TEXT & ~filters.COMMAND, echo)):
        sent = await emu.send_text(ana.id, "olá")
        reply = await emu.next_bot_message(ana.id, timeout=2)

    assert reply.text == "echo: olá"
    assert reply.reply_to_message_id == sent.message_id
    assert reply.message_id == sent.message_id + 1


async def test_a_start_command_with_a_payload_reaches_a_command_handler(
    emu: BotApiEmulator, run_app
) -> None:
    seen: list[list[str]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(list(context.args or []))
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "welcome")

    newcomer = emu.add_user(2002, "Bruno", language_code="es")
    async with run_app(CommandHandler("start", start)):
        message = await emu.send_command(newcomer.id, "start", "dr-ana")
        reply = await emu.next_bot_message(newcomer.id, timeout=2)

    assert message.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert seen == [["dr-ana"]]
    assert reply.text == "welcome"


async def test_a_long_poll_returns_as_soon_as_a_user_writes(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    async def write_later() -> None:
        await asyncio.sleep(0.1)
        await emu.send_text(ana.id, "hi")

    writer = asyncio.create_task(write_later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    await writer

    assert elapsed < 1.0
    assert [u.message.text for u in updates if u.message] == ["hi"]


async def test_a_long_poll_with_nothing_to_deliver_returns_empty_after_its_timeout(
    bot: Bot,
) -> None:
    started = time.monotonic()
    updates = await bot.get_updates(timeout=0.3)
    elapsed = time.monotonic() - started

    assert updates == ()
    assert 0.25 <= elapsed < 1.0


async def test_an_offset_confirms_updates_so_they_are_not_delivered_again(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    for text in ("one", "two", "three"):
        await emu.send_text(ana.id, text)

    first = await bot.get_updates(limit=2)
    again = await bot.get_updates()
    after_confirm = await bot.get_updates(offset=first[-1].update_id + 1)
    drained = await bot.get_updates(offset=after_confirm[-1].update_id + 1)

    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert [u.update_id for u in again] == [u.update_id for u in first] + [first[-1].update_id + 1]
    assert [u.message.text for u in after_confirm if u.message] == ["three"]
    assert drained == ()
    assert emu.pending_updates == []


async def test_a_negative_offset_keeps_only_the_newest_updates(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    for text in ("old", "older", "newest"):
        await emu.send_text(ana.id, text)

    updates = await bot.get_updates(offset=-1)

    assert [u.message.text for u in updates if u.message] == ["newest"]
    assert len(emu.pending_updates) == 1


async def test_allowed_updates_filters_the_updates_created_after_the_call(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    await emu.send_text(ana.id, "ignored")

    assert await bot.get_updates() == ()

    await bot.get_updates(allowed_updates=[])
    await emu.send_text(ana.id, "delivered")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["delivered"]


async def test_a_second_poller_terminates_the_first_with_a_conflict(
    emu: BotApiEmulator, bot: Bot
) -> None:
    # Two bot instances, as in the production mistake this catches.
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.1)

    async with Bot(emu.token, base_url=emu.base_url) as other_instance:
        second = await other_instance.get_updates(timeout=0)

    with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
        await first
    assert second == ()


async def test_get_updates_is_refused_while_a_webhook_is_set(bot: Bot) -> None:
    await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"

    with pytest.raises(Conflict, match=r"webhook is active"):
        await bot.get_updates()

    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_get_me_describes_the_emulated_bot(bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (424242, "bookingbot", True)
