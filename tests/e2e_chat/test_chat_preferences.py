"""/language and /timezone through the real bot: the choice shows in the very next replies."""

from __future__ import annotations

from bot.app import PROFESSIONAL_COMMANDS
from bot.i18n import get_translator
from core.db.uow import Database
from core.models import TelegramUser
from emulator import BotApiEmulator
from tests import factories
from tests.clock import FrozenClock

LUCIA, PRO = 7201, 7202


def t(msgid: str, locale: str = "en", **params: object) -> str:
    return get_translator(locale).t(msgid, **params)


async def test_choosing_spanish_answers_in_spanish_from_then_on(
    db: Database, emu: BotApiEmulator, run_bot
):
    emu.add_user(LUCIA, "Lucía", language_code="en")
    async with run_bot():
        await emu.send_command(LUCIA, "language")
        menu = await emu.next_bot_message(LUCIA)
        await emu.press(LUCIA, menu.message_id, "Español")
        await emu.wait_for(LUCIA, lambda chat: chat.message(menu.message_id).edited)
        await emu.send_command(LUCIA, "message")
        next_reply = await emu.next_bot_message(LUCIA)

    first = menu.history[0].reply_markup or {}
    assert [row[0]["text"] for row in first["inline_keyboard"]][:3] == [
        "English",
        "Português",
        "Español",
    ]
    assert menu.history[0].text == t("language.choose", language="English")
    assert (
        emu.chat(LUCIA).message(menu.message_id).text
        == "¡Listo! A partir de ahora te escribiré en español."
    )
    assert next_reply.text == t("message.no_professional", "es")
    async with db.system("tests") as uow:
        account = await uow.session.get(TelegramUser, LUCIA)
    assert account is not None and account.locale == "es"


async def test_a_professional_choosing_a_language_gets_their_menu_in_it(
    db: Database, emu: BotApiEmulator, run_bot
):
    await factories.professional(db, user_id=PRO, locale="pt_BR")
    emu.add_user(PRO, "Ana", language_code="pt-br")
    async with run_bot():
        await emu.send_command(PRO, "language")
        menu = await emu.next_bot_message(PRO)
        await emu.press(PRO, menu.message_id, "English")
        await emu.wait_for(PRO, lambda chat: chat.message(menu.message_id).edited)

    assert menu.history[0].text == t("language.choose", "pt_BR", language="Português")
    assert (
        emu.chat(PRO).message(menu.message_id).text
        == "Done! From now on I'll write to you in English."
    )
    menu_now = emu.commands({"type": "chat", "chat_id": PRO})
    assert [c["command"] for c in menu_now] == [name for name, _ in PROFESSIONAL_COMMANDS]
    assert [c["description"] for c in menu_now] == [t(msgid) for _, msgid in PROFESSIONAL_COMMANDS]


async def test_same_as_telegram_goes_back_to_telegrams_language(
    db: Database, emu: BotApiEmulator, run_bot
):
    await factories.add(db, TelegramUser(user_id=LUCIA, first_name="Lucía", locale="es"))
    emu.add_user(LUCIA, "Lucía", language_code="pt-br")
    async with run_bot():
        await emu.send_command(LUCIA, "language")
        menu = await emu.next_bot_message(LUCIA)
        await emu.press(LUCIA, menu.message_id, t("language.auto", "es"))
        await emu.wait_for(LUCIA, lambda chat: chat.message(menu.message_id).edited)

    assert emu.chat(LUCIA).message(menu.message_id).text == t("language.set", "pt_BR")


async def test_sharing_a_location_in_lisbon_picks_europe_lisbon(
    emu: BotApiEmulator, run_bot, clock: FrozenClock
):
    emu.add_user(LUCIA, "Lucía", language_code="en")
    async with run_bot():
        await emu.send_command(LUCIA, "timezone")
        ask = await emu.next_bot_message(LUCIA)
        keyboard_shown = emu.chat(LUCIA).reply_keyboard
        await emu.tap(LUCIA, "📍 Share my location", location=(38.7223, -9.1393))
        done = await emu.next_bot_message(LUCIA)
        await emu.send_command(LUCIA, "timezone")
        again = await emu.next_bot_message(LUCIA)

    # Default zone São Paulo at 13:00 UTC is 10:00 there; Lisbon in November is UTC.
    assert ask.text == t("timezone.choose", zone="São Paulo (America/Sao_Paulo)", time="10:00")
    assert keyboard_shown is not None
    assert done.text == t("timezone.set", zone="Lisbon (Europe/Lisbon)", time="13:00")
    assert "Europe/Lisbon" in again.text


async def test_a_city_button_or_a_typed_zone_name_sets_the_zone_and_nonsense_is_explained(
    emu: BotApiEmulator, run_bot
):
    emu.add_user(LUCIA, "Lucía", language_code="es")
    async with run_bot():
        await emu.send_command(LUCIA, "timezone")
        await emu.next_bot_message(LUCIA)
        await emu.send_text(LUCIA, "Mars/Olympus_Mons")
        refusal = await emu.next_bot_message(LUCIA)
        await emu.tap(LUCIA, "Madrid")
        by_button = await emu.next_bot_message(LUCIA)
        await emu.send_command(LUCIA, "timezone")
        await emu.next_bot_message(LUCIA)
        await emu.send_text(LUCIA, "america/bogota")
        typed = await emu.next_bot_message(LUCIA)

    assert refusal.text == t(
        "validation.timezone", "es", field="timezone", value="Mars/Olympus_Mons"
    )
    assert by_button.text is not None and by_button.text.startswith(
        "Zona horaria configurada: Madrid"
    )
    assert typed.text is not None and "(America/Bogota)" in typed.text
    assert emu.chat(LUCIA).reply_keyboard is None


async def test_cancel_leaves_the_time_zone_unchanged_and_takes_the_keyboard_away(
    db: Database, emu: BotApiEmulator, run_bot
):
    emu.add_user(LUCIA, "Lucía", language_code="en")
    async with run_bot():
        await emu.send_command(LUCIA, "timezone")
        await emu.next_bot_message(LUCIA)
        await emu.tap(LUCIA, "✖️ Cancel")
        bye = await emu.next_bot_message(LUCIA)

    assert bye.text == t("common.cancelled")
    assert emu.chat(LUCIA).reply_keyboard is None
    async with db.system("tests") as uow:
        account = await uow.session.get(TelegramUser, LUCIA)
    assert account is None or account.timezone is None
