"""Recurring series: occurrences as ordinary appointments, idempotent, never silently dropped."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from core import errors
from core.models import (
    Appointment,
    AppointmentStatus,
    AuditLog,
    Frequency,
    NotificationType,
    RecurringSchedule,
)
from core.services import recurring
from core.services.recurring import SKIP_BOOKED, SKIP_TIME_OFF
from tests import factories as f

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # Wednesday 08:00 in New York
WED = 3


def ny(day: date, hour: int, minute: int = 0) -> datetime:
    """A New York wall time as a UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=NY).astimezone(UTC)


def local(appts: list[Appointment]) -> list[tuple[date, time]]:
    return [(a.starts_at.astimezone(NY).date(), a.starts_at.astimezone(NY).time()) for a in appts]


async def _pro_and_client(db, **over):
    values = {
        "timezone": "America/New_York",
        "session_duration": 50,
        "price_cents": 12000,
        "currency": "USD",
        "name": "Dr. Ana",
    }
    values.update(over)
    pro = await f.professional(db, **values)
    return pro, await f.client(db, pro, name="Bruno")


async def _create(db, pro, cli, *, now=NOW, **kw):
    kw.setdefault("frequency", Frequency.weekly)
    kw.setdefault("day_of_week", WED)
    kw.setdefault("time", time(9))
    kw.setdefault("starts_on", now.astimezone(NY).date())
    async with db.for_user(pro.user_id) as uow:
        view = await recurring.create_schedule(uow, client_id=cli.id, now=now, **kw)
        await uow.commit()
    return view


async def _materialize(db, pro, *, now=NOW, **kw):
    async with db.for_user(pro.user_id) as uow:
        report = await recurring.materialize(uow, now=now, **kw)
        await uow.commit()
    return report


async def test_a_weekly_nine_oclock_session_stays_at_nine_across_the_fall_back(db):
    pro, cli = await _pro_and_client(db)
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)  # Tuesday 08:00 EDT
    view = await _create(db, pro, cli, now=now, day_of_week=2)
    report = await _materialize(db, pro, now=now, horizon_weeks=3)
    appts = await f.series_appointments(db, view.id)
    assert local(appts) == [
        (date(2026, 10, 20), time(9)),
        (date(2026, 10, 27), time(9)),
        (date(2026, 11, 3), time(9)),
    ]
    # The UTC hour moves with the clocks so the wall time does not.
    assert [a.starts_at.hour for a in appts] == [13, 13, 14]
    assert len(report.created) == 3 and report.skipped == ()
    assert all(a.ends_at - a.starts_at == timedelta(minutes=50) for a in appts)
    assert {(a.status, a.price_cents, a.currency) for a in appts} == {
        (AppointmentStatus.confirmed, 12000, "USD")
    }


async def test_a_biweekly_series_keeps_its_parity_from_its_start_across_the_change(db):
    pro, cli = await _pro_and_client(db)
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    view = await _create(
        db,
        pro,
        cli,
        now=now,
        frequency=Frequency.biweekly,
        day_of_week=2,
        starts_on=date(2026, 10, 13),
    )
    await _materialize(db, pro, now=now, horizon_weeks=6)
    assert local(await f.series_appointments(db, view.id)) == [
        (date(2026, 10, 27), time(9)),
        (date(2026, 11, 10), time(9)),
        (date(2026, 11, 24), time(9)),
    ]


async def test_a_twice_weekly_series_books_both_days_at_the_same_wall_time(db):
    pro, cli = await _pro_and_client(db)
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    view = await _create(
        db,
        pro,
        cli,
        now=now,
        frequency=Frequency.twice_weekly,
        day_of_week=1,
        second_day_of_week=4,
        time=time(18, 30),
        starts_on=date(2026, 10, 26),
    )
    await _materialize(db, pro, now=now, horizon_weeks=2)
    assert local(await f.series_appointments(db, view.id)) == [
        (date(2026, 10, 26), time(18, 30)),
        (date(2026, 10, 29), time(18, 30)),
        (date(2026, 11, 2), time(18, 30)),
    ]


async def test_materializing_twice_creates_nothing_new_and_the_client_hears_once(db):
    pro, cli = await _pro_and_client(db)
    view = await _create(db, pro, cli)
    first = await _materialize(db, pro)
    again = await _materialize(db, pro)
    later = await _materialize(db, pro, horizon_weeks=10)
    appts = await f.series_appointments(db, view.id)
    assert len(first.created) == 8 and again.created == () and len(later.created) == 2
    assert len(appts) == 10 and len({a.starts_at for a in appts}) == 10
    assert local(appts)[0] == (date(2026, 11, 25), time(9))
    (note,) = await f.notifications(db, NotificationType.booking_confirmed)
    assert note.recipient_id == cli.user_id and note.msgid == "recurring.series_confirmed"
    assert note.params["count"] == 8 and note.params["time"] == "09:00"
    async with db.for_user(pro.user_id) as uow:
        (listed,) = await recurring.list_schedules(uow)
    assert listed.materialized_until == date(2026, 11, 25) + timedelta(weeks=10, days=-1)


