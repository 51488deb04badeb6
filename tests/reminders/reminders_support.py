"""Shared helpers of the reminder and outbox tests: texts, people, due sessions in bulk."""

from __future__ import annotations

import itertools
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po, write_po
from sqlalchemy import insert, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.reminders_and_outbox.dispatcher import Dispatcher, Limiter
from core.db.uow import Database
from core.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Notification,
    Profession,
    Professional,
)
from emulator import BotApiEmulator
from tests import factories as f

TOKEN = "555000:REMINDERS"

ENGLISH = {
    "reminder.day_before": "Reminder: your session with {professional} is {when}.",
    "reminder.hour_before": "Your session with {professional} starts {when}.",
    "reminder.too_late_to_change": (
        "It is too late to cancel or reschedule here. If you cannot come, write to {professional}."
    ),
    "reminder.button.coming": "I'm coming",
    "reminder.button.reschedule": "Reschedule",
    "reminder.button.cancel": "Cancel",
    "notify.button.review": "Leave a review",
    "notify.when": "When: {when}",
    "agenda.morning": "Your sessions on {day}:",
    "agenda.line": "{start}–{end} {client}",
    "agenda.line_pending": "{start}–{end} {client} (awaiting your confirmation)",
    "notify.fallback.generic": "You have a new notification.",
    "notify.fallback.booking_requested": "You have a new booking request.",
    "notify.fallback.booking_confirmed": "Your booking is confirmed.",
    "notify.fallback.booking_declined": "Your booking request was declined.",
    "notify.fallback.booking_cancelled": "A booking was cancelled.",
    "notify.fallback.booking_rescheduled": "A booking was moved to another time.",
    "notify.fallback.booking_completed": "A session was marked as completed.",
    "notify.fallback.booking_no_show": "A session was marked as missed.",
    "notify.fallback.reminder_24h": "Reminder: you have a session tomorrow.",
    "notify.fallback.reminder_1h": "Reminder: your session starts soon.",
    "notify.fallback.new_message": "You have a new message.",
    "notify.fallback.review_request": "How was your session? Leave a review.",
    "notify.fallback.new_review": "You received a new review.",
    "notify.fallback.new_availability": "New times are open for booking.",
    "notify.fallback.morning_agenda": "Here is your agenda for today.",
    "notify.fallback.payment_received": "A payment was received.",
    "notify.fallback.recurring_skipped": "Some sessions of a series could not be booked.",
}
PORTUGUESE = {
    "reminder.day_before": "Lembrete: sua sessão com {professional} é {when}.",
    "reminder.hour_before": "Sua sessão com {professional} começa {when}.",
    "reminder.button.coming": "Vou comparecer",
    "reminder.button.reschedule": "Remarcar",
    "reminder.button.cancel": "Cancelar",
}
# A message id a test uses for a notification no catalogue knows.
UNKNOWN_MSGID = "test.no_such_text"
TEST_TEXTS = {"en": {**ENGLISH, "test.booking": "New request from {client_name} for {starts_at}."}}


def write_catalogues(source: Path, target: Path) -> None:
    """The repository's catalogues, completed with ours where they have no text."""
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("pending"))
    ours = {"en": TEST_TEXTS["en"], "pt_BR": PORTUGUESE, "es": {}}
    for locale, texts in ours.items():
        po = target / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for msgid, text in texts.items():
            existing = catalog.get(msgid)
            if existing is None:
                catalog.add(msgid, text)
            elif not existing.string:
                existing.string = text
                existing.flags.discard("fuzzy")
        with po.open("wb") as fh:
            write_po(fh, catalog)
        mo = po.with_suffix(".mo")
        if mo.exists():
            mo.unlink()


def make_bot(emu: BotApiEmulator, bot_class: type[Bot] = Bot, **kw: Any) -> Bot:
    """A Bot on the emulator with room for concurrent sends (a bare Bot has one connection)."""
    request = HTTPXRequest(connection_pool_size=32)
    return bot_class(emu.token, base_url=emu.base_url, request=request, **kw)


def fast_dispatcher(db: Database, bot: Bot, clock: Any, name: str, **kw: Any) -> Dispatcher:
    """A dispatcher whose own pacing does not slow a test (the emulator sets the limits)."""
    kw.setdefault("limiter", Limiter(rate=1e6, chat_rate=1e6))
    kw.setdefault("lease", timedelta(minutes=2))
    return Dispatcher(db, bot, clock, name, **kw)


@dataclass
class Pair:
    pro: Professional
    client: Client


_uids = itertools.count(7_000_001)


def next_uid() -> int:
    """A fresh Telegram user id, apart from the shared factories' range."""
    return next(_uids)


async def book(
    db: Database,
    pair: Pair,
    starts_at: datetime,
    *,
    scheduled_at: datetime,
    status: AppointmentStatus = AppointmentStatus.confirmed,
    minutes: int = 50,
) -> Appointment:
    """A session of `pair`, its time chosen at `scheduled_at`."""
    return await f.appointment(
        db,
        pair.pro,
        pair.client,
        starts_at,
        minutes=minutes,
        status=status,
        scheduled_at=scheduled_at,
    )


async def appointment_row(db: Database, appointment_id: uuid.UUID) -> Appointment:
    async with db.system("tests") as uow:
        row = await uow.session.get(Appointment, appointment_id)
        assert row is not None
        return row


async def notification_rows(db: Database) -> list[Notification]:
    async with db.system("tests") as uow:
        return list(
            await uow.session.scalars(select(Notification).order_by(Notification.created_at))
        )


async def many_due_reminders(
    db: Database, emu: BotApiEmulator, *, count: int, now: datetime, per_pro: int = 20
) -> list[int]:
    """`count` confirmed sessions owing their 24 h reminder now, each for another chat."""
    chats: list[int] = []
    async with db.system("tests") as uow:
        for first in range(0, count, per_pro):
            pro_uid = next(_uids)
            pro_id = uuid.uuid4()
            await uow.session.execute(
                insert(Professional).values(
                    id=pro_id,
                    user_id=pro_uid,
                    name=f"Pro {pro_uid}",
                    profession=Profession.psychologist,
                    slug=f"pro-{pro_uid}",
                    timezone="America/Sao_Paulo",
                    locale="en",
                    cancellation_notice_minutes=60,
                )
            )
            clients, sessions = [], []
            for k in range(min(per_pro, count - first)):
                uid = next(_uids)
                client_id = uuid.uuid4()
                clients.append(
                    {"id": client_id, "professional_id": pro_id, "user_id": uid, "name": f"C{uid}"}
                )
                starts = now + timedelta(hours=2, minutes=60 * k)
                sessions.append(
                    {
                        "professional_id": pro_id,
                        "client_id": client_id,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(minutes=50),
                        "status": AppointmentStatus.confirmed,
                        "scheduled_at": now - timedelta(days=3),
                    }
                )
                chats.append(uid)
            await uow.session.execute(insert(Client), clients)
            await uow.session.execute(insert(Appointment), sessions)
        await uow.commit()
    for uid in chats:
        emu.add_user(uid, f"C{uid}", started=True)
    return chats
