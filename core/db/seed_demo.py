"""The demo seed: a small, realistic practice for each demo professional, relative to `now`.

Every row has a fixed id and is inserted with ON CONFLICT DO NOTHING, so seeding again
changes nothing (rows a demo user has since changed are left as they are). Rows go in
through the system scope, so row-level security and the audit trigger are exercised.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as pg_insert

from core.models import (
    Appointment,
    AppointmentStatus,
    Availability,
    Base,
    Client,
    ClientNote,
    ExtraAvailability,
    Follow,
    Frequency,
    Message,
    MessageSender,
    Notification,
    NotificationType,
    PaymentStatus,
    PaymentType,
    Professional,
    RecipientType,
    RecurringSchedule,
    Review,
    TelegramUser,
    TimeOff,
)

from .seed_demo_data import (
    DEMO_FOLLOWER,
    DEMO_PROFESSIONALS,
    DemoClient,
    DemoProfessional,
    demo_uuid,
)
from .uow import Database

S = AppointmentStatus

# One-off sessions: (key, client index, days from today, index into `hours`, status).
# Days move away from today to the professional's next working day.
_SESSIONS: tuple[tuple[str, int, int, int, AppointmentStatus], ...] = (
    ("completed-1", 0, -14, 0, S.completed),
    ("completed-2", 1, -9, 1, S.completed),
    ("no-show", 2, -5, 2, S.no_show),
    ("confirmed-1", 1, 1, 3, S.confirmed),
    ("pending", 2, 2, 4, S.pending_confirmation),
    ("cancelled", 0, 3, 5, S.cancelled),
    ("declined", 1, 4, 6, S.declined),
    ("confirmed-hand-added", 3, 6, 5, S.confirmed),
)
_RECURRING_HOUR = 7  # index into `hours`, kept free of one-off sessions
_RECURRING_WEEKS = range(-2, 3)  # two past occurrences, three to come
_SEED_ORDER = (
    TelegramUser,
    Professional,
    Availability,
    ExtraAvailability,
    TimeOff,
    Client,
    ClientNote,
    RecurringSchedule,
    Appointment,
    Review,
    Message,
    Notification,
    Follow,
)


@dataclass(frozen=True)
class SeedReport:
    """Rows inserted per table by this run (all zero when the demo was already there)."""

    inserted: dict[str, int]
    professional_ids: tuple[uuid.UUID, ...]

    @property
    def total(self) -> int:
        return sum(self.inserted.values())

    def __str__(self) -> str:
        rows = ", ".join(f"{table} {n}" for table, n in self.inserted.items() if n)
        return f"demo seed: {self.total} rows inserted" + (f" ({rows})" if rows else "")


@dataclass
class _Rows:
    by_model: dict[type[Base], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model: type[Base], **values: Any) -> None:
        self.by_model.setdefault(model, []).append(values)


async def seed_demo(db: Database, *, now: datetime) -> SeedReport:
    """Insert the demo practices (idempotent: fixed ids, existing rows left alone)."""
    rows = _Rows()
    _people(rows)
    for pro in DEMO_PROFESSIONALS:
        _practice(rows, pro, now)
    inserted: dict[str, int] = {}
    async with db.system("seed") as uow:
        for model in _SEED_ORDER:
            table = model.__table__
            key = next(iter(table.primary_key.columns))  # type: ignore[attr-defined]
            inserted[table.name] = 0  # type: ignore[attr-defined]
            # A multi-row VALUES needs the same columns in every row: one statement per shape.
            shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for values in rows.by_model.get(model, []):
                shapes.setdefault(tuple(sorted(values)), []).append(values)
            for batch in shapes.values():
                stmt = pg_insert(model).values(batch).on_conflict_do_nothing().returning(key)
                result = await uow.session.execute(stmt)
                inserted[table.name] += len(result.all())  # type: ignore[attr-defined]
        await uow.commit()
    return SeedReport(inserted, tuple(p.id for p in DEMO_PROFESSIONALS))


def _people(rows: _Rows) -> None:
    seen: set[int] = set()
    people: list[tuple[int, str, str, str]] = [
        (p.user_id, p.name, p.locale, p.timezone) for p in DEMO_PROFESSIONALS
    ]
    clients: Sequence[DemoClient] = [c for p in DEMO_PROFESSIONALS for c in p.clients]
    for c in [*clients, DEMO_FOLLOWER]:
        if c.user_id is not None:
            people.append((c.user_id, c.name, c.locale, c.timezone))
    for user_id, name, locale, tz in people:
        if user_id in seen:
            continue
        seen.add(user_id)
        first = name.removeprefix("Dra. ").split()[0]
        rows.add(
            TelegramUser,
            user_id=user_id,
            first_name=first,
            username=f"demo_{first.lower()}_{user_id % 1000}",
            language_code=locale.split("_")[0],
            locale=locale,
            timezone=tz,
        )


def _local_day(pro: DemoProfessional, today: date, days: int) -> date:
    """`days` from today, moved away from today to the next day the professional works."""
    step = 1 if days >= 0 else -1
    day = today + timedelta(days=days)
    while (day.weekday() + 1) % 7 not in pro.workdays:
        day += timedelta(days=step)
    return day


def _at(pro: DemoProfessional, day: date, hour_index: int) -> datetime:
    tz = ZoneInfo(pro.timezone)
    return datetime.combine(day, pro.hours[hour_index], tzinfo=tz).astimezone(ZoneInfo("UTC"))


def _practice(rows: _Rows, pro: DemoProfessional, now: datetime) -> None:
    tz = ZoneInfo(pro.timezone)
    today = now.astimezone(tz).date()
    _profile(rows, pro, today)
    client_ids = [demo_uuid("client", f"{pro.slug}:{i}") for i in range(len(pro.clients))]
    for i, c in enumerate(pro.clients):
        rows.add(
            Client,
            id=client_ids[i],
            professional_id=pro.id,
            user_id=c.user_id,
            name=c.name,
            phone=c.phone,
            invite_token=c.invite_token,
        )
        if c.note:
            rows.add(
                ClientNote,
                id=demo_uuid("client_note", f"{pro.slug}:{i}"),
                professional_id=pro.id,
                client_id=client_ids[i],
                content=c.note,
            )
    sessions = _sessions(rows, pro, now, today, client_ids)
    rows.add(
        Review,
        id=demo_uuid("review", pro.slug),
        professional_id=pro.id,
        client_id=client_ids[0],
        appointment_id=sessions["completed-1"][0],
        rating=5,
        comment=pro.texts["review"],
    )
    # A short conversation; the client's last message is still unread.
    chat = (
        (MessageSender.client, "msg_client_1", timedelta(days=2), True),
        (MessageSender.professional, "msg_pro", timedelta(days=1, hours=22), True),
        (MessageSender.client, "msg_client_2", timedelta(hours=3), False),
    )
    for n, (sender, text_key, ago, read) in enumerate(chat):
        rows.add(
            Message,
            id=demo_uuid("message", f"{pro.slug}:{n}"),
            professional_id=pro.id,
            client_id=client_ids[0],
            sender=sender,
            content=pro.texts[text_key],
            read_at=now - ago + timedelta(minutes=5) if read else None,
            created_at=now - ago,
        )
    _news(rows, pro, sessions, now)
    # Someone not yet a client follows each practice.
    rows.add(
        Follow,
        id=demo_uuid("follow", f"{pro.slug}:{DEMO_FOLLOWER.user_id}"),
        professional_id=pro.id,
        user_id=DEMO_FOLLOWER.user_id,
    )


def _profile(rows: _Rows, pro: DemoProfessional, today: date) -> None:
    """The professional's row, weekly and extra windows, and a day off."""
    settings: dict[str, Any] = {
        "buffer_minutes": 10,
        "min_notice_minutes": 120,
        "cancellation_notice_minutes": 1440,
        **pro.settings,
    }
    rows.add(
        Professional,
        id=pro.id,
        user_id=pro.user_id,
        name=pro.name,
        profession=pro.profession,
        slug=pro.slug,
        bio=pro.bio,
        welcome_message=pro.welcome_message,
        session_duration=pro.session_minutes,
        price_cents=pro.price_cents,
        currency=pro.currency,
        timezone=pro.timezone,
        locale=pro.locale,
        **settings,
    )
    for day, start, end in pro.windows:
        rows.add(
            Availability,
            id=demo_uuid("availability", f"{pro.slug}:{day}:{start}"),
            professional_id=pro.id,
            day_of_week=day,
            start_time=start,
            end_time=end,
        )
    # A one-off extra window on a day off, a week or so ahead.
    extra_day = today + timedelta(days=7)
    while (extra_day.weekday() + 1) % 7 in pro.workdays:
        extra_day += timedelta(days=1)
    rows.add(
        ExtraAvailability,
        id=demo_uuid("extra_availability", pro.slug),
        professional_id=pro.id,
        day=extra_day,
        start_time=pro.windows[0][1],
        end_time=pro.windows[0][2],
    )
    tz = ZoneInfo(pro.timezone)
    off_day = _local_day(pro, today, 11)  # clear of every demo session
    rows.add(
        TimeOff,
        id=demo_uuid("time_off", pro.slug),
        professional_id=pro.id,
        starts_at=datetime.combine(off_day, time(0), tzinfo=tz),
        ends_at=datetime.combine(off_day + timedelta(days=1), time(0), tzinfo=tz),
        reason=pro.texts["time_off"],
    )


