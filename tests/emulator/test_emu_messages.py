"""Sending, editing and deleting follow Telegram's rules and its exact error texts."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from emulator import BotApiEmulator, EmuUser

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("10:00", callback_data="bk:slot:1")],
        [InlineKeyboardButton("Site", url="https://example.org")],
    ]
)


async def test_an_inline_button_press_arrives_as_a_callback_query_and_its_answer_is_recorded(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot, run_app
) -> None:
    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer(f"picked {query.data}", show_alert=True)
        await query.edit_message_text(f"Booked {query.data}")

    offer = await bot.send_message(ana.id, "Pick a time", reply_markup=KEYBOARD)
    async with run_app(CallbackQueryHandler(on_press)):
        press = await emu.press(ana.id, offer.message_id, "10:00")
        answer = await press.wait_answer(timeout=2)
        message = await emu.wait_for(ana.id, lambda chat: chat.message(offer.message_id).edited, 2)

    assert press.data == "bk:slot:1"
    assert (answer.text, answer.show_alert) == ("picked bk:slot:1", True)
    assert emu.chat(ana.id).callback_answers == [answer]
    assert message
    recorded = emu.chat(ana.id).message(offer.message_id)
    assert [v.text for v in recorded.history] == ["Pick a time", "Booked bk:slot:1"]
    assert recorded.reply_markup is None


async def test_a_callback_query_can_be_answered_only_once(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    offer = await bot.send_message(ana.id, "Pick", reply_markup=KEYBOARD)
    press = await emu.press(ana.id, offer.message_id, "bk:slot:1")

    assert await bot.answer_callback_query(press.query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(press.query_id, text="again")


async def test_edit_message_text_records_every_version_with_its_keyboard(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    sent = await bot.send_message(ana.id, "v1", reply_markup=KEYBOARD)
    await bot.edit_message_text("v2", ana.id, sent.message_id, reply_markup=KEYBOARD)
    edited = await bot.edit_message_reply_markup(ana.id, sent.message_id)

    recorded = emu.chat(ana.id).message(sent.message_id)
    assert [(v.text, v.reply_markup is not None) for v in recorded.history] == [
        ("v1", True),
        ("v2", True),
        ("v2", False),
    ]
    assert recorded.buttons == []
    assert not isinstance(edited, bool) and edited.edit_date is not None


async def test_editing_with_identical_content_is_refused_as_not_modified(
    ana: EmuUser, bot: Bot
) -> None:
    sent = await bot.send_message(ana.id, "same", reply_markup=KEYBOARD)

    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message"):
        await bot.edit_message_text("same", ana.id, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"Message to edit not found"):
        await bot.edit_message_text("other", ana.id, 999)


async def test_a_4097_character_message_is_refused_and_4096_is_accepted(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(ana.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(ana.id, "   ")

    sent = await bot.send_message(ana.id, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert sent.text == "x" * 4096
    assert len(emu.chat(ana.id).bot_messages) == 1


async def test_callback_data_of_65_bytes_is_refused(ana: EmuUser, bot: Bot) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data="é" * 32 + "x")]])
    text_only = InlineKeyboardMarkup([[InlineKeyboardButton("go")]])

    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(ana.id, "pick", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed in the inline keyboard"):
        await bot.send_message(ana.id, "pick", reply_markup=text_only)


async def test_html_becomes_entities_and_broken_markup_is_refused(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    sent = await bot.send_message(
        ana.id, "<b>Ana</b> &lt;3 <a href='https://x.org'>site</a>", parse_mode=ParseMode.HTML
    )

    assert sent.text == "Ana <3 site"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 3),
        ("text_link", 7, 4),
    ]
    with pytest.raises(BadRequest, match=r"(?i)unclosed start tag at byte offset 4"):
        await bot.send_message(ana.id, "Ana <3", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br" at byte offset 0'):
        await bot.send_message(ana.id, "<br> Ana", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await bot.send_message(ana.id, "Dr. Ana", parse_mode=ParseMode.MARKDOWN_V2)
    assert len(emu.chat(ana.id).bot_messages) == 1


async def test_a_reply_keyboard_contact_button_sends_the_users_own_contact(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot, run_app
) -> None:
    contacts: list[tuple[str, int | None]] = []

    async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.contact is not None
        contact = update.message.contact
        contacts.append((contact.phone_number, contact.user_id))
        await update.message.reply_text("thanks", reply_markup=ReplyKeyboardRemove())

    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Share phone", request_contact=True)], ["Cancel"]],
        one_time_keyboard=True,
    )
    await bot.send_message(ana.id, "Your phone?", reply_markup=keyboard)
    assert emu.chat(ana.id).reply_keyboard is not None
    async with run_app(MessageHandler(filters.CONTACT, on_contact)):
        await emu.tap(ana.id, "Share phone")
        emu.mark_read(ana.id)
        reply = await emu.next_bot_message(ana.id, timeout=2)

    assert contacts == [("+5511999990000", ana.id)]
    assert reply.text == "thanks"
    assert reply.reply_markup == {"remove_keyboard": True}
    assert emu.chat(ana.id).reply_keyboard is None


async def test_an_unknown_chat_and_a_user_who_never_wrote_are_refused(
    emu: BotApiEmulator, bot: Bot
) -> None:
    stranger = emu.add_user(3003, "Caio")

    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(99999, "hello")
    with pytest.raises(Forbidden, match=r"bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hello")


async def test_a_blocked_user_gives_403_and_the_bot_hears_my_chat_member(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    await emu.block(ana.id)

    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(ana.id, "reminder")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"

    await emu.unblock(ana.id)
    assert (await bot.send_message(ana.id, "welcome back")).text == "welcome back"


async def test_messages_can_be_deleted_copied_and_forwarded(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    note = await emu.send_text(ana.id, "my note")
    copy = await bot.copy_message(ana.id, ana.id, note.message_id)
    forward = await bot.forward_message(ana.id, ana.id, note.message_id)

    assert await bot.delete_message(ana.id, note.message_id)
    with pytest.raises(BadRequest, match=r"(?i)Message to delete not found"):
        await bot.delete_message(ana.id, note.message_id)
    chat = emu.chat(ana.id)
    assert chat.message(copy.message_id).text == "my note"
    assert forward.forward_origin is not None
    assert chat.message(note.message_id).deleted
    assert [m.message_id for m in chat.messages] == [1, 2, 3]


async def test_chat_actions_are_recorded_and_unknown_ones_refused(
    emu: BotApiEmulator, ana: EmuUser, bot: Bot
) -> None:
    assert await bot.send_chat_action(ana.id, "typing")
    with pytest.raises(BadRequest, match=r"(?i)Wrong parameter action in request"):
        await bot.send_chat_action(ana.id, "dancing")

    assert emu.chat(ana.id).actions == ["typing"]
