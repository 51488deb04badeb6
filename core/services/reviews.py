"""Reviews: a client rates a session that took place, once; anyone may read the average."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, text

from core import errors
from core.db.uow import UnitOfWork
from core.models import (
    Appointment,
    AppointmentStatus,
    Client,
    NotificationType,
    Professional,
    RecipientType,
    Review,
)
from core.services.access import require_professional, require_user
from core.services.notifications import notify

RATING_MIN, RATING_MAX = 1, 5
COMMENT_LIMIT = 1000
PREVIEW_LENGTH = 100


class InvalidRating(errors.InvalidInput):
    """The rating is not a whole number from 1 to 5; params: min, max."""

    msgid = errors.N_("review.rating_range")


class CommentTooLong(errors.InvalidInput):
    """params: limit, length."""

    msgid = errors.N_("review.comment_too_long")


class NotYourSession(errors.NotAllowed):
    """Only the client of a session may review it."""

    msgid = errors.N_("review.not_your_session")


class SessionNotOver(errors.Conflict):
    """The session has not ended yet; params: ends_at."""

    msgid = errors.N_("review.not_yet")


class SessionNotHeld(errors.Conflict):
    """The session did not take place (cancelled, declined, no-show, never confirmed);
    params: status."""

    msgid = errors.N_("review.not_held")


@dataclass(frozen=True)
class ReviewView:
    id: uuid.UUID
    appointment_id: uuid.UUID
    professional_id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    session_starts_at: datetime
    rating: int
    comment: str | None
    created_at: datetime


@dataclass(frozen=True)
class RatingSummary:
    """Average (None without reviews, two decimals) and number of reviews; unpacks as a pair."""

    average: Decimal | None
    count: int

    def __iter__(self) -> Iterator[Decimal | int | None]:
        return iter((self.average, self.count))


def _check_rating(rating: int) -> int:
    # bool is an int in Python; True must not pass for a one-star review.
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise InvalidRating(min=RATING_MIN, max=RATING_MAX)
    if not RATING_MIN <= rating <= RATING_MAX:
        raise InvalidRating(min=RATING_MIN, max=RATING_MAX)
    return rating


def _check_comment(comment: str | None) -> str | None:
    trimmed = (comment or "").strip()
    if len(trimmed) > COMMENT_LIMIT:
        raise CommentTooLong(limit=COMMENT_LIMIT, length=len(trimmed))
    return trimmed or None


def _held(appointment: Appointment, now: datetime) -> None:
    """Raise unless the session took place and is over.

    A confirmed session whose end has passed counts as held: professionals often never
    mark sessions completed, and the review request goes out after the end.
    """
    if appointment.status not in (AppointmentStatus.completed, AppointmentStatus.confirmed):
        raise SessionNotHeld(status=appointment.status.value)
    if appointment.ends_at > now:
        raise SessionNotOver(ends_at=appointment.ends_at)


async def _own_appointment(
    uow: UnitOfWork, appointment_id: uuid.UUID
) -> tuple[Appointment, Client]:
    user_id = require_user(uow)
    row = (
        await uow.session.execute(
            select(Appointment, Client)
            .join(Client, Client.id == Appointment.client_id)
            .where(Appointment.id == appointment_id)
        )
    ).first()
    if row is None:
        raise errors.NotFound(entity="appointment")
    appointment, client = row
    if client.user_id != user_id:  # e.g. the professional, who sees the row too
        raise NotYourSession()
    return appointment, client


async def _already_reviewed(uow: UnitOfWork, appointment_id: uuid.UUID) -> bool:
    found = await uow.session.scalar(
        select(Review.id).where(Review.appointment_id == appointment_id)
    )
    return found is not None


async def review(
    uow: UnitOfWork,
    *,
    appointment_id: uuid.UUID,
    rating: int,
    comment: str | None,
    now: datetime,
) -> ReviewView:
    """Record the acting client's review of a held session and notify the professional."""
    rating = _check_rating(rating)
    comment = _check_comment(comment)
    appointment, client = await _own_appointment(uow, appointment_id)
    _held(appointment, now)
    if await _already_reviewed(uow, appointment_id):
        raise errors.AlreadyReviewed()
    row = Review(
        professional_id=appointment.professional_id,
        client_id=client.id,
        appointment_id=appointment.id,
        rating=rating,
        comment=comment,
        created_at=now,
    )
    # The unique constraint settles a double tap that passed the check above.
    async with uow.savepoint():
        uow.session.add(row)
    pro = await uow.session.get(Professional, appointment.professional_id)
    if pro is not None:  # a deactivated profile is not readable by clients: nobody to tell
        await notify(
            uow,
            recipient_id=pro.user_id,
            recipient_type=RecipientType.professional,
            professional_id=pro.id,
            type=NotificationType.new_review,
            msgid=errors.N_("review.new"),
            params={
                "client_name": client.name,
                "rating": rating,
                "comment": _preview(comment),
                "starts_at": appointment.starts_at,
            },
            appointment_id=appointment.id,
        )
    return _view(row, client, appointment)


def _preview(comment: str | None) -> str:
    if comment is None:
        return ""
    return comment if len(comment) <= PREVIEW_LENGTH else comment[: PREVIEW_LENGTH - 1] + "…"


def _view(row: Review, client: Client, appointment: Appointment) -> ReviewView:
    return ReviewView(
        id=row.id,
        appointment_id=row.appointment_id,
        professional_id=row.professional_id,
        client_id=row.client_id,
        client_name=client.name,
        session_starts_at=appointment.starts_at,
        rating=row.rating,
        comment=row.comment,
        created_at=row.created_at,
    )


async def can_review(uow: UnitOfWork, *, appointment_id: uuid.UUID, now: datetime) -> bool:
    """Whether the acting user may review this appointment now (to offer the button)."""
    try:
        appointment, _client = await _own_appointment(uow, appointment_id)
        _held(appointment, now)
    except errors.DomainError:
        return False
    return not await _already_reviewed(uow, appointment_id)


async def rating_summary(uow: UnitOfWork, *, professional_id: uuid.UUID) -> RatingSummary:
    """A professional's average rating and review count, readable by anyone."""
    # The function is SECURITY DEFINER: a client or visitor cannot read others' reviews.
    average, count = (
        await uow.session.execute(
            text("SELECT average, count FROM professional_rating(:pid)"), {"pid": professional_id}
        )
    ).one()
    return RatingSummary(average=average, count=int(count))


async def list_reviews(uow: UnitOfWork, *, limit: int = 50) -> list[ReviewView]:
    """The acting professional's reviews, newest first."""
    professional_id = require_professional(uow)
    rows = await uow.session.execute(
        select(Review, Client, Appointment)
        .join(Client, Client.id == Review.client_id)
        .join(Appointment, Appointment.id == Review.appointment_id)
        .where(Review.professional_id == professional_id)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return [_view(r, c, a) for r, c, a in rows.all()]
