"""A PostgreSQL server of these tests' own, which they restart and crash.

The suite's shared server (embedded or TEST_DATABASE_URL) is never touched: this folder
starts an embedded server in a scratch directory, gives each test a fresh database on
it, and stops it at the end. It is the same in both runs of `python3 dev.py test`.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from bot import health
from core.db import embedded, migrate
from core.db.engine import ensure_database, make_engine
from tests.recovery.recovery_support import Server

_names = itertools.count(1)


@pytest.fixture(scope="session")
def own_server() -> Iterator[Server]:
    # Not under pytest's tmp_path: the server runs as its own user when we are root, and
    # pytest keeps its directories private to us.
    scratch = Path(tempfile.mkdtemp(prefix="bookingbot-recovery-"))
    pgdata = scratch / "pg"
    uri = embedded.start(pgdata)
    yield Server(pgdata, uri)
    embedded.stop(pgdata)
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
async def own_url(own_server: Server) -> AsyncIterator[URL]:
    """A fresh database migrated to head on the folder's server, dropped afterwards."""
    url = own_server.url.set(database=f"recovery_{next(_names)}")
    await ensure_database(url)
    await migrate.upgrade(url)
    yield url
    await own_server.wait_up()  # a failed test may leave it stopped
    admin = make_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture(autouse=True)
async def _server_running(own_server: Server) -> AsyncIterator[None]:
    """Whatever a test did to the server, the next one finds it running."""
    yield
    try:
        await own_server.wait_up(limit=0.5)
    except AssertionError:
        await own_server.start()


@pytest.fixture(autouse=True)
def _fresh_health() -> Iterator[None]:
    health.reset()
    yield
    health.reset()
