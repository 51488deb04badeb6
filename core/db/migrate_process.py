"""Migrations run in a child process, for the long-running bot.

Alembic and the migration scripts cost a bot process about 11 MiB that it would keep for
its whole life after using them once at start; a child process applies them and exits, so
the bot never loads them. The URL (with its password) goes to the child on stdin, never on
its command line, where any user of the machine could read it.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy.engine import URL

from .engine import DatabaseConfigError

_CHILD = (
    "import asyncio, sys\n"
    "from sqlalchemy import make_url\n"
    "from core.db import migrate\n"
    "asyncio.run(migrate.upgrade(make_url(sys.stdin.read())))\n"
)


async def upgrade(url: URL) -> None:
    """Apply every migration up to head in a child process; raise DatabaseConfigError with
    the child's last line of error when it fails."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CHILD,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await child.communicate(url.render_as_string(hide_password=False).encode())
    if child.returncode != 0:
        lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {child.returncode}"
        raise DatabaseConfigError(f"applying the migrations failed: {reason}")
