"""People on the client side: Telegram accounts, deep links, client records and notes.

A deep-link payload is either a professional's slug (a-z, 0-9, hyphens) or an invite
token for a client the professional added by hand: `inv_` plus 32 URL-safe characters,
so it can never be mistaken for a slug and fits Telegram's 64-character payload.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from core import errors
from core.db.uow import UnitOfWork
from core.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    Client,
    ClientNote,
    Message,
    PaymentStatus,
    Professional,
    RecurringSchedule,
    TelegramUser,
)
from core.scheduling.lexicon import fold
from core.services.access import require_professional, require_user
from core.services.professionals import PublicProfile, get_by_slug
from core.validation import (
    InvalidLocale,
    InvalidName,
    validate_email,
    validate_locale,
    validate_name,
    validate_phone,
    validate_timezone,
)

INVITE_PREFIX = "inv_"
DEFAULT_LOCALE = "en"
NOTE_MAX = 4000
PAST_SHOWN = 10
# Accent folding in SQL without the unaccent extension (Portuguese, Spanish, French...).
_ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñý"
_PLAIN = "aaaaaaeeeeiiiiooooouuuucny"


class OwnLink(errors.NotAllowed):
    """A professional opened their own booking link (or an invite of their own client)."""

    msgid = errors.N_("client.own_link")


class InviteInvalid(errors.NotFound):
    """The invite token is unknown or was already used."""

    msgid = errors.N_("client.invite_invalid")


class ClientNotFound(errors.NotFound):
    msgid = errors.N_("client.not_found")


class NotAClient(errors.NotFound):
    """The acting user has no client record with that professional yet."""

    msgid = errors.N_("client.not_a_client")


class NoteNotFound(errors.NotFound):
    msgid = errors.N_("client.note_not_found")


class NoteLength(errors.InvalidInput):
    """A note is empty or longer than 4000 characters; params: field, max_length."""

    msgid = errors.N_("client.note_length")


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    user_id: int
    first_name: str
    username: str | None
    language_code: str | None
    chosen_locale: str | None
    locale: str  # what to speak: the chosen locale, else Telegram's language, else English
    timezone: str | None


@dataclass(frozen=True)
class ClientView:
    id: uuid.UUID
    professional_id: uuid.UUID
    user_id: int | None
    name: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class LinkResult:
    professional: PublicProfile
    client: ClientView
    created: bool  # a new client record (first visit), as opposed to a returning client
    via_invite: bool


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    client_id: uuid.UUID
    content: str
    created_at: datetime
    updated_at: datetime


def _account(row: TelegramUser) -> AccountView:
    fallback = DEFAULT_LOCALE
    if row.language_code:
        try:
            fallback = validate_locale(row.language_code)
        except InvalidLocale:
            pass
    return AccountView(
        user_id=row.user_id,
        first_name=row.first_name,
        username=row.username,
        language_code=row.language_code,
        chosen_locale=row.locale,
        locale=row.locale or fallback,
        timezone=row.timezone,
    )


def client_view(c: Client) -> ClientView:
    """A client row as plain data."""
    return ClientView(c.id, c.professional_id, c.user_id, c.name, c.phone, c.email)


def new_invite_token() -> str:
    """A one-time deep-link payload for a hand-added client."""
    return INVITE_PREFIX + secrets.token_urlsafe(24)


# --- the acting person's account ---------------------------------------------------------


async def ensure_account(
    uow: UnitOfWork, *, first_name: str, username: str | None, language_code: str | None
) -> AccountView:
    """Create or refresh the acting user's account with what Telegram reports."""
    user_id = require_user(uow)
    values = {
        "first_name": (" ".join(first_name.split()) or "?")[:128],
        "username": username[:64] if username else None,
        "language_code": language_code[:16] if language_code else None,
    }
    stmt = (
        pg_insert(TelegramUser)
        .values(user_id=user_id, **values)
        .on_conflict_do_update(
            index_elements=[TelegramUser.user_id], set_={**values, "updated_at": func.now()}
        )
        .returning(TelegramUser)
    )
    row = (await uow.session.scalars(stmt, execution_options={"populate_existing": True})).one()
    return _account(row)


