"""Backups: pg_dump's custom format out, pg_restore back in, row-level security included.

The dump holds tables, rows, policies, grants and functions, but not roles: those
belong to the whole server. A restore therefore creates the application roles first
(as the migrations do: the app, system, definer and login roles), restores without the
source's owners (the target's user may be another one), then hands the SECURITY
DEFINER functions back to the role that owned them in the dump, since their power over
RLS comes from that owner.
It runs in one transaction: a failed restore leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url, text

from migrations.sql import scope_guard

from . import embedded
from .engine import DatabaseTarget, describe_connection_error, ensure_database, make_engine
from .roles import APP_ROLE, DEFINER_ROLE, SYSTEM_ROLE

APP_ROLES = (APP_ROLE, SYSTEM_ROLE)
# Roles that own functions in a dump: the definer (revision 0005), the system role before.
FUNCTION_OWNERS = (DEFINER_ROLE, SYSTEM_ROLE)
# pg_restore --list: "259; 1255 155049 FUNCTION public busy_intervals(uuid, ...) owner"
_TOC_FUNCTION = re.compile(r"^\d+; \d+ \d+ FUNCTION (\S+) (.+\)) (\S+)$")
# Settings newer tools write that older servers refuse (transaction_timeout is 17+).
_NEWER_SETTINGS = re.compile(rb"^SET (transaction_timeout) = ")
_LINE_LIMIT = 256 * 1024 * 1024
_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


class BackupError(Exception):
    """A backup or restore failed; the message is one line a person can act on."""


@dataclass(frozen=True)
class BackupReport:
    """What `backup` wrote."""

    path: Path
    database: str
    size_bytes: int
    seconds: float
    server_version: str
    tool_version: str

    def __str__(self) -> str:
        return (
            f"backup of {self.database} (PostgreSQL {self.server_version}) written to "
            f"{self.path}: {self.size_bytes / 1024:,.0f} KiB in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class RestoreReport:
    """What `restore` loaded."""

    path: Path
    database: str
    seconds: float
    functions_reowned: int

    def __str__(self) -> str:
        return f"restored {self.path} into {self.database} in {self.seconds:.1f} s"


async def backup(target: DatabaseTarget, path: Path) -> BackupReport:
    """Write the whole database to `path` in pg_dump's custom format."""
    started = time.perf_counter()
    server, superuser = await _server_facts(target)
    _require_bypass(superuser, "back up")
    tool, tool_version = await _tool("pg_dump", server_major=_major(server))
    path = await asyncio.to_thread(_writable, path)
    # Into a side file first, so a failed dump never replaces a good backup.
    partial = path.with_name(path.name + ".partial")
    try:
        await _run(tool, "--format=custom", "--no-password", f"--file={partial}", env=_env(target))
        size = await asyncio.to_thread(_publish, partial, path)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
    return BackupReport(
        path=path,
        database=str(target.url.database),
        size_bytes=size,
        seconds=round(time.perf_counter() - started, 3),
        server_version=server,
        tool_version=tool_version,
    )


async def restore(target: DatabaseTarget, path: Path) -> RestoreReport:
    """Replace the database's objects and rows with those of the backup at `path`."""
    started = time.perf_counter()
    path = await asyncio.to_thread(_readable, path)
    if target.embedded:
        await ensure_database(target.url)
    server, superuser = await _server_facts(target)
    _require_bypass(superuser, "restore")
    tool, version = await _tool("pg_restore", server_major=None)
    env = _env(target)
    toc = await _run(tool, "--list", str(path), env=env)
    owned = [
        (m[1], m[2], m[3])
        for m in map(_TOC_FUNCTION.match, toc.splitlines())
        if m and m[3] in FUNCTION_OWNERS
    ]
    await _ensure_roles(target)
    options = ["--clean", "--if-exists", "--no-owner"]
    if _major(server) < _major(version):
        await _restore_to_older_server(tool, options, path, env)
    else:
        dbname = f"--dbname={env['PGDATABASE']}"
        await _run(
            tool, *options, "--single-transaction", "--no-password", dbname, str(path), env=env
        )
    await _reown(target, owned)
    return RestoreReport(
        path=path,
        database=str(target.url.database),
        seconds=round(time.perf_counter() - started, 3),
        functions_reowned=len(owned),
    )


def _writable(path: Path) -> Path:
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _publish(partial: Path, path: Path) -> int:
    partial.replace(path)
    return path.stat().st_size


def _readable(path: Path) -> Path:
    path = path.expanduser().resolve()
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    return path


