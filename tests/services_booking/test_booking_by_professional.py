"""A professional books a one-off session for a client: the schedule's rules hold (their
hours, time off, overlaps and the buffer, not the past), the client's minimum notice and
booking horizon and limit do not, and the client is told."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import errors
from core.models import AppointmentStatus, NotificationType, RecipientType
from core.services import booking, booking_by_professional, booking_errors
from tests import factories as f

SP = ZoneInfo("America/Sao_Paulo")
# Now is Wednesday 2026-11-25 10:00 in São Paulo.
TOMORROW_14 = datetime(2026, 11, 26, 14, tzinfo=SP)


async def book_for(db, pro, client, start, now, **kw):
    async with db.for_user(pro.user_id) as uow:
        view = await booking_by_professional.book_for_client(
            uow, client_id=client.id, start=start, now=now, **kw
        )
        await uow.commit()
    return view


async def test_a_professional_books_a_confirmed_session_for_a_client_who_is_told(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro, name="Bruna")

    view = await book_for(db, pro, cli, TOMORROW_14, clock())

    assert view.status is AppointmentStatus.confirmed
    assert (view.client_id, view.starts_at) == (cli.id, TOMORROW_14)
    assert view.ends_at - view.starts_at == timedelta(minutes=60)
    [note] = await f.notifications_of(db, view.id)
    assert note.recipient_id == cli.user_id and note.recipient_type is RecipientType.client
    assert note.type is NotificationType.booking_confirmed
    assert note.msgid == "notify.booking_made_by_professional"
    async with db.for_user(cli.user_id) as uow:  # it is in the client's own list
        upcoming, _ = await booking.my_bookings(uow, now=clock())
    assert [b.appointment.id for b in upcoming] == [view.id]


async def test_the_professional_is_not_bound_by_the_clients_notice_or_horizon(db, clock):
    pro = await f.bookable(db, min_notice_minutes=24 * 60, booking_horizon_days=7)
    cli = await f.client(db, pro)

    soon = await book_for(db, pro, cli, datetime(2026, 11, 25, 15, tzinfo=SP), clock())
    far = await book_for(db, pro, cli, datetime(2027, 1, 20, 9, tzinfo=SP), clock())

    assert soon.status is far.status is AppointmentStatus.confirmed


@pytest.mark.parametrize(
    ("start", "error"),
    [
        (datetime(2026, 11, 26, 20, tzinfo=SP), booking_errors.OutsideAvailability),
        (datetime(2026, 11, 25, 9, tzinfo=SP), booking_errors.BookingInPast),
    ],
)
async def test_the_professionals_own_hours_and_the_past_still_hold(db, clock, start, error):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    with pytest.raises(error):
        await book_for(db, pro, cli, start, clock())


async def test_a_taken_time_or_time_off_is_refused(db, clock):
    pro = await f.bookable(db)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, other, TOMORROW_14, minutes=60)
    await f.time_off(db, pro, datetime(2026, 11, 27, tzinfo=SP), datetime(2026, 11, 28, tzinfo=SP))

    with pytest.raises(errors.SlotTaken):
        await book_for(db, pro, cli, TOMORROW_14, clock())
    with pytest.raises(booking_errors.DuringTimeOff):
        await book_for(db, pro, cli, datetime(2026, 11, 27, 10, tzinfo=SP), clock())


async def test_a_client_of_another_professional_cannot_be_booked(db, clock):
    pro = await f.bookable(db)
    stranger = await f.client(db, await f.professional(db))
    with pytest.raises(errors.NotFound):
        await book_for(db, pro, stranger, TOMORROW_14, clock())


async def test_a_client_cannot_book_for_themselves_through_the_professionals_door(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    with pytest.raises(errors.DomainError):
        async with db.for_user(cli.user_id) as uow:
            await booking_by_professional.book_for_client(
                uow, client_id=cli.id, start=TOMORROW_14, now=clock()
            )


async def test_sessions_the_professional_booked_do_not_use_up_the_clients_own_limit(db, clock):
    pro = await f.bookable(db, max_future_bookings=1)
    cli = await f.client(db, pro)
    await book_for(db, pro, cli, TOMORROW_14, clock())
    await book_for(db, pro, cli, TOMORROW_14 + timedelta(days=1), clock())

    async with db.for_user(cli.user_id) as uow:
        view = await booking.request(
            uow, professional_id=pro.id, start=TOMORROW_14 + timedelta(days=2), now=clock()
        )
        await uow.commit()
    assert view.starts_at == TOMORROW_14 + timedelta(days=2)


async def test_a_client_added_by_hand_without_telegram_is_booked_without_a_notification(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro, user_id=None, name="Carla")

    view = await book_for(db, pro, cli, TOMORROW_14, clock())

    assert await f.notifications_of(db, view.id) == []