def _sessions(
    rows: _Rows, pro: DemoProfessional, now: datetime, today: date, client_ids: list[uuid.UUID]
) -> dict[str, tuple[uuid.UUID, datetime]]:
    """One-off sessions in every status, and a weekly series; returns id and start by key."""
    made: dict[str, tuple[uuid.UUID, datetime]] = {}
    paid_after = pro.settings.get("payment_type") == PaymentType.after_session

    def session(key: str, client: int, starts_at: datetime, status: S, **extra: Any) -> None:
        aid = demo_uuid("appointment", f"{pro.slug}:{key}")
        rows.add(
            Appointment,
            id=aid,
            professional_id=pro.id,
            client_id=client_ids[client],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=pro.session_minutes),
            status=status,
            payment_status=(
                PaymentStatus.paid if paid_after and status == S.completed else PaymentStatus.none
            ),
            price_cents=pro.price_cents,
            currency=pro.currency,
            reminder_sent_24h=starts_at - now <= timedelta(hours=24),
            reminder_sent_1h=starts_at - now <= timedelta(hours=1),
            scheduled_at=min(starts_at, now) - timedelta(days=3),
            **extra,
        )
        made[key] = (aid, starts_at)

    refusals = {
        S.cancelled: (RecipientType.client, "cancel_reason"),
        S.declined: (RecipientType.professional, "decline_reason"),
    }
    for key, client, days, hour, status in _SESSIONS:
        extra: dict[str, Any] = {}
        if status in refusals:
            by, reason = refusals[status]
            extra = {"cancelled_by": by, "cancellation_reason": pro.texts[reason]}
        session(key, client, _at(pro, _local_day(pro, today, days), hour), status, **extra)

    # A weekly series with the first client: each occurrence is its own appointment.
    first = _local_day(pro, today, 1)
    schedule_id = demo_uuid("recurring_schedule", pro.slug)
    rows.add(
        RecurringSchedule,
        id=schedule_id,
        professional_id=pro.id,
        client_id=client_ids[0],
        frequency=Frequency.weekly,
        day_of_week=(first.weekday() + 1) % 7,
        time=pro.hours[_RECURRING_HOUR],
        starts_on=first + timedelta(weeks=_RECURRING_WEEKS[0]),
        materialized_until=first + timedelta(weeks=_RECURRING_WEEKS[-1]),
    )
    for week in _RECURRING_WEEKS:
        starts_at = _at(pro, first + timedelta(weeks=week), _RECURRING_HOUR)
        status = S.completed if starts_at < now else S.confirmed
        session(f"weekly:{week}", 0, starts_at, status, recurring_schedule_id=schedule_id)
    return made


