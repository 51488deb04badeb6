"""Delivering the notifications outbox: claim due rows under a lease, then record the outcome.

A dispatcher claims rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` in a short
transaction, stamping a lease (``claimed_by``, ``claimed_until``) before it commits;
it sends outside any transaction and then records the outcome in another short one,
only while the lease is still its own. Two dispatchers never hold the same row, and
a row whose worker died is claimable again once the lease has expired.

A fresh row is due at once: ``next_attempt_at`` only times retries. Its default is the
database's clock, which may disagree with the injected one, so the first attempt
does not depend on it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import aliased

from core import errors
from core.db.uow import UnitOfWork
from core.models import (
    Appointment,
    AppointmentStatus,
    Notification,
    NotificationType,
    Professional,
    RecipientType,
    TelegramUser,
)

# Failed attempts before a row is given up (failed_at set, logged at ERROR by the bot).
MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
ERROR_LIMIT = 1000  # characters of an error kept in last_error


def require_system(uow: UnitOfWork) -> None:
    """Dispatch acts for nobody in particular: refuse a unit of work acting for a person."""
    if uow.scope.system is None:
        raise errors.NotAllowed()


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure in a row: 30 s, 1 min, 2 min, ... 1 h."""
    if attempts < 1:
        return timedelta(0)
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(attempts - 1, 16)))


@dataclass(frozen=True)
class Reader:
    """What the recipient's account says about how they read; None where they chose nothing."""

    user_id: int
    locale: str | None
    language_code: str | None
    timezone: str | None
    unreachable: bool


@dataclass(frozen=True)
class OutboxItem:
    """One claimed notification with what rendering it needs."""

    id: uuid.UUID
    recipient_id: int
    recipient_type: RecipientType
    professional_id: uuid.UUID
    appointment_id: uuid.UUID | None
    type: NotificationType
    msgid: str
    params: dict[str, Any]
    attempts: int
    claimed_until: datetime
    reader: Reader
    # The professional the notification is about: their zone and language are the fallback.
    professional_name: str
    professional_timezone: str
    professional_locale: str
    cancellation_notice_minutes: int
    # The appointment as it is now (buttons offer only what can still be done).
    appointment_status: AppointmentStatus | None
    appointment_starts_at: datetime | None


@dataclass(frozen=True)
class FailureOutcome:
    """What became of a failed row: retried at `retry_at`, or given up (`retry_at` None)."""

    attempts: int
    retry_at: datetime | None

    @property
    def gave_up(self) -> bool:
        return self.retry_at is None


def _lease_free(claimed_until: Any, now: datetime) -> Any:
    return or_(claimed_until.is_(None), claimed_until <= now)


