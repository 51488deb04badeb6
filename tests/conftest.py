"""Shared fixtures: a real PostgreSQL database, migrated once per run, emptied per test.

The server is the embedded one by default, or TEST_DATABASE_URL when set (CI runs
the suite against both).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from core.db import migrate
from core.db.engine import app_url, make_engine, normalize_url, resolve
from core.db.uow import Database
from core.models import Base
from tests.clock import FrozenClock


def _server_url() -> URL:
    raw = os.environ.get("TEST_DATABASE_URL")
    if raw:
        return normalize_url(raw)
    return resolve(Settings(database_url=None)).url


def _test_db_name(base: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{base}_test_{worker}_{os.getpid()}"


async def _recreate(admin: AsyncEngine, name: str) -> None:
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))


@pytest.fixture(scope="session")
async def server_url() -> URL:
    """The PostgreSQL server the suite runs against (its maintenance database)."""
    return _server_url().set(database="postgres")


@pytest.fixture(scope="session")
async def admin_engine(server_url: URL) -> AsyncIterator[AsyncEngine]:
    """A superuser connection to the server, for creating and dropping databases."""
    engine = make_engine(server_url, isolation_level="AUTOCOMMIT")
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def database_url(server_url: URL, admin_engine: AsyncEngine) -> AsyncIterator[URL]:
    """A fresh database migrated to head, dropped at the end of the run."""
    name = _test_db_name("bookingbot")
    await _recreate(admin_engine, name)
    url = server_url.set(database=name)
    await migrate.upgrade(url)
    yield url
    async with admin_engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def owner_engine(database_url: URL) -> AsyncIterator[AsyncEngine]:
    """The migrating (owner) connection: used only to empty tables between tests."""
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


_TABLES = ", ".join(t.name for t in Base.metadata.sorted_tables)


@pytest.fixture(scope="session")
def app_database_url(database_url: URL) -> URL:
    """How the running app connects: the login role, on the test database."""
    return app_url(database_url, Settings(database_url=None))


@pytest.fixture
async def db(
    database_url: URL, app_database_url: URL, owner_engine: AsyncEngine
) -> AsyncIterator[Database]:
    """The app's Database on empty tables (every test starts from nothing), logged in as
    the app is: as the login role, never the owner."""
    async with owner_engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {_TABLES} CASCADE"))
    database = Database(make_engine(app_database_url, pool_size=5, max_overflow=60))
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    """A clock the test moves by hand; Wednesday 2026-11-25 13:00 UTC to start."""
    return FrozenClock(datetime(2026, 11, 25, 13, 0, tzinfo=UTC))


@pytest.fixture
def fresh_url(server_url: URL) -> URL:
    """A name for a scratch database a test creates and drops itself."""
    return server_url.set(database=_test_db_name("bookingbot_scratch"))


__all__ = ["make_url"]