async def _own_account(uow: UnitOfWork) -> TelegramUser:
    row = await uow.session.get(TelegramUser, require_user(uow), populate_existing=True)
    if row is None:
        raise errors.NotFound(entity="account")
    return row


async def get_account(uow: UnitOfWork) -> AccountView:
    """The acting user's account; its locale falls back to Telegram's language."""
    return _account(await _own_account(uow))


async def set_language(uow: UnitOfWork, *, locale: str | None) -> AccountView:
    """Choose the language to be spoken to in (None: follow Telegram's)."""
    row = await _own_account(uow)
    row.locale = validate_locale(locale) if locale is not None else None
    await uow.flush()
    return _account(row)


async def set_timezone(uow: UnitOfWork, *, timezone: str) -> AccountView:
    """Choose the time zone session times are shown in."""
    row = await _own_account(uow)
    row.timezone = validate_timezone(timezone)
    await uow.flush()
    return _account(row)


# --- deep links --------------------------------------------------------------------------


def _name_from_telegram(first_name: str, username: str | None, user_id: int) -> str:
    for candidate in (first_name, username or ""):
        try:
            return validate_name(candidate[:120])
        except InvalidName:
            continue
    return f"#{user_id}"


async def open_link(
    uow: UnitOfWork,
    *,
    payload: str,
    first_name: str,
    username: str | None,
    language_code: str | None,
) -> LinkResult:
    """The acting user opened t.me/<bot>?start=<payload>: link them to that professional."""
    user_id = require_user(uow)
    await ensure_account(uow, first_name=first_name, username=username, language_code=language_code)
    payload = payload.strip()
    if payload.startswith(INVITE_PREFIX):
        return await _claim_invite(uow, payload)
    slug = payload.lower()
    owner = await uow.session.scalar(select(Professional.user_id).where(Professional.slug == slug))
    if owner == user_id:
        raise OwnLink()
    profile = await get_by_slug(uow, slug=slug)
    mine = select(Client).where(Client.professional_id == profile.id, Client.user_id == user_id)
    found = await uow.session.scalar(mine)
    if found is not None:
        return LinkResult(profile, client_view(found), created=False, via_invite=False)
    row = Client(
        professional_id=profile.id,
        user_id=user_id,
        name=_name_from_telegram(first_name, username, user_id),
        self_added=True,
    )
    try:
        async with uow.savepoint():
            uow.session.add(row)
    except errors.AlreadyClient:  # the same person opened the link twice at once
        found = await uow.session.scalar(mine)
        assert found is not None
        return LinkResult(profile, client_view(found), created=False, via_invite=False)
    return LinkResult(profile, client_view(row), created=True, via_invite=False)


async def _claim_invite(uow: UnitOfWork, token: str) -> LinkResult:
    if uow.professional_id is not None:
        own = await uow.session.scalar(
            select(Client.id).where(
                Client.invite_token == token, Client.professional_id == uow.professional_id
            )
        )
        if own is not None:
            raise OwnLink()
    client_id = await uow.session.scalar(
        text("SELECT claim_client_invite(:token)"), {"token": token}
    )
    if client_id is None:
        raise InviteInvalid()
    row = await uow.session.get(Client, client_id, populate_existing=True)
    assert row is not None  # now linked to the acting user, so readable by them
    profile = await get_by_slug(
        uow,
        slug=await uow.session.scalar(
            select(Professional.slug).where(Professional.id == row.professional_id)
        )
        or "",
    )
    return LinkResult(profile, client_view(row), created=False, via_invite=True)


async def my_record(uow: UnitOfWork, *, professional_id: uuid.UUID) -> ClientView:
    """The acting client's own record with one professional (name, phone, e-mail)."""
    return client_view(await _my_row(uow, professional_id))


async def _my_row(uow: UnitOfWork, professional_id: uuid.UUID) -> Client:
    user_id = require_user(uow)
    row = await uow.session.scalar(
        select(Client).where(Client.professional_id == professional_id, Client.user_id == user_id)
    )
    if row is None:
        raise NotAClient()
    return row


