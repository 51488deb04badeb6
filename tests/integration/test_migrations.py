"""Migrations build the whole schema, take it all away, and agree with the models."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.db import migrate
from core.db.engine import make_engine


async def _objects(url) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT"
                        " (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                        "   AND tablename <> 'alembic_version'),"
                        " (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                        "   WHERE n.nspname = 'public' AND t.typtype IN ('e', 'r')),"
                        " (SELECT count(*) FROM pg_policies WHERE schemaname = 'public'),"
                        " (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                        "   WHERE n.nspname = 'public' AND p.proname NOT LIKE 'gbt%'"
                        "   AND p.prokind = 'f' AND p.probin IS NULL)"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    return {"tables": row[0], "types": row[1], "policies": row[2], "functions": row[3]}


@pytest.fixture
async def scratch(fresh_url, admin_engine):
    async with admin_engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh_url.database}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{fresh_url.database}"'))
    yield fresh_url
    async with admin_engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh_url.database}" WITH (FORCE)'))


async def test_upgrade_downgrade_upgrade_on_an_empty_database(scratch):
    await migrate.upgrade(scratch)
    built = await _objects(scratch)
    assert built["tables"] == 17 and built["types"] == 12
    assert built["policies"] > 40 and built["functions"] >= 7
    await migrate.downgrade(scratch, "base")
    assert await _objects(scratch) == {"tables": 0, "types": 0, "policies": 0, "functions": 0}
    assert await migrate.current(scratch) is None
    await migrate.upgrade(scratch)
    assert await _objects(scratch) == built
    assert await migrate.current(scratch) == migrate.head_revision()


async def test_models_and_migrations_agree(database_url):
    assert await migrate.differences(database_url) == []


async def test_the_check_notices_a_column_the_models_do_not_have(scratch):
    await migrate.upgrade(scratch)
    engine = make_engine(scratch)
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE clients ADD COLUMN nickname text"))
    await engine.dispose()
    diffs = await migrate.differences(scratch)
    assert any("nickname" in str(d) for d in diffs)


async def test_the_bot_migrates_in_a_child_process(scratch):
    from core.db import migrate_process

    await migrate_process.upgrade(scratch)
    assert await migrate.current(scratch) == migrate.head_revision()


def test_the_module_the_bot_migrates_through_does_not_load_alembic():
    import subprocess
    import sys

    probe = "import sys, core.db.migrate_process; print('alembic' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False"


async def test_a_migration_child_that_fails_says_why_in_one_line_without_the_password(scratch):
    from core.db import migrate_process
    from core.db.engine import DatabaseConfigError

    wrong = scratch.set(username="nobody_here", password="s3cret-pw", database="no_such_db")
    with pytest.raises(DatabaseConfigError) as raised:
        await migrate_process.upgrade(wrong)
    message = str(raised.value)
    assert message.startswith("applying the migrations failed: ")
    assert "\n" not in message and "s3cret-pw" not in message
