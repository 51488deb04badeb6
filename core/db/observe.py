"""Which SQL statements a database's connections send: for tests, benchmarks, diagnostics.

Statements reach PostgreSQL two ways: through SQLAlchemy (seen by its
``before_cursor_execute`` event) and through ``UnitOfWork.fetch``, straight through the
driver (seen by asyncpg's query loggers, attached to each connection as it leaves the
pool). ``StatementLog`` listens to both, so a count covers every statement of the units of
work opened while it listens. BEGIN, COMMIT and ROLLBACK are not statements here; the
driver's own type lookups, sent once per connection the first time it meets a type, are.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["StatementLog"]

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


class StatementLog:
    """``async with StatementLog(engine) as log:`` ... ``log.statements`` (SQL texts).

    Only connections taken from the pool while it listens are followed: open the units
    of work to observe inside the ``async with``.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements: list[str] = []
        self._engine = engine.sync_engine
        self._drivers: list[Any] = []

    def __len__(self) -> int:
        return len(self.statements)

    def _seen(self, conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        self.statements.append(statement)

    def _logged(self, record: Any) -> None:
        # The driver logs the transaction's own BEGIN/COMMIT/ROLLBACK/SAVEPOINT too.
        if not record.query.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            self.statements.append(record.query)

    def _checkout(self, dbapi_connection: Any, *rest: Any) -> None:
        driver = dbapi_connection.driver_connection
        driver.add_query_logger(self._logged)
        self._drivers.append(driver)

    async def __aenter__(self) -> StatementLog:
        event.listen(self._engine, "before_cursor_execute", self._seen)
        event.listen(self._engine.pool, "checkout", self._checkout)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)
        event.remove(self._engine.pool, "checkout", self._checkout)
        for driver in self._drivers:
            driver.remove_query_logger(self._logged)
        self._drivers.clear()
        await asyncio.sleep(0)  # asyncpg hands logged queries over on the next loop turn
