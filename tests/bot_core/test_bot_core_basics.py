"""The generic handlers, driven end to end: a real Application long-polling the emulator."""

from __future__ import annotations

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.app import CLIENT_COMMANDS, PROFESSIONAL_COMMANDS, register_commands, run_polling
from bot.context import reply_text
from bot.handlers.basics import MAX_COMMAND_LENGTH, MAX_TEXT_LENGTH, cancel
from bot.i18n import CANCELLED, get_translator
from core.config import Settings
from core.db.uow import Database
from core.models import TelegramUser
from emulator import BotApiEmulator
from tests import factories

ANA, JOHN, LUCIA = 3001, 3002, 3003


def welcome(locale: str, name: str) -> str:
    return get_translator(locale).t("start.welcome", name=name, bot="bookingbot")


async def test_start_without_a_link_welcomes_each_person_in_their_telegram_language(
    emu: BotApiEmulator, run_bot
):
    emu.add_user(ANA, "Ana", language_code="pt-br")
    emu.add_user(JOHN, "John", language_code="en")
    async with run_bot():
        await emu.send_command(ANA, "start")
        await emu.send_command(JOHN, "start")
        to_ana = await emu.next_bot_message(ANA)
        to_john = await emu.next_bot_message(JOHN)

    assert to_ana.text == welcome("pt_BR", "Ana")
    assert to_john.text == welcome("en", "John")
    assert to_ana.text != to_john.text
    assert "/register" in to_john.text


async def test_the_language_chosen_in_the_account_wins_over_telegrams(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.add(db, TelegramUser(user_id=LUCIA, first_name="Lucía", locale="es"))
    emu.add_user(LUCIA, "Lucía", language_code="pt")
    async with run_bot():
        await emu.send_command(LUCIA, "start")
        reply = await emu.next_bot_message(LUCIA)

    assert reply.text == welcome("es", "Lucía")


async def test_help_shows_a_professional_their_own_commands_too(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, user_id=ANA, locale="en")
    emu.add_user(ANA, "Ana", language_code="en")
    emu.add_user(JOHN, "John", language_code="en")
    async with run_bot():
        await emu.send_command(ANA, "help")
        await emu.send_command(JOHN, "help")
        to_pro = await emu.next_bot_message(ANA)
        to_client = await emu.next_bot_message(JOHN)

    tr = get_translator("en")
    assert to_client.text == tr.t("help.client")
    assert to_pro.text == tr.t("help.client") + "\n\n" + tr.t("help.professional")


def _conversation_without_its_own_cancel(app) -> None:
    async def begin(update: Update, ctx) -> int:
        await reply_text(update, ctx, "What is your name?")
        return 1

    async def inside(update: Update, ctx) -> int:
        await reply_text(update, ctx, "inside")
        return 1

    async def outside(update: Update, ctx) -> None:
        await reply_text(update, ctx, "outside")

    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("ask", begin)],
            states={1: [MessageHandler(filters.TEXT & ~filters.COMMAND, inside)]},
            fallbacks=[],
        )
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, outside))


async def test_cancel_leaves_a_conversation_that_has_no_cancel_of_its_own(
    emu: BotApiEmulator, run_bot
):
    emu.add_user(JOHN, "John", language_code="en")
    tr = get_translator("en")
    async with run_bot(_conversation_without_its_own_cancel):
        await emu.send_command(JOHN, "ask")
        assert (await emu.next_bot_message(JOHN)).text == "What is your name?"
        await emu.send_text(JOHN, "John")
        assert (await emu.next_bot_message(JOHN)).text == "inside"
        await emu.send_command(JOHN, "cancel")
        assert (await emu.next_bot_message(JOHN)).text == tr.t(CANCELLED)
        await emu.send_text(JOHN, "hello again")
        assert (await emu.next_bot_message(JOHN)).text == "outside"
        await emu.send_command(JOHN, "cancel")
        assert (await emu.next_bot_message(JOHN)).text == tr.t("common.nothing_to_cancel")


