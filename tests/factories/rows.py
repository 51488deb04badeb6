"""Inserting rows in the system scope, and fresh Telegram-like ids."""

from __future__ import annotations

import itertools
from typing import Any

from core.db.uow import Database

_ids = itertools.count(1_000_001)


def next_user_id() -> int:
    """A fresh Telegram-like user id."""
    return next(_ids)


async def add(db: Database, obj: Any) -> Any:
    """Insert one row in the system scope and return it."""
    async with db.system("tests") as uow:
        uow.session.add(obj)
        await uow.flush()
        await uow.commit()
    return obj
