"""UnitOfWork.fetch, the driver-level read path of the booking screens, keeps every rule
of the ORM path: the scope's row-level security, and refusals translated."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from core import errors
from core.db.uow import UnitOfWorkFinished
from core.models import Professional
from tests import factories as f


async def test_fetch_sees_only_what_the_acting_users_policies_show(db):
    pro_a, pro_b = await f.professional(db), await f.professional(db)
    lia = await f.client(db, pro_a)
    await f.client(db, pro_b)
    await f.client(db, pro_b)

    async with db.for_user(pro_a.user_id) as uow:
        as_a = await uow.fetch("SELECT count(*) AS n FROM clients")
    async with db.for_user(lia.user_id) as uow:
        as_lia = await uow.fetchrow("SELECT id FROM clients")
        nobody = await uow.fetchrow("SELECT id FROM clients WHERE professional_id = $1", pro_b.id)
    async with db.system("test") as uow:
        everyone = await uow.fetchrow("SELECT count(*) FROM clients")

    assert as_a[0]["n"] == 1
    assert as_lia["id"] == lia.id
    assert nobody is None
    assert everyone[0] == 3


async def test_a_write_the_policies_refuse_through_fetch_is_not_allowed(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:  # a client writing the professional's notes
        with pytest.raises(errors.NotAllowed):
            await uow.fetch(
                "INSERT INTO client_notes (id, professional_id, client_id, content)"
                " VALUES (gen_random_uuid(), $1::uuid, $2::uuid, 'x') RETURNING id",
                pro.id,
                cli.id,
            )


async def test_a_connection_lost_during_fetch_is_the_database_unavailable(db, admin_engine):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        [pid] = await uow.fetchrow("SELECT pg_backend_pid()")
        async with admin_engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(100):  # until the driver has seen the server hang up
            if uow._driver.is_closed():
                break
            await asyncio.sleep(0.02)
        with pytest.raises(errors.DatabaseUnavailable):
            await uow.fetch("SELECT 1")

    async with db.for_user(pro.user_id) as uow:  # the next unit of work gets a live connection
        assert (await uow.fetchrow("SELECT 1"))[0] == 1


async def test_a_statement_after_commit_is_refused_rather_than_run_outside_the_scope(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        await uow.fetch("SELECT 1")
        await uow.commit()
        with pytest.raises(UnitOfWorkFinished):
            await uow.fetch("SELECT count(*) FROM clients")
        with pytest.raises(UnitOfWorkFinished):
            await uow.session.execute(text("SELECT count(*) FROM clients"))


async def test_fetch_reads_the_unit_of_works_own_unflushed_writes(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        row = await uow.session.get(Professional, pro.id)
        row.name = "Renamed Before Flush"
        seen = await uow.fetchrow("SELECT name FROM professionals WHERE id = $1", pro.id)
    assert seen["name"] == "Renamed Before Flush"


# --- every path gives the connection back -------------------------------------------------


async def _settled(db) -> int:
    """Connections still checked out of the pool once background returns have run."""
    for _ in range(50):
        if db.engine.pool.checkedout() == 0:
            break
        await asyncio.sleep(0.02)
    return db.engine.pool.checkedout()


async def test_fetch_after_the_unit_of_work_ended_is_refused_instead_of_running_unscoped(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        await uow.fetch("SELECT 1")
    with pytest.raises(UnitOfWorkFinished):
        await uow.fetch("SELECT current_user")
    with pytest.raises(UnitOfWorkFinished):
        await uow.session.execute(text("SELECT current_user"))
    assert await _settled(db) == 0


async def test_a_statement_refused_after_commit_leaves_no_connection_checked_out(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        await uow.commit()
        for _ in range(2):  # the refused transaction is not left open for the next one
            with pytest.raises(UnitOfWorkFinished):
                await uow.session.execute(text("SELECT 1"))
        with pytest.raises(UnitOfWorkFinished):
            await uow.commit()
        assert db.engine.pool.checkedout() == 0
    assert await _settled(db) == 0


async def test_a_failing_fetch_gives_its_connection_back(db):
    pro = await f.professional(db)
    with pytest.raises(errors.NotAllowed):
        async with db.for_user(pro.user_id) as uow:
            await uow.fetch("SELECT count(*) FROM bot_data")
    with pytest.raises(errors.InvalidInput):
        async with db.for_user(pro.user_id) as uow:
            await uow.fetch("SELECT 1 / 0")
    assert await _settled(db) == 0


async def test_a_commit_the_server_refuses_gives_its_connection_back(db, admin_engine):
    pro = await f.professional(db)
    with pytest.raises(errors.DatabaseUnavailable):
        async with db.for_user(pro.user_id) as uow:
            [pid] = await uow.fetchrow("SELECT pg_backend_pid()")
            async with admin_engine.connect() as conn:
                await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await asyncio.sleep(0.1)
            await uow.commit()
    assert await _settled(db) == 0


@pytest.mark.parametrize("path", ["fetch", "session"])
async def test_a_unit_of_work_cancelled_mid_statement_gives_its_connection_back(db, path):
    pro = await f.professional(db)
    started = asyncio.Event()

    async def slow_screen() -> None:
        async with db.for_user(pro.user_id) as uow:
            started.set()
            if path == "fetch":
                await uow.fetch("SELECT pg_sleep(5)")
            else:
                await uow.session.execute(text("SELECT pg_sleep(5)"))

    task = asyncio.create_task(slow_screen())
    await started.wait()
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _settled(db) == 0
    async with db.for_user(pro.user_id) as uow:  # and the pool still serves working ones
        assert (await uow.fetchrow("SELECT 1"))[0] == 1
