"""A client's request: what it creates, whom it tells, and every rule that refuses it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from core import errors
from core.models import AppointmentStatus, NotificationType, Professional, RecipientType
from core.services import booking, booking_errors
from core.services.availability import ProfessionalUnavailable
from tests import factories as f

SP = ZoneInfo("America/Sao_Paulo")
TOMORROW_14 = datetime(2026, 11, 26, 14, tzinfo=SP)


async def ask(db, cli, pro, start, now, **kw):
    async with db.for_user(cli.user_id) as uow:
        view = await booking.request(uow, professional_id=pro.id, start=start, now=now, **kw)
        await uow.commit()
    return view


async def upcoming(db, cli, now):
    async with db.for_user(cli.user_id) as uow:
        return (await booking.my_bookings(uow, now=now))[0]


async def refused(db, cli, pro, start, now, error=errors.DomainError):
    """The request fails with `error` and the client holds no more bookings than before."""
    before = await upcoming(db, cli, now)
    with pytest.raises(error) as caught:
        await ask(db, cli, pro, start, now)
    assert await upcoming(db, cli, now) == before
    return caught.value


async def test_a_client_requests_a_free_slot_and_the_professional_is_asked_to_confirm(db, clock):
    pro = await f.bookable(db, price_cents=18000, currency="BRL")
    cli = await f.client(db, pro, name="Bruna")
    view = await ask(db, cli, pro, TOMORROW_14, clock(), notes="first session")

    assert view.status == AppointmentStatus.pending_confirmation
    assert view.starts_at == TOMORROW_14
    assert view.ends_at == TOMORROW_14 + timedelta(minutes=60)
    assert (view.price_cents, view.currency, view.notes) == (18000, "BRL", "first session")
    assert view.client_name == "Bruna"
    (note,) = await f.notifications_of(db, view.id)
    assert (note.recipient_id, note.recipient_type) == (pro.user_id, RecipientType.professional)
    assert note.type == NotificationType.booking_requested
    assert note.msgid == "notify.booking_requested"
    assert note.params["client_name"] == "Bruna"
    assert note.params["actions"] == ["confirm", "decline"]
    (created,) = await f.audit_rows(db, view.id)
    assert (created.actor, created.actor_user_id) == ("client", cli.user_id)


async def test_a_professional_who_auto_confirms_gets_a_confirmed_booking_and_is_told(db, clock):
    pro = await f.bookable(db, auto_confirm=True)
    view = await ask(db, await f.client(db, pro), pro, TOMORROW_14, clock())
    assert view.status == AppointmentStatus.confirmed
    (note,) = await f.notifications_of(db, view.id)
    assert note.type == NotificationType.booking_confirmed
    assert note.msgid == "notify.booking_auto_confirmed"


async def test_the_price_is_frozen_at_booking(db, clock):
    pro = await f.bookable(db, price_cents=15000)
    view = await ask(db, await f.client(db, pro), pro, TOMORROW_14, clock())
    async with db.system("tests") as uow:
        await uow.session.execute(
            update(Professional).where(Professional.id == pro.id).values(price_cents=99000)
        )
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        assert (await booking.get(uow, appointment_id=view.id)).price_cents == 15000


async def test_a_time_in_the_past_is_refused(db, clock):
    pro = await f.bookable(db)
    err = await refused(db, await f.client(db, pro), pro, clock() - timedelta(hours=1), clock())
    assert err.msgid == "booking.in_past"


async def test_a_time_inside_the_minimum_notice_is_refused_with_the_earliest_time(db, clock):
    pro = await f.bookable(db, min_notice_minutes=180)
    today_noon = datetime(2026, 11, 25, 12, tzinfo=SP)  # two hours from now
    err = await refused(db, await f.client(db, pro), pro, today_noon, clock())
    assert err.msgid == "booking.min_notice"
    assert err.params == {"notice_minutes": 180, "earliest": clock() + timedelta(hours=3)}


async def test_a_time_beyond_the_horizon_is_refused_with_the_last_bookable_date(db, clock):
    pro = await f.bookable(db, booking_horizon_days=30)
    cli = await f.client(db, pro)
    err = await refused(db, cli, pro, datetime(2026, 12, 26, 9, tzinfo=SP), clock())
    assert err.msgid == "booking.beyond_horizon"
    assert err.params == {"last_day": date(2026, 12, 25), "horizon_days": 30}
    # The last day itself is bookable.
    await ask(db, cli, pro, datetime(2026, 12, 25, 17, tzinfo=SP), clock())


@pytest.mark.parametrize(
    "start",
    # A start between grid slots is fine when it fits (test_a_free_time_off_the_step_grid_...).
    [datetime(2026, 11, 26, 20, tzinfo=SP), datetime(2026, 11, 26, 17, 30, tzinfo=SP)],
    ids=["after-hours", "ending-after-hours"],
)
async def test_a_time_outside_the_professionals_availability_is_refused(db, clock, start):
    pro = await f.bookable(db)
    err = await refused(db, await f.client(db, pro), pro, start, clock())
    assert err.msgid == "booking.outside_availability"


async def test_an_extra_window_opens_a_time_outside_the_weekly_hours(db, clock):
    pro = await f.bookable(db)
    await f.extra_window(db, pro, date(2026, 11, 26), time(19), time(21))
    evening = datetime(2026, 11, 26, 20, tzinfo=SP)
    view = await ask(db, await f.client(db, pro), pro, evening, clock())
    assert view.status == AppointmentStatus.pending_confirmation


async def test_a_time_already_held_by_another_client_is_refused_as_taken(db, clock):
    pro = await f.bookable(db)
    other = await f.client(db, pro)
    await f.appointment(db, pro, other, TOMORROW_14 - timedelta(minutes=30), minutes=60)
    err = await refused(db, await f.client(db, pro), pro, TOMORROW_14, clock())
    assert err.msgid == "booking.slot_taken"


async def test_a_pending_request_holds_its_slot_against_a_second_request(db, clock):
    pro = await f.bookable(db)
    await ask(db, await f.client(db, pro), pro, TOMORROW_14, clock())
    err = await refused(db, await f.client(db, pro), pro, TOMORROW_14, clock())
    assert err.msgid == "booking.slot_taken"


async def test_a_time_inside_the_break_after_another_session_is_refused_as_too_close(db, clock):
    # 60-minute sessions and a 15-minute buffer: slots at 09:00, 10:15, 11:30, 12:45, 14:00...
    pro = await f.bookable(db, buffer_minutes=15)
    other = await f.client(db, pro)
    await f.appointment(db, pro, other, datetime(2026, 11, 26, 13, 50, tzinfo=SP), minutes=60)
    err = await refused(
        db, await f.client(db, pro), pro, datetime(2026, 11, 26, 12, 45, tzinfo=SP), clock()
    )
    assert err.msgid == "booking.buffer"
    assert err.params["buffer_minutes"] == 15


async def test_a_time_when_the_professional_is_away_is_refused(db, clock):
    pro = await f.bookable(db)
    await f.time_off(db, pro, datetime(2026, 11, 26, tzinfo=SP), datetime(2026, 11, 27, tzinfo=SP))
    err = await refused(db, await f.client(db, pro), pro, TOMORROW_14, clock())
    # A client sees only bare busy intervals (busy_intervals() hides what they are).
    assert err.msgid in ("booking.time_off", "booking.slot_taken")


async def test_a_client_at_the_limit_of_future_bookings_cannot_request_another(db, clock):
    pro = await f.bookable(db, max_future_bookings=2)
    cli = await f.client(db, pro)
    await ask(db, cli, pro, TOMORROW_14, clock())
    await ask(db, cli, pro, TOMORROW_14 + timedelta(days=1), clock())
    err = await refused(db, cli, pro, TOMORROW_14 + timedelta(days=2), clock())
    assert err.msgid == "booking.max_future"
    assert err.params == {"max": 2, "count": 2}


async def test_a_weekly_series_does_not_use_up_the_limit_for_an_extra_one_off_session(db, clock):
    pro = await f.bookable(db, max_future_bookings=4)
    cli = await f.client(db, pro)
    series = await f.schedule(db, pro, cli.id, starts_on=date(2026, 11, 24))
    for week in range(8):  # about two months of Tuesday sessions ahead
        start = datetime(2026, 12, 1, 9, tzinfo=SP) + timedelta(weeks=week)
        await f.appointment(db, pro, cli, start, minutes=60, recurring_schedule_id=series.id)

    view = await ask(db, cli, pro, TOMORROW_14, clock())
    assert view.starts_at == TOMORROW_14


async def test_the_refusal_counts_only_the_one_off_bookings_and_says_how_many(db, clock):
    pro = await f.bookable(db, max_future_bookings=2)
    cli = await f.client(db, pro)
    series = await f.schedule(db, pro, cli.id, starts_on=date(2026, 11, 24))
    for week in range(3):
        start = datetime(2026, 12, 1, 9, tzinfo=SP) + timedelta(weeks=week)
        await f.appointment(db, pro, cli, start, minutes=60, recurring_schedule_id=series.id)
    for day in range(3):  # one more than allowed: the professional lowered the limit
        await f.appointment(db, pro, cli, TOMORROW_14 + timedelta(days=day), minutes=60)

    err = await refused(db, cli, pro, TOMORROW_14 + timedelta(days=5), clock())
    assert err.params == {"max": 2, "count": 3}


async def test_past_and_cancelled_bookings_do_not_count_toward_the_limit(db, clock):
    pro = await f.bookable(db, max_future_bookings=1)
    cli = await f.client(db, pro)
    await f.appointment(db, pro, cli, clock() - timedelta(days=2), minutes=60)
    await f.appointment(db, pro, cli, TOMORROW_14, minutes=60, status=AppointmentStatus.cancelled)
    await ask(db, cli, pro, TOMORROW_14, clock())


async def test_someone_without_a_client_record_cannot_book_and_none_is_created(db, clock):
    pro = await f.bookable(db)
    stranger = f.next_user_id()
    with pytest.raises(booking_errors.NotAClient):
        async with db.for_user(stranger) as uow:
            await booking.request(uow, professional_id=pro.id, start=TOMORROW_14, now=clock())
    async with db.for_user(stranger) as uow:
        assert await booking.my_bookings(uow, now=clock()) == ([], [])


async def test_an_inactive_professional_cannot_be_booked(db, clock):
    pro = await f.bookable(db, active=False)
    with pytest.raises(ProfessionalUnavailable):
        await ask(db, await f.client(db, pro), pro, TOMORROW_14, clock())


async def test_notes_longer_than_the_limit_are_refused_rather_than_cut(db, clock):
    pro = await f.bookable(db)
    with pytest.raises(booking_errors.TextTooLong) as caught:
        await ask(db, await f.client(db, pro), pro, TOMORROW_14, clock(), notes="x" * 1001)
    assert caught.value.params == {"field": "notes", "max": 1000}


async def test_a_naive_start_is_a_programming_error(db, clock):
    pro = await f.bookable(db)
    with pytest.raises(ValueError):
        await ask(db, await f.client(db, pro), pro, datetime(2026, 11, 26, 14), clock())


async def test_the_start_is_stored_as_the_same_instant_whatever_zone_it_arrives_in(db, clock):
    pro = await f.bookable(db)
    view = await ask(
        db, await f.client(db, pro), pro, TOMORROW_14.astimezone(ZoneInfo("Asia/Tokyo")), clock()
    )
    assert view.starts_at == TOMORROW_14
    assert view.starts_at.astimezone(UTC).hour == 17


async def test_a_free_time_off_the_step_grid_can_be_booked(db, clock):
    # 45-minute sessions and a 10-minute buffer: 10:00 is not on the 09:00, 09:55... grid.
    pro = await f.bookable(db, session_duration=45, buffer_minutes=10)
    cli = await f.client(db, pro)
    view = await ask(db, cli, pro, datetime(2026, 12, 2, 10, tzinfo=SP), clock())
    assert view.starts_at == datetime(2026, 12, 2, 10, tzinfo=SP)
    assert view.ends_at == datetime(2026, 12, 2, 10, 45, tzinfo=SP)


async def test_an_off_grid_time_is_still_held_to_every_rule(db, clock):
    pro = await f.bookable(db, session_duration=45, buffer_minutes=10)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, other, datetime(2026, 12, 2, 9, tzinfo=SP), minutes=45)
    too_close = await refused(db, cli, pro, datetime(2026, 12, 2, 9, 50, tzinfo=SP), clock())
    overlapping = await refused(db, cli, pro, datetime(2026, 12, 2, 9, 30, tzinfo=SP), clock())
    running_late = await refused(db, cli, pro, datetime(2026, 12, 2, 17, 30, tzinfo=SP), clock())
    assert too_close.msgid == "booking.buffer"
    assert overlapping.msgid in ("booking.slot_taken", "booking.buffer")
    assert running_late.msgid == "booking.outside_availability"  # would end at 18:15