async def _restore_to_older_server(
    tool: str, options: list[str], path: Path, env: dict[str, str]
) -> None:
    """pg_restore's script through psql, without settings the older server does not know."""
    psql = embedded.which("psql")
    if psql is None:
        raise BackupError("psql not found: install the PostgreSQL client tools")
    # Long lines (COPY rows of JSON) are fine: the reader's line limit is raised.
    producer = await asyncio.create_subprocess_exec(
        tool, *options, "--file=-", str(path), env=env, limit=_LINE_LIMIT,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    consumer = await asyncio.create_subprocess_exec(
        psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
        "--no-password", f"--dbname={env['PGDATABASE']}", env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert producer.stdout is not None and consumer.stdin is not None

    async def pump() -> None:
        # Our own transaction, committed only if pg_restore finished: a script cut short by
        # a damaged file must not leave its DROPs behind.
        assert producer.stdout is not None and consumer.stdin is not None
        try:
            consumer.stdin.write(b"BEGIN;\n")
            async for line in producer.stdout:
                if not _NEWER_SETTINGS.match(line):
                    consumer.stdin.write(line)
                    await consumer.stdin.drain()
            if await producer.wait() == 0:
                consumer.stdin.write(b"COMMIT;\n")
                await consumer.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            producer.kill()  # psql stopped on an error, which its stderr names
        finally:
            consumer.stdin.close()

    async def errors_of(proc: asyncio.subprocess.Process) -> bytes:
        assert proc.stderr is not None
        return await proc.stderr.read()

    _, made, loaded = await asyncio.gather(pump(), errors_of(producer), errors_of(consumer))
    if await consumer.wait() != 0:
        raise BackupError(f"psql failed: {_first_error(loaded.decode(errors='replace'))}")
    if await producer.wait() != 0:
        raise BackupError(f"pg_restore failed: {_first_error(made.decode(errors='replace'))}")


def _env(target: DatabaseTarget) -> dict[str, str]:
    """libpq environment for the target: no password on the command line, no stray PG*."""
    url = make_url(target.libpq_uri)
    query = {k: v if isinstance(v, str) else v[0] for k, v in url.query.items()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGHOST"] = query.get("host") or url.host or "localhost"
    env["PGPORT"] = str(url.port or query.get("port") or 5432)
    env["PGUSER"] = url.username or "postgres"
    env["PGDATABASE"] = url.database or "postgres"
    if url.password:
        env["PGPASSWORD"] = url.password
    # The asyncpg form spells libpq's sslmode `ssl`.
    ssl = query.get("sslmode") or query.get("ssl")
    if ssl:
        env["PGSSLMODE"] = ssl if ssl in _SSLMODES else "require"
    env["PGAPPNAME"] = "bookingbot-backup"
    return env


async def _server_facts(target: DatabaseTarget) -> tuple[str, bool]:
    """The server's version and whether the connecting user may see past RLS."""
    engine = make_engine(target.url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT current_setting('server_version'),"
                        " rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
                    )
                )
            ).one()
    except Exception as err:
        raise BackupError(describe_connection_error(target.url, err)) from None
    finally:
        await engine.dispose()
    return str(row[0]).split()[0], bool(row[1])


def _require_bypass(bypass: bool, what: str) -> None:
    if not bypass:
        raise BackupError(
            f"cannot {what}: the database user is subject to row-level security; "
            "connect as a superuser or a role with BYPASSRLS"
        )


def _major(version: str) -> int:
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else 0


async def _tool(name: str, *, server_major: int | None) -> tuple[str, str]:
    """The tool to use and its version: the embedded one, or a newer one on PATH if needed."""
    candidates = [p for p in (embedded.which(name), shutil.which(name)) if p]
    if not candidates:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    best: tuple[str, str] | None = None
    for candidate in dict.fromkeys(candidates):
        out = await _run(candidate, "--version", env=dict(os.environ))
        version = out.strip().split()[-1]
        if server_major is None or _major(version) >= server_major:
            return candidate, version
        best = best or (candidate, version)
    assert best is not None
    raise BackupError(
        f"the server runs PostgreSQL {server_major} but {name} is {best[1]}: "
        f"install PostgreSQL {server_major} client tools and put them on PATH"
    )


async def _run(tool: str, *args: str, env: dict[str, str]) -> str:
    """Run a client tool; its stdout, or a BackupError with its first error line."""
    proc = await asyncio.create_subprocess_exec(
        tool,
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"{Path(tool).name} failed: {_first_error(err.decode(errors='replace'))}")
    return out.decode(errors="replace")


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        match = re.search(r"(?:error:|ERROR:|FATAL:)\s*(.*)", line)
        if match:
            return re.sub(r"\s+", " ", match.group(1)).removeprefix("could not execute query: ")
    return lines[0] if lines else "no message"


async def _ensure_roles(target: DatabaseTarget) -> None:
    """Create the application roles if this server lacks them, and let the user act as them."""
    engine = make_engine(target.url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for role in APP_ROLES:
                exists = await conn.scalar(
                    text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
                )
                if not exists:
                    await conn.execute(text(f"CREATE ROLE {role} NOLOGIN NOBYPASSRLS"))
                member = await conn.scalar(
                    text("SELECT pg_has_role(current_user, :r, 'MEMBER')"), {"r": role}
                )
                if not member:
                    await conn.execute(text(f"GRANT {role} TO CURRENT_USER"))
            # The definer and the login role, with their checks (revision 0005's own SQL).
            await conn.execute(text(scope_guard.ROLES))
    except Exception as err:
        roles = ", ".join(APP_ROLES)
        raise BackupError(f"cannot prepare the roles {roles}: {_reason(err)}") from None
    finally:
        await engine.dispose()


async def _reown(target: DatabaseTarget, owned: list[tuple[str, str, str]]) -> None:
    if not owned:
        return
    engine = make_engine(target.url)
    try:
        async with engine.begin() as conn:
            for schema, _sig, owner in owned:
                # A new owner needs CREATE on the schema at the moment of the change only.
                await conn.execute(text(f'GRANT CREATE ON SCHEMA "{schema}" TO {owner}'))
            for schema, sig, owner in owned:
                await conn.execute(text(f'ALTER FUNCTION "{schema}".{sig} OWNER TO {owner}'))
            for schema, _sig, owner in owned:
                await conn.execute(text(f'REVOKE CREATE ON SCHEMA "{schema}" FROM {owner}'))
    except Exception as err:
        raise BackupError(
            f"restored, but giving functions back to their roles failed: {_reason(err)}"
        ) from None
    finally:
        await engine.dispose()


def _reason(err: BaseException) -> str:
    """The database's own message, on one line."""
    root = getattr(err, "orig", None) or err
    root = root.__cause__ or root
    lines = str(root).strip().splitlines()
    return lines[0] if lines else type(root).__name__