async def update_contact(
    uow: UnitOfWork,
    *,
    professional_id: uuid.UUID,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> ClientView:
    """The acting client completes their name, phone or e-mail for one professional."""
    row = await _my_row(uow, professional_id)
    _set_contact(row, name=name, phone=phone, email=email)
    await uow.flush()
    return client_view(row)


def _set_contact(row: Client, *, name: str | None, phone: str | None, email: str | None) -> None:
    if name is not None:
        row.name = validate_name(name)
    if phone is not None:
        row.phone = validate_phone(phone)
    if email is not None:
        row.email = validate_email(email)


# --- the professional's client list ------------------------------------------------------


@dataclass(frozen=True)
class SessionBrief:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    payment_status: PaymentStatus
    price_cents: int
    currency: str


@dataclass(frozen=True)
class ClientCard:
    client: ClientView
    username: str | None
    invite_payload: str | None  # pending until the client opens it
    upcoming: tuple[SessionBrief, ...] = ()  # soonest first
    past: tuple[SessionBrief, ...] = ()  # newest first, the last PAST_SHOWN
    notes: tuple[NoteView, ...] = ()  # newest first
    counts: dict[AppointmentStatus, int] = field(default_factory=dict)  # all time


async def add_client(
    uow: UnitOfWork, *, name: str, phone: str | None = None, email: str | None = None
) -> ClientCard:
    """Add a client by hand, with a one-time invite token to link their Telegram later."""
    pid = require_professional(uow)
    row = Client(professional_id=pid, name=validate_name(name), invite_token=new_invite_token())
    _set_contact(row, name=None, phone=phone, email=email)
    async with uow.savepoint():
        uow.session.add(row)
    return ClientCard(client_view(row), username=None, invite_payload=row.invite_token)


def _brief(a: Appointment) -> SessionBrief:
    return SessionBrief(
        a.id, a.starts_at, a.ends_at, a.status, a.payment_status, a.price_cents, a.currency
    )


async def client_card(uow: UnitOfWork, *, client_id: uuid.UUID, now: datetime) -> ClientCard:
    """One client at a glance: contact, sessions to come and past, notes and counts."""
    row = await tenant_client(uow, client_id)
    username = None
    if row.user_id is not None:
        username = await uow.session.scalar(
            select(TelegramUser.username).where(TelegramUser.user_id == row.user_id)
        )
    mine = Appointment.client_id == row.id
    upcoming = await uow.session.scalars(
        select(Appointment)
        .where(mine, Appointment.status.in_(HOLDING_STATUSES), Appointment.ends_at > now)
        .order_by(Appointment.starts_at)
    )
    past = await uow.session.scalars(
        select(Appointment)
        .where(mine, Appointment.starts_at <= now)
        .order_by(Appointment.starts_at.desc())
        .limit(PAST_SHOWN)
    )
    counts = await uow.session.execute(
        select(Appointment.status, func.count()).where(mine).group_by(Appointment.status)
    )
    return ClientCard(
        client_view(row),
        username=username,
        invite_payload=row.invite_token,
        upcoming=tuple(_brief(a) for a in upcoming),
        past=tuple(_brief(a) for a in past),
        notes=tuple(await list_notes(uow, client_id=row.id)),
        counts={status: int(n) for status, n in counts},
    )


async def tenant_client(uow: UnitOfWork, client_id: uuid.UUID) -> Client:
    """One of the acting professional's clients, or ClientNotFound."""
    pid = require_professional(uow)
    row = await uow.session.scalar(
        select(Client).where(Client.id == client_id, Client.professional_id == pid)
    )
    if row is None:
        raise ClientNotFound()
    return row


async def invite_payload(uow: UnitOfWork, *, client_id: uuid.UUID) -> str:
    """The client's invite payload, issuing a new one if none is pending."""
    row = await tenant_client(uow, client_id)
    if row.user_id is not None:
        raise errors.AlreadyClient()
    if row.invite_token is None:
        row.invite_token = new_invite_token()
        await uow.flush()
    return row.invite_token


def _folded(column: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    return func.translate(func.lower(column), _ACCENTED, _PLAIN)


async def list_clients(
    uow: UnitOfWork, *, search: str | None = None, limit: int = 20, offset: int = 0
) -> list[ClientView]:
    """The acting professional's clients by name; search ignores case and accents.

    Someone who only opened the link (and maybe left half-way through a first booking)
    is not listed until something happened between them: a booking of any outcome, a
    recurring series, a message either way, or a note.
    """
    pid = require_professional(uow)
    involved = or_(
        Client.self_added.is_(False),
        *(
            exists().where(column == Client.id)
            for column in (
                Appointment.client_id,
                RecurringSchedule.client_id,
                Message.client_id,
                ClientNote.client_id,
            )
        ),
    )
    query = select(Client).where(Client.professional_id == pid, involved)
    term = fold(search or "").strip()
    if term:
        like = "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"
        matches = [_folded(Client.name).like(like), func.lower(Client.email).like(like)]
        digits = re.sub(r"\D", "", term)
        if len(digits) >= 3:
            matches.append(func.regexp_replace(Client.phone, r"\D", "", "g").like(f"%{digits}%"))
        query = query.where(or_(*matches))
    query = query.order_by(_folded(Client.name), Client.id)
    rows = await uow.session.scalars(query.limit(max(1, min(limit, 100))).offset(max(0, offset)))
    return [client_view(r) for r in rows]


# --- notes -------------------------------------------------------------------------------


def _note(n: ClientNote) -> NoteView:
    return NoteView(n.id, n.client_id, n.content, n.created_at, n.updated_at)


def _content(value: str) -> str:
    content = value.strip() if isinstance(value, str) else ""
    if not 1 <= len(content) <= NOTE_MAX:
        raise NoteLength(field="content", max_length=NOTE_MAX)
    return content


async def add_note(uow: UnitOfWork, *, client_id: uuid.UUID, content: str) -> NoteView:
    """Write a private note about one of the acting professional's clients."""
    client = await tenant_client(uow, client_id)
    row = ClientNote(
        professional_id=client.professional_id, client_id=client.id, content=_content(content)
    )
    async with uow.savepoint():
        uow.session.add(row)
    await uow.session.refresh(row)
    return _note(row)


async def _own_note(uow: UnitOfWork, note_id: uuid.UUID) -> ClientNote:
    pid = require_professional(uow)
    row = await uow.session.scalar(
        select(ClientNote).where(ClientNote.id == note_id, ClientNote.professional_id == pid)
    )
    if row is None:
        raise NoteNotFound()
    return row


async def edit_note(uow: UnitOfWork, *, note_id: uuid.UUID, content: str) -> NoteView:
    """Rewrite one of the acting professional's notes."""
    row = await _own_note(uow, note_id)
    row.content = _content(content)
    await uow.flush()
    await uow.session.refresh(row)
    return _note(row)


async def delete_note(uow: UnitOfWork, *, note_id: uuid.UUID) -> None:
    """Delete one of the acting professional's notes."""
    row = await _own_note(uow, note_id)
    await uow.session.delete(row)
    await uow.flush()


async def list_notes(uow: UnitOfWork, *, client_id: uuid.UUID) -> list[NoteView]:
    """The acting professional's notes about a client, newest first."""
    client = await tenant_client(uow, client_id)
    rows = await uow.session.scalars(
        select(ClientNote)
        .where(
            and_(
                ClientNote.client_id == client.id,
                ClientNote.professional_id == client.professional_id,
            )
        )
        .order_by(ClientNote.created_at.desc(), ClientNote.updated_at.desc())
    )
    return [_note(r) for r in rows]


# /book asks this of every client: straight through the driver (UnitOfWork.fetch).
_MY_PROFESSIONALS = """
SELECT p.id, p.name FROM professionals p JOIN clients c ON c.professional_id = p.id
 WHERE c.user_id = $1::bigint ORDER BY p.name
"""


async def my_professionals(uow: UnitOfWork) -> list[tuple[uuid.UUID, str]]:
    """The professionals the acting user is a client of, by name (RLS hides inactive ones)."""
    return [(pid, name) for pid, name in await uow.fetch(_MY_PROFESSIONALS, require_user(uow))]
