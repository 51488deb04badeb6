"""What a user sees when a button is stale or a handler fails, and what the log keeps."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Callback, matches, register_namespace
from bot.context import reply_text
from bot.i18n import BUTTON_EXPIRED, SORRY, get_translator
from core.errors import Conflict, DatabaseUnavailable, NotAllowed, NotFound
from emulator import BotApiEmulator

ERR = register_namespace("tsterr", owner="tests.bot_core")
ANA, JOHN = 4001, 4002

BUTTONS = {
    "Refused": Callback(ERR, "refuse").encode(),
    "Answered first": Callback(ERR, "answered").encode(),
    "No handler": Callback(ERR, "gone").encode(),
    "Unknown namespace": "zzz:book:1",
    "Garbage": "not callback data at all",
}


def failing_handlers(app) -> None:
    async def buttons(update: Update, ctx) -> None:
        rows = [
            [InlineKeyboardButton(label, callback_data=data)] for label, data in BUTTONS.items()
        ]
        await reply_text(update, ctx, "Pick one", reply_markup=InlineKeyboardMarkup(rows))

    async def refuse(update: Update, ctx) -> None:
        raise NotAllowed()

    async def answered_then_conflict(update: Update, ctx) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        raise Conflict()

    async def not_found(update: Update, ctx) -> None:
        raise NotFound(what="booking")

    async def crash(update: Update, ctx) -> None:
        raise RuntimeError("a bug in a handler")

    async def database_down(update: Update, ctx) -> None:
        raise DatabaseUnavailable()

    async def raw_connection_error(update: Update, ctx) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    async def refused_by_telegram(update: Update, ctx) -> None:
        raise BadRequest("Can't parse entities: unsupported start tag")

    async def same_screen_again(update: Update, ctx) -> None:
        raise BadRequest(
            "Message is not modified: specified new message content and reply markup are"
            " exactly the same as a current content and reply markup of the message"
        )

    app.add_handler(CommandHandler("buttons", buttons))
    app.add_handler(CommandHandler("badrequest", refused_by_telegram))
    app.add_handler(CommandHandler("samescreen", same_screen_again))
    app.add_handler(CallbackQueryHandler(refuse, pattern=matches(ERR, "refuse")))
    app.add_handler(CallbackQueryHandler(answered_then_conflict, pattern=matches(ERR, "answered")))
    app.add_handler(CommandHandler("notfound", not_found))
    app.add_handler(CommandHandler("crash", crash))
    app.add_handler(CommandHandler("dbdown", database_down))
    app.add_handler(CommandHandler("dbraw", raw_connection_error))


async def _press(emu: BotApiEmulator, user_id: int, label: str):
    await emu.send_command(user_id, "buttons")
    menu = await emu.next_bot_message(user_id)
    press = await emu.press(user_id, menu.message_id, label)
    return await press.wait_answer()


@pytest.mark.parametrize("label", ["No handler", "Unknown namespace", "Garbage"])
async def test_a_stale_or_forged_button_gets_the_expired_alert(
    emu: BotApiEmulator, run_bot, label: str
):
    emu.add_user(ANA, "Ana", language_code="pt")
    async with run_bot(failing_handlers):
        answer = await _press(emu, ANA, label)

    assert answer.show_alert
    assert answer.text == get_translator("pt").t(BUTTON_EXPIRED)


async def test_a_refused_button_press_shows_the_domain_error_as_an_alert(
    emu: BotApiEmulator, run_bot
):
    emu.add_user(ANA, "Ana", language_code="pt")
    async with run_bot(failing_handlers):
        answer = await _press(emu, ANA, "Refused")

    assert answer.show_alert
    assert answer.text == get_translator("pt").t("error.not_allowed")


async def test_a_refusal_after_the_press_was_answered_arrives_as_a_message(
    emu: BotApiEmulator, run_bot
):
    emu.add_user(JOHN, "John", language_code="en")
    async with run_bot(failing_handlers):
        answer = await _press(emu, JOHN, "Answered first")
        message = await emu.next_bot_message(JOHN)

    assert answer.text is None
    assert message.text == get_translator("en").t("error.conflict")


async def test_a_refused_command_gets_the_domain_error_as_a_reply(emu: BotApiEmulator, run_bot):
    emu.add_user(JOHN, "John", language_code="en")
    async with run_bot(failing_handlers):
        await emu.send_command(JOHN, "notfound")
        reply = await emu.next_bot_message(JOHN)

    assert reply.text == get_translator("en").t("error.not_found")


@pytest.mark.parametrize("command", ["dbdown", "dbraw"])
async def test_a_database_outage_gets_a_try_again_later_message(
    emu: BotApiEmulator, run_bot, command: str
):
    emu.add_user(ANA, "Ana", language_code="pt")
    async with run_bot(failing_handlers):
        await emu.send_command(ANA, command)
        reply = await emu.next_bot_message(ANA)

    assert reply.text == get_translator("pt").t("error.database_unavailable")


async def test_a_bug_gets_an_apology_and_a_logged_traceback_with_the_update(
    emu: BotApiEmulator, run_bot, caplog: pytest.LogCaptureFixture
):
    emu.add_user(JOHN, "John", language_code="en")
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        async with run_bot(failing_handlers):
            await emu.send_command(JOHN, "crash")
            reply = await emu.next_bot_message(JOHN)

    assert reply.text == get_translator("en").t(SORRY)
    assert "Traceback" not in reply.text and "a bug in a handler" not in reply.text
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert '"text": "/crash"' in record.getMessage()
    assert "Traceback" in caplog.text


async def test_a_request_telegram_refuses_gets_an_apology_and_a_logged_traceback(
    emu: BotApiEmulator, run_bot, caplog: pytest.LogCaptureFixture
):
    emu.add_user(ANA, "Ana", language_code="pt")
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        async with run_bot(failing_handlers):
            await emu.send_command(ANA, "badrequest")
            reply = await emu.next_bot_message(ANA)

    assert reply.text == get_translator("pt").t(SORRY)
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    assert isinstance(record.exc_info[1], BadRequest)


async def test_showing_the_same_screen_again_says_nothing_more(
    emu: BotApiEmulator, run_bot, caplog: pytest.LogCaptureFixture
):
    emu.add_user(ANA, "Ana", language_code="pt")
    with caplog.at_level(logging.WARNING, logger="bot.errors"):
        async with run_bot(failing_handlers):
            await emu.send_command(ANA, "samescreen")
            await emu.send_command(ANA, "notfound")  # a later answer: the first was silent
            reply = await emu.next_bot_message(ANA)

    assert reply.text == get_translator("pt").t("error.not_found")
    assert [m.text for m in emu.chat(ANA).bot_messages] == [reply.text]
    assert not [r for r in caplog.records if r.name == "bot.errors"]
