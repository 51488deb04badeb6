"""What checking pooled connections costs a unit of work: none, ours, SQLAlchemy's pre-ping.

Run: .venv/bin/python bench/bench_pool_check.py [--units 3000] [--rounds 5]

Each unit of work is the hot path's smallest: a user scope entered (one statement), one
``fetch`` through the driver, closed. Three engines on the same database, in interleaved
rounds: no check at all; ours (``core.db.engine.drop_closed_connections``: a flag the
driver keeps, read at checkout); and ``pool_pre_ping=True`` (a round trip at checkout).
Prints the median microseconds per unit of work of each, and what each costs over none.
Uses DATABASE_URL, or the embedded PostgreSQL server, in a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.config import Settings
from core.db import migrate
from core.db.engine import make_engine, resolve
from core.db.uow import Database


def _unchecked(url: URL, **options: object) -> AsyncEngine:
    engine = make_engine(url, **options)
    # make_engine always installs our check: take it off again for the baseline.
    listeners = list(engine.sync_engine.pool.dispatch.checkout)
    for listener in listeners:
        event.remove(engine.sync_engine, "checkout", listener)
    return engine


async def units(db: Database, count: int) -> float:
    """Microseconds per unit of work, `count` of them one after another."""
    started = time.perf_counter()
    for _ in range(count):
        async with db.for_user(42) as uow:
            await uow.fetch("SELECT 1")
    return (time.perf_counter() - started) / count * 1e6


async def run(server: URL, count: int, rounds: int) -> None:
    name = f"bookingbot_bench_pool_{os.getpid()}"
    admin = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    try:
        await migrate.upgrade(url)
        engines = {
            "no check": Database(_unchecked(url)),
            "driver flag (ours)": Database(make_engine(url)),
            "pool_pre_ping": Database(make_engine(url, pool_pre_ping=True)),
        }
        assert not engines["no check"].engine.sync_engine.pool.dispatch.checkout
        for db in engines.values():
            await units(db, 200)  # warm the pool and the caches
        results: dict[str, list[float]] = {label: [] for label in engines}
        for _ in range(rounds):
            for label, db in engines.items():
                results[label].append(await units(db, count))
        base = statistics.median(results["no check"])
        print(f"{count} units of work per round, {rounds} interleaved rounds; median per unit:")
        for label, figures in results.items():
            median = statistics.median(figures)
            print(f"  {label:<20} {median:8.1f} µs  ({median - base:+6.1f} µs over no check)")
        for db in engines.values():
            await db.dispose()
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(resolve(Settings()).url, args.units, args.rounds))


if __name__ == "__main__":
    main()
