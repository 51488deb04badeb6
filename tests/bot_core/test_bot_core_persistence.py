"""Conversations and drafts survive a restart, stored as JSON in PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest
from sqlalchemy import make_url, select
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import reply_text
from bot.persistence import PostgresPersistence
from core.db.engine import make_engine
from core.db.uow import Database
from core.models.system import BotConversation, BotData
from emulator import BotApiEmulator

ANA = 6001
DAY, TIME = 1, 2


def booking_steps(app) -> None:
    async def begin(update: Update, ctx) -> int:
        await reply_text(update, ctx, "Which day?")
        return DAY

    async def got_day(update: Update, ctx) -> int:
        ctx.user_data["draft"] = {"day": update.effective_message.text}
        await reply_text(update, ctx, "What time?")
        return TIME

    async def got_time(update: Update, ctx) -> int:
        day = ctx.user_data.pop("draft")["day"]
        await reply_text(update, ctx, f"Booked {day} at {update.effective_message.text}")
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("book", begin)],
            states={DAY: [MessageHandler(text, got_day)], TIME: [MessageHandler(text, got_time)]},
            fallbacks=[],
            name="test-booking",
            persistent=True,
        )
    )


async def test_a_restart_mid_conversation_continues_where_the_person_was(
    emu: BotApiEmulator, db: Database, run_bot
):
    emu.add_user(ANA, "Ana", language_code="pt")
    async with run_bot(booking_steps):
        await emu.send_command(ANA, "book")
        assert (await emu.next_bot_message(ANA)).text == "Which day?"
        await emu.send_text(ANA, "2026-11-26")
        assert (await emu.next_bot_message(ANA)).text == "What time?"

    async with db.system("tests") as uow:
        stored = (
            await uow.session.execute(select(BotConversation.key, BotConversation.state))
        ).all()
    assert stored == [(f"[{ANA},{ANA}]", TIME)]

    async with run_bot(booking_steps):
        await emu.send_text(ANA, "14:00")
        done = await emu.next_bot_message(ANA)

    assert done.text == "Booked 2026-11-26 at 14:00"
    async with db.system("tests") as uow:
        assert (await uow.session.execute(select(BotConversation.key))).all() == []


async def test_user_data_comes_back_after_a_restart_and_unchanged_data_is_not_rewritten(
    db: Database,
):
    first = PostgresPersistence(db)
    await first.update_user_data(ANA, {"draft": {"day": "2026-11-26", "slots": [1, 2]}})
    await first.update_user_data(ANA + 1, {})
    await first.flush()

    second = PostgresPersistence(db)
    loaded = await second.get_user_data()
    assert loaded == {ANA: {"draft": {"day": "2026-11-26", "slots": [1, 2]}}}

    async with db.system("tests") as uow:
        before = await uow.session.scalar(select(BotData.updated_at).where(BotData.key == str(ANA)))
    await second.update_user_data(ANA, {"draft": {"day": "2026-11-26", "slots": [1, 2]}})
    async with db.system("tests") as uow:
        after = await uow.session.scalar(select(BotData.updated_at).where(BotData.key == str(ANA)))
    assert before == after

    await second.drop_user_data(ANA)
    assert await PostgresPersistence(db).get_user_data() == {}


@pytest.mark.parametrize(
    "data",
    [
        {"when": date(2026, 11, 26)},
        {"slot": (1, 2)},
        {"by_id": {1: "int keys come back as strings"}},
    ],
)
async def test_data_that_would_not_survive_json_is_refused_not_silently_changed(
    db: Database, data: dict
):
    persistence = PostgresPersistence(db)
    with pytest.raises(TypeError, match="user_data"):
        await persistence.update_user_data(ANA, data)
    assert await PostgresPersistence(db).get_user_data() == {}


async def test_drafts_queued_while_the_database_is_down_are_written_when_it_is_back(
    db: Database, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="bot.persistence")
    down = Database(make_engine(make_url("postgresql+asyncpg://nobody@127.0.0.1:1/none")))
    persistence = PostgresPersistence(down, retry_delays=(0.05,))
    # PTB is not told (its error handler would log a traceback per call): the change waits.
    await persistence.update_user_data(ANA, {"draft": {"day": "2026-11-26"}})
    await persistence.update_user_data(ANA + 1, {"draft": {"day": "2026-11-27"}})
    assert persistence.pending == 2
    assert [r.levelname for r in caplog.records if r.name == "bot.persistence"] == ["WARNING"]

    persistence._db = db  # the same process, once the server answers again
    # Nobody writes to the bot meanwhile: the retry loop saves the drafts on its own.
    for _ in range(200):
        if not persistence.pending:
            break
        await asyncio.sleep(0.05)
    await down.dispose()

    assert await PostgresPersistence(db).get_user_data() == {
        ANA: {"draft": {"day": "2026-11-26"}},
        ANA + 1: {"draft": {"day": "2026-11-27"}},
    }
    assert "Bot state saved again" in caplog.text
