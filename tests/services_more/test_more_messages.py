"""Messages relayed between a client and their professional, both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core import errors
from core.models import Message, MessageSender, MessageType, NotificationType
from core.services import messages
from core.services.access import NotAProfessional
from tests import factories as f

T0 = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


async def test_a_client_and_their_professional_exchange_messages_and_each_is_notified(db):
    pro = await f.professional(db, name="Dr. Ana")
    cli = await f.client(db, pro, name="Bruno")
    async with db.for_user(cli.user_id) as uow:
        sent = await messages.send_from_client(
            uow, professional_id=pro.id, text="  Posso remarcar?  ", now=T0
        )
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        reply = await messages.send_from_professional(
            uow, client_id=cli.id, text="Claro!", now=T0 + timedelta(minutes=1)
        )
        await uow.commit()

    assert sent.text == "Posso remarcar?" and sent.sender is MessageSender.client
    assert reply.sender is MessageSender.professional
    queued = await f.notifications(db, NotificationType.new_message)
    by_recipient = {n.recipient_id: n for n in queued}
    assert by_recipient[pro.user_id].params["sender_name"] == "Bruno"
    assert by_recipient[pro.user_id].params["preview"] == "Posso remarcar?"
    assert by_recipient[pro.user_id].params["client_id"] == str(cli.id)
    assert by_recipient[cli.user_id].params["sender_name"] == "Dr. Ana"
    assert by_recipient[cli.user_id].msgid == "message.new"


async def test_unread_counts_fall_to_zero_after_reading_and_the_sender_sees_a_read_receipt(db):
    pro = await f.professional(db)
    a, b = await f.client(db, pro), await f.client(db, pro)
    for i, cli in enumerate((a, a, b)):
        async with db.for_user(cli.user_id) as uow:
            await messages.send_from_client(
                uow, professional_id=pro.id, text=f"hi {i}", now=T0 + timedelta(seconds=i)
            )
            await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        await messages.send_from_professional(uow, client_id=a.id, text="hello", now=T0)
        await uow.commit()

    async with db.for_user(pro.user_id) as uow:
        assert await messages.unread_counts(uow) == {a.id: 2, b.id: 1}
        assert await messages.mark_read(uow, client_id=a.id, now=T0 + timedelta(hours=1)) == 2
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        assert await messages.unread_counts(uow) == {b.id: 1}
    async with db.for_user(a.user_id) as uow:
        assert await messages.unread_counts(uow) == {pro.id: 1}
        page = await messages.history(uow, professional_id=pro.id)
        mine = [m for m in page.items if m.sender is MessageSender.client]
        assert all(m.read_at == T0 + timedelta(hours=1) for m in mine)
        assert await messages.mark_read(uow, professional_id=pro.id, now=T0) == 1
        assert await messages.unread_counts(uow) == {}


async def test_history_pages_newest_first_without_losing_messages(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        for i in range(7):
            # Two messages share each timestamp: a page must never split such a pair.
            await messages.send_from_client(
                uow, professional_id=pro.id, text=str(i), now=T0 + timedelta(seconds=i // 2)
            )
        await uow.commit()
    seen: list[str] = []
    before = None
    async with db.for_user(cli.user_id) as uow:
        while True:
            page = await messages.history(uow, professional_id=pro.id, before=before, limit=3)
            seen += [m.text or "" for m in page.items]
            if page.next_before is None:
                break
            before = page.next_before
    assert sorted(seen, reverse=True) == ["6", "5", "4", "3", "2", "1", "0"]
    assert len(seen) == 7
    assert seen[0] == "6"


async def test_a_client_cannot_read_another_clients_messages(db):
    pro = await f.professional(db)
    me, other = await f.client(db, pro), await f.client(db, pro)
    async with db.for_user(other.user_id) as uow:
        await messages.send_from_client(uow, professional_id=pro.id, text="private", now=T0)
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        await messages.send_from_professional(uow, client_id=other.id, text="also private", now=T0)
        await uow.commit()

    async with db.for_user(me.user_id) as uow:
        page = await messages.history(uow, professional_id=pro.id)
        raw = (await uow.session.scalars(select(Message.content))).all()
        with pytest.raises(NotAProfessional):
            await messages.history(uow, client_id=other.id)
        assert await messages.unread_counts(uow) == {}
    assert page.items == () and raw == []


async def test_a_stranger_cannot_message_a_professional_they_are_not_a_client_of(db):
    pro, elsewhere = await f.professional(db), await f.professional(db)
    stranger = await f.client(db, elsewhere)
    async with db.for_user(stranger.user_id) as uow:
        with pytest.raises(messages.NotYourProfessional):
            await messages.send_from_client(uow, professional_id=pro.id, text="hi", now=T0)


async def test_a_professional_cannot_message_another_professionals_client(db):
    pro, other = await f.professional(db), await f.professional(db)
    theirs = await f.client(db, other)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(errors.NotFound):
            await messages.send_from_professional(uow, client_id=theirs.id, text="hi", now=T0)


async def test_text_over_telegrams_limit_is_refused_with_the_limit(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        ok = await messages.send_from_client(uow, professional_id=pro.id, text="x" * 4096, now=T0)
        with pytest.raises(messages.MessageTooLong) as caught:
            await messages.send_from_client(uow, professional_id=pro.id, text="x" * 4097, now=T0)
        with pytest.raises(messages.MessageEmpty):
            await messages.send_from_client(uow, professional_id=pro.id, text="   ", now=T0)
    assert len(ok.text or "") == 4096
    assert caught.value.params == {"limit": 4096, "length": 4097}
    assert caught.value.msgid == "message.too_long"


async def test_a_photo_with_a_caption_is_relayed_and_a_long_caption_refused(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    async with db.for_user(pro.user_id) as uow:
        photo = await messages.send_from_professional(
            uow,
            client_id=cli.id,
            file_id="AgACAgQAAx",
            type=MessageType.photo,
            text="exercise sheet",
            now=T0,
        )
        voice = await messages.send_from_professional(
            uow, client_id=cli.id, file_id="AwACAgQAAx", type=MessageType.voice, now=T0
        )
        with pytest.raises(messages.CaptionTooLong) as caught:
            await messages.send_from_professional(
                uow,
                client_id=cli.id,
                file_id="BQACAgQ",
                type=MessageType.document,
                text="c" * 1025,
                now=T0,
            )
        with pytest.raises(messages.MessageEmpty):
            await messages.send_from_professional(
                uow, client_id=cli.id, type=MessageType.photo, now=T0
            )
        await uow.commit()
    assert (photo.file_id, photo.text) == ("AgACAgQAAx", "exercise sheet")
    assert voice.text is None and voice.type is MessageType.voice
    assert caught.value.params == {"limit": 1024, "length": 1025}
    previews = [n.params["preview"] for n in await f.notifications(db)]
    assert sorted(previews) == ["", "exercise sheet"]


async def test_a_message_to_a_client_without_telegram_waits_in_the_history(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro, user_id=None, invite_token="tok-1")
    async with db.for_user(pro.user_id) as uow:
        await messages.send_from_professional(uow, client_id=cli.id, text="welcome", now=T0)
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        page = await messages.history(uow, client_id=cli.id)
    assert [m.text for m in page.items] == ["welcome"]
    assert await f.notifications(db) == []


async def test_each_side_sees_whom_they_write_to_and_how_they_are_known(db):
    pro = await f.professional(db, name="Ana Lima")
    cli = await f.client(db, pro, name="John Smith")
    offline = await f.client(db, pro, user_id=None, name="Rosa", invite_token="tok-2")
    async with db.for_user(cli.user_id) as uow:
        to_pro = await messages.professional_peer(uow, professional_id=pro.id)
    async with db.for_user(pro.user_id) as uow:
        to_cli = await messages.client_peer(uow, client_id=cli.id)
        to_offline = await messages.client_peer(uow, client_id=offline.id)

    assert to_pro == messages.Peer(pro.user_id, "John Smith", "Ana Lima")
    assert to_cli == messages.Peer(cli.user_id, "Ana Lima", "John Smith")
    assert to_offline == messages.Peer(None, "Ana Lima", "Rosa")


async def test_nobody_gets_a_peer_outside_their_own_practice(db):
    pro, other = await f.professional(db), await f.professional(db)
    inactive = await f.professional(db, active=False)
    cli = await f.client(db, pro)
    await f.client(db, inactive, user_id=cli.user_id)
    theirs = await f.client(db, other)
    async with db.for_user(cli.user_id) as uow:
        with pytest.raises(messages.NotYourProfessional):
            await messages.professional_peer(uow, professional_id=other.id)
        with pytest.raises(messages.NotYourProfessional):
            await messages.professional_peer(uow, professional_id=inactive.id)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(errors.NotFound):
            await messages.client_peer(uow, client_id=theirs.id)
