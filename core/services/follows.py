"""Following a professional to hear when new times open, at most once a day."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from core import errors
from core.db.uow import UnitOfWork
from core.models import Follow, NotificationType, Professional, RecipientType, TelegramUser
from core.services.access import require_professional, require_user
from core.services.notifications import notify
from core.services.professionals import ProfessionalNotFound

NOTIFY_EVERY = timedelta(hours=24)


async def follow(uow: UnitOfWork, *, professional_id: uuid.UUID) -> bool:
    """Follow a professional; True when this call started it (following twice is fine)."""
    user_id = require_user(uow)
    # Only a profile the user may see (active, or their own) can be followed.
    visible = await uow.session.scalar(
        select(Professional.id).where(Professional.id == professional_id)
    )
    if visible is None:
        raise ProfessionalNotFound()
    result = await uow.session.execute(
        pg_insert(Follow)
        .values(professional_id=professional_id, user_id=user_id)
        .on_conflict_do_nothing(index_elements=[Follow.user_id, Follow.professional_id])
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def unfollow(uow: UnitOfWork, *, professional_id: uuid.UUID) -> bool:
    """Stop following; True when this call ended it (unfollowing twice is fine)."""
    user_id = require_user(uow)
    result = await uow.session.execute(
        delete(Follow).where(Follow.professional_id == professional_id, Follow.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def is_following(uow: UnitOfWork, *, professional_id: uuid.UUID) -> bool:
    """Whether the acting user follows that professional."""
    user_id = require_user(uow)
    found = await uow.session.scalar(
        select(Follow.id).where(
            Follow.professional_id == professional_id, Follow.user_id == user_id
        )
    )
    return found is not None


async def follower_count(uow: UnitOfWork) -> int:
    """How many people follow the acting professional."""
    pid = require_professional(uow)
    count = await uow.session.scalar(
        select(func.count()).select_from(Follow).where(Follow.professional_id == pid)
    )
    return int(count or 0)


async def followers_to_notify(
    uow: UnitOfWork, *, professional_id: uuid.UUID, now: datetime
) -> list[int]:
    """Followers not told in the last 24 h, marked as told now (system scope only)."""
    if uow.scope.system is None:
        raise errors.NotAllowed()
    # Marking and choosing in one UPDATE: two dispatchers running at once never both pick
    # the same follower. People who blocked the bot are skipped, not marked.
    blocked = select(TelegramUser.user_id).where(TelegramUser.unreachable_at.is_not(None))
    result = await uow.session.execute(
        update(Follow)
        .where(
            Follow.professional_id == professional_id,
            (Follow.last_notified_at.is_(None)) | (Follow.last_notified_at <= now - NOTIFY_EVERY),
            Follow.user_id.not_in(blocked),
        )
        .values(last_notified_at=now)
        .returning(Follow.user_id)
    )
    return sorted(result.scalars())


async def announce_openings(uow: UnitOfWork, *, professional_id: uuid.UUID, now: datetime) -> int:
    """Tell followers (at most once a day each) that the professional opened new times."""
    pro = await uow.session.get(Professional, professional_id)
    if pro is None or not pro.active:
        return 0
    followers = await followers_to_notify(uow, professional_id=professional_id, now=now)
    for user_id in followers:
        await notify(
            uow,
            recipient_id=user_id,
            recipient_type=RecipientType.client,
            professional_id=professional_id,
            type=NotificationType.new_availability,
            msgid=errors.N_("notify.new_availability"),
            params={"professional_name": pro.name, "slug": pro.slug},
        )
    return len(followers)
