"""Bot commands, the menu button and chat info are stored the way Telegram keeps them."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    MenuButtonCommands,
    MenuButtonDefault,
)
from telegram.error import BadRequest

from emulator import BotApiEmulator, EmuUser


async def test_set_my_commands_stores_commands_per_language_and_scope(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    await bot.set_my_commands([BotCommand("book", "Book a slot")])
    await bot.set_my_commands([BotCommand("book", "Agendar")], language_code="pt")
    await bot.set_my_commands(
        [BotCommand("book", "Reservar"), BotCommand("cancel", "Cancelar")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="es",
    )
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(ana.id))

    assert [c.description for c in await bot.get_my_commands()] == ["Book a slot"]
    assert [c.description for c in await bot.get_my_commands(language_code="pt")] == ["Agendar"]
    assert await bot.get_my_commands(language_code="es") == ()
    private_es = await bot.get_my_commands(BotCommandScopeAllPrivateChats(), language_code="es")
    assert [c.command for c in private_es] == ["book", "cancel"]
    assert emu.commands({"type": "chat", "chat_id": ana.id}) == [
        {"command": "admin", "description": "Admin"}
    ]

    await bot.delete_my_commands(language_code="pt")
    assert await bot.get_my_commands(language_code="pt") == ()
    assert emu.commands() == [{"command": "book", "description": "Book a slot"}]


async def test_invalid_commands_and_language_codes_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("Book", "Upper case is not allowed")])
    with pytest.raises(BadRequest, match=r"(?i)^invalid language code specified$"):
        await bot.set_my_commands([BotCommand("book", "x")], language_code="pt-br")


async def test_the_menu_button_and_chat_info_are_kept_per_chat(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    await bot.set_chat_menu_button(ana.id, MenuButtonCommands())

    assert isinstance(await bot.get_chat_menu_button(ana.id), MenuButtonCommands)
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)
    await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonDefault)
    chat = await bot.get_chat(ana.id)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Ana", "ana_s")
    assert emu.chat(ana.id).menu_button == {"type": "commands"}
