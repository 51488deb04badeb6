"""Weekly windows, extra windows and time off, as a professional sets them up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from core import errors
from core.models import Appointment, AppointmentStatus
from core.scheduling.errors import InvalidWindow
from core.services import availability as av
from core.services.access import NotAProfessional
from core.validation import parse_weekly_availability
from tests import factories as f

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def hm(text: str) -> time:
    return time.fromisoformat(text)


async def test_a_day_of_windows_is_replaced_and_read_back_in_order(db):
    pro = await f.professional(db)
    await f.weekly_window(db, pro, 2, hm("08:00"), hm("10:00"))
    async with db.for_user(pro.user_id) as uow:
        week = await av.set_day(
            uow, day_of_week=2, windows=[(hm("14:00"), hm("18:00")), (hm("09:00"), hm("12:00"))]
        )
        await uow.commit()
    assert [(w.weekday, w.start, w.end) for w in week] == [
        (2, hm("09:00"), hm("12:00")),
        (2, hm("14:00"), hm("18:00")),
    ]


async def test_overlapping_windows_are_refused_naming_both_and_nothing_changes(db):
    pro = await f.professional(db)
    await f.weekly_window(db, pro, 1, hm("08:00"), hm("10:00"))
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(errors.WindowOverlap) as caught:
            await av.set_day(
                uow,
                day_of_week=1,
                windows=[(hm("09:00"), hm("12:00")), (hm("11:30"), hm("13:00"))],
            )
        week = await av.list_week(uow)
    assert caught.value.params == {
        "first": "09:00-12:00",
        "second": "11:30-13:00",
        "day_of_week": 1,
    }
    assert [(w.start, w.end) for w in week] == [(hm("08:00"), hm("10:00"))]


async def test_back_to_back_windows_and_a_window_until_midnight_are_fine(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        week = await av.set_day(
            uow, day_of_week=5, windows=[(hm("14:00"), hm("18:00")), (hm("18:00"), time(0))]
        )
        await uow.commit()
    async with db.for_user(f.next_user_id()) as uow:
        inputs = await av.slot_inputs(
            uow, professional_id=pro.id, first_day=date(2026, 12, 4), last_day=date(2026, 12, 4)
        )
    assert [(w.start, w.end) for w in week] == [(hm("14:00"), hm("18:00")), (hm("18:00"), time(0))]
    assert inputs.weekly[-1].end == time(0)


async def test_a_window_ending_before_it_starts_is_refused(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(InvalidWindow):
            await av.set_day(uow, day_of_week=1, windows=[(hm("12:00"), hm("09:00"))])


async def test_the_whole_week_is_replaced_from_typed_text_and_a_client_may_read_it(db):
    pro = await f.professional(db)
    await f.weekly_window(db, pro, 0, hm("10:00"), hm("11:00"))
    windows = parse_weekly_availability("seg a sex 9-12, 14-18; sáb 9-13")
    async with db.for_user(pro.user_id) as uow:
        await av.replace_week(uow, windows=windows)
        await av.clear_day(uow, day_of_week=3)
        await uow.commit()
    async with db.for_user(f.next_user_id()) as uow:
        week = await av.list_week(uow, professional_id=pro.id)
    assert sorted({w.weekday for w in week}) == [1, 2, 4, 5, 6]
    assert len(week) == 9


async def test_a_client_cannot_change_anyone_s_windows(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        with pytest.raises(NotAProfessional):
            await av.set_day(uow, day_of_week=1, windows=[(hm("09:00"), hm("10:00"))])


async def test_a_whole_day_off_on_the_fall_back_day_covers_exactly_that_local_day(db):
    pro = await f.professional(db, timezone="America/New_York")
    day = date(2026, 11, 1)  # clocks go back at 02:00: the day lasts 25 hours
    async with db.for_user(pro.user_id) as uow:
        off = await av.add_time_off(
            uow, first_day=day, last_day=day, now=datetime(2026, 10, 20, tzinfo=UTC)
        )
        await uow.commit()
    assert off.starts_at == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert off.ends_at == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # 00:00 EST next day
    assert off.ends_at - off.starts_at == timedelta(hours=25)


async def test_days_off_across_the_spring_forward_change_end_at_local_midnight(db):
    pro = await f.professional(db, timezone="America/New_York")
    async with db.for_user(pro.user_id) as uow:
        off = await av.add_time_off(
            uow,
            first_day=date(2027, 3, 13),
            last_day=date(2027, 3, 14),  # the 14th lasts 23 hours
            now=NOW,
        )
    assert off.starts_at == datetime(2027, 3, 13, 5, 0, tzinfo=UTC)  # 00:00 EST
    assert off.ends_at == datetime(2027, 3, 15, 4, 0, tzinfo=UTC)  # 00:00 EDT


async def test_part_of_a_day_off_is_resolved_in_the_professional_s_zone(db):
    pro = await f.professional(db)  # Sao Paulo, UTC-3
    async with db.for_user(pro.user_id) as uow:
        off = await av.add_time_off(
            uow,
            first_day=date(2026, 12, 1),
            last_day=date(2026, 12, 1),
            start=hm("14:00"),
            end=hm("16:30"),
            reason=" dentist ",
            now=NOW,
        )
        listed = await av.list_time_off(uow, now=NOW)
    assert (off.starts_at, off.ends_at) == (
        datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 19, 30, tzinfo=UTC),
    )
    assert [(t.id, t.reason) for t in listed] == [(off.id, "dentist")]


async def test_time_off_in_the_past_or_ending_before_it_starts_is_refused(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(av.TimeOffInPast):
            await av.add_time_off(
                uow, first_day=date(2026, 11, 20), last_day=date(2026, 11, 24), now=NOW
            )
        with pytest.raises(av.InvalidTimeOffRange):
            await av.add_time_off(
                uow, first_day=date(2026, 12, 5), last_day=date(2026, 12, 4), now=NOW
            )
        with pytest.raises(av.InvalidTimeOffRange):
            day = date(2026, 12, 5)
            await av.add_time_off(
                uow, first_day=day, last_day=day, start=hm("15:00"), end=hm("10:00"), now=NOW
            )


async def test_time_off_lists_the_sessions_inside_it_without_cancelling_them(db):
    pro = await f.professional(db)
    ana, bia = await f.client(db, pro, name="Ana"), await f.client(db, pro, name="Bia")
    inside = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    kept = await f.appointment(db, pro, ana, inside)
    pending = await f.appointment(
        db, pro, bia, inside + timedelta(hours=2), status=AppointmentStatus.pending_confirmation
    )
    await f.appointment(
        db, pro, bia, inside + timedelta(hours=4), status=AppointmentStatus.cancelled
    )
    await f.appointment(db, pro, ana, inside + timedelta(days=1))  # the day after
    async with db.for_user(pro.user_id) as uow:
        off = await av.add_time_off(
            uow, first_day=date(2026, 12, 2), last_day=date(2026, 12, 2), now=NOW
        )
        await uow.commit()
    assert [(a.id, a.client_name, a.status) for a in off.affected] == [
        (kept.id, "Ana", AppointmentStatus.confirmed),
        (pending.id, "Bia", AppointmentStatus.pending_confirmation),
    ]
    async with db.system("check") as uow:
        status = await uow.session.scalar(
            select(Appointment.status).where(Appointment.id == kept.id)
        )
    assert status is AppointmentStatus.confirmed


async def test_time_off_is_listed_while_upcoming_and_removed_only_by_its_owner(db):
    pro, other = await f.professional(db), await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        soon = await av.add_time_off(
            uow, first_day=date(2026, 11, 25), last_day=date(2026, 11, 25), now=NOW
        )
        later = await av.add_time_off(
            uow, first_day=date(2026, 12, 24), last_day=date(2026, 12, 26), now=NOW
        )
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        assert [t.id for t in await av.list_time_off(uow, now=NOW)] == [soon.id, later.id]
        assert [t.id for t in await av.list_time_off(uow, now=NOW + timedelta(days=1))] == [
            later.id
        ]
    async with db.for_user(other.user_id) as uow:
        with pytest.raises(av.TimeOffNotFound):
            await av.remove_time_off(uow, time_off_id=later.id)
    async with db.for_user(pro.user_id) as uow:
        await av.remove_time_off(uow, time_off_id=later.id)
        assert [t.id for t in await av.list_time_off(uow, now=NOW)] == [soon.id]


async def test_extra_windows_are_added_listed_and_removed(db):
    pro = await f.professional(db)
    day = date(2026, 12, 5)
    async with db.for_user(pro.user_id) as uow:
        extra = await av.add_extra_window(uow, day=day, start=hm("09:00"), end=hm("12:00"), now=NOW)
        with pytest.raises(errors.WindowOverlap):
            await av.add_extra_window(uow, day=day, start=hm("11:00"), end=hm("13:00"), now=NOW)
        with pytest.raises(av.ExtraWindowInPast):
            await av.add_extra_window(
                uow, day=date(2026, 11, 24), start=hm("09:00"), end=hm("10:00"), now=NOW
            )
        await uow.commit()
    async with db.for_user(f.next_user_id()) as uow:
        seen = await av.list_extra_windows(uow, professional_id=pro.id, now=NOW)
    assert [(w.day, w.start, w.end) for w in seen] == [(day, hm("09:00"), hm("12:00"))]
    async with db.for_user(pro.user_id) as uow:
        await av.remove_extra_window(uow, window_id=extra.id)
        with pytest.raises(av.ExtraWindowNotFound):
            await av.remove_extra_window(uow, window_id=extra.id)
        assert await av.list_extra_windows(uow, now=NOW) == []
