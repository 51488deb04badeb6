"""Who can be messaged: blocked, never opened the bot, or reachable; and what waits for them.

Telegram lets a bot message a person only once they have opened its chat. Until then a
send fails with "bot can't initiate conversation with a user" (or "chat not found" for
an id that never talked to the bot): that person has not blocked anything, so the
notification is *held* (``notifications.held_at``), not given up, and their account's
``chat_opened_at`` is cleared. A person who blocked the bot is ``unreachable_at``.

Any update from a person means their chat is open: :func:`chat_opened` records it,
clears an earlier "blocked", and releases what was held for them. Held rows no longer
useful by then are left out rather than delivered as a stream of stale news (see
:func:`left_out_reason`), and the caller is told what was kept and what was left out, so
it can say so.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update

from core.db.uow import UnitOfWork
from core.models import Appointment, Notification, NotificationType, Professional
from core.services.outbox import ERROR_LIMIT, OutboxItem, require_system

__all__ = [
    "LEFT_OUT_PAST_AGENDA",
    "LEFT_OUT_PAST_SESSION",
    "LEFT_OUT_SUPERSEDED",
    "Release",
    "chat_opened",
    "hold_notification",
    "left_out_reason",
    "mark_not_started",
    "professional_chat_open",
]

# Why a held notification was not delivered once its recipient opened the chat.
LEFT_OUT_PAST_SESSION = "past_session"  # about a session that has already started
LEFT_OUT_PAST_AGENDA = "past_agenda"  # the agenda of a day gone by
LEFT_OUT_SUPERSEDED = "superseded"  # an older "new times" notice: the newest one says it all

# News about one appointment that is pointless once the session has started.
_ABOUT_A_COMING_SESSION = frozenset(
    {
        NotificationType.booking_requested,
        NotificationType.booking_confirmed,
        NotificationType.booking_declined,
        NotificationType.booking_cancelled,
        NotificationType.booking_rescheduled,
        NotificationType.reminder_24h,
        NotificationType.reminder_1h,
    }
)


@dataclass(frozen=True)
class Release:
    """What became of the notifications held for a person who has just opened the chat."""

    delivered: int = 0  # back in the queue, oldest first
    left_out: Counter[str] = field(default_factory=Counter)  # reason -> how many

    @property
    def any(self) -> bool:
        return bool(self.delivered or self.left_out)


# The account row says the chat is open and not blocked; one statement, no write when it
# already did. The count of held rows comes back in the same round trip.
_OPENED = text(
    """
    WITH account AS (
        INSERT INTO telegram_users (user_id, first_name, username, language_code,
                                    chat_opened_at)
        VALUES (:user_id, :first_name, :username, :language_code, :now)
        ON CONFLICT (user_id) DO UPDATE
           SET chat_opened_at = coalesce(telegram_users.chat_opened_at, :now),
               unreachable_at = NULL,
               updated_at = :now
         WHERE telegram_users.chat_opened_at IS NULL
            OR telegram_users.unreachable_at IS NOT NULL
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM account) AS changed,
           (SELECT count(*) FROM notifications
             WHERE recipient_id = :user_id AND held_at IS NOT NULL AND sent_at IS NULL) AS held
    """
)


async def chat_opened(
    uow: UnitOfWork,
    *,
    user_id: int,
    first_name: str,
    username: str | None,
    language_code: str | None,
    now: datetime,
) -> Release:
    """The person wrote: their chat is open and not blocked; what was held for them is
    queued again, oldest first, except what is no longer useful (left out, counted)."""
    require_system(uow)
    row = (
        await uow.session.execute(
            _OPENED,
            {
                "user_id": user_id,
                "first_name": (" ".join(first_name.split()) or "?")[:128],
                "username": username[:64] if username else None,
                "language_code": language_code[:16] if language_code else None,
                "now": now,
            },
        )
    ).one()
    if not row.held:
        return Release()
    return await _release(uow, user_id=user_id, now=now)


async def _release(uow: UnitOfWork, *, user_id: int, now: datetime) -> Release:
    n, a, p = Notification, Appointment, Professional
    rows = (
        await uow.session.execute(
            select(n.id, n.type, n.params, n.professional_id, a.starts_at, p.timezone)
            .join(p, p.id == n.professional_id)
            .outerjoin(a, a.id == n.appointment_id)
            .where(n.recipient_id == user_id, n.held_at.is_not(None), n.sent_at.is_(None))
            .order_by(n.created_at.desc(), n.id.desc())
            .with_for_update(of=n)
        )
    ).all()
    keep: list[uuid.UUID] = []
    left_out: dict[uuid.UUID, str] = {}
    newest_times: set[uuid.UUID] = set()  # professionals whose newest "new times" is kept
    for note_id, kind, params, professional_id, starts_at, zone in rows:  # newest first
        reason = left_out_reason(
            kind, params or {}, starts_at=starts_at, professional_timezone=zone, now=now
        )
        if reason is None and kind is NotificationType.new_availability:
            if professional_id in newest_times:
                reason = LEFT_OUT_SUPERSEDED
            newest_times.add(professional_id)
        if reason is None:
            keep.append(note_id)
        else:
            left_out[note_id] = reason
    if keep:
        await uow.session.execute(
            update(n)
            .where(n.id.in_(keep))
            .values(
                held_at=None,
                failed_at=None,
                attempts=0,
                next_attempt_at=now,
                last_error=None,
                claimed_by=None,
                claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        )
    for reason in set(left_out.values()):
        ids = [i for i, r in left_out.items() if r == reason]
        await uow.session.execute(
            update(n)
            .where(n.id.in_(ids))
            .values(held_at=None, last_error=f"left out when released: {reason}")
            .execution_options(synchronize_session=False)
        )
    return Release(delivered=len(keep), left_out=Counter(left_out.values()))


def left_out_reason(
    kind: NotificationType,
    params: dict[str, Any],
    *,
    starts_at: datetime | None,
    professional_timezone: str,
    now: datetime,
) -> str | None:
    """Why a held notification is no longer worth delivering at `now`, or None to deliver it.

    Requests, confirmations, moves, cancellations and reminders are about a coming session:
    once it has started, they are history. An agenda is about its day. Messages, reviews,
    payments and the like are kept whatever their age.
    """
    if kind in _ABOUT_A_COMING_SESSION:
        return LEFT_OUT_PAST_SESSION if starts_at is not None and starts_at <= now else None
    if kind is NotificationType.morning_agenda:
        raw = params.get("day")
        if not isinstance(raw, str):
            return None
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return None
        today = now.astimezone(ZoneInfo(professional_timezone)).date()
        return LEFT_OUT_PAST_AGENDA if day < today else None
    return None


async def hold_notification(
    uow: UnitOfWork, *, item: OutboxItem, worker_id: str, now: datetime, error: str
) -> bool:
    """Keep a row for when its recipient opens the chat; False if the lease was lost."""
    require_system(uow)
    result = await uow.session.execute(
        update(Notification)
        .where(Notification.id == item.id, Notification.claimed_by == worker_id)
        .values(
            held_at=now,
            failed_at=now,
            attempts=item.attempts + 1,
            last_error=error[:ERROR_LIMIT],
            claimed_by=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


_NOT_STARTED = text(
    """
    INSERT INTO telegram_users (user_id, first_name, chat_opened_at) VALUES (:user_id, '', NULL)
    ON CONFLICT (user_id) DO UPDATE SET chat_opened_at = NULL, updated_at = :now
     WHERE telegram_users.chat_opened_at IS NOT NULL
    """
)


async def mark_not_started(uow: UnitOfWork, *, user_id: int, now: datetime) -> None:
    """Telegram says the bot cannot start a conversation with this person (yet)."""
    require_system(uow)
    await uow.session.execute(_NOT_STARTED, {"user_id": user_id, "now": now})


_CHAT_OPEN = text(
    """
    SELECT NOT EXISTS (
        SELECT 1 FROM professionals p JOIN telegram_users u ON u.user_id = p.user_id
         WHERE p.id = :professional
           AND (u.chat_opened_at IS NULL OR u.unreachable_at IS NOT NULL)
    )
    """
)


async def professional_chat_open(uow: UnitOfWork, *, professional_id: uuid.UUID) -> bool:
    """Whether the professional has the bot's chat open (False: they will see news later).

    Read in the system scope: a client may not read the professional's account. It says
    nothing else about them; no account row means nothing is known against it.
    """
    require_system(uow)
    found = await uow.session.scalar(_CHAT_OPEN, {"professional": professional_id})
    return bool(found)
