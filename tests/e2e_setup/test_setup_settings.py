"""A professional changes their settings from the /settings menu, by typing or pressing."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversations.onboarding_shared import explain
from bot.formatting import format_money
from bot.i18n import get_translator
from core.db.uow import Database
from core.services import professionals
from core.services.professionals import SettingOutOfRange
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_harness import button_texts
from tests.e2e_setup.setup_support import Chat

PAULO, MARTA = 7201, 7202


def t(locale: str, msgid: str, **params: object) -> str:
    return get_translator(locale).t(msgid, **params)


async def _me(db: Database, user_id: int) -> professionals.ProfessionalView:
    async with db.for_user(user_id) as uow:
        return await professionals.get_me(uow)


async def test_a_typed_price_and_a_pressed_toggle_are_saved_and_shown_in_the_menu(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, user_id=PAULO, name="Paulo", locale="pt_BR", price_cents=15000)
    emu.add_user(PAULO, "Paulo", language_code="pt-br")
    chat = Chat(emu, PAULO)
    async with run_bot():
        menu = await chat.command("settings")
        assert format_money(15000, "BRL", "pt_BR") in menu.text
        assert t("pt_BR", "field.auto_confirm") in button_texts(menu)
        await chat.press_and_wait_edit(menu, "set:ed:prc")
        assert menu.text.startswith(t("pt_BR", "field.price"))
        saved = await chat.say("R$ 180,50")
        await chat.press_and_wait_edit(saved, "set:ed:ac")

    new_price = format_money(18050, "BRL", "pt_BR")
    price_line = f"{t('pt_BR', 'field.price')}: {new_price}"
    notice = t("pt_BR", "settings.saved", field=t("pt_BR", "field.price"), value=new_price)
    assert saved.history[0].text.startswith(notice)
    assert price_line in saved.history[0].text
    toggled = f"{t('pt_BR', 'field.auto_confirm')}: {t('pt_BR', 'settings.on')}"
    assert toggled in saved.text
    me = await _me(db, PAULO)
    assert (me.price_cents, me.auto_confirm) == (18050, True)


async def test_a_value_out_of_range_is_explained_with_the_setting_name_and_asked_again(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, user_id=MARTA, name="Marta", locale="en", session_duration=50)
    emu.add_user(MARTA, "Marta", language_code="en")
    chat = Chat(emu, MARTA)
    async with run_bot():
        menu = await chat.command("settings")
        await chat.press_and_wait_edit(menu, "set:ed:dur")
        assert "50 min" in menu.text
        refused = await chat.say("13 hours")
        saved = await chat.say("1h30")

    tr = get_translator("en")
    error = SettingOutOfRange(field="session_duration", value=780, min=5, max=720)
    assert refused.text == explain(tr, error)
    assert refused.text.startswith("⚠️ Session length: ")
    assert saved.text.startswith(tr.t("settings.saved", field="Session length", value="1 h 30 min"))
    assert (await _me(db, MARTA)).session_duration == 90


async def test_the_link_button_sends_the_booking_link_and_its_qr_code_again(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, user_id=MARTA, name="Marta", slug="marta-fit", locale="en")
    emu.add_user(MARTA, "Marta", language_code="en")
    chat = Chat(emu, MARTA)
    async with run_bot():
        menu = await chat.command("settings")
        await chat.press(menu, "set:link")
        link = await chat.next()
        qr = await chat.next()

    assert "https://t.me/bookingbot?start=marta-fit" in link.text
    assert qr.photo


async def test_a_refused_button_value_is_explained_in_an_alert_and_nothing_changes(
    emu: BotApiEmulator, db: Database, run_bot
):
    await factories.professional(db, user_id=MARTA, name="Marta", locale="en")
    emu.add_user(MARTA, "Marta", language_code="en", started=True)
    async with run_bot() as app:
        forged = InlineKeyboardMarkup(
            [[InlineKeyboardButton("500", callback_data="set:v:max:500")]]
        )
        await app.bot.send_message(MARTA, "forged", reply_markup=forged)
        shown = await Chat(emu, MARTA).next()
        press = await emu.press(MARTA, shown.message_id, "500")
        answer = await press.wait_answer()

    error = SettingOutOfRange(field="max_future_bookings", value=500, min=1, max=100)
    assert answer.show_alert
    assert answer.text == explain(get_translator("en"), error)
    assert (await _me(db, MARTA)).max_future_bookings == 4
