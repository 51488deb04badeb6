"""Run Alembic from code: upgrade, downgrade, current revision, and the models check."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from core.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: URL, stdout: TextIO | None = None) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    cfg = Config(stdout=stdout) if stdout is not None else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option(
        "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return cfg


def _in_thread(fn, *args):  # type: ignore[no-untyped-def]
    # env.py calls asyncio.run(); run Alembic in a worker thread so callers may be async.
    return asyncio.to_thread(fn, *args)


async def upgrade(url: URL, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    await _in_thread(command.upgrade, alembic_config(url), revision)


async def downgrade(url: URL, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    await _in_thread(command.downgrade, alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision in the migrations folder."""
    script = ScriptDirectory.from_config(alembic_config(URL.create("postgresql")))
    return script.get_current_head()


async def current(url: URL) -> str | None:
    """The revision the database is at (None: not migrated)."""
    from .engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


async def differences(url: URL) -> list[object]:
    """What differs between the models and the migrated database (empty: they agree)."""
    from .engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:

            def _compare(sync):  # type: ignore[no-untyped-def]
                ctx = MigrationContext.configure(
                    sync, opts={"compare_type": True, "target_metadata": Base.metadata}
                )
                return compare_metadata(ctx, Base.metadata)

            return list(await conn.run_sync(_compare))
    finally:
        await engine.dispose()
