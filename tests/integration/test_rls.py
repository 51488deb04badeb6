"""Row-level security, table by table: PostgreSQL itself keeps tenants apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import text

from core import errors
from core.db.uow import Database
from core.models import (
    AppointmentStatus,
    ClientNote,
    Follow,
    Frequency,
    Message,
    MessageSender,
    Notification,
    NotificationType,
    RecipientType,
    RecurringSchedule,
    Review,
    TelegramUser,
    TimeOff,
)
from tests import factories as f

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# Tables whose rows belong to one professional and are private to them.
PRIVATE_TENANT_TABLES = [
    "clients",
    "client_notes",
    "recurring_schedules",
    "appointments",
    "messages",
    "reviews",
    "time_off",
    "audit_log",
    "follows",
    "notifications",
]


@dataclass
class Practice:
    pro: object
    client: object
    appointment: object


async def _practice(db: Database, pro_user: int, client_user: int) -> Practice:
    pro = await f.professional(db, user_id=pro_user)
    cli = await f.client(db, pro, user_id=client_user)
    appt = await f.appointment(db, pro, cli, T0, status=AppointmentStatus.completed)
    await f.appointment(db, pro, cli, T0 + timedelta(days=7))
    await f.weekly_window(db, pro, 2, time(9), time(12))
    for row in (
        ClientNote(professional_id=pro.id, client_id=cli.id, content="private"),
        RecurringSchedule(
            professional_id=pro.id,
            client_id=cli.id,
            frequency=Frequency.weekly,
            day_of_week=3,
            time=time(10),
        ),
        Message(
            professional_id=pro.id, client_id=cli.id, sender=MessageSender.client, content="hi"
        ),
        Review(professional_id=pro.id, client_id=cli.id, appointment_id=appt.id, rating=5),
        TimeOff(
            professional_id=pro.id,
            starts_at=T0 + timedelta(days=20),
            ends_at=T0 + timedelta(days=21),
            reason="surgery",
        ),
        Follow(professional_id=pro.id, user_id=client_user),
        Notification(
            recipient_id=pro_user,
            recipient_type=RecipientType.professional,
            professional_id=pro.id,
            type=NotificationType.booking_requested,
            msgid="n.booking_requested",
        ),
        Notification(
            recipient_id=client_user,
            recipient_type=RecipientType.client,
            professional_id=pro.id,
            type=NotificationType.booking_confirmed,
            msgid="n.booking_confirmed",
        ),
        TelegramUser(user_id=client_user, first_name="Client"),
    ):
        await f.add(db, row)
    return Practice(pro, cli, appt)


@pytest.fixture
async def two_practices(db):
    a = await _practice(db, 1, 11)
    b = await _practice(db, 2, 22)
    return a, b


async def _count(db: Database, user_id: int, table: str, where: str, **params: object) -> int:
    async with db.for_user(user_id) as uow:
        return int(
            await uow.session.scalar(text(f"SELECT count(*) FROM {table} WHERE {where}"), params)
        )


async def test_units_of_work_never_run_as_a_superuser_or_bypass_rls(db):
    async with db.for_user(5) as uow:
        row = (
            await uow.session.execute(
                text(
                    "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles"
                    " WHERE rolname = current_user"
                )
            )
        ).one()
    assert tuple(row) == ("bookingbot_app", False, False)
    async with db.system("tests") as uow:
        assert await uow.session.scalar(text("SELECT current_user")) == "bookingbot_system"


@pytest.mark.parametrize("table", PRIVATE_TENANT_TABLES)
async def test_professional_a_reads_zero_rows_of_professional_b(two_practices, db, table):
    a, b = two_practices
    assert await _count(db, 1, table, "professional_id = :b", b=b.pro.id) == 0
    assert await _count(db, 1, table, "professional_id = :a", a=a.pro.id) > 0


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("clients", "name = 'x'"),
        ("client_notes", "content = 'x'"),
        ("recurring_schedules", "active = false"),
        ("appointments", "notes = 'x'"),
        ("messages", "read_at = now()"),
        ("time_off", "reason = 'x'"),
    ],
)
async def test_professional_a_cannot_update_or_delete_rows_of_professional_b(
    two_practices, db, table, change
):
    _, b = two_practices
    async with db.for_user(1) as uow:
        updated = await uow.session.execute(
            text(f"UPDATE {table} SET {change} WHERE professional_id = :b"), {"b": b.pro.id}
        )
        deleted = await uow.session.execute(
            text(f"DELETE FROM {table} WHERE professional_id = :b"), {"b": b.pro.id}
        )
        await uow.commit()
    assert updated.rowcount == 0 and deleted.rowcount == 0
    async with db.system("tests") as uow:
        left = await uow.session.scalar(
            text(f"SELECT count(*) FROM {table} WHERE professional_id = :b"), {"b": b.pro.id}
        )
    assert left > 0


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("clients", "(id, professional_id, name) VALUES (gen_random_uuid(), :b, 'x')"),
        (
            "client_notes",
            "(id, professional_id, client_id, content) VALUES (gen_random_uuid(), :b, :bc, 'x')",
        ),
        (
            "time_off",
            "(id, professional_id, starts_at, ends_at) VALUES (gen_random_uuid(), :b, now(), now() + interval '1 hour')",
        ),
        (
            "availability",
            "(id, professional_id, day_of_week, start_time, end_time) VALUES (gen_random_uuid(), :b, 5, '09:00', '10:00')",
        ),
        (
            "appointments",
            "(id, professional_id, client_id, starts_at, ends_at) VALUES (gen_random_uuid(), :b, :bc, now() + interval '90 days', now() + interval '91 days')",
        ),
    ],
)
async def test_professional_a_cannot_insert_rows_for_professional_b(
    two_practices, db, table, columns
):
    _, b = two_practices
    with pytest.raises(errors.NotAllowed):
        async with db.for_user(1) as uow:
            await uow.session.execute(
                text(f"INSERT INTO {table} {columns}"), {"b": b.pro.id, "bc": b.client.id}
            )


async def test_professional_a_cannot_change_professional_b_profile(two_practices, db):
    _, b = two_practices
    async with db.for_user(1) as uow:
        result = await uow.session.execute(
            text("UPDATE professionals SET name = 'hacked' WHERE id = :b"), {"b": b.pro.id}
        )
        await uow.commit()
    assert result.rowcount == 0


@pytest.mark.parametrize("table", ["appointments", "messages", "reviews", "recurring_schedules"])
async def test_a_client_sees_only_their_own_rows(two_practices, db, table):
    a, b = two_practices
    assert await _count(db, 11, table, "true") == await _count(
        db, 11, table, "client_id = :c", c=a.client.id
    )
    assert await _count(db, 11, table, "client_id = :c", c=a.client.id) > 0
    assert await _count(db, 11, table, "client_id = :c", c=b.client.id) == 0


async def test_client_notes_are_visible_to_their_professional_only(two_practices, db):
    a, _ = two_practices
    assert await _count(db, 11, "client_notes", "client_id = :c", c=a.client.id) == 0
    assert await _count(db, 2, "client_notes", "client_id = :c", c=a.client.id) == 0
    assert await _count(db, 1, "client_notes", "client_id = :c", c=a.client.id) == 1


async def test_a_client_sees_their_notifications_but_not_the_professionals(two_practices, db):
    assert await _count(db, 11, "notifications", "true") == 1
    assert await _count(db, 11, "notifications", "recipient_id = 1") == 0


async def test_a_client_cannot_book_in_another_clients_name(two_practices, db):
    _, b = two_practices
    with pytest.raises(errors.NotAllowed):
        async with db.for_user(11) as uow:
            await uow.session.execute(
                text(
                    "INSERT INTO appointments (id, professional_id, client_id, starts_at, ends_at)"
                    " VALUES (gen_random_uuid(), :p, :c, now() + interval '30 days',"
                    " now() + interval '30 days 50 minutes')"
                ),
                {"p": b.pro.id, "c": b.client.id},
            )


async def test_a_client_learns_busy_times_but_not_whose_nor_the_reason_for_time_off(
    two_practices, db
):
    _, b = two_practices
    async with db.for_user(11) as uow:
        rows = (
            await uow.session.execute(
                text("SELECT * FROM busy_intervals(:p, :f, :t)"),
                {"p": b.pro.id, "f": T0 - timedelta(days=1), "t": T0 + timedelta(days=30)},
            )
        ).all()
        columns = set(rows[0]._mapping.keys())
    # the confirmed session next week and the time off; the completed one holds nothing
    assert len(rows) == 2
    assert columns == {"starts_at", "ends_at", "is_time_off"}
    assert sorted(r.is_time_off for r in rows) == [False, True]


async def test_the_bots_own_state_is_invisible_to_people(db):
    async with db.system("tests") as uow:
        await uow.session.execute(
            text("INSERT INTO bot_data (kind, key, data) VALUES ('user', '11', '{}')")
        )
        await uow.commit()
    for table in ("bot_data", "bot_conversations", "processed_webhook_events"):
        with pytest.raises(errors.NotAllowed):  # not even granted to people's role
            await _count(db, 11, table, "true")


async def test_the_system_scope_sees_every_tenant(two_practices, db):
    async with db.system("tests") as uow:
        assert (
            await uow.session.scalar(
                text("SELECT count(DISTINCT professional_id) FROM appointments")
            )
            == 2
        )
