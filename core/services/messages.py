"""Messages between a client and their professional, relayed by the bot both ways.

A conversation is one (professional, client) pair. A client names it by the
professional, a professional by the client; row-level security keeps every other
conversation out of sight, so the checks here are for clear errors, not secrecy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from core import errors
from core.db.uow import UnitOfWork
from core.models import (
    Client,
    Message,
    MessageSender,
    MessageType,
    NotificationType,
    Professional,
    RecipientType,
)
from core.services.access import require_professional, require_user
from core.services.notifications import notify

TEXT_LIMIT = 4096  # Telegram's own limit for one text message
CAPTION_LIMIT = 1024  # Telegram's limit for a media caption
FILE_ID_LIMIT = 255
PREVIEW_LENGTH = 100
PAGE_LIMIT = 100


# The bot relays a message live and marks its notification read; the outbox steps in only
# if that has not happened within this grace (no double announcement, nothing lost).
LIVE_RELAY_GRACE = timedelta(minutes=1)


class MessageEmpty(errors.InvalidInput):
    """Nothing to send: no text after trimming and no file."""

    msgid = errors.N_("message.empty")


class MessageTooLong(errors.InvalidInput):
    """The text is over Telegram's limit; params: limit, length (the bot may split it)."""

    msgid = errors.N_("message.too_long")


class CaptionTooLong(errors.InvalidInput):
    """A file's caption is over Telegram's limit; params: limit, length."""

    msgid = errors.N_("message.caption_too_long")


class NotYourProfessional(errors.NotAllowed):
    """The acting user is not a client of this professional; params: professional_id."""

    msgid = errors.N_("message.not_a_client")


@dataclass(frozen=True)
class MessageView:
    id: uuid.UUID
    professional_id: uuid.UUID
    client_id: uuid.UUID
    sender: MessageSender
    type: MessageType
    text: str | None
    file_id: str | None
    read_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Page:
    """Messages newest first; pass `next_before` back as `before` for older ones."""

    items: tuple[MessageView, ...]
    next_before: datetime | None


def _view(m: Message) -> MessageView:
    return MessageView(
        id=m.id,
        professional_id=m.professional_id,
        client_id=m.client_id,
        sender=m.sender,
        type=m.type,
        text=m.content,
        file_id=m.file_id,
        read_at=m.read_at,
        created_at=m.created_at,
    )


def _body(
    text: str | None, file_id: str | None, type: MessageType
) -> tuple[str | None, str | None]:
    """The stored (content, file_id) after trimming and Telegram's limits."""
    content = text.strip() if text is not None else None
    content = content or None
    if type is MessageType.text:
        if file_id is not None:
            raise errors.InvalidInput(field="type")
        if content is None:
            raise MessageEmpty()
        if len(content) > TEXT_LIMIT:
            raise MessageTooLong(limit=TEXT_LIMIT, length=len(content))
        return content, None
    file_id = (file_id or "").strip() or None
    if file_id is None:
        raise MessageEmpty()
    if len(file_id) > FILE_ID_LIMIT:
        raise errors.InvalidInput(field="file_id")
    if content is not None and len(content) > CAPTION_LIMIT:
        raise CaptionTooLong(limit=CAPTION_LIMIT, length=len(content))
    return content, file_id


