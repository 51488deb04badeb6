"""A reader's preferences are kept between updates, and a change shows in the next reply."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot import context
from bot.context import Ctx, forget_prefs, read_prefs, reply_text, set_prefs_resolver, user_tz
from core.db.observe import StatementLog
from core.db.uow import Database
from core.models import TelegramUser
from core.services import clients
from emulator import BotApiEmulator
from tests import factories

ANA, JOHN = 3101, 3102


async def _say_locale(update: Update, ctx: Ctx) -> None:
    tr = await context.translator_for(update, ctx)
    await reply_text(update, ctx, f"{tr.locale} {await user_tz(update, ctx)}")


async def _switch_to_spanish(update: Update, ctx: Ctx) -> None:
    assert update.effective_user is not None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        await clients.set_language(uow, locale="es")
        await uow.commit()
    forget_prefs(update, ctx)
    await _say_locale(update, ctx)


def _features(reads: list[int]):
    async def counted(database: Database, user_id: int) -> context.UserPrefs:
        reads.append(user_id)
        return await read_prefs(database, user_id)

    def register(app) -> None:
        set_prefs_resolver(app, counted)
        app.add_handler(CommandHandler("where", _say_locale))
        app.add_handler(CommandHandler("spanish", _switch_to_spanish))

    return register


async def _ask(emu: BotApiEmulator, uid: int, command: str) -> str:
    await emu.send_command(uid, command)
    return (await emu.next_bot_message(uid)).text


async def test_several_messages_in_a_row_read_the_account_once_per_person(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.add(db, TelegramUser(user_id=ANA, first_name="Ana", timezone="Europe/Lisbon"))
    emu.add_user(ANA, "Ana", language_code="en")
    emu.add_user(JOHN, "John", language_code="en")
    reads: list[int] = []
    async with run_bot(_features(reads)):
        replies = [await _ask(emu, uid, "where") for uid in (ANA, ANA, JOHN, ANA, JOHN)]

    assert replies == [
        "en Europe/Lisbon",
        "en Europe/Lisbon",
        "en America/Sao_Paulo",
        "en Europe/Lisbon",
        "en America/Sao_Paulo",
    ]
    assert sorted(reads) == [ANA, JOHN]


async def test_changing_the_language_shows_in_that_reply_and_the_next_ones(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.add(db, TelegramUser(user_id=ANA, first_name="Ana"))
    emu.add_user(ANA, "Ana", language_code="en")
    async with run_bot(_features([])):
        before = await _ask(emu, ANA, "where")
        switched = await _ask(emu, ANA, "spanish")
        after = await _ask(emu, ANA, "where")

    assert before.startswith("en ")
    assert switched.startswith("es ")
    assert after.startswith("es ")


async def test_a_change_made_outside_this_bot_shows_once_the_kept_preferences_expire(
    emu: BotApiEmulator, db: Database, run_bot, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(context, "PREFS_TTL", 0.2)
    await factories.add(db, TelegramUser(user_id=ANA, first_name="Ana"))
    emu.add_user(ANA, "Ana", language_code="en")
    async with run_bot(_features([])):
        before = await _ask(emu, ANA, "where")
        async with db.for_user(ANA) as uow:  # another process, say
            await clients.set_language(uow, locale="es")
            await uow.commit()
        await asyncio.sleep(0.3)
        after = await _ask(emu, ANA, "where")

    assert before.startswith("en ")
    assert after.startswith("es ")


async def _zone_in_transaction(update: Update, ctx: Ctx) -> None:
    assert update.effective_user is not None
    async with context.db(ctx).for_user(update.effective_user.id) as uow:
        zone = (await context.prefs_in(update, ctx, uow)).timezone
    tr = await context.translator_for(update, ctx)
    await reply_text(update, ctx, f"{tr.locale} {zone}")


async def test_a_handler_reads_the_preferences_in_its_own_transaction_when_not_kept(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.add(
        db, TelegramUser(user_id=ANA, first_name="Ana", locale="es", timezone="Europe/Madrid")
    )
    emu.add_user(ANA, "Ana", language_code="en")

    def register(app) -> None:
        app.add_handler(CommandHandler("zone", _zone_in_transaction))

    async with run_bot(register):
        async with StatementLog(db.engine) as log:
            first = await _ask(emu, ANA, "zone")
            opened = sum("'bookingbot_app'" in s for s in log.statements)
            second = await _ask(emu, ANA, "zone")
        statements = log.statements

    assert first == second == "es Europe/Madrid"
    assert opened == 1  # the handler's own transaction, no second one for the preferences
    assert sum("coalesce(u.locale" in s for s in statements) == 1
