"""Reviews: one per session that took place, by its client, visible as an average to anyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core import errors
from core.models import AppointmentStatus, NotificationType
from core.services import reviews
from tests import factories as f

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
YESTERDAY = NOW - timedelta(days=1)


async def _session(db, *, status=AppointmentStatus.completed, starts_at=YESTERDAY):
    pro = await f.professional(db, name="Dr. Ana")
    cli = await f.client(db, pro, name="Bruno")
    appt = await f.appointment(db, pro, cli, starts_at, status=status)
    return pro, cli, appt


async def test_a_client_reviews_a_completed_session_and_the_professional_is_told(db):
    pro, cli, appt = await _session(db)
    async with db.for_user(cli.user_id) as uow:
        assert await reviews.can_review(uow, appointment_id=appt.id, now=NOW)
        view = await reviews.review(
            uow, appointment_id=appt.id, rating=5, comment="  Excelente sessão  ", now=NOW
        )
        await uow.commit()
    assert (view.rating, view.comment, view.client_name) == (5, "Excelente sessão", "Bruno")
    (note,) = await f.notifications(db, NotificationType.new_review)
    assert note.recipient_id == pro.user_id and note.appointment_id == appt.id
    assert note.params["rating"] == 5 and note.params["client_name"] == "Bruno"
    async with db.for_user(pro.user_id) as uow:
        listed = await reviews.list_reviews(uow)
    assert [r.id for r in listed] == [view.id]


async def test_a_session_can_be_reviewed_only_once(db):
    _pro, cli, appt = await _session(db)
    async with db.for_user(cli.user_id) as uow:
        await reviews.review(uow, appointment_id=appt.id, rating=4, comment=None, now=NOW)
        await uow.commit()
    async with db.for_user(cli.user_id) as uow:
        assert not await reviews.can_review(uow, appointment_id=appt.id, now=NOW)
        with pytest.raises(errors.AlreadyReviewed):
            await reviews.review(uow, appointment_id=appt.id, rating=1, comment="again", now=NOW)


@pytest.mark.parametrize(
    "status",
    [
        AppointmentStatus.cancelled,
        AppointmentStatus.no_show,
        AppointmentStatus.pending_confirmation,
        AppointmentStatus.declined,
    ],
)
async def test_a_session_that_did_not_take_place_cannot_be_reviewed(db, status):
    _pro, cli, appt = await _session(db, status=status)
    async with db.for_user(cli.user_id) as uow:
        assert not await reviews.can_review(uow, appointment_id=appt.id, now=NOW)
        with pytest.raises(reviews.SessionNotHeld) as caught:
            await reviews.review(uow, appointment_id=appt.id, rating=5, comment=None, now=NOW)
    assert caught.value.params == {"status": status.value}


async def test_a_session_cannot_be_reviewed_before_it_ends(db):
    _pro, cli, appt = await _session(
        db, status=AppointmentStatus.confirmed, starts_at=NOW - timedelta(minutes=30)
    )
    async with db.for_user(cli.user_id) as uow:
        with pytest.raises(reviews.SessionNotOver):
            await reviews.review(uow, appointment_id=appt.id, rating=5, comment=None, now=NOW)
        later = NOW + timedelta(minutes=20)
        # A confirmed session that has ended counts as held even if never marked completed.
        assert await reviews.can_review(uow, appointment_id=appt.id, now=later)


async def test_only_the_client_of_the_session_may_review_it(db):
    pro, _cli, appt = await _session(db)
    other = await f.client(db, pro)
    async with db.for_user(other.user_id) as uow:
        with pytest.raises(errors.NotFound):  # row-level security hides it entirely
            await reviews.review(uow, appointment_id=appt.id, rating=5, comment=None, now=NOW)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(reviews.NotYourSession):
            await reviews.review(uow, appointment_id=appt.id, rating=5, comment=None, now=NOW)


@pytest.mark.parametrize("rating", [0, 6, -1, True])
async def test_a_rating_outside_one_to_five_is_refused(db, rating):
    _pro, cli, appt = await _session(db)
    async with db.for_user(cli.user_id) as uow:
        with pytest.raises(reviews.InvalidRating) as caught:
            await reviews.review(uow, appointment_id=appt.id, rating=rating, comment=None, now=NOW)
    assert caught.value.params == {"min": 1, "max": 5}


async def test_a_long_comment_is_refused_and_a_blank_one_stored_as_none(db):
    _pro, cli, appt = await _session(db)
    async with db.for_user(cli.user_id) as uow:
        with pytest.raises(reviews.CommentTooLong) as caught:
            await reviews.review(uow, appointment_id=appt.id, rating=3, comment="y" * 1001, now=NOW)
        view = await reviews.review(uow, appointment_id=appt.id, rating=3, comment="   ", now=NOW)
    assert caught.value.params == {"limit": 1000, "length": 1001}
    assert view.comment is None


async def test_anyone_sees_the_average_rating_without_reading_the_reviews(db):
    pro = await f.professional(db)
    for i, rating in enumerate((5, 4, 4)):
        cli = await f.client(db, pro)
        appt = await f.appointment(db, pro, cli, YESTERDAY - timedelta(hours=i))
        async with db.for_user(cli.user_id) as uow:
            await reviews.review(uow, appointment_id=appt.id, rating=rating, comment=None, now=NOW)
            await uow.commit()
    visitor = f.next_user_id()
    async with db.for_user(visitor) as uow:
        summary = await reviews.rating_summary(uow, professional_id=pro.id)
        with pytest.raises(errors.NotAllowed):
            await reviews.list_reviews(uow)
    average, count = summary
    assert (average, count) == (Decimal("4.33"), 3)
    async with db.for_user(visitor) as uow:
        empty = await reviews.rating_summary(uow, professional_id=(await f.professional(db)).id)
    assert empty.average is None and empty.count == 0
