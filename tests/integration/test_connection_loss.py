"""A server that dropped the pool's connections costs the next unit of work nothing."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from core.db.engine import make_engine
from core.db.uow import Database
from core.services import professionals
from tests import factories as f

APP_NAME = "bookingbot-connection-loss-test"


async def drop_connections(admin_engine) -> int:
    async with admin_engine.connect() as conn:
        killed = await conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = :name"
            ),
            {"name": APP_NAME},
        )
    for _ in range(100):  # termination is asynchronous: wait until they are gone
        async with admin_engine.connect() as conn:
            left = await conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": APP_NAME},
            )
        if not left:
            break
        await asyncio.sleep(0.05)
    return int(killed or 0)


async def test_a_unit_of_work_after_the_server_dropped_every_pooled_connection_succeeds(
    db, app_database_url, admin_engine
):
    pro = await f.professional(db)
    app = Database(
        make_engine(
            app_database_url,
            pool_size=3,
            connect_args={"server_settings": {"application_name": APP_NAME}},
        )
    )
    try:

        async def read_profile() -> str:
            async with app.for_user(pro.user_id) as uow:
                await asyncio.sleep(0.05)  # hold the connection so the pool fills up
                return (await professionals.get_me(uow)).name

        assert await asyncio.gather(*(read_profile() for _ in range(3))) == [pro.name] * 3
        assert await drop_connections(admin_engine) == 3

        # Every pooled connection is dead now; each of these still gets its answer.
        assert await asyncio.gather(*(read_profile() for _ in range(3))) == [pro.name] * 3
    finally:
        await app.dispose()
