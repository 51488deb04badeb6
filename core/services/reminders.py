"""Reminders before a session and the professional's morning agenda: when each is owed, and
claiming them for delivery exactly once.

The appointment's ``reminder_sent_24h`` / ``reminder_sent_1h`` flags are the truth; no
job lives in memory. :func:`due_reminder` is the rule; :func:`claim_due_reminders`
asks PostgreSQL the same question (the SQL mirrors the rule, so that ``LIMIT`` never
fills a batch with rows that are not due) and leases what it finds, exactly like the
notifications outbox (see ``core.services.outbox``).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Row, and_, extract, func, literal, not_, or_, select, update
from sqlalchemy.orm import aliased

from core.db.uow import UnitOfWork
from core.errors import N_
from core.models import (
    Appointment,
    AppointmentStatus,
    Client,
    NotificationType,
    Professional,
    RecipientType,
    TelegramUser,
)
from core.services.notifications import notify
from core.services.outbox import MAX_ATTEMPTS, Reader, backoff, require_system

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)
AGENDA_MSGID = N_("agenda.morning")
AGENDA_STATUSES = (AppointmentStatus.confirmed, AppointmentStatus.pending_confirmation)


class ReminderKind(enum.StrEnum):
    day_before = "24h"
    hour_before = "1h"


@dataclass(frozen=True)
class ReminderState:
    """The facts of an appointment the reminder rule reads."""

    starts_at: datetime
    status: AppointmentStatus
    scheduled_at: datetime
    sent_24h: bool
    sent_1h: bool


@dataclass(frozen=True)
class Due:
    """The reminder to send now; `settles_day_before` marks the 24 h one done as well."""

    kind: ReminderKind
    settles_day_before: bool = False


def owes_day_before(state: ReminderState) -> bool:
    """A 24 h reminder is owed only for a time chosen more than 24 h ahead."""
    return state.scheduled_at <= state.starts_at - DAY


def due_reminder(state: ReminderState, now: datetime) -> Due | None:
    """The reminder owed at `now`, if any: late is better than never, but not after the start."""
    if state.status is not AppointmentStatus.confirmed or now >= state.starts_at:
        return None
    if not state.sent_1h and now >= state.starts_at - HOUR:
        # Both owed late (the bot was down until 50 minutes before): two reminders a
        # minute apart are noise, so the 1 h one goes alone and settles the 24 h one.
        return Due(ReminderKind.hour_before, settles_day_before=not state.sent_24h)
    if not state.sent_24h and owes_day_before(state) and now >= state.starts_at - DAY:
        return Due(ReminderKind.day_before)
    return None


def _due_in_sql(now: datetime) -> Any:
    """`due_reminder` as a WHERE clause, spelled (NOT flag) so that the partial index
    ix_appointments_reminders_due, whose predicate it implies, serves it."""
    a = Appointment
    owes_24h, owes_1h = not_(a.reminder_sent_24h), not_(a.reminder_sent_1h)
    return and_(
        a.status == AppointmentStatus.confirmed,
        or_(owes_24h, owes_1h),
        a.starts_at > now,
        a.starts_at <= now + DAY,
        or_(
            and_(owes_1h, a.starts_at <= now + HOUR),
            and_(owes_24h, a.scheduled_at <= a.starts_at - DAY),
        ),
    )


@dataclass(frozen=True)
class ReminderJob:
    """One claimed reminder with what rendering and sending it needs."""

    appointment_id: uuid.UUID
    due: Due
    starts_at: datetime
    ends_at: datetime
    attempts: int
    claimed_until: datetime
    # None: a client added by hand who never opened the bot; nobody to remind.
    client_user_id: int | None
    client_name: str
    reader: Reader | None
    professional_id: uuid.UUID
    professional_name: str
    professional_timezone: str
    professional_locale: str
    cancellation_notice_minutes: int

    @property
    def kind(self) -> ReminderKind:
        return self.due.kind


async def claim_due_reminders(
    uow: UnitOfWork, *, now: datetime, worker_id: str, lease: timedelta, limit: int
) -> list[ReminderJob]:
    """Lease up to `limit` due reminders to `worker_id`, soonest session first (then commit)."""
    require_system(uow)
    a = Appointment
    candidates = (
        select(a.id)
        .where(
            _due_in_sql(now),
            or_(a.reminder_claimed_until.is_(None), a.reminder_claimed_until <= now),
        )
        .order_by(a.starts_at, a.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    until = now + lease
    claimed = (
        await uow.session.execute(
            update(a)
            .where(a.id.in_(candidates.scalar_subquery()))
            .values(reminder_claimed_by=worker_id, reminder_claimed_until=until)
            .returning(a.id)
            .execution_options(synchronize_session=False)
        )
    ).scalars()
    ids = list(claimed)
    if not ids:
        return []
    jobs: list[ReminderJob] = []
    stray: list[uuid.UUID] = []
    for row in await _job_rows(uow, ids):
        job = _job(row, now, until)
        if job is None:
            stray.append(row[0].id)
        else:
            jobs.append(job)
    # The SQL mirrors the rule; should they ever disagree, the rule wins and the row waits.
    await release_reminders(uow, appointment_ids=stray, worker_id=worker_id)
    return jobs


async def _job_rows(uow: UnitOfWork, ids: list[uuid.UUID]) -> list[Row[Any]]:
    a, c, p, u = Appointment, Client, Professional, aliased(TelegramUser)
    result = await uow.session.execute(
        select(
            a,
            c.user_id,
            c.name,
            p.name,
            p.timezone,
            p.locale,
            p.cancellation_notice_minutes,
            u.locale,
            u.language_code,
            u.timezone,
            u.unreachable_at,
        )
        .join(c, c.id == a.client_id)
        .join(p, p.id == a.professional_id)
        .outerjoin(u, u.user_id == c.user_id)
        .where(a.id.in_(ids))
        .order_by(a.starts_at, a.id)
    )
    return list(result)


def _job(row: Row[Any], now: datetime, until: datetime) -> ReminderJob | None:
    appt, user_id, c_name, p_name, p_tz, p_locale, notice, locale, lang, tz, unreachable = row
    state = ReminderState(
        appt.starts_at,
        appt.status,
        appt.scheduled_at,
        appt.reminder_sent_24h,
        appt.reminder_sent_1h,
    )
    due = due_reminder(state, now)
    if due is None:
        return None
    return ReminderJob(
        appointment_id=appt.id,
        due=due,
        starts_at=appt.starts_at,
        ends_at=appt.ends_at,
        attempts=appt.reminder_attempts,
        claimed_until=until,
        client_user_id=user_id,
        client_name=c_name,
        reader=None
        if user_id is None
        else Reader(user_id, locale, lang, tz, unreachable is not None),
        professional_id=appt.professional_id,
        professional_name=p_name,
        professional_timezone=p_tz,
        professional_locale=p_locale,
        cancellation_notice_minutes=notice,
    )


def _claimed(job: ReminderJob, worker_id: str) -> Any:
    # The start is part of the match: a session moved while its reminder was in flight
    # owes reminders for the new time, which marking the old one's would swallow.
    a = Appointment
    return and_(
        a.id == job.appointment_id,
        a.reminder_claimed_by == worker_id,
        a.starts_at == job.starts_at,
    )


async def mark_reminder_done(uow: UnitOfWork, *, job: ReminderJob, worker_id: str) -> bool:
    """Record the reminder as sent (or as not sendable); False if the lease was lost."""
    require_system(uow)
    values: dict[str, Any] = {
        "reminder_claimed_by": None,
        "reminder_claimed_until": None,
        "reminder_attempts": 0,
    }
    if job.kind is ReminderKind.hour_before:
        values["reminder_sent_1h"] = True
    if job.kind is ReminderKind.day_before or job.due.settles_day_before:
        values["reminder_sent_24h"] = True
    result = await uow.session.execute(
        update(Appointment)
        .where(_claimed(job, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    await release_reminders(uow, appointment_ids=[job.appointment_id], worker_id=worker_id)
    return False


async def retry_reminder_later(
    uow: UnitOfWork,
    *,
    job: ReminderJob,
    worker_id: str,
    now: datetime,
    max_attempts: int = MAX_ATTEMPTS,
) -> datetime | None:
    """Hold a failed reminder back until its retry time; None: out of attempts, now settled.

    A reminder stops being due at the session's start anyway; the caller logs a
    reminder given up at ERROR.
    """
    require_system(uow)
    attempts = job.attempts + 1
    if attempts >= max_attempts:
        await mark_reminder_done(uow, job=job, worker_id=worker_id)
        return None
    retry_at = now + backoff(attempts)
    # Nobody holds the lease, but it keeps the row unclaimable until the retry time.
    await uow.session.execute(
        update(Appointment)
        .where(Appointment.id == job.appointment_id, Appointment.reminder_claimed_by == worker_id)
        .values(
            reminder_claimed_by=None,
            reminder_claimed_until=retry_at,
            reminder_attempts=attempts,
        )
        .execution_options(synchronize_session=False)
    )
    return retry_at


async def release_reminders(
    uow: UnitOfWork, *, appointment_ids: list[uuid.UUID], worker_id: str
) -> int:
    """Give back leased reminders unsent (a worker stopping), claimable again at once."""
    require_system(uow)
    if not appointment_ids:
        return 0
    result = await uow.session.execute(
        update(Appointment)
        .where(
            Appointment.id.in_(appointment_ids),
            Appointment.reminder_claimed_by == worker_id,
        )
        .values(reminder_claimed_by=None, reminder_claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- the morning agenda ----------------------------------------------------------------


def agenda_day_due(
    *, now: datetime, timezone: str, hour: int | None, sent_on: date | None
) -> date | None:
    """The local day whose agenda is owed at `now` (once a day, from `hour` on), or None."""
    if hour is None:
        return None
    local = now.astimezone(ZoneInfo(timezone))
    if local.hour < hour or (sent_on is not None and sent_on >= local.date()):
        return None
    return local.date()


def _local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


async def queue_morning_agendas(uow: UnitOfWork, *, now: datetime, limit: int = 50) -> int:
    """Queue today's agenda for professionals past their chosen hour; returns how many.

    The day is recorded in the same transaction as the outbox row, so each agenda is
    queued once however many dispatchers run; a day without sessions sends nothing.
    """
    require_system(uow)
    p = Professional
    local_now = func.timezone(p.timezone, literal(now, DateTime(timezone=True)))
    rows = await uow.session.scalars(
        select(p)
        .where(
            p.morning_agenda_hour.is_not(None),
            p.active.is_(True),
            extract("hour", local_now) >= p.morning_agenda_hour,
            or_(
                p.morning_agenda_sent_on.is_(None), p.morning_agenda_sent_on < func.date(local_now)
            ),
        )
        .order_by(p.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    queued = 0
    for pro in list(rows):
        day = agenda_day_due(
            now=now,
            timezone=pro.timezone,
            hour=pro.morning_agenda_hour,
            sent_on=pro.morning_agenda_sent_on,
        )
        if day is None:
            continue
        pro.morning_agenda_sent_on = day
        sessions = await _day_sessions(uow, pro, day)
        if sessions:
            await notify(
                uow,
                recipient_id=pro.user_id,
                recipient_type=RecipientType.professional,
                professional_id=pro.id,
                type=NotificationType.morning_agenda,
                msgid=AGENDA_MSGID,
                params={"day": day.isoformat(), "count": len(sessions), "sessions": sessions},
            )
            queued += 1
    await uow.flush()
    return queued


async def _day_sessions(uow: UnitOfWork, pro: Professional, day: date) -> list[dict[str, Any]]:
    start, end = _local_day_bounds(day, pro.timezone)
    a, c = Appointment, Client
    rows = await uow.session.execute(
        select(a.starts_at, a.ends_at, a.status, c.name)
        .join(c, c.id == a.client_id)
        .where(
            a.professional_id == pro.id,
            a.status.in_(AGENDA_STATUSES),
            a.starts_at >= start,
            a.starts_at < end,
        )
        .order_by(a.starts_at)
    )
    return [
        {
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "client_name": name,
            "pending": status is AppointmentStatus.pending_confirmation,
        }
        for starts_at, ends_at, status, name in rows
    ]