async def test_cancel_works_as_a_conversation_fallback(emu: BotApiEmulator, run_bot):
    def conversation(app) -> None:
        async def begin(update: Update, ctx) -> int:
            await reply_text(update, ctx, "started")
            return 1

        app.add_handler(
            ConversationHandler(
                entry_points=[CommandHandler("ask", begin)],
                states={1: [CommandHandler("ask", begin)]},
                fallbacks=[CommandHandler("cancel", cancel)],
            )
        )

    emu.add_user(JOHN, "John", language_code="en")
    async with run_bot(conversation):
        await emu.send_command(JOHN, "ask")
        await emu.next_bot_message(JOHN)
        await emu.send_command(JOHN, "cancel")
        cancelled = await emu.next_bot_message(JOHN)
        await emu.send_command(JOHN, "ask")
        restarted = await emu.next_bot_message(JOHN)

    assert cancelled.text == get_translator("en").t(CANCELLED)
    assert restarted.text == "started"


async def test_texts_longer_than_we_accept_are_refused_before_any_feature_sees_them(
    emu: BotApiEmulator, run_bot
):
    seen: list[str] = []

    def feature(app) -> None:
        async def record(update: Update, ctx) -> None:
            seen.append(update.effective_message.text)
            await reply_text(update, ctx, "got it")

        app.add_handler(MessageHandler(filters.TEXT, record))

    emu.add_user(JOHN, "John", language_code="en")
    tr = get_translator("en")
    async with run_bot(feature):
        await emu.send_command(JOHN, "start", "x" * MAX_COMMAND_LENGTH)
        long_command = await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "y" * (MAX_TEXT_LENGTH + 1))
        long_text = await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "short")
        accepted = await emu.next_bot_message(JOHN)

    assert long_command.text == tr.t("common.too_long", limit=MAX_COMMAND_LENGTH)
    assert long_text.text == tr.t("common.too_long", limit=MAX_TEXT_LENGTH)
    assert accepted.text == "got it"
    assert seen == ["short"]


async def test_command_menus_are_set_per_language_and_per_professional(
    emu: BotApiEmulator, run_bot
):
    emu.add_user(ANA, "Ana", language_code="pt")
    async with run_bot() as app:
        await register_commands(app.bot, professional_chat_id=ANA, locale="es")

    pt = {c["command"]: c["description"] for c in emu.commands(None, "pt")}
    anyone = {c["command"]: c["description"] for c in emu.commands(None, "")}
    pro = {c["command"]: c["description"] for c in emu.commands({"type": "chat", "chat_id": ANA})}
    assert list(pt) == [name for name, _ in CLIENT_COMMANDS]
    assert pt["mybookings"] == get_translator("pt_BR").t("command.mybookings")
    assert anyone["mybookings"] == get_translator("en").t("command.mybookings")
    assert list(pro) == [name for name, _ in PROFESSIONAL_COMMANDS]
    assert pro["agenda"] == get_translator("es").t("command.agenda")


def test_running_the_bot_without_a_token_points_to_the_offline_demo(capsys):
    with pytest.raises(SystemExit) as stopped:
        run_polling(Settings(_env_file=None, telegram_bot_token=None))  # type: ignore[call-arg]

    assert stopped.value.code not in (0, None)
    said = capsys.readouterr().err
    assert said.count("\n") == 1
    assert "TELEGRAM_BOT_TOKEN" in said and "bookingbot demo" in said


async def test_an_unknown_command_is_answered_and_known_ones_still_work(
    emu: BotApiEmulator, run_bot
):
    from tests.e2e_harness import all_features

    emu.add_user(JOHN, "John", language_code="en")
    tr = get_translator("en")
    async with run_bot(all_features):
        await emu.send_command(JOHN, "foo")
        unknown = await emu.next_bot_message(JOHN)
        await emu.send_command(JOHN, "mybookings")
        known = await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "/Help@bookingbot")
        helped = await emu.next_bot_message(JOHN)

    assert unknown.text == tr.t("common.unknown_command", command="/foo")
    assert known.text != unknown.text and "/foo" not in known.text
    assert helped.text.startswith(tr.t("help.client").splitlines()[0])
