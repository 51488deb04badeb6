"""The embedded server these tests restart and crash (see conftest)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy import make_url
from sqlalchemy.engine import URL

from core.db import embedded


@dataclass
class Server:
    """The embedded server of this folder: restart it, crash it, wait for it."""

    pgdata: Path
    uri: str

    @property
    def url(self) -> URL:
        return make_url(embedded.to_sqlalchemy_url(self.uri))

    async def wait_up(self, limit: float = 30.0) -> float:
        """The moment (time.monotonic) a fresh connection first succeeds."""
        parts = embedded.libpq_parts(self.uri)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                conn = await asyncpg.connect(
                    host=parts["host"], port=int(parts["port"]), user="postgres"
                )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await asyncio.sleep(0.02)
                continue
            await conn.close()
            return time.monotonic()
        raise AssertionError("the server did not come back")

    async def restart(self) -> float:
        """``pg_ctl restart -m fast``; when it answers again."""
        await asyncio.to_thread(embedded.restart, self.pgdata)
        return await self.wait_up()

    async def crash(self) -> None:
        """``pg_ctl stop -m immediate``: what a crash leaves (recovered at the next start)."""
        await asyncio.to_thread(embedded.stop, self.pgdata, mode="immediate")

    async def start(self) -> float:
        """Start it again after `crash`; when it answers."""
        await asyncio.to_thread(embedded.restart, self.pgdata)
        return await self.wait_up()
