"""The unit of work: one transaction, scoped to who is acting, that rolls back unless committed.

Row-level security is enforced by PostgreSQL: the first statement of the transaction
stores the acting Telegram user (and the professional they are, if any) with
``enter_scope()`` and switches to the non-superuser role ``bookingbot_app``, the
pattern of seed 003's ``rls(userId, role, callback)``. The scope is kept where only
the database's definer functions can write it, once per transaction (revision 0005),
so nothing run later in the transaction can change who it acts for. The system scope
is explicit and named, for work that acts for nobody in particular (reminders, seeding).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from core import errors

from . import errors as db_errors
from .roles import APP_ROLE, SYSTEM_ROLE

log = logging.getLogger(__name__)


# One statement each. The login role may call the enter functions (their EXECUTE is checked
# before the role switch in the same statement takes effect); the roles it switches to may
# not, and a second call in one transaction is refused whoever makes it.
_ENTER_AS_SYSTEM = text(f"SELECT enter_system_scope(), set_config('role', '{SYSTEM_ROLE}', true)")
_ENTER_AS_USER = text(f"SELECT enter_scope(:user), set_config('role', '{APP_ROLE}', true)")
_RESCOPE_PROFESSIONAL = text("SELECT rescope_professional()")


@dataclass(frozen=True)
class Scope:
    """Who a unit of work acts for."""

    user_id: int | None
    system: str | None = None

    @classmethod
    def user(cls, telegram_user_id: int) -> Scope:
        """A Telegram user: policies show them their own rows (as client and professional)."""
        return cls(user_id=int(telegram_user_id))

    @classmethod
    def system_scope(cls, name: str) -> Scope:
        """The named system scope: reminder dispatch, seeding, webhooks."""
        return cls(user_id=None, system=name)


class UnitOfWorkFinished(RuntimeError):
    """A statement after the unit of work's transaction ended: a bug in the caller."""


class _OneTransactionSession(Session):
    """The session of one unit of work. The scope (role, user, professional) is set in its
    transaction only; a second transaction, after a commit, would run without it (as the
    connecting user), so it is refused instead."""


