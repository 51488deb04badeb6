"""A server that dropped the pool's connections costs the next unit of work nothing, and one
that stopped answering is reported as unavailable within seconds."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import make_url, text

from core.config import Settings
from core.db.engine import make_engine
from core.db.uow import Database
from core.errors import DatabaseUnavailable
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


async def test_a_server_that_accepts_but_never_answers_is_reported_unavailable_soon():
    # What a failover in progress can look like: the address takes the connection and
    # then says nothing. asyncpg alone would wait 60 s; the user is waiting too.
    writers: list[asyncio.StreamWriter] = []

    def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(_env_file=None, database_connect_timeout=0.5)  # type: ignore[call-arg]
    app = Database(make_engine(make_url(f"postgresql+asyncpg://app@127.0.0.1:{port}/x"), settings))
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable):
            async with app.for_user(1) as uow:
                await uow.fetch("SELECT 1")
        assert time.monotonic() - started < 3.0  # one retry at most: 2 x 0.5 s
    finally:
        await app.dispose()
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()
