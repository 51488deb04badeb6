"""Messages between a client and their professional, relayed both ways through the real bot."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.i18n import get_translator
from bot.reminders_and_outbox.dispatcher import Dispatcher
from core.db.uow import Database
from core.models import Message, MessageSender, Notification
from core.services import clients, messages
from emulator import BotApiEmulator, make_png
from tests import factories
from tests.clock import FrozenClock

PRO, JOHN, MARIA = 7101, 7102, 7103


def t(msgid: str, locale: str = "en", **params: object) -> str:
    """A text as the bot says it (read at call time: the catalogues fixture is in place)."""
    return get_translator(locale).t(msgid, **params)


async def practice(db: Database, emu: BotApiEmulator):
    """Dr. Ana Lima with two clients who already opened her link."""
    pro = await factories.professional(db, user_id=PRO, name="Ana Lima", locale="en")
    john = await factories.client(db, pro, user_id=JOHN, name="John Smith")
    maria = await factories.client(db, pro, user_id=MARIA, name="Maria Souza")
    emu.add_user(PRO, "Ana", language_code="en", started=True)
    emu.add_user(JOHN, "John", language_code="en", started=True)
    emu.add_user(MARIA, "Maria", language_code="en", started=True)
    return pro, john, maria


async def stored(db: Database) -> list[Message]:
    async with db.system("tests") as uow:
        return list(await uow.session.scalars(select(Message).order_by(Message.created_at)))


async def test_a_clients_text_reaches_the_professional_and_the_reply_comes_back(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        prompt = await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "Can we move Thursday to 3 pm?")
        relayed = await emu.next_bot_message(PRO)
        sent = await emu.next_bot_message(JOHN)

        await emu.press(PRO, relayed.message_id, t("message.button_reply"))
        pro_prompt = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "Sure, see you at 3.")
        answer = await emu.next_bot_message(JOHN)
        pro_sent = await emu.next_bot_message(PRO)

    assert prompt.text == t("message.write_to", name="Ana Lima")
    assert relayed.text == "✉️ John Smith: Can we move Thursday to 3 pm?"
    assert [b["text"] for b in relayed.buttons] == ["↩️ Reply"]
    assert sent.text == "✅ Sent to Ana Lima."
    assert pro_prompt.text == t("message.write_to", name="John Smith")
    assert answer.text == "✉️ Ana Lima: Sure, see you at 3."
    assert [b["text"] for b in answer.buttons] == ["↩️ Reply"]
    assert pro_sent.text == "✅ Sent to John Smith."
    history = await stored(db)
    assert [(m.sender, m.content) for m in history] == [
        (MessageSender.client, "Can we move Thursday to 3 pm?"),
        (MessageSender.professional, "Sure, see you at 3."),
    ]
    # Answering means the client's message was seen.
    assert history[0].read_at is not None


async def test_telegrams_own_reply_to_a_relayed_message_goes_back_to_its_sender(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(MARIA, "message")
        await emu.next_bot_message(MARIA)
        await emu.send_text(MARIA, "Is parking available?")
        relayed = await emu.next_bot_message(PRO)
        await emu.next_bot_message(MARIA)

        await emu.send_text(PRO, "Yes, in the building.", reply_to=relayed.message_id)
        answer = await emu.next_bot_message(MARIA)
        await emu.next_bot_message(PRO)
        # Maria answers the answer the same way.
        await emu.send_text(MARIA, "Great, thanks!", reply_to=answer.message_id)
        back = await emu.next_bot_message(PRO)

    assert answer.text == "✉️ Ana Lima: Yes, in the building."
    assert back.text == "✉️ Maria Souza: Great, thanks!"
    assert emu.chat(JOHN).bot_messages == []


async def test_a_photo_is_relayed_by_its_file_id_with_the_clients_name(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        photo = await emu.send_photo(JOHN, make_png(), caption="My exam results")
        relayed = await emu.next_bot_message(PRO)
        await emu.next_bot_message(JOHN)

    assert relayed.photo is not None and photo.photo is not None
    assert relayed.photo[-1]["file_id"] == photo.photo[-1]["file_id"]
    assert relayed.caption == "✉️ John Smith: My exam results"
    assert [b["text"] for b in relayed.buttons] == ["↩️ Reply"]
    [row] = await stored(db)
    assert row.file_id == photo.photo[-1]["file_id"] and row.content == "My exam results"


async def test_a_document_without_caption_arrives_under_the_clients_name(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        sent = await emu.send_document(JOHN, b"%PDF-1.4 report", "report.pdf", "application/pdf")
        relayed = await emu.next_bot_message(PRO)

    assert relayed.document is not None and sent.document is not None
    assert relayed.document["file_id"] == sent.document["file_id"]
    assert relayed.caption == "✉️ John Smith"


async def test_inbox_counts_unread_messages_per_client_and_opening_one_reads_it(
    db: Database, emu: BotApiEmulator, run_bot, clock: FrozenClock
):
    pro, _john, _maria = await practice(db, emu)
    for who, text in ((JOHN, "First"), (MARIA, "Hello"), (JOHN, "Second")):
        async with db.for_user(who) as uow:
            await messages.send_from_client(uow, professional_id=pro.id, text=text, now=clock())
            await uow.commit()
        clock.advance(minutes=1)
    async with run_bot():
        await emu.send_command(PRO, "inbox")
        inbox = await emu.next_bot_message(PRO)
        await emu.press(PRO, inbox.message_id, "John Smith (2)")
        page = await emu.next_bot_message(PRO)
        await emu.send_command(PRO, "inbox")
        after = await emu.next_bot_message(PRO)

    assert [b["text"] for b in inbox.buttons] == ["John Smith (2)", "Maria Souza (1)"]
    assert page.text is not None and page.text.startswith("💬 Conversation with John Smith")
    assert page.text.index("First") < page.text.index("Second")
    assert "Hello" not in page.text
    assert [b["text"] for b in after.buttons] == ["Maria Souza (1)"]


async def test_a_long_conversation_pages_back_with_the_older_button(
    db: Database, emu: BotApiEmulator, run_bot, clock: FrozenClock
):
    pro, _john, _maria = await practice(db, emu)
    async with db.for_user(JOHN) as uow:
        for n in range(1, 13):
            now = clock() + timedelta(minutes=n)
            await messages.send_from_client(uow, professional_id=pro.id, text=f"note {n}", now=now)
        await uow.commit()
    async with run_bot():
        await emu.send_command(PRO, "inbox")
        inbox = await emu.next_bot_message(PRO)
        await emu.press(PRO, inbox.message_id, "John Smith (12)")
        page = await emu.next_bot_message(PRO)
        first = page.text
        await emu.press(PRO, page.message_id, "⬆️ Older messages")
        await emu.wait_for(PRO, lambda chat: chat.message(page.message_id).edited)

    assert first is not None and "note 12" in first and "note 3" in first
    assert "note 2\n" not in first + "\n"
    older = emu.chat(PRO).message(page.message_id).text
    assert older is not None and "note 1" in older and "note 2" in older and "note 3" not in older
    assert [b["text"] for b in emu.chat(PRO).message(page.message_id).buttons] == ["↩️ Reply"]


async def test_an_over_long_message_is_refused_politely_and_nothing_reaches_the_professional(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "word " * 1000)
        refusal = await emu.next_bot_message(JOHN)
        # Still writing: a shorter message goes through.
        await emu.send_text(JOHN, "In short: thank you!")
        relayed = await emu.next_bot_message(PRO)

    assert refusal.text == t("common.too_long", limit=4096)
    assert relayed.text == "✉️ John Smith: In short: thank you!"
    assert len(emu.chat(PRO).bot_messages) == 1


async def test_a_message_to_a_professional_who_blocked_the_bot_is_kept_for_later(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    await emu.block(PRO)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "Are you there?")
        told = await emu.next_bot_message(JOHN)

    assert told.text == t("message.saved_for_later", name="Ana Lima")
    assert [m.content for m in await stored(db)] == ["Are you there?"]
    async with db.system("tests") as uow:
        [notice] = list(await uow.session.scalars(select(Notification)))
    assert notice.recipient_id == PRO and not notice.read  # the outbox will deliver it


async def test_a_relayed_message_settles_its_outbox_notice_so_it_is_not_sent_twice(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "Hi!")
        await emu.next_bot_message(PRO)
        await emu.next_bot_message(JOHN)

    async with db.system("tests") as uow:
        [notice] = list(await uow.session.scalars(select(Notification)))
    assert notice.recipient_id == PRO and notice.read


async def test_a_client_of_two_professionals_chooses_whom_to_write_to(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    other = await factories.professional(db, name="Bruno Dias", locale="en")
    await factories.client(db, other, user_id=JOHN, name="John S.")
    emu.add_user(other.user_id, "Bruno", language_code="en", started=True)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        choice = await emu.next_bot_message(JOHN)
        await emu.press(JOHN, choice.message_id, "Bruno Dias")
        prompt = await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "Hello Bruno")
        relayed = await emu.next_bot_message(other.user_id)

    assert [b["text"] for b in choice.buttons] == ["Ana Lima", "Bruno Dias"]
    assert prompt.text == t("message.write_to", name="Bruno Dias")
    assert relayed.text == "✉️ John S.: Hello Bruno"
    assert emu.chat(PRO).bot_messages == []


async def test_another_command_while_writing_gives_the_message_up(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        await emu.send_command(JOHN, "help")
        await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "just thinking aloud")
        offer = await emu.next_bot_message(JOHN)  # only offered, not sent
        await emu.send_command(JOHN, "inbox")
        inbox = await emu.next_bot_message(JOHN)

    assert offer.text == t("message.stray.ask", name="Ana Lima")
    assert inbox.text == t("message.inbox_title")
    assert emu.chat(PRO).bot_messages == []
    assert await stored(db) == []


async def test_someone_without_a_professional_is_told_how_to_connect(emu: BotApiEmulator, run_bot):
    emu.add_user(JOHN, "John", language_code="pt-br")
    async with run_bot():
        await emu.send_command(JOHN, "message")
        reply = await emu.next_bot_message(JOHN)

    assert reply.text == t("message.no_professional", "pt_BR")
    assert reply.text.startswith("Você ainda não está conectado")


async def test_the_dispatcher_does_not_announce_a_message_already_relayed(
    db: Database, emu: BotApiEmulator, run_bot, clock: FrozenClock
):
    await practice(db, emu)
    async with run_bot() as app:
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "Hi!")
        await emu.next_bot_message(PRO)
        await emu.next_bot_message(JOHN)
        stats = await Dispatcher(db, app.bot, clock).run_once()

    assert stats.sent == 0
    assert [m.text for m in emu.chat(PRO).bot_messages] == ["✉️ John Smith: Hi!"]


async def test_cancel_while_writing_sends_nothing(db: Database, emu: BotApiEmulator, run_bot):
    await practice(db, emu)
    async with run_bot():
        await emu.send_command(JOHN, "message")
        await emu.next_bot_message(JOHN)
        await emu.send_command(JOHN, "cancel")
        bye = await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "never mind")
        await emu.send_command(JOHN, "help")
        await emu.next_bot_message(JOHN)

    assert bye.text == t("common.cancelled")
    assert emu.chat(PRO).bot_messages == []
    assert await stored(db) == []


async def test_a_message_whose_live_relay_never_happened_is_announced_after_the_grace(
    db: Database, emu: BotApiEmulator, run_bot, clock: FrozenClock
):
    await practice(db, emu)
    async with db.for_user(JOHN) as uow:
        pro_id = (await clients.my_professionals(uow))[0][0]
        # Stored as if the bot crashed right after the commit, before relaying it.
        await messages.send_from_client(
            uow, professional_id=pro_id, text="Are you there?", now=clock()
        )
        await uow.commit()
    async with run_bot() as app:
        held = await Dispatcher(db, app.bot, clock).run_once()
        clock.advance(minutes=2)
        late = await Dispatcher(db, app.bot, clock).run_once()
        announced = await emu.next_bot_message(PRO)

    assert held.sent == 0 and late.sent == 1
    assert "Are you there?" in announced.text


async def test_a_text_outside_any_conversation_is_sent_on_only_when_the_client_says_so(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    async with run_bot():
        await emu.send_text(JOHN, "Running 10 minutes late, sorry!")
        offer = await emu.next_bot_message(JOHN)
        asked = offer.text
        assert await stored(db) == []  # nothing sent without the tap
        press = await emu.press(JOHN, offer.message_id, t("message.stray.button", name="Ana Lima"))
        await press.wait_answer()
        relayed = await emu.next_bot_message(PRO)
        again = await emu.press(JOHN, offer.message_id, t("message.stray.button", name="Ana Lima"))
        second = await again.wait_answer()

    assert asked == t("message.stray.ask", name="Ana Lima")
    assert relayed.text == "✉️ John Smith: Running 10 minutes late, sorry!"
    assert emu.chat(JOHN).message(offer.message_id).text == t("message.sent", name="Ana Lima")
    assert [(m.sender, m.content) for m in await stored(db)] == [
        (MessageSender.client, "Running 10 minutes late, sorry!")
    ]
    assert second.text == t("common.button_expired")  # the text went once


async def test_a_stray_text_from_someone_without_a_professional_says_how_to_connect(
    db: Database, emu: BotApiEmulator, run_bot
):
    emu.add_user(7199, "Zé", language_code="en", started=True)
    async with run_bot():
        await emu.send_text(7199, "hello?")
        answer = await emu.next_bot_message(7199)

    assert answer.text == t("message.no_professional")


async def test_each_offer_sends_its_own_text_however_many_came_after(
    db: Database, emu: BotApiEmulator, run_bot
):
    await practice(db, emu)
    button = t("message.stray.button", name="Ana Lima")
    async with run_bot():
        await emu.send_text(JOHN, "First thought")
        first = await emu.next_bot_message(JOHN)
        await emu.send_text(JOHN, "Second thought")
        await emu.next_bot_message(JOHN)
        press = await emu.press(JOHN, first.message_id, button)
        await press.wait_answer()
        relayed = await emu.next_bot_message(PRO)

    assert relayed.text == "✉️ John Smith: First thought"
    assert [m.content for m in await stored(db)] == ["First thought"]