@event.listens_for(_OneTransactionSession, "after_transaction_create")
def _only_one_transaction(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:  # a savepoint (or subtransaction) inside the one
        return
    # Refused here, before the session takes a connection for the new transaction: refused
    # in after_begin, the connection would stay checked out of the pool.
    if session.info.get("began"):
        transaction.close()  # else the next statement would find it open and take a connection
        raise UnitOfWorkFinished("this unit of work has ended; open a new one for more work")
    session.info["began"] = True


class UnitOfWork:
    """A session in one transaction under one scope; use `async with`, then `commit()`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], scope: Scope) -> None:
        self._sessions = sessions
        self.scope = scope
        self.session: AsyncSession
        self.professional_id: uuid.UUID | None = None
        self._committed = False
        self._finished = False
        self._driver: Any = None

    @property
    def user_id(self) -> int | None:
        return self.scope.user_id

    async def __aenter__(self) -> UnitOfWork:
        # A pooled connection the server closed is replaced at checkout (core.db.engine);
        # one that died without the server saying so fails on its first statement, and as
        # nothing has been done yet, the scope is set again on a new connection.
        for attempt in (1, 2):
            self.session = self._sessions()
            try:
                await self._enter()
            except BaseException as err:
                await self._release()
                if attempt == 1 and isinstance(err, DBAPIError) and err.connection_invalidated:
                    log.warning("a pooled database connection was dead; using a new one")
                    continue
                raise self._translated(err) from err
            break
        return self

    async def _enter(self) -> None:
        await self.session.begin()
        if self.scope.system is not None:
            await self.session.execute(_ENTER_AS_SYSTEM)
            return
        # One round trip: set_config('role', ..., true) is SET LOCAL ROLE, and
        # enter_scope() looks the professional up as its owner, so the answer does not
        # depend on the role in force when the statement was planned.
        self.professional_id = await self.session.scalar(
            _ENTER_AS_USER, {"user": self.scope.user_id}
        )

    async def fetch(self, sql: str, *args: object) -> list[Any]:
        """Rows of one fixed read statement (``$1`` placeholders), in this unit of work's
        transaction and scope, straight through the driver.

        For the hot read paths of every booking screen: the ORM and SQLAlchemy's execution
        layers cost about twice what the round trip itself does. Rows are asyncpg records
        (by name or position); a refusal or a lost connection is translated like any other.
        """
        if self._committed or self._finished:
            # Its connection is back in the pool, perhaps in another unit of work's hands.
            raise UnitOfWorkFinished("this unit of work has ended; open a new one")
        try:
            session = self.session
            if session.new or session.dirty or session.deleted:
                await session.flush()  # what the ORM's autoflush would do: read our own writes
            if self._driver is None:
                connection = await session.connection()
                self._driver = (await connection.get_raw_connection()).driver_connection
            return await self._driver.fetch(sql, *args)  # type: ignore[no-any-return]
        except Exception as err:
            if self._driver is not None and self._driver.is_closed():
                raise errors.DatabaseUnavailable() from err
            raise self._translated(err) from err

    async def fetchrow(self, sql: str, *args: object) -> Any:
        """The first row of `fetch`, or None."""
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def refresh_professional(self) -> uuid.UUID | None:
        """Act as the professional the acting user is now (after onboarding creates them).

        The database looks the professional up from the scope's own user: no caller can
        name another one.
        """
        self.professional_id = await self.session.scalar(_RESCOPE_PROFESSIONAL)
        return self.professional_id

    async def commit(self) -> None:
        """Make the work permanent; without this the transaction is rolled back."""
        if self._committed or self._finished:
            raise UnitOfWorkFinished("this unit of work has ended; open a new one")
        try:
            await self.session.commit()
        except BaseException as err:
            raise self._translated(err) from err
        self._committed = True
        self._driver = None  # back in the pool: fetch must not reach it any more

    async def flush(self) -> None:
        """Send pending changes now, so a refused constraint surfaces as a domain error here."""
        try:
            await self.session.flush()
        except BaseException as err:
            raise self._translated(err) from err

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Try something that may be refused without losing the rest of the transaction."""
        nested = await self.session.begin_nested()
        try:
            yield
            await self.session.flush()
        except BaseException as err:
            await nested.rollback()
            raise self._translated(err) from err
        else:
            await nested.commit()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._finished = True
        self._driver = None
        await self._release()
        if exc is not None and not isinstance(exc, errors.DomainError):
            translated = db_errors.translate(exc)
            if translated is not None:
                raise translated from exc

    async def _release(self) -> None:
        """Give the connection back to the pool, whatever state the transaction is in."""
        # close() rolls back an uncommitted transaction without expiring what was loaded,
        # so data read in a read-only unit of work stays usable after it. Shielded: a
        # cancelled task must still hand its connection back rather than leave it out.
        close = asyncio.ensure_future(self.session.close())
        try:
            await asyncio.shield(close)
        except asyncio.CancelledError:
            await self._settle(close)
            raise
        except Exception:  # a dead or busy connection cannot roll back: throw it away
            log.debug("closing the session failed; invalidating its connection", exc_info=True)
            try:
                await self.session.invalidate()
            except Exception:
                log.debug("invalidating the connection failed", exc_info=True)

    async def _settle(self, close: asyncio.Future[None]) -> None:
        try:
            await close
        except Exception:
            try:
                await self.session.invalidate()
            except Exception:
                log.debug("invalidating the connection failed", exc_info=True)

    @staticmethod
    def _translated(err: BaseException) -> BaseException:
        return db_errors.translate(err) or err


class Database:
    """The engine and session factory; hands out units of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(
            engine, expire_on_commit=False, sync_session_class=_OneTransactionSession
        )

    def uow(self, scope: Scope) -> UnitOfWork:
        """A unit of work acting for `scope`."""
        return UnitOfWork(self.sessions, scope)

    def for_user(self, telegram_user_id: int) -> UnitOfWork:
        """A unit of work acting for one Telegram user."""
        return self.uow(Scope.user(telegram_user_id))

    def system(self, name: str) -> UnitOfWork:
        """A unit of work in the named system scope."""
        return self.uow(Scope.system_scope(name))

    async def dispose(self) -> None:
        await self.engine.dispose()
