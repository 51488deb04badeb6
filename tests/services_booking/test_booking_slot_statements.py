"""Listing free slots takes the same number of SQL statements whatever the history:
10 appointments or 100,000 (a count, not a time; bench/bench_slot_queries.py times it)."""

from __future__ import annotations

from datetime import timedelta

from core.db.observe import StatementLog
from core.services import slots
from tests import factories as f


async def statements_of(db, user_id, call) -> list[str]:
    async with db.for_user(user_id) as uow:  # the driver looks up new types once: not counted
        await call(uow)
    async with StatementLog(db.engine) as log:
        async with db.for_user(user_id) as uow:
            result = await call(uow)
    assert result, "the professional has free slots"
    return log.statements


async def test_free_slots_take_the_same_statements_for_10_or_100000_appointments(
    db, clock, owner_engine
):
    counts: dict[tuple[str, int], list[str]] = {}
    for size in (10, 100_000):
        pro = await f.bookable(db)
        cli = await f.client(db, pro)
        # Every two hours, the last one 30 days ahead: mostly years of history.
        await f.bulk_appointments(
            owner_engine, pro, cli, count=size, last_start=clock() + timedelta(days=30)
        )
        # A client reads busy time through busy_intervals(); the professional reads rows.
        for reader, user in (("client", cli.user_id), ("professional", pro.user_id)):
            counts[reader, size] = await statements_of(
                db,
                user,
                lambda uow, pro=pro: slots.list_free_slots(
                    uow, professional_id=pro.id, now=clock()
                ),
            )
    for reader in ("client", "professional"):
        assert len(counts[reader, 10]) == len(counts[reader, 100_000]), counts
        # Opening the unit of work (1) + the horizon (1) + the slot inputs (1).
        assert len(counts[reader, 10]) == 3, counts[reader, 10]
