"""Reading bookings: one appointment, a client's bookings, a professional's agenda.

Row-level security decides what each reader sees; these queries only add the filters
that say whose side of the booking the reader is on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import TIMESTAMP, Select, and_, case, cast, exists, func, literal, or_, select

from core.db.uow import UnitOfWork
from core.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    AuditLog,
    Client,
    PaymentStatus,
    Profession,
    Professional,
    RecipientType,
    Review,
)
from core.services.access import require_professional, require_user
from core.services.booking_errors import BookingNotFound
from core.services.booking_rules import CLIENT, PROFESSIONAL, Action, Policy, available_actions


@dataclass(frozen=True)
class AppointmentView:
    """One session as either side sees it; instants are aware, `timezone` is the
    professional's."""

    id: uuid.UUID
    professional_id: uuid.UUID
    client_id: uuid.UUID
    professional_name: str
    profession: Profession
    timezone: str
    client_name: str
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    payment_status: PaymentStatus
    price_cents: int
    currency: str
    notes: str | None
    cancelled_by: RecipientType | None
    cancellation_reason: str | None
    scheduled_at: datetime
    created_at: datetime
    updated_at: datetime
    # A session waiting for the professional's answer after it was moved (a client's move
    # of a confirmed session needs confirming again): the time it had before. Read from
    # the audit log, which only the professional's side may read; None otherwise.
    moved_from: datetime | None = None


@dataclass(frozen=True)
class BookingItem:
    """An appointment in a list, with what the reader may do to it now."""

    appointment: AppointmentView
    actions: tuple[Action, ...]
    # The client's last moment to cancel or reschedule (None for the professional's lists).
    cancel_deadline: datetime | None = None
    can_review: bool = False

    @property
    def can_cancel(self) -> bool:
        return Action.cancel in self.actions

    @property
    def can_reschedule(self) -> bool:
        return Action.reschedule in self.actions


@dataclass(frozen=True)
class PolicyView:
    """Whether the acting side may cancel or move a session now, and until when."""

    appointment_id: uuid.UUID
    side: RecipientType
    status: AppointmentStatus
    starts_at: datetime
    notice_minutes: int
    deadline: datetime
    # False for the professional: the notice is the client's rule only.
    binding: bool
    can_cancel: bool
    can_reschedule: bool


@dataclass
class BookingContext:
    """A loaded appointment with what the state machine needs to decide on it."""

    appointment: Appointment
    side: RecipientType
    client_name: str
    client_user_id: int | None
    professional_name: str
    professional_user_id: int
    timezone: str
    auto_confirm: bool
    policy: Policy

    def actions(self, now: datetime) -> tuple[Action, ...]:
        a = self.appointment
        return available_actions(
            a.status, side=self.side, starts_at=a.starts_at, now=now, policy=self.policy
        )


