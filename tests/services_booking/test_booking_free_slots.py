"""Free slots as a reader sees them: in their own zone, across daylight-saving changes,
and from what they type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.scheduling.errors import TimeInPast, UnparseableTime
from core.services import booking, slots
from core.services.booking_errors import BeyondHorizon
from tests import factories as f

SP = ZoneInfo("America/Sao_Paulo")
LISBON = ZoneInfo("Europe/Lisbon")


def at(tz, *parts):
    return datetime(*parts, tzinfo=tz)


async def test_a_client_sees_free_slots_in_utc_without_the_times_others_booked(db, clock):
    pro = await f.bookable(db)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, other, at(SP, 2026, 11, 26, 14), minutes=60)
    async with db.for_user(cli.user_id) as uow:
        free = await slots.list_free_slots(
            uow,
            professional_id=pro.id,
            now=clock(),
            first_day=date(2026, 11, 26),
            last_day=date(2026, 11, 26),
        )
        whole = await slots.list_free_slots(uow, professional_id=pro.id, now=clock())
    assert [s.astimezone(SP).hour for s in free] == [9, 10, 11, 12, 13, 15, 16, 17]
    assert all(s.utcoffset() == timedelta(0) for s in free)
    # The horizon runs from now (10:00 local) to the 60th day ahead.
    assert whole[0] == clock()
    assert whole[-1].astimezone(SP) == at(SP, 2027, 1, 24, 17)


async def test_a_lisbon_professional_keeps_nine_oclock_on_both_daylight_saving_days(db, clock):
    pro = await f.professional(db, timezone="Europe/Lisbon", session_duration=60)
    await f.open_week(db, pro, time(9), time(12))
    cli = await f.client(db, pro)
    for day, now in (
        (date(2026, 3, 29), datetime(2026, 3, 25, 12, tzinfo=UTC)),
        (date(2026, 10, 25), datetime(2026, 10, 20, 12, tzinfo=UTC)),
    ):
        async with db.for_user(cli.user_id) as uow:
            free = await slots.list_free_slots(
                uow, professional_id=pro.id, now=now, first_day=day, last_day=day
            )
            seen_in_sp = await slots.slots_on_day(
                uow, professional_id=pro.id, day=day, reader_tz=SP, now=now
            )
        assert [s.astimezone(LISBON).time() for s in free] == [time(9), time(10), time(11)]
        assert seen_in_sp == free
        assert all(s.tzinfo == SP for s in seen_in_sp)
        expected_sp = [time(5), time(6), time(7)] if day.month == 3 else [time(6), time(7), time(8)]
        assert [s.time() for s in seen_in_sp] == expected_sp


async def test_a_booking_on_the_spring_forward_day_lands_at_nine_lisbon_time(db):
    pro = await f.professional(db, timezone="Europe/Lisbon", session_duration=60)
    await f.open_week(db, pro, time(9), time(12))
    cli = await f.client(db, pro)
    now = datetime(2026, 3, 25, 12, tzinfo=UTC)
    async with db.for_user(cli.user_id) as uow:
        first = (
            await slots.slots_on_day(
                uow, professional_id=pro.id, day=date(2026, 3, 29), reader_tz=SP, now=now
            )
        )[0]
        view = await booking.request(uow, professional_id=pro.id, start=first, now=now)
        await uow.commit()
    assert view.starts_at.astimezone(LISBON) == at(LISBON, 2026, 3, 29, 9)
    assert view.starts_at == datetime(2026, 3, 29, 8, tzinfo=UTC)


async def test_free_days_counts_slots_per_day_of_the_readers_zone_including_empty_days(db, clock):
    pro = await f.professional(db, timezone="Europe/Lisbon", session_duration=60)
    await f.open_week(db, pro, time(9), time(12))
    cli = await f.client(db, pro)
    await f.account(db, cli.user_id, timezone="America/Sao_Paulo")
    # Away the whole of Saturday 28 November (Lisbon).
    await f.time_off(db, pro, at(LISBON, 2026, 11, 28), at(LISBON, 2026, 11, 29))
    async with db.for_user(cli.user_id) as uow:
        days = await slots.free_days(
            uow,
            professional_id=pro.id,
            now=clock(),
            first_day=date(2026, 11, 24),
            last_day=date(2026, 11, 29),
        )
        in_tokyo = await slots.free_days(
            uow,
            professional_id=pro.id,
            now=clock(),
            first_day=date(2026, 11, 26),
            last_day=date(2026, 11, 26),
            reader_tz=ZoneInfo("Asia/Tokyo"),
        )
    # Now is 13:00 in Lisbon: today's slots are gone; Lisbon's 09-12 is 06-09 in São Paulo.
    assert days == {
        date(2026, 11, 24): 0,
        date(2026, 11, 25): 0,
        date(2026, 11, 26): 3,
        date(2026, 11, 27): 3,
        date(2026, 11, 28): 0,
        date(2026, 11, 29): 3,
    }
    # Lisbon's 09:00-11:00 is 18:00-20:00 in Tokyo, the same day.
    assert in_tokyo == {date(2026, 11, 26): 3}


async def test_a_typed_time_that_is_free_is_offered_as_it_is(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        found = await slots.find_wanted(
            uow,
            professional_id=pro.id,
            text="amanhã às 14h",
            language="pt",
            date_order="DMY",
            reader_tz=SP,
            now=clock(),
        )
    assert found.exact == at(SP, 2026, 11, 26, 14)
    assert found.options == () and not found.only_day


async def test_a_typed_time_that_is_taken_offers_the_three_nearest_free_slots(db, clock):
    pro = await f.bookable(db)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, other, at(SP, 2026, 11, 26, 14), minutes=60)
    async with db.for_user(cli.user_id) as uow:
        found = await slots.find_wanted(
            uow,
            professional_id=pro.id,
            text="amanhã às 14h",
            language="pt",
            date_order="DMY",
            reader_tz=SP,
            now=clock(),
        )
    assert found.exact is None
    assert found.wanted == at(SP, 2026, 11, 26, 14)
    assert [s.hour for s in found.options] == [12, 13, 15]


async def test_a_typed_time_is_read_and_answered_in_the_readers_zone(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        found = await slots.find_wanted(
            uow,
            professional_id=pro.id,
            text="tomorrow at 5pm",
            language="en",
            date_order="DMY",
            reader_tz=LISBON,
            now=clock(),
        )
    # 17:00 in Lisbon is 14:00 in São Paulo in November.
    assert found.exact == at(SP, 2026, 11, 26, 14)
    assert found.exact.tzinfo == LISBON


async def test_a_typed_day_without_a_time_gives_that_days_slots(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        found = await slots.find_wanted(
            uow,
            professional_id=pro.id,
            text="sexta",
            language="pt",
            date_order="DMY",
            reader_tz=SP,
            now=clock(),
        )
    assert found.only_day and found.day == date(2026, 11, 27)
    assert [s.hour for s in found.options] == list(range(9, 18))


@pytest.mark.parametrize(
    ("text", "error", "msgid"),
    [
        ("blablabla", UnparseableTime, "slots.time_unparseable"),
        ("hoje às 8h", TimeInPast, "slots.time_in_past"),
        ("25/12/2027 10h", BeyondHorizon, "booking.beyond_horizon"),
        ("25/12/2027", BeyondHorizon, "booking.beyond_horizon"),
    ],
)
async def test_nonsense_past_and_too_distant_typed_times_are_refused(db, clock, text, error, msgid):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        with pytest.raises(error) as caught:
            await slots.find_wanted(
                uow,
                professional_id=pro.id,
                text=text,
                language="pt",
                date_order="DMY",
                reader_tz=SP,
                now=clock(),
            )
    assert caught.value.msgid == msgid
    if error is BeyondHorizon:
        assert caught.value.params == {"last_day": date(2027, 1, 24), "horizon_days": 60}


async def _wanted(db, cli, pro, text, now):
    async with db.for_user(cli.user_id) as uow:
        return await slots.find_wanted(
            uow,
            professional_id=pro.id,
            text=text,
            language="en",
            date_order="DMY",
            reader_tz=SP,
            now=now,
        )


async def test_a_free_typed_time_off_the_step_grid_is_offered_as_it_is(db, clock):
    # 45-minute sessions and a 10-minute buffer: the grid from 09:00 is 09:00, 09:55, 10:50...
    pro = await f.bookable(db, session_duration=45, buffer_minutes=10)
    cli = await f.client(db, pro)

    found = await _wanted(db, cli, pro, "next wednesday 10am", clock())

    assert found.exact == at(SP, 2026, 12, 2, 10)
    assert found.refusal is None


async def test_a_typed_time_inside_the_minimum_notice_says_too_soon(db, clock):
    pro = await f.bookable(db, min_notice_minutes=24 * 60)
    cli = await f.client(db, pro)

    found = await _wanted(db, cli, pro, "today at 3pm", clock())

    assert found.exact is None
    assert found.refusal is not None and found.refusal.msgid == "booking.min_notice"
    assert all(s >= clock() + timedelta(hours=24) for s in found.options)


async def test_an_off_grid_time_too_close_to_another_session_says_why(db, clock):
    pro = await f.bookable(db, session_duration=45, buffer_minutes=10)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, other, at(SP, 2026, 12, 2, 9), minutes=45)  # until 09:45

    found = await _wanted(db, cli, pro, "next wednesday 9:50", clock())

    assert found.exact is None
    assert found.refusal is not None and found.refusal.msgid == "booking.buffer"
    assert at(SP, 2026, 12, 2, 9, 55) in found.options