def _preview(content: str | None) -> str:
    if content is None:
        return ""
    flat = " ".join(content.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


async def _my_client_row(uow: UnitOfWork, professional_id: uuid.UUID) -> Client:
    user_id = require_user(uow)
    client = await uow.session.scalar(
        select(Client).where(Client.professional_id == professional_id, Client.user_id == user_id)
    )
    if client is None:
        raise NotYourProfessional(professional_id=professional_id)
    return client


async def _tenant_client(uow: UnitOfWork, client_id: uuid.UUID) -> Client:
    professional_id = require_professional(uow)
    client = await uow.session.scalar(
        select(Client).where(Client.id == client_id, Client.professional_id == professional_id)
    )
    if client is None:
        raise errors.NotFound(entity="client")
    return client


@dataclass(frozen=True)
class Peer:
    """The other side of a conversation, as the acting user writes to them."""

    chat_id: int | None  # their Telegram chat; None for a client added by hand, not on Telegram
    sender_name: str  # how they know the acting user
    recipient_name: str  # how the acting user knows them


async def professional_peer(uow: UnitOfWork, *, professional_id: uuid.UUID) -> Peer:
    """A client writing to one of their professionals (refused for anyone else's)."""
    client = await _my_client_row(uow, professional_id)
    professional = await uow.session.get(Professional, professional_id)
    if professional is None:  # hidden by RLS: inactive
        raise NotYourProfessional(professional_id=professional_id)
    return Peer(professional.user_id, client.name, professional.name)


async def client_peer(uow: UnitOfWork, *, client_id: uuid.UUID) -> Peer:
    """A professional writing to one of their clients."""
    client = await _tenant_client(uow, client_id)
    professional = await uow.session.get(Professional, require_professional(uow))
    assert professional is not None  # the acting professional always sees their own row
    return Peer(client.user_id, professional.name, client.name)


async def _store(
    uow: UnitOfWork,
    *,
    client: Client,
    sender: MessageSender,
    content: str | None,
    file_id: str | None,
    type: MessageType,
    now: datetime,
) -> Message:
    message = Message(
        professional_id=client.professional_id,
        client_id=client.id,
        sender=sender,
        type=type,
        content=content,
        file_id=file_id,
        created_at=now,
    )
    uow.session.add(message)
    await uow.flush()
    return message


async def _send(
    uow: UnitOfWork,
    *,
    client: Client,
    pro: Professional,
    sender: MessageSender,
    content: str | None,
    file_id: str | None,
    type: MessageType,
    now: datetime,
) -> MessageView:
    """Store the message and queue its announcement for the other side."""
    message = await _store(
        uow, client=client, sender=sender, content=content, file_id=file_id, type=type, now=now
    )
    from_client = sender is MessageSender.client
    # A client added by hand has no Telegram yet (user_id NULL): the message waits in the
    # history and notify() queues nothing.
    await notify(
        uow,
        recipient_id=pro.user_id if from_client else client.user_id,
        recipient_type=RecipientType.professional if from_client else RecipientType.client,
        professional_id=pro.id,
        type=NotificationType.new_message,
        msgid=errors.N_("message.new"),
        params={
            "sender_name": client.name if from_client else pro.name,
            "preview": _preview(content),
            "message_type": type.value,
            "message_id": message.id,
            **({"client_id": client.id} if from_client else {"professional_id": pro.id}),
        },
        hold_until=now + LIVE_RELAY_GRACE,
    )
    return _view(message)


async def send_from_client(
    uow: UnitOfWork,
    *,
    professional_id: uuid.UUID,
    text: str | None = None,
    file_id: str | None = None,
    type: MessageType = MessageType.text,
    now: datetime,
) -> MessageView:
    """Send a message from the acting client to their professional and notify them."""
    content, file_id = _body(text, file_id, type)
    client = await _my_client_row(uow, professional_id)
    pro = await uow.session.get(Professional, professional_id)
    if pro is None:  # deactivated professionals are not readable by clients
        raise errors.NotFound(entity="professional")
    return await _send(
        uow,
        client=client,
        pro=pro,
        sender=MessageSender.client,
        content=content,
        file_id=file_id,
        type=type,
        now=now,
    )


async def send_from_professional(
    uow: UnitOfWork,
    *,
    client_id: uuid.UUID,
    text: str | None = None,
    file_id: str | None = None,
    type: MessageType = MessageType.text,
    now: datetime,
) -> MessageView:
    """Send a message from the acting professional to one of their clients and notify them."""
    content, file_id = _body(text, file_id, type)
    client = await _tenant_client(uow, client_id)
    pro = await uow.session.get(Professional, client.professional_id)
    assert pro is not None  # the acting professional always reads their own row
    return await _send(
        uow,
        client=client,
        pro=pro,
        sender=MessageSender.professional,
        content=content,
        file_id=file_id,
        type=type,
        now=now,
    )


async def _conversation(
    uow: UnitOfWork, client_id: uuid.UUID | None, professional_id: uuid.UUID | None
) -> tuple[Client, MessageSender]:
    """The conversation's client row and which side the acting user is on."""
    if (client_id is None) == (professional_id is None):
        raise errors.InvalidInput(field="conversation")
    if client_id is not None:
        return await _tenant_client(uow, client_id), MessageSender.professional
    assert professional_id is not None
    return await _my_client_row(uow, professional_id), MessageSender.client


async def history(
    uow: UnitOfWork,
    *,
    client_id: uuid.UUID | None = None,
    professional_id: uuid.UUID | None = None,
    before: datetime | None = None,
    limit: int = 20,
) -> Page:
    """One conversation, newest first, `limit` at a time (a client passes professional_id)."""
    if not 1 <= limit <= PAGE_LIMIT:
        raise errors.InvalidInput(field="limit")
    client, _side = await _conversation(uow, client_id, professional_id)
    conversation = select(Message).where(
        Message.professional_id == client.professional_id, Message.client_id == client.id
    )
    query = conversation
    if before is not None:
        query = query.where(Message.created_at < before)
    rows = list(
        await uow.session.scalars(
            query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit + 1)
        )
    )
    if len(rows) <= limit:
        return Page(items=tuple(_view(m) for m in rows), next_before=None)
    # The cursor is a timestamp, so a page never splits messages sharing one: the
    # next page starts strictly before the last timestamp shown.
    boundary = rows[limit].created_at
    kept = [m for m in rows[:limit] if m.created_at != boundary]
    if not kept:
        kept = list(
            await uow.session.scalars(
                conversation.where(Message.created_at == boundary).order_by(Message.id.desc())
            )
        )
    return Page(items=tuple(_view(m) for m in kept), next_before=kept[-1].created_at)


async def mark_read(
    uow: UnitOfWork,
    *,
    client_id: uuid.UUID | None = None,
    professional_id: uuid.UUID | None = None,
    now: datetime,
) -> int:
    """Mark the other side's unread messages of one conversation read; returns how many."""
    client, side = await _conversation(uow, client_id, professional_id)
    other = (
        MessageSender.client if side is MessageSender.professional else MessageSender.professional
    )
    result = await uow.session.execute(
        update(Message)
        .where(
            Message.professional_id == client.professional_id,
            Message.client_id == client.id,
            Message.sender == other,
            Message.read_at.is_(None),
        )
        .values(read_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def unread_counts(uow: UnitOfWork, *, as_client: bool = False) -> dict[uuid.UUID, int]:
    """Unread messages for the acting user: per client id for a professional, per
    professional id for a client (`as_client` for a professional who is also a client)."""
    if uow.professional_id is not None and not as_client:
        rows = await uow.session.execute(
            select(Message.client_id, func.count())
            .where(
                Message.professional_id == uow.professional_id,
                Message.sender == MessageSender.client,
                Message.read_at.is_(None),
            )
            .group_by(Message.client_id)
        )
    else:
        user_id = require_user(uow)
        rows = await uow.session.execute(
            select(Message.professional_id, func.count())
            .join(Client, Client.id == Message.client_id)
            .where(
                Client.user_id == user_id,
                Message.sender == MessageSender.professional,
                Message.read_at.is_(None),
            )
            .group_by(Message.professional_id)
        )
    return {key: int(count) for key, count in rows.all()}
