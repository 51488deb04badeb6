"""Time a unit of work's scope: open (BEGIN + the scope statement), one fixed read, close.

Run: .venv/bin/python bench/bench_scope.py [--rounds N]
Uses DATABASE_URL, or the embedded PostgreSQL server, in a scratch database (dropped at
the end), connecting as the bot does. Prints, for a client, a professional and the system
scope, the statements of one unit of work and the median microseconds to open one and to
open, read (`SELECT count(*) FROM professionals` through `fetch`) and close one.
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

from sqlalchemy import text

from core.config import Settings
from core.db import migrate
from core.db.engine import make_engine, resolve
from core.db.observe import StatementLog
from core.db.uow import Database
from core.models import Profession, Professional


async def run(rounds: int) -> None:
    target = resolve(Settings())
    server = target.url.set(database="postgres")
    name = f"bookingbot_bench_scope_{os.getpid()}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    try:
        await migrate.upgrade(url)
        runtime = target.app_url.set(database=name)  # as the bot connects
        print(f"connecting as {runtime.username}")
        db = Database(make_engine(runtime, pool_size=1, max_overflow=0))
        async with db.system("bench") as uow:
            uow.session.add(
                Professional(user_id=77, name="Bench", profession=Profession.tutor, slug="bench")
            )
            await uow.commit()
        cases = {
            "client (no professional)": lambda: db.for_user(88),
            "professional": lambda: db.for_user(77),
            "system": lambda: db.system("bench"),
        }
        for label, make in cases.items():
            async with StatementLog(db.engine) as log:
                async with make() as uow:
                    await uow.fetch("SELECT count(*) FROM professionals")
            for _ in range(200):  # warm: prepared statements, caches
                async with make() as uow:
                    await uow.fetch("SELECT count(*) FROM professionals")
            opens, fulls = [], []
            for _ in range(rounds):
                t0 = time.perf_counter()
                async with make() as uow:
                    t1 = time.perf_counter()
                    await uow.fetch("SELECT count(*) FROM professionals")
                t2 = time.perf_counter()
                opens.append((t1 - t0) * 1e6)
                fulls.append((t2 - t0) * 1e6)
            print(
                f"{label:26s} statements {len(log)};"
                f" open median {statistics.median(opens):6.0f} us;"
                f" open+read+close median {statistics.median(fulls):6.0f} us"
            )
        await db.dispose()
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3000)
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