async def test_a_session_earlier_today_than_now_is_not_created(db):
    pro, cli = await _pro_and_client(db)
    view = await _create(db, pro, cli, time=time(7, 30))  # it is 08:00 in New York
    await _materialize(db, pro, horizon_weeks=2)
    assert local(await f.series_appointments(db, view.id)) == [(date(2026, 12, 2), time(7, 30))]


async def test_occurrences_colliding_with_time_off_or_a_booking_are_skipped_reported_and_notified(
    db,
):
    pro, cli = await _pro_and_client(db)
    other = await f.client(db, pro)
    await f.time_off(db, pro, ny(date(2026, 12, 2), 0), ny(date(2026, 12, 3), 0))
    await f.appointment(db, pro, other, ny(date(2026, 12, 9), 9, 30))
    view = await _create(db, pro, cli)
    report = await _materialize(db, pro, horizon_weeks=4)

    assert [(s.day, s.reason) for s in report.skipped] == [
        (date(2026, 12, 2), SKIP_TIME_OFF),
        (date(2026, 12, 9), SKIP_BOOKED),
    ]
    assert [d for d, _t in local(await f.series_appointments(db, view.id))] == [
        date(2026, 11, 25),
        date(2026, 12, 16),
    ]
    (note,) = await f.notifications(db, NotificationType.recurring_skipped)
    assert note.recipient_id == pro.user_id and note.params["count"] == 2
    assert [o["reason"] for o in note.params["occurrences"]] == [SKIP_TIME_OFF, SKIP_BOOKED]
    # Reported once: the next run does not nag about the same dates.
    assert (await _materialize(db, pro, horizon_weeks=4)).skipped == ()


async def test_two_series_racing_for_one_hour_get_each_occurrence_once(db):
    pro, a = await _pro_and_client(db)
    b = await f.client(db, pro)
    sa = await _create(db, pro, a)
    sb = await _create(db, pro, b)

    async def run(schedule_id):
        return await _materialize(db, pro, schedule_id=schedule_id, horizon_weeks=4)

    ra, rb = await asyncio.gather(run(sa.id), run(sb.id))
    assert len(ra.created) + len(rb.created) == 4
    assert len(ra.skipped) + len(rb.skipped) == 4
    assert {s.reason for s in ra.skipped + rb.skipped} == {SKIP_BOOKED}
    assert len(await f.appointments_of(db, pro)) == 4


async def test_moving_or_cancelling_one_occurrence_leaves_the_series_alone(db):
    pro, cli = await _pro_and_client(db)
    view = await _create(db, pro, cli)
    await _materialize(db, pro, horizon_weeks=4)
    moved, cancelled, *rest = (await f.series_appointments(db, view.id))[1:]
    new_start = ny(date(2026, 12, 3), 10)
    async with db.for_user(pro.user_id) as uow:
        await uow.session.execute(
            update(Appointment)
            .where(Appointment.id == moved.id)
            .values(starts_at=new_start, ends_at=new_start + timedelta(minutes=50))
        )
        await uow.session.execute(
            update(Appointment)
            .where(Appointment.id == cancelled.id)
            .values(status=AppointmentStatus.cancelled)
        )
        await uow.commit()
    async with db.system("tests") as uow:
        before = await uow.session.get(RecurringSchedule, view.id)

    assert (await _materialize(db, pro, horizon_weeks=4)).created == ()
    # Even if the run's bookmark were lost, the series' dates are keyed, not its active sessions.
    async with db.system("tests") as uow:
        await uow.session.execute(
            update(RecurringSchedule)
            .where(RecurringSchedule.id == view.id)
            .values(materialized_until=None)
        )
        await uow.commit()
    assert (await _materialize(db, pro, horizon_weeks=4)).created == ()

    after = {a.id: a for a in await f.series_appointments(db, view.id)}
    assert len(after) == 4
    assert after[moved.id].starts_at == new_start
    assert after[cancelled.id].status is AppointmentStatus.cancelled
    assert all(after[a.id].starts_at == a.starts_at for a in rest)
    async with db.system("tests") as uow:
        schedule = await uow.session.get(RecurringSchedule, view.id)
    assert (schedule.active, schedule.day_of_week, schedule.time) == (
        before.active,
        before.day_of_week,
        before.time,
    )


async def test_pausing_cancels_future_sessions_tells_the_client_and_stops_the_series(db):
    pro, cli = await _pro_and_client(db)
    view = await _create(db, pro, cli)
    await _materialize(db, pro, horizon_weeks=4)
    during_first = ny(date(2026, 11, 25), 9, 20)  # the first session has started
    async with db.for_user(pro.user_id) as uow:
        result = await recurring.pause(uow, schedule_id=view.id, now=during_first)
        await uow.commit()

    assert not result.schedule.active
    assert [t.astimezone(NY).date() for t in result.cancelled] == [
        date(2026, 12, 2),
        date(2026, 12, 9),
        date(2026, 12, 16),
    ]
    statuses = [
        (a.starts_at.astimezone(NY).date(), a.status) for a in await f.appointments_of(db, pro)
    ]
    assert statuses == [
        (date(2026, 11, 25), AppointmentStatus.confirmed),
        (date(2026, 12, 2), AppointmentStatus.cancelled),
        (date(2026, 12, 9), AppointmentStatus.cancelled),
        (date(2026, 12, 16), AppointmentStatus.cancelled),
    ]
    (note,) = await f.notifications(db, NotificationType.booking_cancelled)
    assert note.recipient_id == cli.user_id and note.params["count"] == 3
    with pytest.raises(recurring.SchedulePaused):
        await _materialize(db, pro, schedule_id=view.id, now=during_first)
    assert (await _materialize(db, pro, now=during_first, horizon_weeks=6)).created == ()


