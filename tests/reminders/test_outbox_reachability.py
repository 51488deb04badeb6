"""Someone who has not opened the bot yet is not someone who blocked it.

Telegram refuses to let a bot start a conversation ("Forbidden: bot can't initiate
conversation with a user", or "chat not found" for an id it never saw talk to the bot):
the notifications wait, and reach the person, oldest first, the first time they write;
those no longer useful by then (a reminder of a session already past, an old agenda) are
left out, and a short note says so. Any update from a person clears an earlier "blocked".
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from reminders_support import next_uid, notification_rows
from sqlalchemy import select

from bot.reminders_and_outbox.dispatcher import Dispatcher
from core.models import NotificationType, RecipientType, TelegramUser
from core.services import booking, outbox
from core.services.notifications import notify
from tests import factories as f

THURSDAY = 4  # availability weekdays count from Sunday = 0
THU_10 = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # 10:00 in Sao Paulo


async def account(db, user_id) -> TelegramUser | None:
    async with db.system("tests") as uow:
        return await uow.session.scalar(select(TelegramUser).where(TelegramUser.user_id == user_id))


async def queue(db, pro, recipient_id, *, type=NotificationType.new_message, **over):
    values = {
        "recipient_id": recipient_id,
        "recipient_type": RecipientType.professional,
        "professional_id": pro.id,
        "type": type,
        "msgid": "message.new",
        "params": {"sender_name": "Bruna", "preview": "Hi!"},
    }
    values.update(over)
    async with db.system("tests") as uow:
        await notify(uow, **values)
        await uow.commit()


async def new_pro(db, emu, **over):
    """A professional whose Telegram account exists but who never opened the bot's chat."""
    uid = next_uid()
    pro = await f.professional(db, user_id=uid, name="Dr. Ana Lima", locale="en", **over)
    emu.add_user(uid, "Ana", language_code="en")  # not started
    return pro


async def client_request(db, pro, clock):
    cli = await f.client(db, pro, user_id=next_uid(), name="Bruna")
    await f.weekly_window(db, pro, THURSDAY, time(10), time(17))
    async with db.for_user(cli.user_id) as uow:
        view = await booking.request(uow, professional_id=pro.id, start=THU_10, now=clock())
        await uow.commit()
    return view


async def test_a_professional_who_never_opened_the_bot_is_not_marked_as_having_blocked_it(
    db, emu, clock, dispatcher_for
):
    pro = await new_pro(db, emu)
    await queue(db, pro, pro.user_id)

    stats = await dispatcher_for().run_once()

    assert stats.sent == 0 and stats.unreachable == 0 and stats.held == 1
    found = await account(db, pro.user_id)
    assert found is None or found.unreachable_at is None
    [row] = await notification_rows(db)
    assert row.sent_at is None and row.held_at == clock()

    # The next notice is tried again (and waits too), not settled as "unreachable".
    await queue(db, pro, pro.user_id)
    calls = emu.world.calls["sendMessage"]
    stats = await dispatcher_for().run_once()
    assert emu.world.calls["sendMessage"] == calls + 1
    assert stats.held == 1 and stats.unreachable == 0


async def test_a_chat_telegram_does_not_know_holds_the_notice_instead_of_giving_it_up(
    db, emu, clock, dispatcher_for, caplog
):
    uid = next_uid()  # no chat with this id in Telegram at all
    pro = await f.professional(db, user_id=uid, locale="en")
    await queue(db, pro, uid)

    stats = await dispatcher_for().run_once()

    assert stats.failed == 0 and stats.held == 1
    [row] = await notification_rows(db)
    assert row.failed_at is not None and row.held_at is not None
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_held_notices_reach_the_professional_in_order_when_they_first_write(
    db, emu, clock, run_bot
):
    pro = await new_pro(db, emu)
    view = await client_request(db, pro, clock)
    await queue(db, pro, pro.user_id, params={"sender_name": "Bruna", "preview": "See you!"})

    async with run_bot() as app:
        dispatcher = Dispatcher(db, app.bot, clock, "reach")
        await dispatcher.run_once()
        assert emu.chat(pro.user_id).bot_messages == []

        await emu.send_command(pro.user_id, "help")
        note = await emu.next_bot_message(pro.user_id)
        assert "2" in note.text  # two notifications were waiting
        await emu.next_bot_message(pro.user_id)  # the help itself
        await dispatcher.run_once()

    request, message = emu.chat(pro.user_id).bot_messages[-2:]
    assert "Bruna" in request.text and "10:00" in request.text
    assert any(b["callback_data"].startswith("rq:ok") for b in request.buttons)
    assert "See you!" in message.text
    assert str(view.id) not in request.text
    [first, second] = await notification_rows(db)
    assert first.sent_at is not None and second.sent_at is not None


async def test_held_notices_no_longer_useful_are_left_out_and_the_note_says_which(
    db, emu, clock, run_bot
):
    pro = await new_pro(db, emu)
    await client_request(db, pro, clock)  # the session is on Thursday 10:00
    for day in (24, 25):
        await queue(
            db,
            pro,
            pro.user_id,
            type=NotificationType.morning_agenda,
            msgid="agenda.morning",
            params={"day": f"2026-11-{day}", "count": 0, "sessions": []},
        )
    await queue(db, pro, pro.user_id, params={"sender_name": "Bruna", "preview": "Still on?"})

    async with run_bot() as app:
        dispatcher = Dispatcher(db, app.bot, clock, "reach")
        await dispatcher.run_once()
        clock.set(THU_10 + timedelta(days=1))  # the session is past when Ana first writes
        await emu.send_command(pro.user_id, "help")
        note = await emu.next_bot_message(pro.user_id)
        await emu.next_bot_message(pro.user_id)  # the help itself
        await dispatcher.run_once()

    tr = app_translator("en")
    assert tr.tn("reach.left_out.past_sessions", 1) in note.text
    assert tr.tn("reach.left_out.past_agendas", 2) in note.text
    [last] = emu.chat(pro.user_id).bot_messages[-1:]
    assert "Still on?" in last.text
    texts = [m.text for m in emu.chat(pro.user_id).bot_messages]
    assert not any("10:00" in t for t in texts)  # no stale request of a past session


async def test_any_update_from_a_person_marked_as_blocked_clears_it(db, emu, clock, run_bot):
    pro = await new_pro(db, emu)
    emu.chat(pro.user_id).started = True
    async with db.system("tests") as uow:
        await outbox.mark_unreachable(uow, user_id=pro.user_id, now=clock())
        await uow.commit()

    async with run_bot() as app:
        await emu.send_command(pro.user_id, "help")
        await emu.next_bot_message(pro.user_id)
        found = await account(db, pro.user_id)
        assert found is not None and found.unreachable_at is None

        await queue(db, pro, pro.user_id, params={"sender_name": "Bruna", "preview": "Hello"})
        stats = await Dispatcher(db, app.bot, clock, "reach").run_once()
    assert stats.sent == 1
    assert "Hello" in emu.chat(pro.user_id).bot_messages[-1].text


def app_translator(locale):
    from bot.i18n import get_translator

    return get_translator(locale)
