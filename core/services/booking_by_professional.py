"""A professional books a one-off session for one of their clients.

The session must fit the professional's schedule as any booking does (their hours, time
off, other sessions and the buffer; not in the past). The minimum notice and the booking
horizon are there to protect the professional from clients, and the limit on future
bookings to keep one client from holding too many times: none of them binds the
professional's own bookings. The session is confirmed at once (the professional chose
it), recorded as theirs (``booked_by``), and the client is told, like every change in
``core.services.booking``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.db.uow import UnitOfWork
from core.errors import N_, NotFound
from core.models import (
    Appointment,
    AppointmentStatus,
    Client,
    NotificationType,
    PaymentStatus,
    Professional,
    RecipientType,
)
from core.services.access import require_professional
from core.services.availability import slot_inputs
from core.services.booking import NOTES_MAX
from core.services.booking_errors import TextTooLong
from core.services.booking_queries import AppointmentView, get
from core.services.booking_rules import PROFESSIONAL, check_start
from core.services.notifications import notify

__all__ = ["book_for_client"]


async def book_for_client(
    uow: UnitOfWork,
    *,
    client_id: uuid.UUID,
    start: datetime,
    now: datetime,
    notes: str | None = None,
) -> AppointmentView:
    """The acting professional books a confirmed one-off session for their client."""
    pid = require_professional(uow)
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    start = start.astimezone(UTC)
    notes = notes.strip() if notes and notes.strip() else None
    if notes is not None and len(notes) > NOTES_MAX:
        raise TextTooLong(field="notes", max=NOTES_MAX)
    client = await uow.session.scalar(
        select(Client).where(Client.id == client_id, Client.professional_id == pid)
    )
    pro = await uow.session.get(Professional, pid)
    if client is None or pro is None:
        raise NotFound(entity="client")
    day = start.astimezone(ZoneInfo(pro.timezone)).date()
    inputs = await slot_inputs(uow, professional_id=pid, first_day=day, last_day=day)
    check_start(start, now=now, inputs=inputs, side=PROFESSIONAL)
    appt = Appointment(
        id=uuid.uuid4(),
        professional_id=pid,
        client_id=client.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=inputs.session_minutes),
        status=AppointmentStatus.confirmed,
        payment_status=PaymentStatus.none,
        price_cents=pro.price_cents,
        currency=pro.currency,
        notes=notes,
        scheduled_at=now,
        reminder_sent_24h=False,
        reminder_sent_1h=False,
        booked_by=PROFESSIONAL,
    )
    # In a savepoint, as in booking.request: a lost race keeps the transaction usable.
    async with uow.savepoint():
        uow.session.add(appt)
    await notify(
        uow,
        recipient_id=client.user_id,
        recipient_type=RecipientType.client,
        professional_id=pid,
        type=NotificationType.booking_confirmed,
        msgid=N_("notify.booking_made_by_professional"),
        params={
            "client_name": client.name,
            "professional_name": pro.name,
            "starts_at": appt.starts_at,
            "ends_at": appt.ends_at,
        },
        appointment_id=appt.id,
    )
    return await get(uow, appointment_id=appt.id)
