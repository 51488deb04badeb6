"""The booking lifecycle: the only way an appointment is created or changes status.

Every change goes through `booking_rules.next_status` (the transition table) and
queues a notification for the other side in the same transaction: a booking that
changes always tells the other person, and one that fails tells nobody. The audit
trigger records who acted from the unit of work's scope.

The database stays the last line: the exclusion constraint refuses an overlap that
slipped past the slot rules (two clients racing for one slot), as SlotTaken, and
`appointment_guard` (revision 0005) refuses a status change the acting side may not
make, with the same table, whatever path wrote it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.db.uow import UnitOfWork
from core.errors import N_
from core.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    Client,
    NotificationType,
    PaymentStatus,
    Professional,
    RecipientType,
)
from core.scheduling.types import Busy
from core.services.access import require_user
from core.services.availability import ProfessionalUnavailable, slot_inputs
from core.services.booking_errors import (
    BookingInPast,
    CancellationTooLate,
    NotAClient,
    RescheduleTooLate,
    SameTime,
    SessionNotStarted,
    TextTooLong,
    TooManyBookings,
)
from core.services.booking_queries import (
    AppointmentView,
    BookingContext,
    BookingItem,
    PolicyView,
    agenda,
    cancellation_policy,
    get,
    load_context,
    my_bookings,
    pending_requests,
)
from core.services.booking_rules import (
    CLIENT,
    PROFESSIONAL,
    Action,
    check_start,
    initial_status,
    next_status,
)
from core.services.notifications import notify

NOTES_MAX = 1000
REASON_MAX = 500
# Buttons the bot offers with a request the professional must answer.
_ANSWER = ["confirm", "decline"]


def _text(field: str, value: str | None, limit: int) -> str | None:
    """Trimmed text, None when blank; refuse what is too long rather than cut it."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > limit:
        raise TextTooLong(field=field, max=limit)
    return value


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


async def request(
    uow: UnitOfWork,
    *,
    professional_id: uuid.UUID,
    start: datetime,
    now: datetime,
    notes: str | None = None,
) -> AppointmentView:
    """Book a free slot with a professional as the acting client."""
    user_id = require_user(uow)
    start = _require_aware(start, "start")
    notes = _text("notes", notes, NOTES_MAX)
    # Locking the client's own record serialises their concurrent requests, so the
    # limit on future bookings below cannot be overrun by two at once.
    client = await uow.session.scalar(
        select(Client)
        .where(Client.professional_id == professional_id, Client.user_id == user_id)
        .with_for_update()
    )
    if client is None:
        raise NotAClient(professional_id=professional_id)
    pro = await uow.session.scalar(select(Professional).where(Professional.id == professional_id))
    if pro is None or not pro.active:
        raise ProfessionalUnavailable()

    day = start.astimezone(ZoneInfo(pro.timezone)).date()
    inputs = await slot_inputs(uow, professional_id=professional_id, first_day=day, last_day=day)
    check_start(start, now=now, inputs=inputs)

    held = await uow.session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.client_id == client.id,
            Appointment.status.in_(HOLDING_STATUSES),
            Appointment.starts_at > now,
        )
    )
    if (held or 0) >= pro.max_future_bookings:
        raise TooManyBookings(max=pro.max_future_bookings)

    appt = Appointment(
        id=uuid.uuid4(),
        professional_id=professional_id,
        client_id=client.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=inputs.session_minutes),
        status=initial_status(auto_confirm=pro.auto_confirm),
        payment_status=PaymentStatus.none,
        price_cents=pro.price_cents,
        currency=pro.currency,
        notes=notes,
        scheduled_at=now,
        reminder_sent_24h=False,
        reminder_sent_1h=False,
    )
    # In a savepoint, so a refused overlap leaves the caller's transaction usable (the
    # bot can show fresh slots in the same unit of work).
    async with uow.savepoint():
        uow.session.add(appt)

    params: dict[str, Any] = {
        "client_name": client.name,
        "professional_name": pro.name,
        "starts_at": appt.starts_at,
        "ends_at": appt.ends_at,
    }
    if pro.auto_confirm:
        kind, msgid = NotificationType.booking_confirmed, N_("notify.booking_auto_confirmed")
    else:
        kind, msgid = NotificationType.booking_requested, N_("notify.booking_requested")
        params["actions"] = _ANSWER
    await notify(
        uow,
        recipient_id=pro.user_id,
        recipient_type=RecipientType.professional,
        professional_id=professional_id,
        type=kind,
        msgid=msgid,
        params=params,
        appointment_id=appt.id,
    )
    return await get(uow, appointment_id=appt.id)


async def _tell_other_side(
    uow: UnitOfWork,
    ctx: BookingContext,
    *,
    type: NotificationType,
    msgid: str,
    **extra: Any,
) -> None:
    """Queue a notification for whoever did not act."""
    a = ctx.appointment
    params: dict[str, Any] = {
        "client_name": ctx.client_name,
        "professional_name": ctx.professional_name,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        **extra,
    }
    if ctx.side is PROFESSIONAL:
        recipient, recipient_type = ctx.client_user_id, RecipientType.client
    else:
        recipient, recipient_type = ctx.professional_user_id, RecipientType.professional
    await notify(
        uow,
        recipient_id=recipient,
        recipient_type=recipient_type,
        professional_id=a.professional_id,
        type=type,
        msgid=msgid,
        params=params,
        appointment_id=a.id,
    )


