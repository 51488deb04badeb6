"""Occurrence dates and local wall times of recurring series, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from core.models import Frequency
from core.services.recurring import local_instant, occurrence_dates

NY = ZoneInfo("America/New_York")


def test_a_weekly_series_falls_on_its_weekday_from_its_first_day():
    days = occurrence_dates(
        frequency=Frequency.weekly,
        day_of_week=2,
        second_day_of_week=None,
        starts_on=date(2026, 10, 21),
        first=date(2026, 10, 1),
        last=date(2026, 11, 10),
    )
    assert days == [date(2026, 10, 27), date(2026, 11, 3), date(2026, 11, 10)]


def test_biweekly_parity_counts_from_the_series_start_not_from_today():
    days = occurrence_dates(
        frequency=Frequency.biweekly,
        day_of_week=2,
        second_day_of_week=None,
        starts_on=date(2026, 10, 13),
        first=date(2026, 10, 20),
        last=date(2026, 11, 30),
    )
    assert days == [date(2026, 10, 27), date(2026, 11, 10), date(2026, 11, 24)]


def test_a_twice_weekly_series_falls_on_both_days():
    days = occurrence_dates(
        frequency=Frequency.twice_weekly,
        day_of_week=1,
        second_day_of_week=4,
        starts_on=date(2026, 10, 26),
        first=date(2026, 10, 20),
        last=date(2026, 11, 5),
    )
    assert days == [date(2026, 10, 26), date(2026, 10, 29), date(2026, 11, 2), date(2026, 11, 5)]


def test_a_wall_time_skipped_by_spring_forward_starts_when_the_clocks_jump():
    assert local_instant(date(2027, 3, 14), time(2, 30), NY) == datetime(
        2027, 3, 14, 7, 0, tzinfo=UTC
    )


def test_a_wall_time_repeated_by_fall_back_takes_its_first_pass():
    assert local_instant(date(2026, 11, 1), time(1, 30), NY) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_nine_oclock_stays_nine_oclock_on_both_sides_of_the_change():
    before = local_instant(date(2026, 10, 27), time(9), NY)
    after = local_instant(date(2026, 11, 3), time(9), NY)
    assert (before.hour, after.hour) == (13, 14)
    assert before.astimezone(NY).time() == after.astimezone(NY).time() == time(9)