def _moved_from() -> Any:
    """The start a pending session had before its last move (audit trigger's data)."""
    last_move = (
        select(AuditLog.data["old_starts_at"].astext)
        .where(
            AuditLog.entity == "appointment",
            AuditLog.entity_id == Appointment.id,
            AuditLog.data.has_key("old_starts_at"),
        )
        .order_by(AuditLog.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    pending = Appointment.status == AppointmentStatus.pending_confirmation
    return case((pending, cast(last_move, TIMESTAMP(timezone=True)))).label("moved_from")


def _select() -> Select[Any]:
    return (
        select(
            Appointment.id,
            Appointment.professional_id,
            Appointment.client_id,
            Professional.name.label("professional_name"),
            Professional.profession,
            Professional.timezone,
            Client.name.label("client_name"),
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.status,
            Appointment.payment_status,
            Appointment.price_cents,
            Appointment.currency,
            Appointment.notes,
            Appointment.cancelled_by,
            Appointment.cancellation_reason,
            Appointment.scheduled_at,
            Appointment.created_at,
            Appointment.updated_at,
            Professional.cancellation_notice_minutes,
            _moved_from(),
        )
        .join(Client, Client.id == Appointment.client_id)
        .join(Professional, Professional.id == Appointment.professional_id)
    )


def _view(row: Any) -> AppointmentView:
    fields = AppointmentView.__dataclass_fields__
    return AppointmentView(**{name: getattr(row, name) for name in fields})


async def load_context(
    uow: UnitOfWork, *, appointment_id: uuid.UUID, lock: bool = False
) -> BookingContext:
    """The appointment and its rules as the acting user sees them.

    `lock` holds the row to the end of the transaction: two changes to one booking
    then happen one after the other, never both on the same old state.
    """
    user_id = require_user(uow)
    query = (
        select(
            Appointment,
            Client.name,
            Client.user_id,
            Professional.name,
            Professional.user_id,
            Professional.timezone,
            Professional.auto_confirm,
            Professional.cancellation_notice_minutes,
        )
        .join(Client, Client.id == Appointment.client_id)
        .join(Professional, Professional.id == Appointment.professional_id)
        .where(Appointment.id == appointment_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=Appointment)
    row = (await uow.session.execute(query)).one_or_none()
    if row is None:
        raise BookingNotFound(appointment_id=appointment_id)
    appt, client_name, client_uid, pro_name, pro_uid, zone, auto_confirm, notice = row
    if uow.professional_id == appt.professional_id:
        side = PROFESSIONAL
    elif client_uid == user_id:
        side = CLIENT
    else:
        raise BookingNotFound(appointment_id=appointment_id)
    return BookingContext(
        appointment=appt,
        side=side,
        client_name=client_name,
        client_user_id=client_uid,
        professional_name=pro_name,
        professional_user_id=pro_uid,
        timezone=zone,
        auto_confirm=auto_confirm,
        policy=Policy(cancellation_notice_minutes=notice),
    )


async def get(uow: UnitOfWork, *, appointment_id: uuid.UUID) -> AppointmentView:
    """One appointment the acting user may see (their own as client or professional)."""
    row = (await uow.session.execute(_select().where(Appointment.id == appointment_id))).first()
    if row is None:
        raise BookingNotFound(appointment_id=appointment_id)
    return _view(row)


# Sessions that will not happen: still listed among the upcoming while their day is ahead.
_CALLED_OFF = (AppointmentStatus.cancelled, AppointmentStatus.declined)


async def my_bookings(
    uow: UnitOfWork, *, now: datetime, past_limit: int = 20
) -> tuple[list[BookingItem], list[BookingItem]]:
    """The acting user's bookings as a client across professionals: (upcoming, past).

    Upcoming ones come soonest first, past ones most recent first, each with what the
    client may still do (cancel until the deadline, review a completed session). A session
    still ahead that was cancelled or declined is upcoming, with nothing left to do: it
    is news about the days to come, not history.
    """
    user_id = require_user(uow)
    reviewed = exists().where(Review.appointment_id == Appointment.id)
    mine = _select().add_columns(reviewed.label("reviewed")).where(Client.user_id == user_id)
    upcoming = or_(
        and_(Appointment.status.in_(HOLDING_STATUSES), Appointment.ends_at > now),
        and_(Appointment.status.in_(_CALLED_OFF), Appointment.starts_at > now),
    )
    rows_up = await uow.session.execute(mine.where(upcoming).order_by(Appointment.starts_at))
    rows_past = await uow.session.execute(
        mine.where(~upcoming).order_by(Appointment.starts_at.desc()).limit(past_limit)
    )

    def item(row: Any) -> BookingItem:
        policy = Policy(cancellation_notice_minutes=row.cancellation_notice_minutes)
        actions = available_actions(
            row.status, side=CLIENT, starts_at=row.starts_at, now=now, policy=policy
        )
        holding = row.status in HOLDING_STATUSES
        return BookingItem(
            appointment=_view(row),
            actions=actions,
            cancel_deadline=policy.deadline(row.starts_at) if holding else None,
            can_review=row.status == AppointmentStatus.completed and not row.reviewed,
        )

    return [item(r) for r in rows_up], [item(r) for r in rows_past]


async def pending_requests(uow: UnitOfWork) -> list[AppointmentView]:
    """The acting professional's requests awaiting confirmation, soonest first."""
    pid = require_professional(uow)
    rows = await uow.session.execute(
        _select()
        .where(
            Appointment.professional_id == pid,
            Appointment.status == AppointmentStatus.pending_confirmation,
        )
        .order_by(Appointment.starts_at)
    )
    return [_view(r) for r in rows]


async def agenda(
    uow: UnitOfWork, *, first_day: date, last_day: date, now: datetime
) -> list[BookingItem]:
    """The acting professional's sessions of every status on their local days first..last.

    Each comes with the actions open now: complete / no-show once a session started.
    """
    pid = require_professional(uow)

    def local_midnight(day: date) -> Any:
        # timezone(zone, timestamp) reads a wall time in the joined professional's zone,
        # so their local midnights are resolved in the same statement.
        return func.timezone(Professional.timezone, cast(literal(day), TIMESTAMP))

    rows = await uow.session.execute(
        _select()
        .where(
            Appointment.professional_id == pid,
            Appointment.starts_at >= local_midnight(first_day),
            Appointment.starts_at < local_midnight(last_day + timedelta(days=1)),
        )
        .order_by(Appointment.starts_at)
    )
    out = []
    for row in rows:
        policy = Policy(cancellation_notice_minutes=row.cancellation_notice_minutes)
        actions = available_actions(
            row.status, side=PROFESSIONAL, starts_at=row.starts_at, now=now, policy=policy
        )
        out.append(BookingItem(appointment=_view(row), actions=actions))
    return out


async def cancellation_policy(
    uow: UnitOfWork, *, appointment_id: uuid.UUID, now: datetime
) -> PolicyView:
    """Whether the acting side may cancel or reschedule now, and until when."""
    ctx = await load_context(uow, appointment_id=appointment_id)
    actions = ctx.actions(now)
    a = ctx.appointment
    return PolicyView(
        appointment_id=a.id,
        side=ctx.side,
        status=a.status,
        starts_at=a.starts_at,
        notice_minutes=ctx.policy.cancellation_notice_minutes,
        deadline=ctx.policy.deadline(a.starts_at),
        binding=ctx.policy.binds(ctx.side),
        can_cancel=Action.cancel in actions,
        can_reschedule=Action.reschedule in actions,
    )


__all__ = [
    "AppointmentView",
    "BookingContext",
    "BookingItem",
    "PolicyView",
    "agenda",
    "cancellation_policy",
    "get",
    "load_context",
    "my_bookings",
    "pending_requests",
]