async def test_resuming_books_the_freed_dates_again_but_not_one_cancelled_on_its_own(db):
    pro, cli = await _pro_and_client(db)
    view = await _create(db, pro, cli)
    await _materialize(db, pro, horizon_weeks=3)
    _first, second, _third = await f.series_appointments(db, view.id)
    async with db.for_user(pro.user_id) as uow:
        await uow.session.execute(
            update(Appointment)
            .where(Appointment.id == second.id)
            .values(status=AppointmentStatus.cancelled)
        )
        await recurring.pause(uow, schedule_id=view.id, now=NOW)
        await recurring.resume(uow, schedule_id=view.id, now=NOW)
        await uow.commit()
    report = await _materialize(db, pro, horizon_weeks=3)
    assert [o.starts_at.astimezone(NY).date() for o in report.created] == [
        date(2026, 11, 25),
        date(2026, 12, 9),
    ]


async def test_deleting_a_series_keeps_its_appointments(db):
    pro, cli = await _pro_and_client(db)
    view = await _create(db, pro, cli)
    await _materialize(db, pro, horizon_weeks=2)
    async with db.for_user(pro.user_id) as uow:
        await recurring.delete_schedule(uow, schedule_id=view.id)
        await uow.commit()
    appts = await f.appointments_of(db, pro)
    assert len(appts) == 2
    assert {(a.status, a.recurring_schedule_id) for a in appts} == {
        (AppointmentStatus.confirmed, None)
    }
    async with db.for_user(pro.user_id) as uow:
        assert await recurring.list_schedules(uow) == []


async def test_the_audit_log_records_who_created_each_occurrence(db):
    pro, cli = await _pro_and_client(db)
    await _create(db, pro, cli)
    await _materialize(db, pro, horizon_weeks=1)
    async with db.system("tests") as uow:
        rows = (await uow.session.scalars(select(AuditLog))).all()
    assert [(r.action, r.actor, r.actor_user_id) for r in rows] == [
        ("created", "professional", pro.user_id)
    ]


async def test_the_scheduler_materializes_every_active_series_of_every_professional(db):
    pro1, cli1 = await _pro_and_client(db)
    pro2, cli2 = await _pro_and_client(db, timezone="America/Sao_Paulo")
    s1 = await _create(db, pro1, cli1)
    s2 = await _create(db, pro2, cli2, day_of_week=4)
    paused = await _create(db, pro2, cli2, day_of_week=5)
    async with db.for_user(pro2.user_id) as uow:
        await recurring.pause(uow, schedule_id=paused.id, now=NOW)
        await uow.commit()
    async with db.system("scheduler") as uow:
        report = await recurring.materialize_all(uow, now=NOW, horizon_weeks=2)
        await uow.commit()
    assert len(report.created) == 4
    assert sorted(str(o.schedule_id) for o in report.created) == sorted(
        [str(s1.id)] * 2 + [str(s2.id)] * 2
    )
    assert all(
        a.starts_at.astimezone(ZoneInfo("America/Sao_Paulo")).time() == time(9)
        for a in await f.series_appointments(db, s2.id)
    )
    async with db.system("tests") as uow:
        actors = set((await uow.session.scalars(select(AuditLog.actor))).all())
    assert actors == {"system"}
    async with db.for_user(pro1.user_id) as uow:
        with pytest.raises(errors.NotAllowed):
            await recurring.materialize_all(uow, now=NOW)


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"frequency": Frequency.twice_weekly}, recurring.SecondDayMissing),
        ({"frequency": Frequency.twice_weekly, "second_day_of_week": WED}, recurring.SecondDaySame),
        ({"frequency": Frequency.weekly, "second_day_of_week": 5}, recurring.SecondDayNotAllowed),
        ({"day_of_week": 7}, errors.InvalidInput),
        ({"frequency": "monthly"}, errors.InvalidInput),
    ],
)
async def test_an_impossible_series_is_refused_with_a_clear_error(db, kw, error):
    pro, cli = await _pro_and_client(db)
    with pytest.raises(error):
        await _create(db, pro, cli, **kw)


async def test_a_professional_cannot_set_a_series_for_another_professionals_client(db):
    pro, _cli = await _pro_and_client(db)
    _other, theirs = await _pro_and_client(db)
    with pytest.raises(errors.NotFound):
        await _create(db, pro, theirs)
