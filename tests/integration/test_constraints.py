"""Every database rule refuses bad data, and the refusal reaches the caller as a domain error."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from core import errors
from core.models import (
    Appointment,
    AppointmentStatus,
    AuditLog,
    Availability,
    Follow,
    Frequency,
    Message,
    MessageSender,
    MessageType,
    Professional,
    RecurringSchedule,
    Review,
)
from tests import factories as f

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def test_two_overlapping_bookings_of_one_professional_are_refused_as_slot_taken(db):
    pro = await f.professional(db)
    a, b = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, a, T0)
    with pytest.raises(errors.SlotTaken) as caught:
        await f.appointment(db, pro, b, T0 + timedelta(minutes=30))
    assert caught.value.msgid == "booking.slot_taken"


async def test_a_pending_request_holds_its_slot_against_another_request(db):
    pro = await f.professional(db)
    a, b = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, a, T0, status=AppointmentStatus.pending_confirmation)
    with pytest.raises(errors.SlotTaken):
        await f.appointment(db, pro, b, T0, status=AppointmentStatus.pending_confirmation)


async def test_back_to_back_sessions_are_allowed(db):
    pro = await f.professional(db)
    a = await f.client(db, pro)
    await f.appointment(db, pro, a, T0, minutes=50)
    await f.appointment(db, pro, a, T0 + timedelta(minutes=50), minutes=50)


async def test_a_cancelled_booking_frees_its_slot(db):
    pro = await f.professional(db)
    a, b = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, a, T0, status=AppointmentStatus.cancelled)
    await f.appointment(db, pro, b, T0)


async def test_two_professionals_may_hold_the_same_time(db):
    p1, p2 = await f.professional(db), await f.professional(db)
    await f.appointment(db, p1, await f.client(db, p1), T0)
    await f.appointment(db, p2, await f.client(db, p2), T0)


async def test_concurrent_inserts_for_one_slot_leave_exactly_one_booking(db):
    pro = await f.professional(db)
    clients = [await f.client(db, pro) for _ in range(20)]
    results = await asyncio.gather(
        *(f.appointment(db, pro, c, T0) for c in clients), return_exceptions=True
    )
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, errors.SlotTaken)]
    assert len(booked) == 1 and len(refused) == 19


async def test_an_appointment_ending_before_it_starts_is_refused(db):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    with pytest.raises(errors.ConstraintViolated) as caught:
        await f.appointment(db, pro, c, T0, ends_at=T0 - timedelta(minutes=1))
    assert caught.value.params["constraint"] == "ck_appointments_time_order"


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("session_duration", 0, "ck_professionals_session_duration"),
        ("price_cents", -1, "ck_professionals_price"),
        ("payment_percentage", 101, "ck_professionals_payment_percentage"),
        ("payment_percentage", -1, "ck_professionals_payment_percentage"),
        ("slug", "has space", "ck_professionals_slug_format"),
        ("currency", "brl", "ck_professionals_currency"),
    ],
)
async def test_professional_settings_out_of_range_are_refused(db, field, value, constraint):
    with pytest.raises(errors.ConstraintViolated) as caught:
        await f.professional(db, **{field: value})
    assert caught.value.params["constraint"] == constraint


async def test_a_slug_taken_by_another_professional_is_refused(db):
    await f.professional(db, slug="dr-ana")
    with pytest.raises(errors.SlugTaken):
        await f.professional(db, slug="dr-ana")


async def test_one_telegram_user_registers_as_professional_only_once(db):
    await f.professional(db, user_id=42, slug="first")
    with pytest.raises(errors.AlreadyRegistered):
        await f.professional(db, user_id=42, slug="second")


async def test_overlapping_weekly_windows_on_one_day_are_refused(db):
    pro = await f.professional(db)
    await f.weekly_window(db, pro, 1, time(9), time(12))
    with pytest.raises(errors.WindowOverlap):
        await f.weekly_window(db, pro, 1, time(11), time(13))
    await f.weekly_window(db, pro, 1, time(12), time(14))  # adjacent is fine
    await f.weekly_window(db, pro, 2, time(9), time(12))  # another day is fine


@pytest.mark.parametrize(
    ("day", "start", "end", "constraint"),
    [
        (7, time(9), time(10), "ck_availability_day_of_week"),
        (-1, time(9), time(10), "ck_availability_day_of_week"),
        (1, time(10), time(9), "ck_availability_time_order"),
        (1, time(10), time(10), "ck_availability_time_order"),
    ],
)
async def test_a_weekly_window_with_a_bad_day_or_times_is_refused(db, day, start, end, constraint):
    pro = await f.professional(db)
    with pytest.raises(errors.ConstraintViolated) as caught:
        await f.weekly_window(db, pro, day, start, end)
    assert caught.value.params["constraint"] == constraint


@pytest.mark.parametrize("rating", [0, 6])
async def test_a_rating_outside_one_to_five_is_refused(db, rating):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    appt = await f.appointment(db, pro, c, T0, status=AppointmentStatus.completed)
    with pytest.raises(errors.ConstraintViolated) as caught:
        await f.add(
            db,
            Review(professional_id=pro.id, client_id=c.id, appointment_id=appt.id, rating=rating),
        )
    assert caught.value.params["constraint"] == "ck_reviews_rating"


async def test_an_appointment_is_reviewed_only_once(db):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    appt = await f.appointment(db, pro, c, T0, status=AppointmentStatus.completed)
    review = {"professional_id": pro.id, "client_id": c.id, "appointment_id": appt.id}
    await f.add(db, Review(**review, rating=5))
    with pytest.raises(errors.AlreadyReviewed):
        await f.add(db, Review(**review, rating=4))


async def test_following_a_professional_twice_is_refused_by_the_database(db):
    pro = await f.professional(db)
    await f.add(db, Follow(professional_id=pro.id, user_id=7))
    with pytest.raises(errors.ConstraintViolated) as caught:
        await f.add(db, Follow(professional_id=pro.id, user_id=7))
    assert caught.value.params["constraint"] == "uq_follows_user_id_professional_id"


@pytest.mark.parametrize(
    ("frequency", "day", "second"),
    [
        (Frequency.twice_weekly, 1, None),
        (Frequency.twice_weekly, 1, 1),
        (Frequency.weekly, 1, 3),
        (Frequency.biweekly, 2, 4),
    ],
)
async def test_a_second_day_is_set_exactly_for_twice_weekly_schedules(db, frequency, day, second):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    schedule = RecurringSchedule(
        professional_id=pro.id,
        client_id=c.id,
        frequency=frequency,
        day_of_week=day,
        second_day_of_week=second,
        time=time(9),
    )
    with pytest.raises(errors.ConstraintViolated) as caught:
        await f.add(db, schedule)
    assert caught.value.params["constraint"] == "ck_recurring_schedules_second_day_rule"


async def test_deleting_a_schedule_keeps_its_appointments(db):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    schedule = await f.add(
        db,
        RecurringSchedule(
            professional_id=pro.id,
            client_id=c.id,
            frequency=Frequency.weekly,
            day_of_week=2,
            time=time(9),
        ),
    )
    appt = await f.appointment(db, pro, c, T0, recurring_schedule_id=schedule.id)
    async with db.system("tests") as uow:
        await uow.session.execute(
            delete(RecurringSchedule).where(RecurringSchedule.id == schedule.id)
        )
        await uow.commit()
    async with db.system("tests") as uow:
        kept = await uow.session.get(Appointment, appt.id)
    assert kept is not None and kept.recurring_schedule_id is None


async def test_deleting_a_professional_removes_everything_they_own(db):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    await f.appointment(db, pro, c, T0)
    await f.weekly_window(db, pro, 1, time(9), time(12))
    async with db.system("tests") as uow:
        await uow.session.execute(delete(Professional).where(Professional.id == pro.id))
        await uow.commit()
    async with db.system("tests") as uow:
        assert (await uow.session.scalars(select(Appointment))).all() == []
        assert (await uow.session.scalars(select(Availability))).all() == []


async def test_a_file_message_without_a_file_is_refused(db):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    with pytest.raises(errors.ConstraintViolated) as caught:
        await f.add(
            db,
            Message(
                professional_id=pro.id,
                client_id=c.id,
                sender=MessageSender.client,
                type=MessageType.photo,
                content="look",
            ),
        )
    assert caught.value.params["constraint"] == "ck_messages_file_matches_type"


async def test_a_value_outside_a_native_enum_is_refused_by_the_database(db):
    pro = await f.professional(db)
    with pytest.raises(errors.ConstraintViolated):
        async with db.system("tests") as uow:
            await uow.session.execute(
                text("UPDATE professionals SET plan = 'gold' WHERE id = :id"), {"id": pro.id}
            )


async def test_every_status_change_is_written_to_the_audit_log(db):
    pro = await f.professional(db)
    c = await f.client(db, pro)
    appt = await f.appointment(db, pro, c, T0, status=AppointmentStatus.pending_confirmation)
    async with db.for_user(pro.user_id) as uow:
        await uow.session.execute(
            update(Appointment)
            .where(Appointment.id == appt.id)
            .values(status=AppointmentStatus.confirmed)
        )
        await uow.commit()
    async with db.system("tests") as uow:
        rows = (
            await uow.session.scalars(
                select(AuditLog).where(AuditLog.entity_id == appt.id).order_by(AuditLog.created_at)
            )
        ).all()
    assert [(r.action, r.old_status, r.new_status) for r in rows] == [
        ("created", None, "pending_confirmation"),
        ("status_changed", "pending_confirmation", "confirmed"),
    ]
    assert rows[1].actor == "professional" and rows[1].actor_user_id == pro.user_id
