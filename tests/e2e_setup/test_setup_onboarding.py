"""A new professional registers in the chat and leaves with a booking link and its QR code."""

from __future__ import annotations

from bot.app import PROFESSIONAL_COMMANDS
from bot.conversations.onboarding_shared import explain
from bot.i18n import get_translator
from core.db.uow import Database
from core.models import Profession
from core.services import professionals
from core.validation import InvalidMoney
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_harness import button_texts
from tests.e2e_setup.setup_support import Chat

ANA, JOHN, LUCIA = 7101, 7102, 7103


def t(locale: str, msgid: str, **params: object) -> str:
    return get_translator(locale).t(msgid, **params)


async def _up_to_the_time_zone(chat: Chat) -> None:
    asked = await chat.command("register")
    await chat.press(asked, "reg:keep")
    professions = await chat.next()
    await chat.press(professions, "reg:prof:psychologist")
    await chat.next()  # the time-zone question, with its reply keyboard


async def _me(db: Database, user_id: int) -> professionals.ProfessionalView:
    async with db.for_user(user_id) as uow:
        return await professionals.get_me(uow)


async def test_a_new_professional_registers_and_gets_their_link_a_qr_code_and_their_menu(
    emu: BotApiEmulator, db: Database, run_bot
):
    emu.add_user(ANA, "Ana", "Souza", language_code="pt-br")
    chat = Chat(emu, ANA)
    async with run_bot():
        asked = await chat.command("register")
        assert asked.text == t("pt_BR", "onboarding.ask_name", name="Ana Souza")
        await chat.press(asked, "reg:keep")
        professions = await chat.next()
        assert t("pt_BR", "profession.psychologist") in button_texts(professions)
        assert len(professions.buttons) == len(Profession)
        await chat.press(professions, "reg:prof:psychologist")
        zone_question = await chat.next()
        assert zone_question.text == t("pt_BR", "onboarding.ask_timezone")
        await emu.tap(ANA, "São Paulo")
        zone_set = await chat.next()
        assert "America/Sao_Paulo" in zone_set.text
        assert emu.chat(ANA).reply_keyboard is None
        durations = await chat.next()
        assert button_texts(durations) == ["30 min", "45 min", "50 min", "1 h", "1 h 30 min"]
        await chat.press(durations, "50 min")
        price_question = await chat.next()
        assert price_question.text == t("pt_BR", "onboarding.ask_price")
        currencies = await chat.say("R$ 150,00")
        assert currencies.buttons[0]["callback_data"] == "reg:cur:BRL"
        await chat.press(currencies, "reg:cur:BRL")
        done = await chat.next()
        qr = await chat.next()

    link = "https://t.me/bookingbot?start=ana-souza"
    assert done.text == t("pt_BR", "onboarding.done", name="Ana Souza", link=link)
    assert link in done.text
    assert qr.photo and qr.caption == t("pt_BR", "onboarding.qr_caption", link=link)
    menu = emu.commands({"type": "chat", "chat_id": ANA})
    assert [c["command"] for c in menu] == [name for name, _ in PROFESSIONAL_COMMANDS]
    assert menu[0]["description"] == t("pt_BR", PROFESSIONAL_COMMANDS[0][1])
    me = await _me(db, ANA)
    assert (me.name, me.profession, me.timezone) == (
        "Ana Souza",
        "psychologist",
        "America/Sao_Paulo",
    )
    assert (me.session_duration, me.price_cents, me.currency, me.locale) == (
        50,
        15000,
        "BRL",
        "pt_BR",
    )


