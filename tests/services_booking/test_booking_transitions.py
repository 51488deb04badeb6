"""The state machine: every legal transition works, every other one is refused, and each
change is audited and told to the other side."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.models import AppointmentStatus, NotificationType, RecipientType
from core.services import booking
from core.services.booking_errors import IllegalTransition, WrongSide
from core.services.booking_rules import TRANSITIONS, Action
from tests import factories as f

SP = ZoneInfo("America/Sao_Paulo")
S = AppointmentStatus
# Wednesday 2026-11-25 10:00 in São Paulo (the `clock` fixture).
FUTURE = datetime(2026, 11, 26, 14, tzinfo=SP)
STARTED = datetime(2026, 11, 25, 8, tzinfo=SP)
NEW_TIME = datetime(2026, 11, 26, 16, tzinfo=SP)

# Written out by hand: the table in the code must say exactly this.
LEGAL = {
    (S.pending_confirmation, Action.confirm): S.confirmed,
    (S.pending_confirmation, Action.decline): S.declined,
    (S.pending_confirmation, Action.cancel): S.cancelled,
    (S.pending_confirmation, Action.reschedule): S.pending_confirmation,
    (S.confirmed, Action.cancel): S.cancelled,
    (S.confirmed, Action.reschedule): S.confirmed,
    (S.confirmed, Action.complete): S.completed,
    (S.confirmed, Action.no_show): S.no_show,
}


async def act(db, user_id, action, appointment_id, now, **kw):
    async with db.for_user(user_id) as uow:
        if action is Action.reschedule:
            kw.setdefault("new_start", NEW_TIME)
        view = await getattr(booking, action.value)(
            uow, appointment_id=appointment_id, now=now, **kw
        )
        await uow.commit()
    return view


def test_the_transition_table_holds_exactly_the_legal_moves():
    assert dict(TRANSITIONS) == LEGAL


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(Action))
async def test_each_status_and_action_pair_moves_as_the_table_says_or_is_refused(
    db, clock, status, action
):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    start = STARTED if action in (Action.complete, Action.no_show) else FUTURE
    appt = await f.appointment(db, pro, cli, start, minutes=60, status=status)

    expected = LEGAL.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransition) as caught:
            await act(db, pro.user_id, action, appt.id, clock())
        assert caught.value.msgid == "booking.illegal_transition"
        assert caught.value.params == {"status": status.value, "action": action.value}
        assert (await f.appointment_row(db, appt.id)).status == status
    else:
        view = await act(db, pro.user_id, action, appt.id, clock())
        assert view.status == expected
        assert (await f.appointment_row(db, appt.id)).status == expected


@pytest.mark.parametrize(
    "action", [Action.confirm, Action.decline, Action.complete, Action.no_show]
)
async def test_a_client_cannot_take_the_professionals_decisions(db, clock, action):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    status = S.pending_confirmation if action in (Action.confirm, Action.decline) else S.confirmed
    start = STARTED if action in (Action.complete, Action.no_show) else FUTURE
    appt = await f.appointment(db, pro, cli, start, minutes=60, status=status)
    with pytest.raises(WrongSide) as caught:
        await act(db, cli.user_id, action, appt.id, clock())
    assert caught.value.params == {"action": action.value, "side": "client"}
    assert (await f.appointment_row(db, appt.id)).status == status


async def test_a_session_is_completed_or_missed_only_once_it_has_started(db, clock):
    pro = await f.bookable(db)
    appt = await f.appointment(db, pro, await f.client(db, pro), FUTURE, minutes=60)
    for action in (Action.complete, Action.no_show):
        with pytest.raises(booking.SessionNotStarted) as caught:
            await act(db, pro.user_id, action, appt.id, clock())
        assert caught.value.msgid == "booking.not_started"


async def test_a_request_whose_time_has_passed_cannot_be_confirmed(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, STARTED, minutes=60, status=S.pending_confirmation)
    with pytest.raises(booking.BookingInPast):
        await act(db, pro.user_id, Action.confirm, appt.id, clock())
    # Declining it is still possible, so the request does not linger.
    assert (await act(db, pro.user_id, Action.decline, appt.id, clock())).status == S.declined


async def test_each_change_is_audited_with_who_acted(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, FUTURE, minutes=60, status=S.pending_confirmation)
    await act(db, pro.user_id, Action.confirm, appt.id, clock())
    await act(db, cli.user_id, Action.reschedule, appt.id, clock())
    await act(db, pro.user_id, Action.confirm, appt.id, clock())
    clock.set(NEW_TIME + timedelta(minutes=70))
    await act(db, pro.user_id, Action.complete, appt.id, clock())

    rows = await f.audit_rows(db, appt.id)
    assert [(r.action, r.actor, r.actor_user_id, r.old_status, r.new_status) for r in rows] == [
        ("created", "system", None, None, "pending_confirmation"),
        ("status_changed", "professional", pro.user_id, "pending_confirmation", "confirmed"),
        ("status_changed", "client", cli.user_id, "confirmed", "pending_confirmation"),
        ("status_changed", "professional", pro.user_id, "pending_confirmation", "confirmed"),
        ("status_changed", "professional", pro.user_id, "confirmed", "completed"),
    ]
    moved = rows[2].data
    assert datetime.fromisoformat(moved["old_starts_at"]) == FUTURE
    assert datetime.fromisoformat(moved["starts_at"]) == NEW_TIME


@pytest.mark.parametrize(
    ("status", "action", "by", "kind", "msgid"),
    [
        (
            S.pending_confirmation,
            Action.confirm,
            "pro",
            "booking_confirmed",
            "notify.booking_confirmed",
        ),
        (
            S.pending_confirmation,
            Action.decline,
            "pro",
            "booking_declined",
            "notify.booking_declined",
        ),
        (
            S.confirmed,
            Action.cancel,
            "pro",
            "booking_cancelled",
            "notify.booking_cancelled_by_professional",
        ),
        (
            S.confirmed,
            Action.cancel,
            "client",
            "booking_cancelled",
            "notify.booking_cancelled_by_client",
        ),
        (
            S.confirmed,
            Action.reschedule,
            "pro",
            "booking_rescheduled",
            "notify.booking_rescheduled_by_professional",
        ),
        (
            S.confirmed,
            Action.reschedule,
            "client",
            "booking_rescheduled",
            "notify.booking_rescheduled_by_client_to_confirm",
        ),
        (S.confirmed, Action.complete, "pro", "review_request", "notify.review_request"),
        (S.confirmed, Action.no_show, "pro", "booking_no_show", "notify.booking_no_show"),
    ],
)
async def test_each_change_notifies_the_other_side_in_the_same_transaction(
    db, clock, status, action, by, kind, msgid
):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    start = STARTED if action in (Action.complete, Action.no_show) else FUTURE
    appt = await f.appointment(db, pro, cli, start, minutes=60, status=status)
    actor = pro.user_id if by == "pro" else cli.user_id
    kw = {"reason": "sick"} if action in (Action.cancel, Action.decline) else {}
    await act(db, actor, action, appt.id, clock(), **kw)

    (note,) = await f.notifications_of(db, appt.id)
    other = RecipientType.client if by == "pro" else RecipientType.professional
    assert note.recipient_type == other
    assert note.recipient_id == (cli.user_id if by == "pro" else pro.user_id)
    assert note.type == NotificationType(kind)
    # A reason, when given, comes in the text made for it.
    assert note.msgid == (f"{msgid}_with_reason" if kw else msgid)
    if kw:
        assert note.params["reason"] == "sick"
    if action is Action.reschedule:
        assert datetime.fromisoformat(note.params["old_starts_at"]) == FUTURE
        assert datetime.fromisoformat(note.params["starts_at"]) == NEW_TIME.astimezone(UTC)


async def test_a_refused_change_leaves_no_notification_behind(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, FUTURE, minutes=60, status=S.cancelled)
    with pytest.raises(IllegalTransition):
        await act(db, pro.user_id, Action.confirm, appt.id, clock())
    assert await f.notifications_of(db, appt.id) == []
