"""Where the database is, and the async engine that talks to it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from core.config import Settings

from . import embedded
from .roles import LOGIN_ROLE

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "bookingbot"
# asyncpg waits 60 s for a connection by default: a server that stopped answering (a
# failover in progress, a host gone) would hold every unit of work that long.
CONNECT_TIMEOUT = 5.0


class DatabaseConfigError(Exception):
    """The database cannot be reached or the URL is wrong; the message is one clear line."""


@dataclass(frozen=True)
class DatabaseTarget:
    """A resolved database: its owner's URL, the app's, and whether it is the embedded server.

    `url` (DATABASE_URL) migrates, seeds and backs up; `app_url` is what the running bot's
    units of work connect with: the login role of revision 0005, which can act only as
    the app and system roles.
    """

    url: URL
    embedded: bool
    login_url: URL | None = None  # None: the owner's server and database, as the login role

    @property
    def app_url(self) -> URL:
        return self.login_url or self.url.set(username=LOGIN_ROLE)._replace(password=None)

    @property
    def libpq_uri(self) -> str:
        """The URL as libpq tools (pg_dump, pg_restore, psql) accept it."""
        url = self.url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)


def normalize_url(raw: str) -> URL:
    """Accept postgres://, postgresql:// or postgresql+asyncpg:// and return an asyncpg URL."""
    try:
        url = make_url(raw.strip())
    except Exception as err:
        raise DatabaseConfigError(f"DATABASE_URL is not a valid URL: {err}") from None
    if url.get_backend_name() not in {"postgres", "postgresql"}:
        raise DatabaseConfigError(
            f"DATABASE_URL must point to PostgreSQL, not {url.get_backend_name()!r}"
        )
    url = url.set(drivername="postgresql+asyncpg")
    # libpq's sslmode is spelled `ssl` for asyncpg (managed servers such as Supabase use it).
    if "sslmode" in url.query:
        query = dict(url.query)
        query["ssl"] = query.pop("sslmode")
        url = url.set(query=query)
    return url


def app_url(owner: URL, settings: Settings) -> URL:
    """The URL the app's pool logs in with, on the database of `owner`.

    DATABASE_APP_URL when set (its database part is taken from `owner`), else the owner's
    URL as the login role, with DATABASE_APP_PASSWORD (none: trust or peer authentication).
    """
    if settings.database_app_url:
        try:
            url = normalize_url(settings.database_app_url)
        except DatabaseConfigError as err:
            message = str(err).replace("DATABASE_URL", "DATABASE_APP_URL")
            raise DatabaseConfigError(message) from None
        return url.set(database=owner.database)
    # URL.set() keeps a value given as None: the owner's password must not come along.
    return owner.set(username=LOGIN_ROLE)._replace(password=settings.database_app_password or None)


def resolve(settings: Settings) -> DatabaseTarget:
    """The database this process should use: DATABASE_URL, or the embedded server."""
    if settings.database_url:
        url = normalize_url(settings.database_url)
        return DatabaseTarget(url, embedded=False, login_url=app_url(url, settings))
    uri = embedded.start(settings.embedded_pg_dir)
    url = make_url(embedded.to_sqlalchemy_url(uri)).set(database=EMBEDDED_DATABASE)
    return DatabaseTarget(url, embedded=True, login_url=app_url(url, settings))


def make_engine(url: URL, settings: Settings | None = None, **overrides: object) -> AsyncEngine:
    """An async engine with the pool settings of seed 002.

    There is no ping before each checkout (a round trip per unit of work). Instead every
    checkout looks at what the driver already knows, for free: asyncpg marks a connection
    closed as soon as the server hangs up on it (a restart, a crash, a failover, PgBouncer
    going away), and such a connection is replaced before anyone uses it
    (:func:`drop_closed_connections`). One that dies without the server saying so fails on
    its first statement and the unit of work starts again on a new one (``core.db.uow``).
    """
    options: dict[str, object] = {}
    timeout = CONNECT_TIMEOUT
    if settings is not None:
        options.update(
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout,
        )
        timeout = settings.database_connect_timeout
    options.update(overrides)
    connect_args: dict[str, Any] = dict(options.get("connect_args") or {})  # type: ignore[call-overload]
    connect_args.setdefault("timeout", timeout)
    options["connect_args"] = connect_args
    engine = create_async_engine(url, **options)  # type: ignore[arg-type]
    drop_closed_connections(engine)
    return engine


def _closed(dbapi_connection: Any) -> bool:
    driver = getattr(dbapi_connection, "driver_connection", None)
    is_closed = getattr(driver, "is_closed", None)
    return bool(is_closed()) if is_closed is not None else False


def drop_closed_connections(engine: AsyncEngine) -> None:
    """Check every connection the pool hands out: one the server has closed is thrown away
    and the pool hands out another (up to three times, then a fresh connection is made).

    It reads a flag the driver keeps (no round trip), so every checkout can afford it;
    SQLAlchemy's ``pool_pre_ping`` would cost a round trip each time.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if _closed(dbapi_connection):
            raise DisconnectionError("the server closed this pooled connection")


def session_factory(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    """Sessions that keep loaded attributes after commit (returned data stays readable)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def ensure_database(url: URL) -> None:
    """Create the target database if it is missing (embedded server, test databases)."""
    admin = make_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=None)
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await admin.dispose()


async def check_reachable(url: URL) -> None:
    """Connect once; turn any failure into one clear DatabaseConfigError line."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as err:
        raise DatabaseConfigError(describe_connection_error(url, err)) from None
    finally:
        await engine.dispose()


async def check_app_login(url: URL) -> None:
    """Log in as the app would (after migrating); a refusal says what to set."""
    try:
        await check_reachable(url)
    except DatabaseConfigError as err:
        if url.username != LOGIN_ROLE:
            raise
        raise DatabaseConfigError(
            f"{err}; the app logs in as {LOGIN_ROLE}: set DATABASE_APP_PASSWORD (and run"
            " `bookingbot db upgrade`, which gives the role that password) or DATABASE_APP_URL"
        ) from None


def describe_connection_error(url: URL, err: BaseException) -> str:
    """One line a person can act on, for a failed connection."""
    where = url.render_as_string(hide_password=True)
    root: BaseException = err
    while root.__cause__ is not None:
        root = root.__cause__
    kind = type(root).__name__
    detail = str(root).strip().splitlines()[0] if str(root).strip() else kind
    if isinstance(root, ConnectionRefusedError) or "Connect call failed" in detail:
        return f"Cannot reach PostgreSQL at {where}: connection refused (is the server running?)"
    if "password authentication failed" in detail or kind == "InvalidPasswordError":
        return f"PostgreSQL at {where} refused the user name or password"
    if kind == "InvalidCatalogNameError" or "does not exist" in detail:
        return f"PostgreSQL at {where}: {detail}"
    if isinstance(root, OSError | TimeoutError):
        return f"Cannot reach PostgreSQL at {where}: {detail}"
    return f"PostgreSQL at {where} failed: {detail}"


async def prepare_app_login(owner: URL, settings: Settings) -> URL:
    """After migrating: give the login role its password if one is set, check it logs in,
    and return the URL the app's pool uses."""
    from .roles import set_login_password

    if settings.database_app_password and not settings.database_app_url:
        await set_login_password(owner, settings.database_app_password)
    url = app_url(owner, settings)
    await check_app_login(url)
    return url