async def _begin(
    uow: UnitOfWork, appointment_id: uuid.UUID, action: Action, now: datetime
) -> tuple[BookingContext, AppointmentStatus]:
    """Lock the appointment and check the transition and its time rule for the acting side."""
    ctx = await load_context(uow, appointment_id=appointment_id, lock=True)
    a = ctx.appointment
    new = next_status(a.status, action, side=ctx.side, auto_confirm=ctx.auto_confirm)
    if action not in ctx.actions(now):
        deadline = ctx.policy.deadline(a.starts_at)
        notice = ctx.policy.cancellation_notice_minutes
        if action is Action.cancel:
            raise CancellationTooLate(notice_minutes=notice, deadline=deadline)
        if action is Action.reschedule:
            raise RescheduleTooLate(notice_minutes=notice, deadline=deadline)
        if action is Action.confirm:
            raise BookingInPast(start=a.starts_at)
        raise SessionNotStarted(starts_at=a.starts_at)
    return ctx, new


async def confirm(uow: UnitOfWork, *, appointment_id: uuid.UUID, now: datetime) -> AppointmentView:
    """The professional accepts a pending request before its time."""
    ctx, new = await _begin(uow, appointment_id, Action.confirm, now)
    ctx.appointment.status = new
    await uow.flush()
    await _tell_other_side(
        uow, ctx, type=NotificationType.booking_confirmed, msgid=N_("notify.booking_confirmed")
    )
    return await get(uow, appointment_id=appointment_id)


async def decline(
    uow: UnitOfWork, *, appointment_id: uuid.UUID, now: datetime, reason: str | None = None
) -> AppointmentView:
    """The professional turns down a pending request, optionally saying why."""
    reason = _text("reason", reason, REASON_MAX)
    ctx, new = await _begin(uow, appointment_id, Action.decline, now)
    a = ctx.appointment
    a.status, a.cancelled_by, a.cancellation_reason = new, PROFESSIONAL, reason
    await uow.flush()
    await _tell_other_side(
        uow,
        ctx,
        type=NotificationType.booking_declined,
        msgid=N_("notify.booking_declined"),
        reason=reason,
    )
    return await get(uow, appointment_id=appointment_id)


async def cancel(
    uow: UnitOfWork, *, appointment_id: uuid.UUID, now: datetime, reason: str | None = None
) -> AppointmentView:
    """Cancel a session: the client before the notice, the professional at any time."""
    reason = _text("reason", reason, REASON_MAX)
    ctx, new = await _begin(uow, appointment_id, Action.cancel, now)
    a = ctx.appointment
    a.status, a.cancelled_by, a.cancellation_reason = new, ctx.side, reason
    await uow.flush()
    msgid = (
        N_("notify.booking_cancelled_by_professional")
        if ctx.side is PROFESSIONAL
        else N_("notify.booking_cancelled_by_client")
    )
    await _tell_other_side(
        uow, ctx, type=NotificationType.booking_cancelled, msgid=msgid, reason=reason
    )
    return await get(uow, appointment_id=appointment_id)


async def reschedule(
    uow: UnitOfWork, *, appointment_id: uuid.UUID, new_start: datetime, now: datetime
) -> AppointmentView:
    """Move a session to another free slot, keeping its id and history.

    A client's move needs confirming again when the professional confirms by hand.
    """
    new_start = _require_aware(new_start, "new_start")
    ctx, new = await _begin(uow, appointment_id, Action.reschedule, now)
    a = ctx.appointment
    if new_start == a.starts_at:
        raise SameTime(start=new_start)
    old_start, old_end = a.starts_at, a.ends_at
    day = new_start.astimezone(ZoneInfo(ctx.timezone)).date()
    inputs = await slot_inputs(uow, professional_id=a.professional_id, first_day=day, last_day=day)
    check_start(new_start, now=now, inputs=inputs, ignore=Busy(old_start, old_end))
    async with uow.savepoint():  # as in `request`: a lost race keeps the transaction usable
        a.starts_at = new_start
        a.ends_at = new_start + timedelta(minutes=inputs.session_minutes)
        a.status = new
        # The reminders owed depend on when the new time was chosen, as for a new booking.
        a.reminder_sent_24h = a.reminder_sent_1h = False
        a.scheduled_at = now
    needs_answer = ctx.side is CLIENT and new is AppointmentStatus.pending_confirmation
    await _tell_other_side(
        uow,
        ctx,
        type=NotificationType.booking_rescheduled,
        msgid=(
            N_("notify.booking_rescheduled_by_professional")
            if ctx.side is PROFESSIONAL
            else N_("notify.booking_rescheduled_by_client")
        ),
        old_starts_at=old_start,
        needs_confirmation=needs_answer,
        **({"actions": _ANSWER} if needs_answer else {}),
    )
    return await get(uow, appointment_id=appointment_id)


async def complete(uow: UnitOfWork, *, appointment_id: uuid.UUID, now: datetime) -> AppointmentView:
    """The professional marks a started session done; the client is asked for a review."""
    ctx, new = await _begin(uow, appointment_id, Action.complete, now)
    ctx.appointment.status = new
    await uow.flush()
    await _tell_other_side(
        uow, ctx, type=NotificationType.review_request, msgid=N_("notify.review_request")
    )
    return await get(uow, appointment_id=appointment_id)


async def no_show(uow: UnitOfWork, *, appointment_id: uuid.UUID, now: datetime) -> AppointmentView:
    """The professional records that the client did not come."""
    ctx, new = await _begin(uow, appointment_id, Action.no_show, now)
    ctx.appointment.status = new
    await uow.flush()
    await _tell_other_side(
        uow, ctx, type=NotificationType.booking_no_show, msgid=N_("notify.booking_no_show")
    )
    return await get(uow, appointment_id=appointment_id)


__all__ = [
    "AppointmentView",
    "BookingItem",
    "PolicyView",
    "agenda",
    "cancel",
    "cancellation_policy",
    "complete",
    "confirm",
    "decline",
    "get",
    "my_bookings",
    "no_show",
    "pending_requests",
    "request",
    "reschedule",
]
