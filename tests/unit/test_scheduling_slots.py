"""Free slots: windows in local wall time, busy time, buffers, notice, horizon and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.scheduling.errors import InvalidBusyInterval, InvalidSlotRules, InvalidWindow
from core.scheduling.slots import free_slots, local_day_bounds, slots_by_local_day
from core.scheduling.types import Busy, ExtraWindow, SlotRules, TimeOff, WeeklyWindow

NEW_YORK = ZoneInfo("America/New_York")
LISBON = ZoneInfo("Europe/Lisbon")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def local_times(slots: list[datetime], tz: ZoneInfo) -> list[str]:
    return [s.astimezone(tz).strftime("%H:%M%z") for s in slots]


def slots_on(
    day: date,
    start: time,
    end: time,
    tz: ZoneInfo,
    *,
    session: int = 60,
    step: int | None = None,
    busy: list[Busy] | None = None,
    buffer: int = 0,
    now: datetime = LONG_AGO,
) -> list[datetime]:
    rules = SlotRules(session, buffer_minutes=buffer, step_minutes=step, horizon_days=400)
    return free_slots(
        weekly=[],
        extra=[ExtraWindow(day, start, end)],
        busy=busy or [],
        rules=rules,
        tz=tz,
        now=now,
    )


def at(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        (LISBON, date(2026, 3, 29)),
        (LISBON, date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
)
def test_a_morning_window_on_a_dst_change_day_gives_slots_at_local_wall_times(
    tz: ZoneInfo, day: date
) -> None:
    slots = slots_on(day, time(9), time(12), tz)
    assert [s.astimezone(tz).strftime("%H:%M") for s in slots] == ["09:00", "10:00", "11:00"]
    assert all(s.astimezone(tz).date() == day for s in slots)


def test_weekly_windows_give_09_00_local_on_the_days_around_a_dst_change() -> None:
    weekly = [WeeklyWindow(0, time(9), time(10))]  # Sundays
    slots = free_slots(
        weekly=weekly,
        extra=[],
        busy=[],
        rules=SlotRules(60, horizon_days=30),
        tz=NEW_YORK,
        now=at(NEW_YORK, 2026, 2, 25, 12),
    )
    assert [s.astimezone(NEW_YORK).strftime("%m-%d %H:%M%z") for s in slots] == [
        "03-01 09:00-0500",
        "03-08 09:00-0400",
        "03-15 09:00-0400",
        "03-22 09:00-0400",
    ]


def test_results_are_aware_utc_datetimes_in_order() -> None:
    slots = slots_on(date(2026, 6, 1), time(9), time(12), SAO_PAULO)
    assert slots == sorted(slots)
    assert all(s.tzinfo is UTC for s in slots)
    assert slots[0] == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_a_window_across_the_spring_forward_gap_never_yields_a_missing_local_time() -> None:
    slots = slots_on(date(2026, 3, 8), time(1), time(4), NEW_YORK, session=30)
    assert local_times(slots, NEW_YORK) == ["01:00-0500", "01:30-0500", "03:00-0400", "03:30-0400"]
    for slot in slots:
        local = slot.astimezone(NEW_YORK)
        assert local.hour != 2
        # The wall time exists: reading it back gives the same instant.
        wall = local.replace(tzinfo=None).replace(tzinfo=NEW_YORK)
        assert wall.astimezone(UTC) == slot


def test_a_window_across_the_gap_is_measured_in_real_elapsed_time() -> None:
    # 01:00-04:00 on the spring-forward day lasts two real hours.
    slots = slots_on(date(2026, 3, 8), time(1), time(4), NEW_YORK, session=60)
    assert local_times(slots, NEW_YORK) == ["01:00-0500", "03:00-0400"]


def test_a_window_starting_inside_the_gap_starts_when_the_clocks_jump() -> None:
    slots = slots_on(date(2026, 3, 8), time(2, 30), time(4), NEW_YORK, session=30)
    assert local_times(slots, NEW_YORK) == ["03:00-0400", "03:30-0400"]


def test_a_window_ending_inside_the_gap_ends_when_the_clocks_jump() -> None:
    slots = slots_on(date(2026, 3, 29), time(0), time(1, 30), LISBON, session=30)
    assert local_times(slots, LISBON) == ["00:00+0000", "00:30+0000"]


def test_the_repeated_fall_back_hour_does_not_produce_duplicate_wall_times() -> None:
    slots = slots_on(date(2026, 11, 1), time(0), time(3), NEW_YORK, session=30)
    walls = [s.astimezone(NEW_YORK).strftime("%H:%M") for s in slots]
    assert len(walls) == len(set(walls))
    assert walls == ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30"]
    # Each repeated wall time is offered at its first occurrence (daylight time).
    assert local_times(slots, NEW_YORK)[2:4] == ["01:00-0400", "01:30-0400"]


def test_the_repeated_hour_in_lisbon_is_offered_once() -> None:
    slots = slots_on(date(2026, 10, 25), time(0, 30), time(2, 30), LISBON, session=30)
    assert local_times(slots, LISBON) == ["00:30+0100", "01:00+0100", "01:30+0100", "02:00+0000"]


def test_an_uneven_step_across_the_overlap_never_starts_in_the_second_pass() -> None:
    slots = slots_on(date(2026, 11, 1), time(0), time(3), NEW_YORK, session=45)
    assert local_times(slots, NEW_YORK) == ["00:00-0400", "00:45-0400", "01:30-0400", "02:00-0500"]


def test_a_busy_appointment_removes_the_slots_it_overlaps() -> None:
    busy = [Busy(at(SAO_PAULO, 2026, 6, 1, 10, 30), at(SAO_PAULO, 2026, 6, 1, 11, 0))]
    slots = slots_on(date(2026, 6, 1), time(9), time(13), SAO_PAULO, session=60, busy=busy)
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [9, 11, 12]


def test_back_to_back_appointments_are_allowed_without_buffer() -> None:
    busy = [Busy(at(SAO_PAULO, 2026, 6, 1, 10), at(SAO_PAULO, 2026, 6, 1, 11))]
    slots = slots_on(date(2026, 6, 1), time(9), time(12), SAO_PAULO, session=60, busy=busy)
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [9, 11]


def test_a_buffer_keeps_distance_on_both_sides_of_an_appointment() -> None:
    busy = [Busy(at(SAO_PAULO, 2026, 6, 1, 11), at(SAO_PAULO, 2026, 6, 1, 12))]
    slots = slots_on(
        date(2026, 6, 1), time(9), time(15), SAO_PAULO, session=60, step=30, buffer=15, busy=busy
    )
    assert [s.astimezone(SAO_PAULO).strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:30",
        # 10:00-11:00 would end inside the 15-minute buffer before 11:00.
        "12:30",
        "13:00",
        "13:30",
        "14:00",
    ]


def test_a_slot_may_start_exactly_when_the_buffer_ends() -> None:
    busy = [Busy(at(SAO_PAULO, 2026, 6, 1, 9), at(SAO_PAULO, 2026, 6, 1, 9, 50))]
    slots = slots_on(
        date(2026, 6, 1), time(9), time(12), SAO_PAULO, session=50, step=10, buffer=10, busy=busy
    )
    assert slots[0].astimezone(SAO_PAULO).strftime("%H:%M") == "10:00"


def test_time_off_is_not_widened_by_the_buffer() -> None:
    off = [TimeOff(at(SAO_PAULO, 2026, 6, 1, 12), at(SAO_PAULO, 2026, 6, 1, 13))]
    slots = slots_on(
        date(2026, 6, 1), time(11), time(14), SAO_PAULO, session=60, step=60, buffer=30, busy=off
    )
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [11, 13]


def test_the_default_step_is_session_plus_buffer() -> None:
    slots = slots_on(date(2026, 6, 1), time(9), time(12), SAO_PAULO, session=50, buffer=10)
    assert [s.astimezone(SAO_PAULO).strftime("%H:%M") for s in slots] == ["09:00", "10:00", "11:00"]


def test_a_slot_must_fit_entirely_inside_the_window() -> None:
    slots = slots_on(date(2026, 6, 1), time(9), time(10, 59), SAO_PAULO, session=60)
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [9]


def test_min_notice_hides_slots_that_start_too_soon() -> None:
    now = at(SAO_PAULO, 2026, 6, 1, 8, 10)
    slots = free_slots(
        weekly=[WeeklyWindow(1, time(9), time(13))],  # 2026-06-01 is a Monday
        extra=[],
        busy=[],
        rules=SlotRules(60, min_notice_minutes=120, horizon_days=0),
        tz=SAO_PAULO,
        now=now,
    )
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [11, 12]


def test_slots_in_the_past_are_never_offered() -> None:
    now = at(SAO_PAULO, 2026, 6, 1, 10, 0, 0)
    slots = free_slots(
        weekly=[WeeklyWindow(1, time(9), time(13))],
        extra=[],
        busy=[],
        rules=SlotRules(60, horizon_days=0),
        tz=SAO_PAULO,
        now=now + timedelta(microseconds=1),
    )
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [11, 12]


def test_the_horizon_limits_the_last_local_day() -> None:
    now = at(SAO_PAULO, 2026, 6, 1, 20)
    slots = free_slots(
        weekly=[WeeklyWindow(wd, time(9), time(10)) for wd in range(7)],
        extra=[],
        busy=[],
        rules=SlotRules(60, horizon_days=3),
        tz=SAO_PAULO,
        now=now,
    )
    days = [s.astimezone(SAO_PAULO).date() for s in slots]
    assert days == [date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 4)]


def test_first_and_last_day_narrow_the_range_but_not_past_the_horizon() -> None:
    now = at(SAO_PAULO, 2026, 6, 1, 8)
    common = {
        "weekly": [WeeklyWindow(wd, time(9), time(10)) for wd in range(7)],
        "extra": [],
        "busy": [],
        "rules": SlotRules(60, horizon_days=10),
        "tz": SAO_PAULO,
        "now": now,
    }
    one_day = free_slots(**common, first_day=date(2026, 6, 5), last_day=date(2026, 6, 5))
    assert [s.astimezone(SAO_PAULO).date() for s in one_day] == [date(2026, 6, 5)]
    beyond = free_slots(**common, first_day=date(2026, 6, 20), last_day=date(2026, 6, 30))
    assert beyond == []


def test_weekly_windows_use_zero_for_sunday() -> None:
    slots = free_slots(
        weekly=[WeeklyWindow(0, time(9), time(10))],
        extra=[],
        busy=[],
        rules=SlotRules(60, horizon_days=6),
        tz=SAO_PAULO,
        now=at(SAO_PAULO, 2026, 6, 1, 8),  # a Monday
    )
    assert [s.astimezone(SAO_PAULO).date() for s in slots] == [date(2026, 6, 7)]
    assert date(2026, 6, 7).strftime("%A") == "Sunday"


def test_extra_windows_add_to_weekly_ones_without_duplicates() -> None:
    slots = free_slots(
        weekly=[WeeklyWindow(1, time(9), time(11))],
        extra=[ExtraWindow(date(2026, 6, 1), time(10), time(13))],
        busy=[],
        rules=SlotRules(60, horizon_days=2),
        tz=SAO_PAULO,
        now=at(SAO_PAULO, 2026, 6, 1, 7),
    )
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [9, 10, 11, 12]


def test_a_window_ending_at_midnight_runs_to_the_end_of_the_day() -> None:
    slots = slots_on(date(2026, 6, 1), time(22), time(0), SAO_PAULO, session=60)
    assert [s.astimezone(SAO_PAULO).hour for s in slots] == [22, 23]


def test_slots_are_grouped_by_the_readers_local_day() -> None:
    slots = slots_on(date(2026, 6, 1), time(20), time(23), SAO_PAULO)
    grouped = slots_by_local_day(slots, LISBON)
    assert list(grouped) == [date(2026, 6, 2)]
    assert [s.strftime("%H:%M") for s in grouped[date(2026, 6, 2)]] == ["00:00", "01:00", "02:00"]
    by_home = slots_by_local_day(slots, SAO_PAULO)
    assert list(by_home) == [date(2026, 6, 1)]


def test_local_day_bounds_span_23_hours_on_spring_forward() -> None:
    start, end = local_day_bounds(date(2026, 3, 8), NEW_YORK)
    assert end - start == timedelta(hours=23)
    start, end = local_day_bounds(date(2026, 11, 1), NEW_YORK)
    assert end - start == timedelta(hours=25)


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        free_slots(
            weekly=[],
            extra=[],
            busy=[],
            rules=SlotRules(60),
            tz=SAO_PAULO,
            now=datetime(2026, 1, 1),
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda: WeeklyWindow(7, time(9), time(10)),
        lambda: WeeklyWindow(1, time(10), time(9)),
        lambda: WeeklyWindow(1, time(9), time(9)),
        lambda: ExtraWindow(date(2026, 6, 1), time(12), time(11)),
    ],
)
def test_a_window_that_ends_before_it_starts_or_has_no_weekday_is_refused(make) -> None:
    with pytest.raises(InvalidWindow):
        make()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"session_minutes": 0},
        {"session_minutes": 60, "buffer_minutes": -1},
        {"session_minutes": 60, "step_minutes": 0},
    ],
)
def test_slot_rules_out_of_range_are_refused(kwargs) -> None:
    with pytest.raises(InvalidSlotRules):
        SlotRules(**kwargs)


def test_a_busy_interval_must_be_aware_and_forward() -> None:
    with pytest.raises(InvalidBusyInterval):
        Busy(datetime(2026, 1, 1, 10), datetime(2026, 1, 1, 11))
    with pytest.raises(InvalidBusyInterval):
        Busy(at(SAO_PAULO, 2026, 1, 1, 11), at(SAO_PAULO, 2026, 1, 1, 10))


def test_many_busy_appointments_are_all_respected() -> None:
    day = date(2026, 6, 1)
    busy = [
        Busy(at(SAO_PAULO, 2026, 6, 1, h, 0), at(SAO_PAULO, 2026, 6, 1, h, 50))
        for h in range(8, 18, 2)
    ]
    slots = slots_on(day, time(8), time(18), SAO_PAULO, session=50, step=10, busy=busy)
    for slot in slots:
        end = slot + timedelta(minutes=50)
        assert all(end <= b.start or slot >= b.end for b in busy)
    assert [s.astimezone(SAO_PAULO).strftime("%H:%M") for s in slots][:2] == ["08:50", "09:00"]
