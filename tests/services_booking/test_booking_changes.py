"""Cancelling and moving a booking: the notice binds the client, not the professional;
a moved session keeps its id and history and owes its reminders again."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import errors
from core.models import AppointmentStatus, RecipientType
from core.services import booking, booking_errors
from tests import factories as f

SP = ZoneInfo("America/Sao_Paulo")
S = AppointmentStatus
# Now is Wednesday 10:00 in São Paulo; the notice is 24 h (1440 minutes).
IN_28_HOURS = datetime(2026, 11, 26, 14, tzinfo=SP)
IN_6_HOURS = datetime(2026, 11, 25, 16, tzinfo=SP)


async def cancel(db, user_id, appointment_id, now, reason=None):
    async with db.for_user(user_id) as uow:
        view = await booking.cancel(uow, appointment_id=appointment_id, now=now, reason=reason)
        await uow.commit()
    return view


async def move(db, user_id, appointment_id, new_start, now):
    async with db.for_user(user_id) as uow:
        view = await booking.reschedule(
            uow, appointment_id=appointment_id, new_start=new_start, now=now
        )
        await uow.commit()
    return view


async def test_a_client_cancels_before_the_notice_and_the_professional_hears_why(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    view = await cancel(db, cli.user_id, appt.id, clock(), reason="  travelling  ")
    assert view.status == S.cancelled
    assert (view.cancelled_by, view.cancellation_reason) == (RecipientType.client, "travelling")
    (note,) = await f.notifications_of(db, appt.id)
    assert note.recipient_id == pro.user_id and note.params["reason"] == "travelling"
    (_, audit) = await f.audit_rows(db, appt.id)
    assert audit.data["reason"] == "travelling"


async def test_a_client_cannot_cancel_inside_the_notice_and_is_shown_the_deadline(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_6_HOURS, minutes=60)
    with pytest.raises(booking_errors.CancellationTooLate) as caught:
        await cancel(db, cli.user_id, appt.id, clock())
    assert caught.value.msgid == "booking.cancel_too_late"
    assert caught.value.params == {
        "notice_minutes": 1440,
        "deadline": IN_6_HOURS - timedelta(hours=24),
    }
    assert (await f.appointment_row(db, appt.id)).status == S.confirmed


async def test_the_notice_is_measured_to_the_minute(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    deadline = IN_28_HOURS - timedelta(hours=24)
    with pytest.raises(booking_errors.CancellationTooLate):
        await cancel(db, cli.user_id, appt.id, deadline + timedelta(seconds=1))
    assert (await cancel(db, cli.user_id, appt.id, deadline)).status == S.cancelled


async def test_the_professional_may_cancel_inside_the_notice_and_the_reason_is_kept(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_6_HOURS, minutes=60)
    view = await cancel(db, pro.user_id, appt.id, clock(), reason="I am ill")
    assert (view.status, view.cancelled_by) == (S.cancelled, RecipientType.professional)
    assert view.cancellation_reason == "I am ill"
    (note,) = await f.notifications_of(db, appt.id)
    assert note.recipient_id == cli.user_id


async def test_a_cancelled_slot_is_free_again(db, clock):
    pro = await f.bookable(db)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    await cancel(db, cli.user_id, appt.id, clock())
    async with db.for_user(other.user_id) as uow:
        await booking.request(uow, professional_id=pro.id, start=IN_28_HOURS, now=clock())


async def test_a_reschedule_moves_the_same_appointment_and_owes_the_reminders_again(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(
        db,
        pro,
        cli,
        IN_28_HOURS,
        minutes=60,
        reminder_sent_24h=True,
        reminder_sent_1h=True,
        scheduled_at=clock() - timedelta(days=10),
    )
    later = IN_28_HOURS + timedelta(days=1, hours=2)
    view = await move(db, pro.user_id, appt.id, later, clock())

    assert view.id == appt.id
    assert (view.starts_at, view.ends_at) == (later, later + timedelta(hours=1))
    assert view.status == S.confirmed
    row = await f.appointment_row(db, appt.id)
    assert (row.reminder_sent_24h, row.reminder_sent_1h) == (False, False)
    assert row.scheduled_at == clock()
    audit = await f.audit_rows(db, appt.id)
    assert [a.action for a in audit] == ["created", "rescheduled"]
    assert datetime.fromisoformat(audit[1].data["old_starts_at"]) == IN_28_HOURS
    (note,) = await f.notifications_of(db, appt.id)
    assert note.params["needs_confirmation"] is False


async def test_a_clients_move_goes_back_to_pending_when_the_professional_confirms_by_hand(
    db, clock
):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    view = await move(db, cli.user_id, appt.id, IN_28_HOURS + timedelta(hours=2), clock())
    assert view.status == S.pending_confirmation
    (note,) = await f.notifications_of(db, appt.id)
    assert note.recipient_id == pro.user_id
    assert note.params["needs_confirmation"] is True
    assert note.params["actions"] == ["confirm", "decline"]
    # The professional reads it as a move to answer, not as news of a done change.
    assert note.msgid == "notify.booking_rescheduled_by_client_to_confirm"


async def test_a_clients_move_stays_confirmed_when_the_professional_auto_confirms(db, clock):
    pro = await f.bookable(db, auto_confirm=True)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    view = await move(db, cli.user_id, appt.id, IN_28_HOURS + timedelta(hours=2), clock())
    assert view.status == S.confirmed


async def test_a_client_cannot_move_a_session_inside_the_notice_but_the_professional_can(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_6_HOURS, minutes=60)
    with pytest.raises(booking_errors.RescheduleTooLate) as caught:
        await move(db, cli.user_id, appt.id, IN_28_HOURS, clock())
    assert caught.value.params["deadline"] == IN_6_HOURS - timedelta(hours=24)
    assert (await move(db, pro.user_id, appt.id, IN_28_HOURS, clock())).starts_at == IN_28_HOURS


async def test_a_session_may_move_into_time_that_overlaps_its_own_old_time(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    # Booked at 13:30 before the professional switched to whole-hour slots.
    odd = IN_28_HOURS - timedelta(minutes=30)
    appt = await f.appointment(db, pro, cli, odd, minutes=60)
    view = await move(db, cli.user_id, appt.id, IN_28_HOURS, clock())
    assert view.starts_at == IN_28_HOURS


async def test_a_move_follows_the_slot_rules_of_a_new_booking(db, clock):
    pro = await f.bookable(db, buffer_minutes=0)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    await f.appointment(db, pro, other, IN_28_HOURS + timedelta(hours=2), minutes=60)
    cases = [
        (IN_28_HOURS + timedelta(hours=2), "booking.slot_taken"),
        (IN_28_HOURS + timedelta(hours=6), "booking.outside_availability"),
        (clock() - timedelta(hours=1), "booking.in_past"),
        (IN_28_HOURS + timedelta(days=61), "booking.beyond_horizon"),
        (IN_28_HOURS, "booking.same_time"),
    ]
    for new_start, msgid in cases:
        with pytest.raises(errors.DomainError) as caught:
            await move(db, cli.user_id, appt.id, new_start, clock())
        assert caught.value.msgid == msgid, new_start
    assert (await f.appointment_row(db, appt.id)).starts_at == IN_28_HOURS


async def test_the_professional_cannot_move_a_session_into_their_own_time_off(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, IN_28_HOURS, minutes=60)
    next_day = IN_28_HOURS + timedelta(days=1)
    await f.time_off(db, pro, next_day - timedelta(hours=5), next_day + timedelta(hours=5))
    with pytest.raises(booking_errors.DuringTimeOff) as caught:
        await move(db, pro.user_id, appt.id, next_day, clock())
    assert caught.value.msgid == "booking.time_off"
    assert caught.value.params == {"start": next_day}


async def test_a_past_session_can_no_longer_be_moved_by_the_client(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, clock() - timedelta(hours=2), minutes=60)
    with pytest.raises(booking_errors.RescheduleTooLate):
        await move(db, cli.user_id, appt.id, IN_28_HOURS, clock())
