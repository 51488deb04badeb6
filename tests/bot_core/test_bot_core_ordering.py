"""Updates run concurrently across chats, each person's in order; replies survive flood control."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import reply_text
from core.config import Settings
from emulator import BotApiEmulator, RateLimits

PEOPLE = (5001, 5002, 5003)
MESSAGES = 6


async def test_each_chat_gets_its_replies_in_the_order_it_wrote_while_chats_overlap(
    emu: BotApiEmulator, run_bot
):
    running = 0
    most_running = 0

    def slow_echo(app) -> None:
        async def echo(update: Update, ctx) -> None:
            nonlocal running, most_running
            text = update.effective_message.text
            running += 1
            most_running = max(most_running, running)
            # Earlier messages take longer: handled concurrently, replies would come reversed.
            await asyncio.sleep(0.03 * (MESSAGES - int(text.split()[-1])))
            running -= 1
            await reply_text(update, ctx, f"echo {text}")

        app.add_handler(MessageHandler(filters.TEXT, echo))

    for user_id in PEOPLE:
        emu.add_user(user_id, f"User {user_id}", language_code="en")
    async with run_bot(slow_echo):
        for n in range(MESSAGES):
            for user_id in PEOPLE:
                await emu.send_text(user_id, f"message {n}")
        for user_id in PEOPLE:
            await emu.wait_for(user_id, lambda chat: len(chat.bot_messages) == MESSAGES)

    for user_id in PEOPLE:
        replies = [m.text for m in emu.chat(user_id).bot_messages]
        assert replies == [f"echo message {n}" for n in range(MESSAGES)]
    assert most_running == len(PEOPLE)


async def test_a_long_reply_arrives_whole_and_in_order_despite_flood_control(
    run_bot, settings: Settings
):
    lines = [f"{n:03d} " + "x" * 96 for n in range(120)]

    def long_reply(app) -> None:
        async def agenda(update: Update, ctx) -> None:
            await reply_text(update, ctx, "\n".join(lines))

        app.add_handler(CommandHandler("agenda", agenda))

    # One message per 0.1 s per chat: every piece after the first is refused once (429).
    limits = RateLimits(chat_per_second=10, chat_burst=1, retry_after_step=0.1)
    async with BotApiEmulator(settings.telegram_bot_token, rate_limits=limits) as strict:
        strict.add_user(PEOPLE[0], "Ana", language_code="en")
        async with run_bot(long_reply, emulator=strict):
            await strict.send_command(PEOPLE[0], "agenda")
            await strict.wait_for(PEOPLE[0], lambda chat: len(chat.bot_messages) == 3)

        pieces = [m.text for m in strict.chat(PEOPLE[0]).bot_messages]
        assert strict.flood_rejections > 0
    assert "\n".join(pieces).splitlines() == lines