async def claim_notifications(
    uow: UnitOfWork, *, now: datetime, worker_id: str, lease: timedelta, limit: int
) -> list[OutboxItem]:
    """Lease up to `limit` due outbox rows to `worker_id`, oldest first (commit to hold them)."""
    require_system(uow)
    n = Notification
    due = (
        select(n.id)
        .where(
            n.sent_at.is_(None),
            n.failed_at.is_(None),
            # Read already (e.g. a message relayed live): nothing left to announce.
            n.read.is_(False),
            or_(n.attempts == 0, n.next_attempt_at <= now),
            _lease_free(n.claimed_until, now),
        )
        .order_by(n.created_at, n.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    until = now + lease
    claimed = list(
        (
            await uow.session.execute(
                update(n)
                .where(n.id.in_(due.scalar_subquery()))
                .values(claimed_by=worker_id, claimed_until=until)
                .returning(n.id)
                .execution_options(synchronize_session=False)
            )
        ).scalars()
    )
    if not claimed:
        return []
    return await _items(uow, claimed, until)


async def _items(uow: UnitOfWork, ids: list[uuid.UUID], until: datetime) -> list[OutboxItem]:
    n, p, a, u = Notification, Professional, Appointment, aliased(TelegramUser)
    rows = await uow.session.execute(
        select(
            n,
            p.name,
            p.timezone,
            p.locale,
            p.cancellation_notice_minutes,
            a.status,
            a.starts_at,
            u.locale,
            u.language_code,
            u.timezone,
            u.unreachable_at,
        )
        .join(p, p.id == n.professional_id)
        .outerjoin(a, a.id == n.appointment_id)
        .outerjoin(u, u.user_id == n.recipient_id)
        .where(n.id.in_(ids))
        .order_by(n.created_at, n.id)
    )
    return [_item(row, until) for row in rows]


def _item(row: Row[Any], until: datetime) -> OutboxItem:
    (note, p_name, p_tz, p_locale, notice, status, starts_at, locale, lang, tz, unreachable) = row
    return OutboxItem(
        id=note.id,
        recipient_id=note.recipient_id,
        recipient_type=note.recipient_type,
        professional_id=note.professional_id,
        appointment_id=note.appointment_id,
        type=note.type,
        msgid=note.msgid,
        params=dict(note.params or {}),
        attempts=note.attempts,
        claimed_until=until,
        reader=Reader(note.recipient_id, locale, lang, tz, unreachable is not None),
        professional_name=p_name,
        professional_timezone=p_tz,
        professional_locale=p_locale,
        cancellation_notice_minutes=notice,
        appointment_status=status,
        appointment_starts_at=starts_at,
    )


def _ours(notification_id: uuid.UUID, worker_id: str) -> Any:
    return and_(Notification.id == notification_id, Notification.claimed_by == worker_id)


async def mark_notification_sent(
    uow: UnitOfWork, *, notification_id: uuid.UUID, worker_id: str, now: datetime
) -> bool:
    """Record the delivery; False if the lease was lost (another worker took the row)."""
    require_system(uow)
    result = await uow.session.execute(
        update(Notification)
        .where(_ours(notification_id, worker_id))
        .values(sent_at=now, claimed_by=None, claimed_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_notification_failed(
    uow: UnitOfWork,
    *,
    item: OutboxItem,
    worker_id: str,
    now: datetime,
    error: str,
    permanent: bool = False,
    max_attempts: int = MAX_ATTEMPTS,
) -> FailureOutcome | None:
    """Schedule a retry with backoff, or give the row up (permanent, or out of attempts).

    None if the lease was lost. A row given up keeps `last_error` and `failed_at`,
    never silently disappearing; the caller logs it at ERROR.
    """
    require_system(uow)
    attempts = item.attempts + 1
    gave_up = permanent or attempts >= max_attempts
    retry_at = None if gave_up else now + backoff(attempts)
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_error": error[:ERROR_LIMIT],
        "claimed_by": None,
        "claimed_until": None,
    }
    if retry_at is None:
        values["failed_at"] = now
    else:
        values["next_attempt_at"] = retry_at
    result = await uow.session.execute(
        update(Notification)
        .where(_ours(item.id, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return FailureOutcome(attempts=attempts, retry_at=retry_at)


async def release_notifications(
    uow: UnitOfWork, *, notification_ids: list[uuid.UUID], worker_id: str
) -> int:
    """Give back leased rows unsent (a worker stopping), so others need not wait the lease."""
    require_system(uow)
    if not notification_ids:
        return 0
    result = await uow.session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids), Notification.claimed_by == worker_id)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def mark_unreachable(uow: UnitOfWork, *, user_id: int, now: datetime) -> None:
    """Remember that this person blocked the bot (Telegram's 403), creating their row if needed."""
    require_system(uow)
    stmt = pg_insert(TelegramUser).values(user_id=user_id, first_name="", unreachable_at=now)
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[TelegramUser.user_id],
            set_={"unreachable_at": now, "updated_at": now},
        )
    )


async def mark_reachable(uow: UnitOfWork, *, user_id: int) -> bool:
    """Forget an earlier 403 once the person talks to the bot again; True if they were marked.

    Works in the person's own scope (their account row is theirs) or the system scope.
    """
    result = await uow.session.execute(
        update(TelegramUser)
        .where(TelegramUser.user_id == user_id, TelegramUser.unreachable_at.is_not(None))
        .values(unreachable_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