async def test_sharing_a_location_in_sao_paulo_picks_the_sao_paulo_zone_and_says_so(
    emu: BotApiEmulator, db: Database, run_bot
):
    emu.add_user(JOHN, "John", "Smith", language_code="en")
    chat = Chat(emu, JOHN)
    async with run_bot():
        await _up_to_the_time_zone(chat)
        await emu.tap(JOHN, t("en", "onboarding.share_location"), location=(-23.5614, -46.6559))
        picked = await chat.next()
        durations = await chat.next()

    assert picked.text == t(
        "en",
        "onboarding.timezone_from_location",
        zone="São Paulo (America/Sao_Paulo)",
        time="10:00",
    )
    assert durations.text == t("en", "onboarding.ask_duration")


async def test_a_price_that_cannot_be_read_is_explained_and_asked_again(
    emu: BotApiEmulator, db: Database, run_bot
):
    emu.add_user(JOHN, "John", language_code="en")
    chat = Chat(emu, JOHN)
    async with run_bot():
        await _up_to_the_time_zone(chat)
        await chat.say("Europe/Lisbon")  # typed zone name
        durations = await chat.next()
        await chat.press(durations, "reg:dur:60")
        await chat.next()
        refused = await chat.say("a hundred bucks")
        currencies = await chat.say("80.50")

    reason = explain(
        get_translator("en"), InvalidMoney(field="price_cents", value="a hundred bucks")
    )
    assert refused.text == f"{reason}\n\n{t('en', 'onboarding.ask_price')}"
    assert reason.startswith("⚠️ Price: ")
    assert currencies.buttons[0]["callback_data"] == "reg:cur:EUR"  # Lisbon charges in euros


async def test_someone_already_registered_is_shown_their_link_instead_of_starting_over(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, user_id=LUCIA, name="Lucía", slug="lucia", locale="es")
    emu.add_user(LUCIA, "Lucía", language_code="es")
    async with run_bot():
        reply = await Chat(emu, LUCIA).command("register")
        qr = await Chat(emu, LUCIA).next()

    link = "https://t.me/bookingbot?start=lucia"
    assert reply.text == t("es", "onboarding.already_registered", name="Lucía", link=link)
    assert qr.photo


async def test_a_restart_in_the_middle_of_onboarding_continues_at_the_same_step(
    emu: BotApiEmulator, db: Database, run_bot
):
    emu.add_user(ANA, "Ana", "Souza", language_code="pt-br")
    chat = Chat(emu, ANA)
    async with run_bot():
        asked = await chat.command("register")
        professions = await chat.say("Clínica Ana Souza")

    async with run_bot():
        await chat.press(professions, "reg:prof:nutritionist")
        zone_question = await chat.next()
        await chat.say("Lisboa")
        durations = await chat.next()
        await chat.press(durations, "reg:dur:45")
        await chat.next()
        currencies = await chat.say("0")
        await chat.press(currencies, "reg:cur:EUR")
        done = await chat.next()

    assert asked.text == t("pt_BR", "onboarding.ask_name", name="Ana Souza")
    assert zone_question.text == t("pt_BR", "onboarding.ask_timezone")
    assert "https://t.me/bookingbot?start=clinica-ana-souza" in done.text
    me = await _me(db, ANA)
    assert (me.name, me.profession, me.timezone) == (
        "Clínica Ana Souza",
        "nutritionist",
        "Europe/Lisbon",
    )
    assert (me.session_duration, me.price_cents, me.currency) == (45, 0, "EUR")


async def test_cancel_leaves_onboarding_and_later_text_is_not_taken_as_an_answer(
    emu: BotApiEmulator, db: Database, run_bot
):
    emu.add_user(JOHN, "John", language_code="en")
    chat = Chat(emu, JOHN)
    async with run_bot():
        await _up_to_the_time_zone(chat)
        cancelled = await chat.command("cancel")
        await emu.send_text(JOHN, "Europe/Lisbon")
        again = await chat.command("register")

    assert cancelled.text == t("en", "common.cancelled")
    assert cancelled.reply_markup == {"remove_keyboard": True}
    assert again.text == t("en", "onboarding.ask_name", name="John")
    async with db.for_user(JOHN) as uow:
        assert uow.professional_id is None
