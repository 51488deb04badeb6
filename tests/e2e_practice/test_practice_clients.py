"""/clients and /note: search, the client card, notes, messages, clients added by hand."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from core.models import Client, Message
from core.services import clients
from emulator import BotApiEmulator
from tests import factories as f
from tests.e2e_harness import button_texts
from tests.e2e_practice.practice_support import PRO, edited, tr

MARIA = 7101
ANA = 7102


async def test_a_client_added_by_hand_gets_an_invite_link_that_links_whoever_opens_it(
    emu: BotApiEmulator, db, run_bot, pro
):
    async with run_bot():
        await emu.send_command(PRO, "clients")
        listing = await emu.next_bot_message(PRO)
        empty_text = listing.text
        await emu.press(PRO, listing.message_id, tr.t("clients.button.add"))
        ask_name = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "Maria Lima")
        ask_phone = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "(11) 91234-5678")
        ask_email = await emu.next_bot_message(PRO)
        await emu.press(PRO, ask_email.message_id, tr.t("clients.button.skip"))
        done = await emu.next_bot_message(PRO)
        done_text = done.text

        payload = re.search(r"https://t\.me/bookingbot\?start=(\S+)", done_text).group(1)
        # Maria opens the link (the /start of the client side calls this same service).
        async with db.for_user(MARIA) as uow:
            linked = await clients.open_link(
                uow, payload=payload, first_name="Maria", username="maria_l", language_code="pt"
            )
            await uow.commit()

        await emu.press(PRO, done.message_id, tr.t("clients.button.card"))
        card = await edited(emu, done.message_id)

    assert tr.t("clients.list.empty") in empty_text
    assert ask_name.text == tr.t("clients.add.name")
    assert ask_phone.text == tr.t("clients.add.phone", client="Maria Lima")
    assert ask_email.text == tr.t("clients.add.email")
    assert done_text == tr.t(
        "clients.add.done", client="Maria Lima", link=f"https://t.me/bookingbot?start={payload}"
    )
    assert linked.via_invite and linked.professional.id == pro.id
    assert linked.client.name == "Maria Lima"
    assert card.text.startswith("👤 Maria Lima\n📞 ")
    assert tr.t("clients.card.telegram", username="maria_l") in card.text
    assert payload not in card.text  # the invite is spent
    async with db.system("tests") as uow:
        row = await uow.session.scalar(select(Client).where(Client.name == "Maria Lima"))
    assert row.user_id == MARIA and row.invite_token is None


async def test_typing_a_name_filters_the_client_list(emu: BotApiEmulator, db, run_bot, pro):
    await f.client(db, pro, name="Ana Souza")
    await f.client(db, pro, name="Bruno Lima")
    await f.client(db, pro, name="Anabela Reis")
    async with run_bot():
        await emu.send_command(PRO, "clients")
        everyone = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "ANA")
        matching = await emu.next_bot_message(PRO)

    assert button_texts(everyone)[:3] == ["Ana Souza", "Anabela Reis", "Bruno Lima"]
    assert matching.text.startswith(tr.t("clients.list.search", search="ANA"))
    assert [b for b in button_texts(matching) if "Lima" in b or "Ana" in b] == [
        "Ana Souza",
        "Anabela Reis",
    ]


async def test_a_note_added_with_the_note_command_shows_on_the_client_card(
    emu: BotApiEmulator, db, run_bot, pro
):
    await f.client(db, pro, name="Ana Souza")
    await f.client(db, pro, name="Bruno Lima")
    async with run_bot():
        await emu.send_command(PRO, "note", "ana")
        ask = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "Prefers morning sessions; anxious about exams")
        saved = await emu.next_bot_message(PRO)
        card_after_note = await emu.next_bot_message(PRO)
        await emu.send_command(PRO, "clients")
        listing = await emu.next_bot_message(PRO)
        await emu.press(PRO, listing.message_id, "Ana Souza")
        card = await edited(emu, listing.message_id)

    assert ask.text == tr.t("clients.note.ask", client="Ana Souza")
    assert saved.text == tr.t("clients.note.saved", client="Ana Souza")
    for shown in (card_after_note.text, card.text):
        assert tr.t("clients.card.notes") in shown
        assert "Prefers morning sessions; anxious about exams" in shown
    assert button_texts(card)[:4] == [
        tr.t("clients.button.add_note"),
        tr.t("clients.button.message"),
        tr.t("practice_booking.button.book"),
        tr.t("clients.button.recurring"),
    ]


async def test_notes_are_edited_and_deleted_from_the_notes_screen(
    emu: BotApiEmulator, db, run_bot, pro
):
    ana = await f.client(db, pro, name="Ana Souza")
    for content in ("First impression: calm", "Asked for receipts"):
        async with db.for_user(PRO) as uow:
            await clients.add_note(uow, client_id=ana.id, content=content)
            await uow.commit()
    async with run_bot():
        await emu.send_command(PRO, "clients")
        listing = await emu.next_bot_message(PRO)
        await emu.press(PRO, listing.message_id, "Ana Souza")
        await edited(emu, listing.message_id, 1)
        await emu.press(PRO, listing.message_id, tr.t("clients.button.notes"))
        notes = await edited(emu, listing.message_id, 2)
        notes_text = notes.text
        await emu.press(PRO, listing.message_id, tr.t("clients.button.delete_note", n=1))
        await edited(emu, listing.message_id, 3)
        await emu.press(PRO, listing.message_id, tr.t("clients.button.delete_yes"))
        after_delete = await edited(emu, listing.message_id, 4)
        after_delete_text = after_delete.text
        await emu.press(PRO, listing.message_id, tr.t("clients.button.edit_note", n=1))
        ask = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "First impression: calm, curious")
        updated = await emu.next_bot_message(PRO)
        card = await emu.next_bot_message(PRO)

    assert notes_text.index("Asked for receipts") < notes_text.index("First impression")
    assert "Asked for receipts" not in after_delete_text
    assert ask.text == tr.t("clients.note.edit_ask", note="First impression: calm")
    assert updated.text == tr.t("clients.note.updated")
    assert "First impression: calm, curious" in card.text
    async with db.for_user(PRO) as uow:
        left = await clients.list_notes(uow, client_id=ana.id)
    assert [n.content for n in left] == ["First impression: calm, curious"]


async def test_the_card_message_button_writes_to_the_client_through_the_chat_relay(
    emu: BotApiEmulator, db, run_bot, pro
):
    ana = await f.client(db, pro, name="Ana Souza", user_id=ANA)
    emu.add_user(ANA, "Ana", language_code="en", started=True)
    await f.appointment(db, pro, ana, datetime(2026, 11, 27, 13, tzinfo=UTC))
    async with run_bot():
        await emu.send_command(PRO, "clients", "Ana")
        listing = await emu.next_bot_message(PRO)
        await emu.press(PRO, listing.message_id, "Ana Souza")
        card = await edited(emu, listing.message_id)
        card_text = card.text
        await emu.press(PRO, listing.message_id, tr.t("clients.button.message"))
        await emu.next_bot_message(PRO)  # the messaging feature asks for the text
        await emu.send_text(PRO, "Please bring your exam results on Friday")
        relayed = await emu.next_bot_message(ANA)

    assert tr.t("clients.card.upcoming") in card_text
    assert "📌 Fri 27 Nov, 10:00" in card_text
    assert "Please bring your exam results on Friday" in relayed.text
    async with db.system("tests") as uow:
        stored = list(await uow.session.scalars(select(Message)))
    assert [m.content for m in stored] == ["Please bring your exam results on Friday"]
