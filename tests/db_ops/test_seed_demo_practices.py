"""The demo seed gives three believable practices, and seeding again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from core.db.seed import (
    DEMO_CLIENT_USER_IDS,
    DEMO_PROFESSIONAL_IDS,
    DEMO_PROFESSIONAL_USER_IDS,
    DEMO_PROFESSIONALS,
    seed_demo,
)
from core.db.uow import Database
from core.models import AppointmentStatus, Base

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
ANA = DEMO_PROFESSIONALS[0]


async def _counts(db: Database) -> dict[str, int]:
    async with db.system("test") as uow:
        return {
            t.name: int(await uow.session.scalar(text(f"SELECT count(*) FROM {t.name}")) or 0)
            for t in Base.metadata.sorted_tables
        }


async def test_seeding_the_demo_twice_changes_nothing(db):
    first = await seed_demo(db, now=NOW)
    after_first = await _counts(db)
    second = await seed_demo(db, now=NOW)
    assert first.total > 100
    assert second.total == 0
    assert await _counts(db) == after_first


async def test_seeding_again_a_day_later_leaves_the_demo_as_it_was(db):
    await seed_demo(db, now=NOW)
    before = await _counts(db)
    report = await seed_demo(db, now=NOW + timedelta(days=1))
    assert report.total == 0
    assert await _counts(db) == before


async def test_the_demo_has_an_appointment_in_every_status(db):
    await seed_demo(db, now=NOW)
    async with db.system("test") as uow:
        statuses = set(await uow.session.scalars(text("SELECT DISTINCT status FROM appointments")))
    assert statuses == {s.value for s in AppointmentStatus}


async def test_every_demo_professional_has_their_own_zone_language_week_and_price(db):
    report = await seed_demo(db, now=NOW)
    assert report.professional_ids == DEMO_PROFESSIONAL_IDS
    async with db.system("test") as uow:
        rows = (
            await uow.session.execute(
                text(
                    "SELECT p.slug, p.user_id, p.timezone, p.locale, p.profession, p.price_cents,"
                    " p.bio, p.welcome_message, count(a.id) AS windows"
                    " FROM professionals p JOIN availability a ON a.professional_id = p.id"
                    " GROUP BY p.id ORDER BY p.user_id"
                )
            )
        ).all()
    assert [r.slug for r in rows] == ["dra-ana-souza", *[p.slug for p in DEMO_PROFESSIONALS[1:]]]
    assert len({r.timezone for r in rows}) == 3
    assert {r.locale for r in rows} == {"pt_BR", "es", "en"}
    assert len({r.profession for r in rows}) == 3
    assert all(r.user_id in DEMO_PROFESSIONAL_USER_IDS for r in rows)
    assert all(r.price_cents > 0 and r.bio and r.welcome_message and r.windows >= 4 for r in rows)


async def test_demo_sessions_sit_inside_the_professionals_working_hours(db):
    await seed_demo(db, now=NOW)
    async with db.system("test") as uow:
        windows = (
            await uow.session.execute(
                text("SELECT professional_id, day_of_week, start_time, end_time FROM availability")
            )
        ).all()
        sessions = (
            await uow.session.execute(
                text("SELECT professional_id, starts_at, ends_at, status FROM appointments")
            )
        ).all()
    zones = {p.id: ZoneInfo(p.timezone) for p in DEMO_PROFESSIONALS}
    for pro_id, starts_at, ends_at, status in sessions:
        start, end = starts_at.astimezone(zones[pro_id]), ends_at.astimezone(zones[pro_id])
        weekday = (start.weekday() + 1) % 7
        assert any(
            w.professional_id == pro_id
            and w.day_of_week == weekday
            and w.start_time <= start.time()
            and end.time() <= w.end_time
            for w in windows
        ), f"{status} session at {start} is outside working hours"
        if status in ("completed", "no_show"):
            assert ends_at <= NOW
        if status in ("confirmed", "pending_confirmation"):
            assert starts_at > NOW


async def test_every_demo_appointment_was_recorded_by_the_audit_trigger(db):
    await seed_demo(db, now=NOW)
    async with db.system("test") as uow:
        missing = await uow.session.scalar(
            text(
                "SELECT count(*) FROM appointments a WHERE NOT EXISTS (SELECT 1 FROM audit_log l"
                " WHERE l.entity_id = a.id AND l.action = 'created' AND l.actor = 'system')"
            )
        )
    assert missing == 0


async def test_a_demo_professional_sees_only_their_own_practice(db):
    await seed_demo(db, now=NOW)
    async with db.for_user(ANA.user_id) as uow:
        assert uow.professional_id == ANA.id
        owners = set(
            await uow.session.scalars(text("SELECT DISTINCT professional_id FROM appointments"))
        )
        names = set(await uow.session.scalars(text("SELECT name FROM clients")))
    assert owners == {ANA.id}
    assert names == {c.name for c in ANA.clients}


async def test_the_demo_chat_has_messages_both_ways_and_one_unread(db):
    await seed_demo(db, now=NOW)
    async with db.for_user(ANA.user_id) as uow:
        rows = (
            await uow.session.execute(
                text("SELECT sender, read_at FROM messages ORDER BY created_at")
            )
        ).all()
    assert {r.sender for r in rows} == {"client", "professional"}
    assert [r.sender for r in rows if r.read_at is None] == ["client"]


async def test_a_demo_client_reviewed_a_completed_session(db):
    await seed_demo(db, now=NOW)
    async with db.for_user(ANA.clients[0].user_id or 0) as uow:
        row = (
            await uow.session.execute(
                text(
                    "SELECT r.rating, a.status FROM reviews r"
                    " JOIN appointments a ON a.id = r.appointment_id"
                )
            )
        ).one()
    assert row.rating == 5 and row.status == "completed"


async def test_a_demo_client_added_by_hand_can_claim_their_invite(db):
    await seed_demo(db, now=NOW)
    hand_added = next(c for c in ANA.clients if c.invite_token)
    newcomer = DEMO_CLIENT_USER_IDS[-1]
    async with db.for_user(newcomer) as uow:
        claimed = await uow.session.scalar(
            text("SELECT claim_client_invite(:t)"), {"t": hand_added.invite_token}
        )
        await uow.commit()
    async with db.for_user(newcomer) as uow:
        mine = (await uow.session.execute(text("SELECT id, name FROM clients"))).one()
    assert claimed == mine.id and mine.name == hand_added.name


async def test_demo_people_have_their_languages_and_a_recurring_series_is_materialised(db):
    await seed_demo(db, now=NOW)
    async with db.system("test") as uow:
        locales = dict(
            (await uow.session.execute(text("SELECT user_id, locale FROM telegram_users"))).all()
        )
        series = (
            await uow.session.execute(
                text(
                    "SELECT s.id, count(a.id) AS n, count(*) FILTER (WHERE a.starts_at > :now)"
                    " AS ahead FROM recurring_schedules s"
                    " JOIN appointments a ON a.recurring_schedule_id = s.id GROUP BY s.id"
                ),
                {"now": NOW},
            )
        ).all()
        follows = await uow.session.scalar(text("SELECT count(*) FROM follows"))
        time_off = await uow.session.scalar(text("SELECT count(*) FROM time_off"))
    assert locales[ANA.user_id] == "pt_BR"
    assert set(locales.values()) == {"pt_BR", "es", "en"}
    assert len(series) == 3 and all(s.n == 5 and s.ahead == 3 for s in series)
    assert follows == 3 and time_off == 3
