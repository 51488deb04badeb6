"""Statements and time of list_free_slots as a professional's history grows.

Run: .venv/bin/python bench/bench_slot_queries.py [calls]
Uses DATABASE_URL, or the embedded PostgreSQL server; works in its own scratch
database (migrated to head, dropped at the end). For 10, 1,000 and 100,000
appointments (one every two hours, the last 30 days ahead, so mostly history) it
prints, for a client and for the professional, the SQL statements one call makes
and the median and p95 time of a whole unit of work listing the 60-day horizon.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as tod
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from core.db import migrate
from core.db.engine import app_url, make_engine, resolve
from core.db.observe import StatementLog
from core.db.uow import Database
from core.models import Availability, Client, Profession, Professional
from core.services import slots

SIZES = (10, 1_000, 100_000)
NOW = datetime(2026, 11, 25, 13, tzinfo=UTC)


async def seed(db: Database, owner: AsyncEngine, size: int) -> tuple[Professional, Client]:
    """A professional open 09:00-18:00 daily with `size` appointments of one client."""
    pro = Professional(
        user_id=10_000 + size,
        name=f"Bench {size}",
        profession=Profession.psychologist,
        slug=f"bench-{size}",
        timezone="America/Sao_Paulo",
        session_duration=50,
        min_notice_minutes=0,
    )
    async with db.system("bench") as uow:
        uow.session.add(pro)
        await uow.flush()
        cli = Client(professional_id=pro.id, user_id=20_000 + size, name="Client")
        uow.session.add(cli)
        uow.session.add_all(
            Availability(professional_id=pro.id, day_of_week=d, start_time=tod(9), end_time=tod(18))
            for d in range(7)
        )
        await uow.commit()
    async with owner.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO appointments (professional_id, client_id, starts_at, ends_at,"
                " status, price_cents, currency)"
                " SELECT :pid, :cid, s, s + interval '50 minutes',"
                " (CASE WHEN s < :now THEN 'completed' ELSE 'confirmed' END)::appointment_status,"
                " 0, 'BRL'"
                " FROM (SELECT CAST(:last AS timestamptz) - g * interval '2 hours' AS s"
                " FROM generate_series(0, :count - 1) AS g) AS starts"
            ),
            {
                "pid": pro.id,
                "cid": cli.id,
                "now": NOW,
                "last": NOW + timedelta(days=30),
                "count": size,
            },
        )
        await conn.execute(text("ANALYZE appointments"))
    return pro, cli


async def measure(
    db: Database, pro: Professional, user_id: int, calls: int
) -> tuple[int, list[float]]:
    """Statements of one call, and the seconds each of `calls` units of work took."""
    async with db.for_user(user_id) as uow:  # the driver's one-off type lookups: not counted
        await slots.list_free_slots(uow, professional_id=pro.id, now=NOW)
    async with StatementLog(db.engine) as statements:
        async with db.for_user(user_id) as uow:
            await slots.list_free_slots(uow, professional_id=pro.id, now=NOW)

    timings = []
    for _ in range(calls):
        t0 = time.perf_counter()
        async with db.for_user(user_id) as uow:
            await slots.list_free_slots(uow, professional_id=pro.id, now=NOW)
        timings.append(time.perf_counter() - t0)
    return len(statements), timings


async def run(server: URL, calls: int) -> None:
    name = f"bookingbot_bench_{os.getpid()}"
    admin = make_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    try:
        await migrate.upgrade(url)
        owner = make_engine(url)
        db = Database(make_engine(app_url(url, Settings())))
        print(f"list_free_slots over a 60-day horizon, {calls} calls each (whole unit of work)")
        header = ("appointments", "reader", "statements", "median ms", "p95 ms")
        print("{:>12} {:>12} {:>10} {:>10} {:>8}".format(*header))
        for size in SIZES:
            pro, cli = await seed(db, owner, size)
            for reader, user in (("client", cli.user_id), ("professional", pro.user_id)):
                count, timings = await measure(db, pro, user or 0, calls)
                timings.sort()
                median = statistics.median(timings) * 1000
                p95 = timings[int(0.95 * (len(timings) - 1))] * 1000
                print(f"{size:>12,} {reader:>12} {count:>10} {median:>10.2f} {p95:>8.2f}")
        await db.dispose()
        await owner.dispose()
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    """Run the benchmark and print its figures."""
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    target = resolve(Settings())
    asyncio.run(run(target.url, calls))


if __name__ == "__main__":
    main()