def _news(
    rows: _Rows,
    pro: DemoProfessional,
    sessions: dict[str, tuple[uuid.UUID, datetime]],
    now: datetime,
) -> None:
    """Notifications already delivered (starting the demo must not replay old news)."""
    to_pro, to_client = RecipientType.professional, RecipientType.client
    T = NotificationType
    clients = pro.clients
    news = (  # key, recipient, side, type, session, read, hours ago, params
        ("requested", pro.user_id, to_pro, T.booking_requested, "pending", False, 5,
         {"client": clients[2].name}),
        ("confirmed", clients[1].user_id, to_client, T.booking_confirmed, "confirmed-1", True, 24,
         {"professional": pro.name}),
        ("cancelled", pro.user_id, to_pro, T.booking_cancelled, "cancelled", True, 20,
         {"client": clients[0].name, "reason": pro.texts["cancel_reason"]}),
        ("declined", clients[1].user_id, to_client, T.booking_declined, "declined", False, 2,
         {"professional": pro.name, "reason": pro.texts["decline_reason"]}),
        ("review", pro.user_id, to_pro, T.new_review, "completed-1", False, 240,
         {"client": clients[0].name, "rating": 5}),
    )  # fmt: skip
    for key, recipient, side, type_, session, read, hours, params in news:
        if recipient is None:
            continue
        appointment_id, starts_at = sessions[session]
        at = now - timedelta(hours=hours)
        rows.add(
            Notification,
            id=demo_uuid("notification", f"{pro.slug}:{key}"),
            recipient_id=recipient,
            recipient_type=side,
            professional_id=pro.id,
            appointment_id=appointment_id,
            type=type_,
            msgid=f"notify.{type_.value}",
            params={**params, "when": starts_at.isoformat()},
            read=read,
            sent_at=at,
            attempts=1,
            next_attempt_at=at,
            created_at=at,
        )
