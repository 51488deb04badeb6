"""What each side reads: one booking, a client's list, pending requests, the agenda, and
the cancellation policy shown before a cancel is final."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.models import AppointmentStatus, Review
from core.services import booking
from core.services.access import NotAProfessional
from core.services.booking_errors import BookingNotFound
from core.services.booking_rules import Action
from tests import factories as f

SP = ZoneInfo("America/Sao_Paulo")
S = AppointmentStatus
IN_28_HOURS = datetime(2026, 11, 26, 14, tzinfo=SP)
IN_6_HOURS = datetime(2026, 11, 25, 16, tzinfo=SP)


async def test_another_client_cannot_see_a_booking_at_all(db, clock):
    pro = await f.bookable(db)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    async with db.for_user(other.user_id) as uow:
        with pytest.raises(BookingNotFound):
            await booking.get(uow, appointment_id=appt.id)
        with pytest.raises(BookingNotFound):
            await booking.cancel(uow, appointment_id=appt.id, now=clock())
    async with db.for_user(cli.user_id) as uow:
        view = await booking.get(uow, appointment_id=appt.id)
    assert (view.professional_name, view.client_name) == (pro.name, cli.name)
    assert view.timezone == "America/Sao_Paulo"


async def test_a_client_sees_upcoming_and_past_bookings_across_professionals(db, clock):
    ana, bia = await f.bookable(db, name="Ana"), await f.bookable(db, name="Bia")
    uid = f.next_user_id()
    at_ana, at_bia = await f.client(db, ana, user_id=uid), await f.client(db, bia, user_id=uid)
    later = await f.appointment(db, bia, at_bia, IN_28_HOURS, minutes=60)
    soon = await f.appointment(
        db, ana, at_ana, IN_6_HOURS, minutes=60, status=S.pending_confirmation
    )
    done = await f.appointment(
        db, ana, at_ana, clock() - timedelta(days=7), minutes=60, status=S.completed
    )
    reviewed = await f.appointment(
        db, ana, at_ana, clock() - timedelta(days=14), minutes=60, status=S.completed
    )
    await f.add(
        db,
        Review(professional_id=ana.id, client_id=at_ana.id, appointment_id=reviewed.id, rating=5),
    )
    await f.appointment(
        db, ana, await f.client(db, ana), IN_28_HOURS + timedelta(days=1), minutes=60
    )

    async with db.for_user(uid) as uow:
        upcoming, past = await booking.my_bookings(uow, now=clock())

    assert [(b.appointment.id, b.appointment.professional_name) for b in upcoming] == [
        (soon.id, "Ana"),
        (later.id, "Bia"),
    ]
    # Six hours ahead is inside the 24 h notice; 28 hours ahead is not.
    assert (upcoming[0].can_cancel, upcoming[1].can_cancel) == (False, True)
    assert upcoming[1].cancel_deadline == IN_28_HOURS - timedelta(hours=24)
    assert [(b.appointment.id, b.can_review) for b in past] == [
        (done.id, True),
        (reviewed.id, False),
    ]
    assert all(b.actions == () for b in past)


async def test_a_professional_who_also_books_elsewhere_sees_only_their_client_bookings(db, clock):
    ana = await f.bookable(db)
    bia = await f.bookable(db)
    # Ana is Bia's client; Ana's own clients' bookings are not "her bookings".
    mine = await f.appointment(
        db, bia, await f.client(db, bia, user_id=ana.user_id), IN_28_HOURS, minutes=60
    )
    await f.appointment(db, ana, await f.client(db, ana), IN_28_HOURS, minutes=60)
    async with db.for_user(ana.user_id) as uow:
        upcoming, past = await booking.my_bookings(uow, now=clock())
    assert [b.appointment.id for b in upcoming] == [mine.id] and past == []


async def test_pending_requests_lists_only_the_professionals_unanswered_requests(db, clock):
    pro, other_pro = await f.bookable(db), await f.bookable(db)
    cli = await f.client(db, pro)
    first = await f.appointment(db, pro, cli, IN_6_HOURS, minutes=60, status=S.pending_confirmation)
    second = await f.appointment(
        db, pro, cli, IN_28_HOURS, minutes=60, status=S.pending_confirmation
    )
    await f.appointment(db, pro, cli, IN_28_HOURS + timedelta(days=1), minutes=60)
    await f.appointment(
        db,
        other_pro,
        await f.client(db, other_pro),
        IN_28_HOURS,
        minutes=60,
        status=S.pending_confirmation,
    )
    async with db.for_user(pro.user_id) as uow:
        assert [v.id for v in await booking.pending_requests(uow)] == [first.id, second.id]


async def test_the_agenda_covers_the_professionals_local_days_with_every_status(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro, name="Carla")
    # 23:30 local on the 24th is already the 25th in UTC; it belongs to the 24th.
    late = await f.appointment(
        db, pro, cli, datetime(2026, 11, 24, 23, 30, tzinfo=SP), minutes=30, status=S.completed
    )
    started = await f.appointment(db, pro, cli, datetime(2026, 11, 25, 8, tzinfo=SP), minutes=60)
    cancelled = await f.appointment(db, pro, cli, IN_6_HOURS, minutes=60, status=S.cancelled)
    await f.appointment(db, pro, cli, datetime(2026, 11, 26, 0, 30, tzinfo=SP), minutes=60)

    async with db.for_user(pro.user_id) as uow:
        day = await booking.agenda(
            uow, first_day=date(2026, 11, 25), last_day=date(2026, 11, 25), now=clock()
        )
        both = await booking.agenda(
            uow, first_day=date(2026, 11, 24), last_day=date(2026, 11, 25), now=clock()
        )

    assert [i.appointment.id for i in day] == [started.id, cancelled.id]
    assert [i.appointment.id for i in both] == [late.id, started.id, cancelled.id]
    assert day[0].appointment.client_name == "Carla"
    # A session that has started can be closed; a cancelled one offers nothing.
    assert day[0].actions == (Action.cancel, Action.reschedule, Action.complete, Action.no_show)
    assert day[1].actions == ()


async def test_the_agenda_is_for_professionals_only(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        with pytest.raises(NotAProfessional):
            await booking.agenda(
                uow, first_day=date(2026, 11, 25), last_day=date(2026, 11, 25), now=clock()
            )


async def test_the_policy_tells_a_client_the_deadline_before_they_cancel(db, clock):
    pro = await f.bookable(db, cancellation_notice_minutes=720)
    cli = await f.client(db, pro)
    far = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    near = await f.appointment(db, pro, cli, IN_6_HOURS, minutes=60)
    async with db.for_user(cli.user_id) as uow:
        p_far = await booking.cancellation_policy(uow, appointment_id=far.id, now=clock())
        p_near = await booking.cancellation_policy(uow, appointment_id=near.id, now=clock())
    async with db.for_user(pro.user_id) as uow:
        p_pro = await booking.cancellation_policy(uow, appointment_id=near.id, now=clock())

    assert (p_far.can_cancel, p_far.can_reschedule, p_far.binding) == (True, True, True)
    assert p_far.deadline == IN_28_HOURS - timedelta(hours=12)
    assert p_far.notice_minutes == 720
    assert (p_near.can_cancel, p_near.can_reschedule) == (False, False)
    assert (p_pro.can_cancel, p_pro.binding, p_pro.side.value) == (True, False, "professional")


async def test_a_cancelled_session_still_ahead_is_listed_with_the_upcoming_not_the_past(db, clock):
    ana = await f.bookable(db)
    me = await f.client(db, ana)
    confirmed = await f.appointment(db, ana, me, IN_28_HOURS, minutes=60)
    cancelled = await f.appointment(
        db, ana, me, IN_28_HOURS + timedelta(days=1), minutes=60, status=S.cancelled
    )
    declined = await f.appointment(
        db, ana, me, IN_28_HOURS + timedelta(days=2), minutes=60, status=S.declined
    )
    gone = await f.appointment(
        db, ana, me, clock() - timedelta(days=3), minutes=60, status=S.cancelled
    )

    async with db.for_user(me.user_id) as uow:
        upcoming, past = await booking.my_bookings(uow, now=clock())

    assert [b.appointment.id for b in upcoming] == [confirmed.id, cancelled.id, declined.id]
    assert [b.appointment.id for b in past] == [gone.id]
    assert upcoming[1].actions == () and upcoming[2].actions == ()
