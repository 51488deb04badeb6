"""When a reminder is owed, and when a morning agenda is: the pure rules, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.models import AppointmentStatus
from core.services.outbox import backoff
from core.services.reminders import (
    Due,
    ReminderKind,
    ReminderState,
    agenda_day_due,
    due_reminder,
)

START = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
LONG_AGO = START - timedelta(days=7)
DAY, HOUR = ReminderKind.day_before, ReminderKind.hour_before


def state(
    *,
    status: AppointmentStatus = AppointmentStatus.confirmed,
    scheduled_at: datetime = LONG_AGO,
    sent_24h: bool = False,
    sent_1h: bool = False,
) -> ReminderState:
    return ReminderState(START, status, scheduled_at, sent_24h, sent_1h)


def at(**before: float) -> datetime:
    return START - timedelta(**before)


def test_nothing_is_due_until_24_hours_before_the_start():
    assert due_reminder(state(), at(hours=24, seconds=1)) is None


def test_the_24h_reminder_is_due_exactly_24_hours_before():
    assert due_reminder(state(), at(hours=24)) == Due(DAY)


def test_the_24h_reminder_is_still_sent_late_after_downtime():
    assert due_reminder(state(), at(hours=3)) == Due(DAY)


def test_once_the_24h_reminder_is_sent_nothing_is_due_until_an_hour_before():
    assert due_reminder(state(sent_24h=True), at(hours=1, seconds=1)) is None
    assert due_reminder(state(sent_24h=True), at(hours=1)) == Due(HOUR)


def test_when_both_are_owed_late_only_the_1h_reminder_goes_and_settles_the_24h_one():
    assert due_reminder(state(), at(minutes=50)) == Due(HOUR, settles_day_before=True)


def test_the_1h_reminder_is_sent_late_until_the_start_and_never_after():
    assert due_reminder(state(sent_24h=True), at(minutes=1)) == Due(HOUR)
    assert due_reminder(state(sent_24h=True), START) is None
    assert due_reminder(state(), START + timedelta(minutes=5)) is None


def test_nothing_more_is_due_once_both_are_sent():
    assert due_reminder(state(sent_24h=True, sent_1h=True), at(minutes=30)) is None


@pytest.mark.parametrize(
    "status",
    [s for s in AppointmentStatus if s is not AppointmentStatus.confirmed],
)
def test_no_reminder_for_a_session_that_is_not_confirmed(status):
    assert due_reminder(state(status=status), at(hours=12)) is None
    assert due_reminder(state(status=status), at(minutes=30)) is None


def test_a_booking_made_less_than_24h_ahead_gets_no_24h_reminder_but_the_1h_one():
    late_booking = state(scheduled_at=at(hours=20))
    assert due_reminder(late_booking, at(hours=19)) is None
    assert due_reminder(late_booking, at(hours=1)) == Due(HOUR, settles_day_before=True)


def test_a_booking_made_exactly_24h_ahead_still_gets_its_24h_reminder():
    assert due_reminder(state(scheduled_at=at(hours=24)), at(hours=24)) == Due(DAY)


def test_the_agenda_is_due_from_the_chosen_local_hour_once_a_day():
    # 11:00 UTC is 08:00 in Sao Paulo.
    now = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    tz = "America/Sao_Paulo"
    assert agenda_day_due(now=now, timezone=tz, hour=8, sent_on=None) == date(2026, 11, 26)
    assert agenda_day_due(now=now - timedelta(minutes=1), timezone=tz, hour=8, sent_on=None) is None
    assert agenda_day_due(now=now, timezone=tz, hour=8, sent_on=date(2026, 11, 26)) is None
    assert agenda_day_due(now=now, timezone=tz, hour=8, sent_on=date(2026, 11, 25)) == date(
        2026, 11, 26
    )
    assert agenda_day_due(now=now, timezone=tz, hour=None, sent_on=None) is None


def test_the_agenda_day_is_the_professionals_local_day_not_utcs():
    # 01:30 UTC on the 27th is still the evening of the 26th in New York.
    now = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
    assert agenda_day_due(now=now, timezone="America/New_York", hour=7, sent_on=None) == date(
        2026, 11, 26
    )
    assert agenda_day_due(now=now, timezone="Asia/Tokyo", hour=11, sent_on=None) is None


def test_retries_back_off_exponentially_up_to_an_hour():
    waits = [backoff(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits == sorted(waits) and waits[-1] == timedelta(hours=1)
