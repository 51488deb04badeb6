"""The scale seed loads many practices fast, within every database rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from core.db.seed import seed_scale
from core.db.seed_scale import SeedError
from core.db.uow import Database

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


async def _scalar(db: Database, sql: str) -> object:
    async with db.system("test") as uow:
        return await uow.session.scalar(text(sql), {"now": NOW})


async def test_a_hundredth_of_scale_loads_a_hundred_practices_with_a_hundred_sessions_each(
    db, database_url
):
    report = await seed_scale(database_url, scale=0.01, now=NOW)
    assert report.professionals == 100
    assert report.rows["professionals"] == 100
    assert report.rows["availability"] == 500
    assert report.rows["clients"] == 3_000
    assert report.rows["telegram_users"] == 3_100
    assert report.rows["appointments"] == 10_000
    assert report.rows["audit_log"] == 10_000
    assert 0 < report.rows["reviews"] < 10_000
    assert report.seconds < 30
    assert "appointments 10,000" in str(report)


async def test_no_two_scale_sessions_of_one_professional_overlap_whatever_their_status(
    db, database_url
):
    await seed_scale(database_url, scale=0.01, now=NOW)
    overlapping = await _scalar(
        db,
        "SELECT count(*) FROM appointments a JOIN appointments b"
        " ON a.professional_id = b.professional_id AND a.id < b.id"
        " AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)",
    )
    assert overlapping == 0


async def test_scale_sessions_fall_in_working_hours_over_eight_months_with_a_realistic_mix(
    db, database_url
):
    await seed_scale(database_url, scale=0.01, now=NOW)
    outside = await _scalar(
        db,
        "SELECT count(*) FROM appointments a JOIN professionals p ON p.id = a.professional_id"
        " WHERE NOT EXISTS (SELECT 1 FROM availability w WHERE w.professional_id = p.id"
        "   AND w.day_of_week = extract(dow FROM a.starts_at AT TIME ZONE p.timezone)"
        "   AND w.start_time <= (a.starts_at AT TIME ZONE p.timezone)::time"
        "   AND (a.ends_at AT TIME ZONE p.timezone)::time <= w.end_time)",
    )
    assert outside == 0
    span = await _scalar(
        db, "SELECT extract(day FROM max(starts_at) - min(starts_at))::int FROM appointments"
    )
    assert 220 <= span <= 250  # type: ignore[operator]
    wrong_side_of_now = await _scalar(
        db,
        "SELECT count(*) FROM appointments WHERE"
        " (status IN ('completed', 'no_show') AND starts_at > :now)"
        " OR (status IN ('confirmed', 'pending_confirmation') AND starts_at < :now)",
    )
    assert wrong_side_of_now == 0
    share = await _scalar(
        db,
        "SELECT round(avg((status = 'completed')::int) * 100) FROM appointments"
        " WHERE starts_at < :now",
    )
    assert 70 <= share <= 85  # type: ignore[operator]
    async with db.system("test") as uow:
        statuses = set(await uow.session.scalars(text("SELECT DISTINCT status FROM appointments")))
    assert len(statuses) == 6


async def test_reminders_are_owed_only_for_confirmed_sessions_more_than_a_day_ahead(
    db, database_url
):
    await seed_scale(database_url, scale=0.01, now=NOW)
    owed_wrongly = await _scalar(
        db,
        "SELECT count(*) FROM appointments WHERE NOT reminder_sent_24h"
        " AND starts_at < CAST(:now AS timestamptz) + interval '24 hours'",
    )
    owed = await _scalar(
        db,
        "SELECT count(*) FROM appointments WHERE status = 'confirmed' AND NOT reminder_sent_24h",
    )
    assert owed_wrongly == 0
    assert owed > 500  # type: ignore[operator]


async def test_loading_the_same_seed_again_adds_nothing(db, database_url):
    first = await seed_scale(database_url, scale=0.01, now=NOW)
    again = await seed_scale(database_url, scale=0.01, now=NOW)
    assert again.rows == first.rows


async def test_loading_another_seed_into_the_same_database_is_refused_in_one_line(db, database_url):
    await seed_scale(database_url, scale=0.002, now=NOW, seed=1)
    with pytest.raises(SeedError) as caught:
        await seed_scale(database_url, scale=0.002, now=NOW, seed=2)
    assert "another seed" in str(caught.value) and "\n" not in str(caught.value)
