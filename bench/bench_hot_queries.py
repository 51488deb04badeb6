"""Time the three hottest queries on a scale-seeded scratch database, and show their plans.

Run: .venv/bin/python bench/bench_hot_queries.py [--scale 1] [--runs 25] [--keep]

Creates a scratch database on the DATABASE_URL server (else the embedded one),
migrates it, loads `seed_scale` (scale 1: 10k professionals, 1M appointments), then
times, as the app would run them (under the same roles and row-level security):
  (a) the free-slot inputs of one professional over 60 days, as a client booking: the one
      statement of core.services.availability.slot_inputs (settings, weekly and extra
      windows, busy_intervals()), whose busy-time part is explained from the function's body;
  (b) one professional's week agenda: appointments joined with clients;
  (c) the reminders due in the next minute across all professionals (system scope);
  (d) the reminder dispatcher's actual claim query (due in the next day, late ones too).
Prints each query's median and p95 over --runs, the indexes its plan uses, and its
EXPLAIN (ANALYZE, BUFFERS). The scratch database is dropped unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.config import Settings
from core.db import migrate
from core.db.engine import make_engine, resolve
from core.db.roles import APP_ROLE, DEFINER_ROLE, SYSTEM_ROLE
from core.db.seed import seed_scale
from core.services.availability import SLOT_INPUTS_PUBLIC_SQL


@dataclass(frozen=True)
class Query:
    label: str
    sql: str
    # What EXPLAIN shows: a SQL function's body is planned apart, so it is explained inline,
    # as the function's owner (the definer role) runs it.
    explain_sql: str | None = None
    explain_role: str | None = None
    timed: bool = True  # False: only explained (a part of a timed statement)


# The statement slot_inputs sends, its $n placeholders named for text().
_NAMES = {"1": "pro", "2": "day0", "3": "day1", "4": "now", "5": "horizon"}
INPUTS = Query(
    "slot inputs",
    re.sub(
        r"\$(\d)::(\w+)",
        lambda m: f"CAST(:{_NAMES[m.group(1)]} AS {m.group(2)})",
        SLOT_INPUTS_PUBLIC_SQL,
    ),
)
BUSY = Query(
    "busy_intervals()",
    "SELECT starts_at, ends_at FROM busy_intervals(:pro, :now, :horizon)",
    # The function's body (migrations 0003, 0005), so the plan shows the indexes it reaches.
    "SELECT a.starts_at, a.ends_at, false FROM appointments a WHERE a.professional_id = :pro"
    " AND a.status IN ('pending_confirmation', 'confirmed')"
    " AND a.starts_at < :horizon AND a.ends_at > :now"
    " AND a.starts_at > CAST(:now AS timestamptz) - interval '1 day'"
    " UNION ALL SELECT t.starts_at, t.ends_at, true FROM time_off t"
    " WHERE t.professional_id = :pro"
    " AND t.starts_at < :horizon AND t.ends_at > :now ORDER BY 1",
    DEFINER_ROLE,
    timed=False,
)
AGENDA = Query(
    "week agenda",
    "SELECT a.id, a.starts_at, a.ends_at, a.status, a.payment_status, c.id AS client_id,"
    " c.name, c.phone, c.user_id FROM appointments a JOIN clients c ON c.id = a.client_id"
    " WHERE a.professional_id = :pro AND a.starts_at >= :week0 AND a.starts_at < :week1"
    " ORDER BY a.starts_at",
)
REMINDERS = Query(
    "reminders due",
    "SELECT a.id, a.starts_at, a.reminder_sent_24h, a.reminder_sent_1h, c.user_id AS client_user,"
    " p.user_id AS pro_user, p.timezone, p.locale FROM appointments a"
    " JOIN clients c ON c.id = a.client_id JOIN professionals p ON p.id = a.professional_id"
    " WHERE a.status = 'confirmed' AND ("
    " (NOT a.reminder_sent_24h AND a.starts_at BETWEEN :due24_from AND :due24_to)"
    " OR (NOT a.reminder_sent_1h AND a.starts_at BETWEEN :due1_from AND :due1_to))"
    " ORDER BY a.starts_at",
)

# What the reminder dispatcher claims each tick (core/services/reminders.py, `_due_in_sql`
# and `claim_due_reminders`): due reminders of the next day, soonest first, late ones too.
CLAIM = Query(
    "dispatcher claim",
    "SELECT a.id FROM appointments a WHERE a.status = 'confirmed'"
    " AND (NOT a.reminder_sent_24h OR NOT a.reminder_sent_1h)"
    " AND a.starts_at > :now AND a.starts_at <= :due24_to"
    " AND ((NOT a.reminder_sent_1h AND a.starts_at <= :due1_to)"
    "   OR (NOT a.reminder_sent_24h AND a.scheduled_at <= a.starts_at - interval '1 day'))"
    " AND (a.reminder_claimed_until IS NULL OR a.reminder_claimed_until <= :now)"
    " ORDER BY a.starts_at, a.id LIMIT 50 FOR UPDATE SKIP LOCKED",
)

_INDEX = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")
_SEQ = re.compile(r"Seq Scan on (\w+)")


async def _scope(conn: AsyncConnection, role: str, user_id: int | None, pro: str | None) -> None:
    """What the unit of work sets at the start of its transaction (revision 0005)."""
    if role == DEFINER_ROLE:  # how a SECURITY DEFINER function's body runs
        await conn.execute(text(f"SET LOCAL ROLE {DEFINER_ROLE}"))
    elif user_id is None:
        await conn.execute(
            text(f"SELECT enter_system_scope(), set_config('role', '{SYSTEM_ROLE}', true)")
        )
    else:
        await conn.execute(
            text("SELECT enter_scope(:uid), set_config('role', :role, true)"),
            {"role": role, "uid": user_id},
        )


async def _time(
    engine: AsyncEngine, scope: tuple[str, int | None, str | None], queries: list[Query],
    params: dict[str, Any], runs: int,
) -> tuple[list[float], list[int]]:  # fmt: skip
    timings: list[float] = []
    rows: list[int] = []
    async with engine.connect() as conn:
        for n in range(runs + 1):  # the first run warms caches and prepared statements
            async with conn.begin() as tx:
                await _scope(conn, *scope)
                t0 = time.perf_counter()
                rows = [
                    len((await conn.execute(text(q.sql), params)).all()) for q in queries if q.timed
                ]
                elapsed = time.perf_counter() - t0
                await tx.rollback()
            if n:
                timings.append(elapsed * 1000)
    return timings, rows


async def _explain(
    engine: AsyncEngine, scope: tuple[str, int | None, str | None], query: Query,
    params: dict[str, Any],
) -> str:  # fmt: skip
    if query.explain_role:
        scope = (query.explain_role, None, None)
    async with engine.connect() as conn, conn.begin() as tx:
        await _scope(conn, *scope)
        sql = "EXPLAIN (ANALYZE, BUFFERS) " + (query.explain_sql or query.sql)
        plan = "\n".join(r[0] for r in await conn.execute(text(sql), params))
        await tx.rollback()
    return plan


def _summary(plan: str) -> str:
    indexes = sorted(set(_INDEX.findall(plan)))
    seqs = sorted(set(_SEQ.findall(plan)))
    out = "indexes: " + (", ".join(indexes) or "none")
    if seqs:
        out += "; SEQ SCAN on " + ", ".join(seqs)
    return out


async def _pick(engine: AsyncEngine) -> dict[str, Any]:
    """A professional in the middle of the load, one of their clients, their user ids."""
    async with engine.connect() as conn, conn.begin():
        await conn.execute(
            text(f"SELECT enter_system_scope(), set_config('role', '{SYSTEM_ROLE}', true)")
        )
        row = (
            await conn.execute(
                text(
                    "SELECT p.id, p.user_id, p.timezone, c.user_id AS client_user"
                    " FROM professionals p JOIN clients c ON c.professional_id = p.id"
                    " WHERE p.slug LIKE 'scale-%' ORDER BY p.slug, c.user_id"
                    " OFFSET (SELECT count(*) / 2 FROM clients) LIMIT 1"
                )
            )
        ).one()
    return dict(row._mapping)


async def run(args: argparse.Namespace) -> None:
    target = resolve(Settings())
    server: URL = target.url.set(database="postgres")
    name = f"bookingbot_bench_{os.getpid()}"
    url = server.set(database=name)
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    print(f"scratch database {name} on {server.render_as_string(hide_password=True)}")
    engine = make_engine(url)
    try:
        await migrate.upgrade(url)
        # On the hour, so sessions (which start on the hour) fall due in the reminder window.
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        report = await seed_scale(url, scale=args.scale, now=now, seed=args.seed)
        print(report)
        print("  steps (s):", ", ".join(f"{k} {v:.1f}" for k, v in report.step_seconds.items()))
        who = await _pick(engine)
        pro = str(who["id"])
        params = {
            "pro": who["id"],
            "now": now,
            "horizon": now + timedelta(days=60),
            "day0": now.date(),
            "day1": (now + timedelta(days=60)).date(),
            "week0": now,
            "week1": now + timedelta(days=7),
            # What the dispatcher computes each minute: sessions starting a day or an hour ahead.
            "due24_from": now + timedelta(hours=24, minutes=-1),
            "due24_to": now + timedelta(hours=24),
            "due1_from": now + timedelta(hours=1, minutes=-1),
            "due1_to": now + timedelta(hours=1),
        }
        as_client = (APP_ROLE, who["client_user"], None)
        as_pro = (APP_ROLE, who["user_id"], pro)
        system = (SYSTEM_ROLE, None, None)
        cases = [
            ("(a) free-slot inputs, 60 days, as a client", as_client,
             [INPUTS, BUSY]),
            ("(b) week agenda, as the professional", as_pro, [AGENDA]),
            ("(c) reminders due in the next minute, all professionals", system, [REMINDERS]),
            ("(d) the reminder dispatcher's claim, all professionals", system, [CLAIM]),
        ]  # fmt: skip
        for title, scope, queries in cases:
            timings, rows = await _time(engine, scope, queries, params, args.runs)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            print(f"\n=== {title}")
            print(
                f"median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms over {args.runs}"
                f" runs; rows {' + '.join(map(str, rows))}"
            )
            for q in queries:
                plan = await _explain(engine, scope, q, params)
                print(f"--- {q.label}: {_summary(plan)}")
                if not args.quiet:
                    print(plan)
    finally:
        await engine.dispose()
        if not args.keep:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            print(f"\ndropped {name}")
        else:
            print(f"\nkept {name}")
        await admin.dispose()


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 10k pros, 1M appointments")
    parser.add_argument("--runs", type=int, default=25, help="timed runs per query group")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--quiet", action="store_true", help="index summary without plans")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
