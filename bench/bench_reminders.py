"""Deliver 10,000 reminders due at once through the emulator enforcing Telegram's limits.

Run: .venv/bin/python bench/bench_reminders.py [--count 10000] [--dispatchers 1]
     [--batch 200] [--limit 30]

Each reminder is a confirmed session of a different client (one chat each), all owing
their 24 h reminder now. The emulator answers 429 beyond `--limit` messages per second
overall (burst of the same size, whole-second retry_after, as Telegram). Prints the
achieved rate as a fraction of the limit (goal: at least 0.9), the 429s, duplicates
and missing messages (goal: 0 each), and the total time. Runs on the embedded
PostgreSQL (or DATABASE_URL) in a scratch database dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.engine import URL
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.reminders_and_outbox.dispatcher import Dispatcher, DispatchStats, Limiter
from core.clock import system_clock
from core.config import Settings
from core.db import migrate
from core.db.engine import app_url, make_engine, resolve
from core.db.uow import Database
from core.models import Appointment, AppointmentStatus, Client, Profession, Professional
from emulator import BotApiEmulator, RateLimits

TOKEN = "909090:BENCH-REMINDERS"
PER_PROFESSIONAL = 20
FIRST_USER = 50_000_001


async def seed(db: Database, count: int) -> list[int]:
    """`count` sessions 2 to 21 hours from now, each of another client, all owing a reminder."""
    now = system_clock()
    chats: list[int] = []
    uid = FIRST_USER
    async with db.system("bench") as uow:
        for first in range(0, count, PER_PROFESSIONAL):
            pro_id = uuid.uuid4()
            await uow.session.execute(
                insert(Professional).values(
                    id=pro_id,
                    user_id=uid,
                    name=f"Pro {uid}",
                    profession=Profession.psychologist,
                    slug=f"pro-{uid}",
                    locale="en",
                )
            )
            uid += 1
            clients: list[dict[str, Any]] = []
            sessions: list[dict[str, Any]] = []
            for k in range(min(PER_PROFESSIONAL, count - first)):
                client_id = uuid.uuid4()
                clients.append(
                    {"id": client_id, "professional_id": pro_id, "user_id": uid, "name": f"C{uid}"}
                )
                starts = now + timedelta(hours=2 + k)
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
                uid += 1
            await uow.session.execute(insert(Client), clients)
            await uow.session.execute(insert(Appointment), sessions)
        await uow.commit()
    return chats


async def deliver(
    db: Database, emu: BotApiEmulator, dispatchers: int, batch: int, limit: float
) -> tuple[DispatchStats, float]:
    request = HTTPXRequest(connection_pool_size=64)
    # One limiter for all: they stand for one bot, and Telegram counts the bot's messages.
    limiter = Limiter(rate=limit * 29 / 30)
    total = DispatchStats()
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as bot:
        workers = [
            Dispatcher(
                db, bot, system_clock, f"bench-{i}", batch, timedelta(minutes=10), limiter=limiter
            )
            for i in range(dispatchers)
        ]

        async def drain(worker: Dispatcher) -> None:
            nonlocal total
            while True:
                stats = await worker.run_once()
                total += stats
                if stats.reminders == 0:
                    return

        started = time.perf_counter()
        await asyncio.gather(*(drain(w) for w in workers))
        return total, time.perf_counter() - started


async def run(server: URL, count: int, dispatchers: int, batch: int, limit: float) -> None:
    name = f"bookingbot_bench_reminders_{os.getpid()}"
    admin = make_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    limits = RateLimits(
        global_per_second=limit, global_burst=limit, chat_per_second=1, chat_burst=3
    )
    db: Database | None = None
    try:
        await migrate.upgrade(url)
        db = Database(make_engine(app_url(url, Settings()), pool_size=10, max_overflow=10))
        t0 = time.perf_counter()
        chats = await seed(db, count)
        print(f"seeded {count} due reminders in {time.perf_counter() - t0:.1f} s")
        async with BotApiEmulator(TOKEN, rate_limits=limits) as emu:
            for chat in chats:
                emu.add_user(chat, f"C{chat}", started=True)
            stats, seconds = await deliver(db, emu, dispatchers, batch, limit)
            received = [len(emu.chat(chat).bot_messages) for chat in chats]
            flood = emu.flood_rejections
        duplicates = sum(max(0, n - 1) for n in received)
        missing = sum(1 for n in received if n == 0)
        rate = sum(received) / seconds
        print(f"{dispatchers} dispatcher(s), batch {batch}, emulator limit {limit:g} msg/s")
        print(f"delivered {sum(received)} messages in {seconds:.1f} s: {rate:.2f} msg/s")
        print(f"rate / limit: {rate / limit:.3f} (goal >= 0.9)")
        print(f"429 answers: {flood} (dispatcher saw {stats.rate_limited})")
        print(f"duplicates: {duplicates}, missing: {missing} (goal 0)")
        print(f"retried {stats.retried}, failed {stats.failed}, lease lost {stats.lease_lost}")
        ok = rate / limit >= 0.9 and duplicates == 0 and missing == 0
        print("target:", "OK" if ok else "MISSED")
    finally:
        if db is not None:
            await db.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    """Parse the options, run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="reminders due at once")
    parser.add_argument("--dispatchers", type=int, default=1, help="dispatchers side by side")
    parser.add_argument("--batch", type=int, default=200, help="reminders claimed per pass")
    parser.add_argument("--limit", type=float, default=30.0, help="emulator msg/s overall")
    args = parser.parse_args()
    if args.count < 1 or args.dispatchers < 1 or args.batch < 1 or args.limit <= 0:
        parser.error("count, dispatchers, batch and limit must be positive")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bot.i18n").setLevel(logging.ERROR)  # texts not yet translated
    asyncio.run(run(resolve(Settings()).url, args.count, args.dispatchers, args.batch, args.limit))


if __name__ == "__main__":
    main()
