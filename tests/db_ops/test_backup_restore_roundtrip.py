"""A backup restored into an empty database brings back every row, and the tenant walls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from core.db.backup import BackupError, backup, restore
from core.db.engine import DatabaseTarget, make_engine
from core.db.seed import DEMO_PROFESSIONALS, seed_demo, seed_scale
from core.db.uow import Database
from core.models import Base

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
TABLES = [t.name for t in Base.metadata.sorted_tables]
ANA, JAVIER = DEMO_PROFESSIONALS[0], DEMO_PROFESSIONALS[1]


@pytest.fixture
async def fresh_target(admin_engine, fresh_url: URL) -> AsyncIterator[DatabaseTarget]:
    """An empty database, as on a new server, dropped afterwards."""
    name = fresh_url.database
    async with admin_engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield DatabaseTarget(fresh_url, embedded=False)
    async with admin_engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _fingerprint(url: URL) -> dict[str, object]:
    """Rows per table and a checksum of every appointment id, seen past RLS by the owner."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            found: dict[str, object] = {
                "alembic_version": await conn.scalar(
                    text("SELECT version_num FROM alembic_version")
                )
            }
            await conn.execute(
                text("SELECT enter_system_scope(), set_config('role', 'bookingbot_system', true)")
            )
            for table in TABLES:
                found[table] = await conn.scalar(text(f"SELECT count(*) FROM {table}"))
            found["appointment ids"] = await conn.scalar(
                text("SELECT md5(string_agg(id::text, ',' ORDER BY id)) FROM appointments")
            )
            return found
    finally:
        await engine.dispose()


@pytest.fixture
async def seeded(db: Database, database_url: URL) -> DatabaseTarget:
    await seed_demo(db, now=NOW)
    await seed_scale(database_url, scale=0.002, now=NOW)
    return DatabaseTarget(database_url, embedded=False)


async def test_a_restored_backup_has_every_row_of_every_table(seeded, fresh_target, tmp_path: Path):
    report = await backup(seeded, tmp_path / "nightly.dump")
    assert report.size_bytes > 10_000 and report.path.exists()
    await restore(fresh_target, report.path)
    source, restored = await _fingerprint(seeded.url), await _fingerprint(fresh_target.url)
    assert restored == source
    assert source["appointments"] > 2_000  # type: ignore[operator]


async def test_after_a_restore_each_professional_still_sees_only_their_own_rows(
    seeded, fresh_target, tmp_path: Path
):
    path = (await backup(seeded, tmp_path / "b.dump")).path
    await restore(fresh_target, path)
    restored = Database(make_engine(fresh_target.app_url))
    try:
        async with restored.for_user(ANA.user_id) as uow:
            owners = set(
                await uow.session.scalars(text("SELECT DISTINCT professional_id FROM appointments"))
            )
            notes = set(
                await uow.session.scalars(text("SELECT DISTINCT professional_id FROM client_notes"))
            )
            # A SECURITY DEFINER function still sees across tenants: its owner came back too.
            javier_busy = await uow.session.scalar(
                text("SELECT count(*) FROM busy_intervals(:p, :a, :b)"),
                {"p": JAVIER.id, "a": NOW - timedelta(days=30), "b": NOW + timedelta(days=30)},
            )
    finally:
        await restored.dispose()
    assert owners == {ANA.id} and notes == {ANA.id}
    assert javier_busy and javier_busy > 0


async def test_restoring_again_over_changed_data_brings_back_the_backup(
    seeded, fresh_target, tmp_path: Path
):
    path = (await backup(seeded, tmp_path / "b.dump")).path
    await restore(fresh_target, path)
    engine = make_engine(fresh_target.url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT enter_system_scope(), set_config('role', 'bookingbot_system', true)")
            )
            await conn.execute(
                text("DELETE FROM professionals WHERE user_id = :u"), {"u": ANA.user_id}
            )
    finally:
        await engine.dispose()
    await restore(fresh_target, path)
    assert await _fingerprint(fresh_target.url) == await _fingerprint(seeded.url)


async def test_a_damaged_backup_is_refused_in_one_line_and_the_database_is_untouched(
    seeded, tmp_path: Path
):
    before = await _fingerprint(seeded.url)
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(b"PGDMP" + b"\x00" * 64)
    with pytest.raises(BackupError) as caught:
        await restore(seeded, damaged)
    assert str(caught.value).startswith("pg_restore failed:")
    assert "\n" not in str(caught.value)
    assert await _fingerprint(seeded.url) == before


async def test_a_backup_cut_short_fails_midway_and_changes_nothing(seeded, tmp_path: Path):
    whole = (await backup(seeded, tmp_path / "whole.dump")).path.read_bytes()
    cut = tmp_path / "cut.dump"
    cut.write_bytes(whole[: len(whole) * 2 // 3])  # the table of contents survives, rows don't
    before = await _fingerprint(seeded.url)
    with pytest.raises(BackupError):
        await restore(seeded, cut)
    assert await _fingerprint(seeded.url) == before


async def test_a_missing_backup_file_is_named_in_the_error(seeded, tmp_path: Path):
    with pytest.raises(BackupError, match=r"no backup file at .*nowhere\.dump"):
        await restore(seeded, tmp_path / "nowhere.dump")


async def test_a_failed_backup_leaves_the_previous_one_in_place(seeded, tmp_path: Path):
    path = (await backup(seeded, tmp_path / "b.dump")).path
    good = path.read_bytes()
    gone = DatabaseTarget(seeded.url.set(database="bookingbot_no_such_db"), embedded=False)
    with pytest.raises(BackupError) as caught:
        await backup(gone, path)
    assert "bookingbot_no_such_db" in str(caught.value)
    assert path.read_bytes() == good
