"""The probe of issue 17, case by case: one statement under one identity, through the app's
own unit of work, that PostgreSQL must refuse whatever the code above it does.

Each identity is real: practice A (professional 1, client 11), practice B (professional 2,
client 22), and an inactive practice C (professional 3). A refusal is 42501 (privileges,
policies, the state-machine trigger: NotAllowed) or a foreign key (NotFound naming it).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from core import errors
from core.db.uow import Database
from core.errors import DomainError
from core.models import AppointmentStatus, ClientNote, RecipientType, TelegramUser
from core.services.booking_rules import TRANSITIONS, Action, next_status
from tests import factories as f

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Practice:
    pro: Any
    client: Any
    upcoming: Any  # confirmed, ahead
    held: Any  # completed


@dataclass
class World:
    a: Practice
    b: Practice
    inactive: Any


async def _practice(db: Database, pro_user: int, client_user: int) -> Practice:
    pro = await f.professional(db, user_id=pro_user)
    cli = await f.client(db, pro, user_id=client_user)
    upcoming = await f.appointment(db, pro, cli, T0)
    held = await f.appointment(
        db, pro, cli, T0 - timedelta(days=30), status=AppointmentStatus.completed
    )
    await f.add(
        db, ClientNote(professional_id=pro.id, client_id=cli.id, content=f"note of {pro_user}")
    )
    await f.add(
        db,
        TelegramUser(
            user_id=client_user, first_name=f"Client {client_user}", username=f"c{client_user}"
        ),
    )
    return Practice(pro, cli, upcoming, held)


@pytest.fixture
async def world(db: Database) -> World:
    a = await _practice(db, 1, 11)
    b = await _practice(db, 2, 22)
    inactive = await f.professional(db, user_id=3, active=False)
    await f.weekly_window(db, inactive, 2, time(9), time(12))
    await f.weekly_window(db, a.pro, 2, time(9), time(12))
    return World(a, b, inactive)


async def _refused(db: Database, user_id: int, sql: str, **params: object) -> errors.DomainError:
    """The domain error the unit of work raises for `sql` (committing had it passed)."""
    with pytest.raises(errors.DomainError) as caught:
        async with db.for_user(user_id) as uow:
            await uow.session.execute(text(sql), params)
            await uow.commit()
    return caught.value


def _foreign_key(err: errors.DomainError, name: str) -> bool:
    return isinstance(err, errors.NotFound) and err.params.get("constraint") == name


async def _system_scalar(db: Database, sql: str, **params: object) -> Any:
    async with db.system("tests") as uow:
        return await uow.session.scalar(text(sql), params)


# --- a client and their own appointment --------------------------------------------------


async def test_a_client_cannot_confirm_their_own_pending_request(world, db):
    pending = await f.appointment(
        db,
        world.a.pro,
        world.a.client,
        T0 + timedelta(days=1),
        status=AppointmentStatus.pending_confirmation,
    )
    err = await _refused(
        db, 11, "UPDATE appointments SET status = 'confirmed' WHERE id = :id", id=pending.id
    )
    assert isinstance(err, errors.NotAllowed)
    assert (
        await _system_scalar(db, "SELECT status FROM appointments WHERE id = :id", id=pending.id)
        == "pending_confirmation"
    )


async def test_a_client_cannot_mark_their_session_paid(world, db):
    err = await _refused(
        db,
        11,
        "UPDATE appointments SET payment_status = 'paid' WHERE id = :id",
        id=world.a.upcoming.id,
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_client_cannot_set_the_price_of_their_session_to_zero(world, db):
    err = await _refused(
        db, 11, "UPDATE appointments SET price_cents = 0 WHERE id = :id", id=world.a.upcoming.id
    )
    assert isinstance(err, errors.NotAllowed)
    assert (
        await _system_scalar(
            db, "SELECT price_cents FROM appointments WHERE id = :id", id=world.a.upcoming.id
        )
        == 15000
    )


async def test_a_client_cannot_book_a_free_already_paid_confirmed_session(world, db):
    err = await _refused(
        db,
        11,
        "INSERT INTO appointments (professional_id, client_id, starts_at, ends_at, status,"
        " payment_status, price_cents, currency) VALUES (:p, :c, CAST(:s AS timestamptz), CAST(:s AS timestamptz) + interval '50 minutes',"
        " 'confirmed', 'paid', 0, 'BRL')",
        p=world.a.pro.id,
        c=world.a.client.id,
        s=T0 + timedelta(days=2),
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_client_cannot_complete_their_own_session(world, db):
    err = await _refused(
        db,
        11,
        "UPDATE appointments SET status = 'completed' WHERE id = :id",
        id=world.a.upcoming.id,
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_client_cannot_reset_a_reminder_as_sent(world, db):
    err = await _refused(
        db,
        11,
        "UPDATE appointments SET reminder_sent_24h = true WHERE id = :id",
        id=world.a.upcoming.id,
    )
    assert isinstance(err, errors.NotAllowed)


# --- a client and other professionals ----------------------------------------------------


async def test_a_client_cannot_move_their_appointment_to_another_professional(world, db):
    err = await _refused(
        db,
        11,
        "UPDATE appointments SET professional_id = :b WHERE id = :id",
        b=world.b.pro.id,
        id=world.a.upcoming.id,
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_client_cannot_move_their_client_record_to_another_professional(world, db):
    err = await _refused(
        db,
        11,
        "UPDATE clients SET professional_id = :b WHERE id = :id",
        b=world.b.pro.id,
        id=world.a.client.id,
    )
    assert isinstance(err, errors.NotAllowed)
    assert (
        await _system_scalar(
            db, "SELECT professional_id FROM clients WHERE id = :id", id=world.a.client.id
        )
        == world.a.pro.id
    )


async def test_a_client_cannot_book_into_another_agenda_with_their_record_at_the_first(world, db):
    err = await _refused(
        db,
        11,
        "INSERT INTO appointments (professional_id, client_id, starts_at, ends_at, price_cents,"
        " currency) VALUES (:b, :c, CAST(:s AS timestamptz), CAST(:s AS timestamptz) + interval '50 minutes', 15000, 'BRL')",
        b=world.b.pro.id,
        c=world.a.client.id,
        s=T0 + timedelta(days=3),
    )
    assert _foreign_key(err, "fk_appointments_client_id_clients")


async def test_a_client_cannot_link_themselves_to_an_inactive_professional(world, db):
    err = await _refused(
        db,
        11,
        "INSERT INTO clients (professional_id, user_id, name) VALUES (:p, 11, 'Me')",
        p=world.inactive.id,
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_client_cannot_write_into_another_professionals_inbox(world, db):
    err = await _refused(
        db,
        11,
        "INSERT INTO messages (professional_id, client_id, sender, content)"
        " VALUES (:b, :c, 'client', 'hello B')",
        b=world.b.pro.id,
        c=world.a.client.id,
    )
    assert _foreign_key(err, "fk_messages_client_id_clients")


async def test_a_client_cannot_write_a_message_as_the_professional(world, db):
    err = await _refused(
        db,
        11,
        "INSERT INTO messages (professional_id, client_id, sender, content)"
        " VALUES (:a, :c, 'professional', 'I am your professional')",
        a=world.a.pro.id,
        c=world.a.client.id,
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_client_cannot_review_professional_b_on_a_session_with_a(world, db):
    err = await _refused(
        db,
        11,
        "INSERT INTO reviews (professional_id, client_id, appointment_id, rating)"
        " VALUES (:b, :c, :appt, 1)",
        b=world.b.pro.id,
        c=world.a.client.id,
        appt=world.a.held.id,
    )
    assert isinstance(err, errors.NotFound)  # the client and the session are not B's
    rating = await _system_scalar(db, "SELECT count FROM professional_rating(:b)", b=world.b.pro.id)
    assert rating == 0


async def test_a_client_cannot_review_a_session_that_has_not_been_held(world, db):
    cancelled = await f.appointment(
        db, world.a.pro, world.a.client, T0 - timedelta(days=3), status=AppointmentStatus.cancelled
    )
    err = await _refused(
        db,
        11,
        "INSERT INTO reviews (professional_id, client_id, appointment_id, rating) VALUES (:a, :c, :appt, 5)",
        a=world.a.pro.id,
        c=world.a.client.id,
        appt=cancelled.id,
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_client_cannot_queue_a_bot_notification_to_any_telegram_user(world, db):
    insert = await _refused(
        db,
        11,
        "INSERT INTO notifications (recipient_id, recipient_type, professional_id, type, msgid)"
        " VALUES (424242, 'client', :a, 'new_message', 'message.new')",
        a=world.a.pro.id,
    )
    through_the_function = await _refused(
        db,
        11,
        "SELECT queue_notification(424242, 'professional', :a, NULL, 'new_message',"
        " 'message.new', '{}', NULL)",
        a=world.a.pro.id,
    )
    assert isinstance(insert, errors.NotAllowed) and isinstance(
        through_the_function, errors.NotAllowed
    )
    assert await _system_scalar(db, "SELECT count(*) FROM notifications") == 0


# --- a professional and other people ----------------------------------------------------


async def test_a_professional_cannot_add_another_professionals_client_as_their_own(world, db):
    err = await _refused(
        db,
        1,
        "INSERT INTO clients (professional_id, user_id, name) VALUES (:a, 22, 'Taken')",
        a=world.a.pro.id,
    )
    assert isinstance(err, errors.NotAllowed)
    async with db.for_user(1) as uow:
        seen = await uow.session.scalar(
            text("SELECT count(*) FROM telegram_users WHERE user_id = 22")
        )
    assert seen == 0


async def test_a_professional_cannot_add_a_range_of_telegram_ids_as_clients(world, db):
    err = await _refused(
        db,
        1,
        "INSERT INTO clients (professional_id, user_id, name)"
        " SELECT :a, g, 'x' FROM generate_series(20, 30) AS g",
        a=world.a.pro.id,
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_professional_cannot_give_a_hand_added_client_someone_elses_telegram(world, db):
    by_hand = await f.client(db, world.a.pro, user_id=None, name="Walk-in")
    err = await _refused(db, 1, "UPDATE clients SET user_id = 22 WHERE id = :id", id=by_hand.id)
    assert isinstance(err, errors.NotAllowed)


async def test_a_professional_cannot_book_another_professionals_client(world, db):
    err = await _refused(
        db,
        1,
        "INSERT INTO appointments (professional_id, client_id, starts_at, ends_at)"
        " VALUES (:a, :c, CAST(:s AS timestamptz), CAST(:s AS timestamptz) + interval '50 minutes')",
        a=world.a.pro.id,
        c=world.b.client.id,
        s=T0 + timedelta(days=4),
    )
    assert _foreign_key(err, "fk_appointments_client_id_clients")


async def test_a_professional_cannot_message_another_professionals_client(world, db):
    err = await _refused(
        db,
        1,
        "INSERT INTO messages (professional_id, client_id, sender, content)"
        " VALUES (:a, :c, 'professional', 'come to me instead')",
        a=world.a.pro.id,
        c=world.b.client.id,
    )
    assert _foreign_key(err, "fk_messages_client_id_clients")


async def test_a_professional_cannot_write_notes_or_series_on_another_professionals_client(
    world, db
):
    note = await _refused(
        db,
        1,
        "INSERT INTO client_notes (professional_id, client_id, content) VALUES (:a, :c, 'x')",
        a=world.a.pro.id,
        c=world.b.client.id,
    )
    series = await _refused(
        db,
        1,
        "INSERT INTO recurring_schedules (professional_id, client_id, frequency, day_of_week, time)"
        " VALUES (:a, :c, 'weekly', 1, '10:00')",
        a=world.a.pro.id,
        c=world.b.client.id,
    )
    assert _foreign_key(note, "fk_client_notes_client_id_clients")
    assert _foreign_key(series, "fk_recurring_schedules_client_id_clients")


async def test_a_professional_cannot_queue_notifications_to_anyone(world, db):
    insert = await _refused(
        db,
        1,
        "INSERT INTO notifications (recipient_id, recipient_type, professional_id, type, msgid)"
        " VALUES (22, 'client', :a, 'new_message', 'message.new')",
        a=world.a.pro.id,
    )
    to_bs_client = await _refused(
        db,
        1,
        "SELECT queue_notification(22, 'client', :a, NULL, 'new_message', 'message.new', '{}', NULL)",
        a=world.a.pro.id,
    )
    about_bs_session = await _refused(
        db,
        1,
        "SELECT queue_notification(11, 'client', :a, :appt, 'booking_confirmed',"
        " 'notify.booking_confirmed', '{}', NULL)",
        a=world.a.pro.id,
        appt=world.b.upcoming.id,
    )
    assert all(isinstance(e, errors.NotAllowed) for e in (insert, to_bs_client, about_bs_session))
    assert await _system_scalar(db, "SELECT count(*) FROM notifications") == 0


async def test_a_professional_notifies_their_own_client_through_the_database_check(world, db):
    async with db.for_user(1) as uow:
        await uow.session.execute(
            text(
                "SELECT queue_notification(11, 'client', :a, :appt, 'booking_confirmed',"
                " 'notify.booking_confirmed', '{}', NULL)"
            ),
            {"a": world.a.pro.id, "appt": world.a.upcoming.id},
        )
        await uow.commit()
    assert (
        await _system_scalar(db, "SELECT count(*) FROM notifications WHERE recipient_id = 11") == 1
    )


async def test_a_professional_cannot_give_themselves_the_pro_plan(world, db):
    err = await _refused(db, 1, "UPDATE professionals SET plan = 'pro' WHERE user_id = 1")
    assert isinstance(err, errors.NotAllowed)
    assert await _system_scalar(db, "SELECT plan FROM professionals WHERE user_id = 1") == "free"


async def test_a_professional_cannot_extend_their_trial_ten_years(world, db):
    err = await _refused(
        db,
        1,
        "UPDATE professionals SET trial_ends_at = now() + interval '10 years' WHERE user_id = 1",
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_new_professional_cannot_start_on_a_paid_plan_or_a_long_trial(db):
    pro_plan = await _refused(
        db,
        7,
        "INSERT INTO professionals (user_id, name, profession, slug, plan)"
        " VALUES (7, 'New', 'tutor', 'new-pro', 'pro')",
    )
    long_trial = await _refused(
        db,
        7,
        "INSERT INTO professionals (user_id, name, profession, slug, trial_ends_at)"
        " VALUES (7, 'New', 'tutor', 'new-pro', now() + interval '10 years')",
    )
    assert isinstance(pro_plan, errors.NotAllowed) and isinstance(long_trial, errors.NotAllowed)


async def test_a_professional_cannot_change_their_stripe_ids(world, db):
    err = await _refused(
        db, 1, "UPDATE professionals SET stripe_customer_id = 'cus_x' WHERE user_id = 1"
    )
    assert isinstance(err, errors.NotAllowed)


async def test_a_professional_cannot_reopen_a_completed_session(world, db):
    err = await _refused(
        db, 1, "UPDATE appointments SET status = 'confirmed' WHERE id = :id", id=world.a.held.id
    )
    assert isinstance(err, errors.NotAllowed)


# --- what everyone may read ---------------------------------------------------------------


async def test_an_inactive_professionals_windows_are_hidden_and_an_active_ones_are_public(
    world, db
):
    async with db.for_user(99) as uow:  # a stranger: no client record, no practice
        inactive = await uow.session.scalar(
            text("SELECT count(*) FROM availability WHERE professional_id = :p"),
            {"p": world.inactive.id},
        )
        active = await uow.session.scalar(
            text("SELECT count(*) FROM availability WHERE professional_id = :p"),
            {"p": world.a.pro.id},
        )
    async with db.for_user(3) as uow:  # the inactive professional still sees their own
        own = await uow.session.scalar(
            text("SELECT count(*) FROM availability WHERE professional_id = :p"),
            {"p": world.inactive.id},
        )
    assert (inactive, active, own) == (0, 1, 1)


# --- the state machine, in the database and in the core ---------------------------------


def _core_allows(
    old: AppointmentStatus, new: AppointmentStatus, side: RecipientType, auto: bool, moved: bool
) -> bool:
    if not moved and new is old:
        return True  # an edit that changes no status (a note)
    for (from_status, action), _ in TRANSITIONS.items():
        if from_status is not old or (action is Action.reschedule) is not moved:
            continue
        try:
            if next_status(old, action, side=side, auto_confirm=auto) is new:
                return True
        except DomainError:
            continue
    return False


async def test_the_databases_state_machine_is_the_cores_for_every_side_and_setting(db):
    statuses, sides = list(AppointmentStatus), list(RecipientType)
    combos = list(itertools.product(statuses, statuses, sides, (False, True), (False, True)))
    async with db.system("tests") as uow:
        rows = (
            await uow.session.execute(
                text(
                    "SELECT f, t, s, a, m, appointment_transition_allowed("
                    "f::appointment_status, t::appointment_status, s::recipient_type, a, m)"
                    " FROM unnest(CAST(:f AS text[]), CAST(:t AS text[]), CAST(:s AS text[]),"
                    " CAST(:a AS boolean[]), CAST(:m AS boolean[])) AS x(f, t, s, a, m)"
                ),
                {
                    "f": [c[0].value for c in combos],
                    "t": [c[1].value for c in combos],
                    "s": [c[2].value for c in combos],
                    "a": [c[3] for c in combos],
                    "m": [c[4] for c in combos],
                },
            )
        ).all()
    database = {(f, t, s, a, m): allowed for f, t, s, a, m, allowed in rows}
    core = {
        (o.value, n.value, s.value, a, m): _core_allows(o, n, s, a, m) for o, n, s, a, m in combos
    }
    assert len(database) == len(combos) == 288
    assert {k for k, v in database.items() if v} == {k for k, v in core.items() if v}
