"""PTB persistence in our PostgreSQL, as JSON: conversations, user_data and chat_data survive
a restart (and a deploy) without pickle.

Tables (core/models/system.py): ``bot_conversations(name, key, state)`` where ``key`` is
the JSON text of PTB's conversation key tuple, and ``bot_data(kind, key, data)`` with
``kind`` one of ``user``, ``chat``, ``bot``, ``callback``. Every read and write goes
through the named system scope ``bot-persistence``: these rows belong to the bot, not to
a tenant.

What handlers may put in ``context.user_data`` / ``chat_data``: JSON values only, that
survive a round trip unchanged, i.e. ``str``, ``int``, ``float``, ``bool``, ``None``,
lists, and dicts with **string** keys. Store dates and times as ISO strings
(``value.isoformat()``), UUIDs and Decimals as strings, and tuples as lists. Anything else
is refused when PTB hands it over (a TypeError reaches the error handler and the log),
rather than silently coming back different after a restart.

What is stored (``PersistenceInput``):

- ``user_data``: yes. Conversations keep their drafts there (the slot being booked, the
  onboarding answers); losing them on a restart would make the person start over.
- ``chat_data``: yes. The bot talks in private chats, where it mirrors user_data, but a
  feature may use it and would expect it back; unchanged data is never rewritten, so an
  unused chat_data costs no writes.
- ``bot_data``: no. It holds the live Database and clock (``bot.context``), which are not
  data; anything the whole bot must remember belongs in a real table.
- ``callback_data``: no. We do not use PTB's arbitrary callback data: our buttons carry
  their own small strings (``bot.callbacks``), so there is no cache to keep.

Writes are batched: PTB calls ``update_*`` for many users at once every
``update_interval`` seconds (5 by default); they are gathered into one transaction, data
identical to what is stored is skipped, and a failed write is kept and retried with the
next batch. While the database is unavailable nothing is lost and nothing is raised to
PTB (whose error handler would log a traceback per call): the changes stay pending, the
outage is logged once, and a retry loop writes them as soon as the database answers
(after 0.5, 1, 2, 5, then every 10 seconds), even if nobody writes to the bot meanwhile.
``flush()`` (run by PTB at shutdown) writes whatever is pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping, MutableMapping
from typing import Any, Final

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from telegram.ext import BasePersistence, PersistenceInput

from bot import health
from core.db.uow import Database
from core.errors import DatabaseUnavailable
from core.models.system import BotConversation, BotData

# PTB's own aliases for these live in a private module; these are the same shapes.
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

__all__ = ["DEFAULT_STORE", "PostgresPersistence", "ensure_json"]

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
DEFAULT_STORE: Final = PersistenceInput(
    bot_data=False, chat_data=True, user_data=True, callback_data=False
)
SCOPE = "bot-persistence"
LOOP = "persistence"  # its name in bot.health
RETRY_DELAYS: Final = (0.5, 1.0, 2.0, 5.0, 10.0)
_BOT_KEY = "bot"
_DELETE: Final = object()

# ("conv", conversation name, key) or ("data", kind, key) -> value to write or _DELETE.
_PendingKey = tuple[str, str, str]


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def ensure_json(value: object, what: str) -> str:
    """The canonical JSON text of `value`; TypeError if it would not come back unchanged."""
    try:
        encoded = _dumps(value)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{what} is not JSON ({err}); store dates as ISO strings, ids as strings"
        ) from None
    if json.loads(encoded) != value:
        raise TypeError(f"{what} would change in JSON: use string dict keys and lists, not tuples")
    return encoded


def _conversation_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


class PostgresPersistence(BasePersistence[JsonDict, JsonDict, JsonDict]):
    """Conversations and user/chat data as JSON rows in PostgreSQL (see the module doc)."""

    def __init__(
        self,
        database: Database,
        *,
        store_data: PersistenceInput | None = None,
        update_interval: float = 5.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        super().__init__(store_data=store_data or DEFAULT_STORE, update_interval=update_interval)
        self._db = database
        self._retry_delays = retry_delays
        self._retrying: asyncio.Task[None] | None = None
        self._away_since: float | None = None
        self._pending: dict[_PendingKey, object] = {}
        # What the database holds, as canonical JSON, so unchanged data is not rewritten.
        self._stored: dict[tuple[str, str], str] = {}
        self._write_lock = asyncio.Lock()
        self._attempts = 0
        self._failed_attempt = -1

    # --- reading (once, at start-up) --------------------------------------------------

    async def _load(self, kind: str) -> dict[str, Any]:
        async with self._db.system(SCOPE) as uow:
            rows = (
                await uow.session.execute(
                    select(BotData.key, BotData.data).where(BotData.kind == kind)
                )
            ).all()
        found = {key: data for key, data in rows}
        for key, data in found.items():
            self._stored[(kind, key)] = _dumps(data)
        return found

    async def get_user_data(self) -> dict[int, JsonDict]:
        return {int(key): data for key, data in (await self._load("user")).items()}

    async def get_chat_data(self) -> dict[int, JsonDict]:
        return {int(key): data for key, data in (await self._load("chat")).items()}

    async def get_bot_data(self) -> JsonDict:
        found: JsonDict = (await self._load("bot")).get(_BOT_KEY, {})
        return found

    async def get_callback_data(self) -> CDCData | None:
        stored = (await self._load("callback")).get(_BOT_KEY)
        if stored is None:
            return None
        buttons, messages = stored
        return [(str(uuid), float(stamp), dict(data)) for uuid, stamp, data in buttons], dict(
            messages
        )

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self._db.system(SCOPE) as uow:
            rows = (
                await uow.session.execute(
                    select(BotConversation.key, BotConversation.state).where(
                        BotConversation.name == name
                    )
                )
            ).all()
        return {tuple(json.loads(key)): state for key, state in rows}

    # --- writing ------------------------------------------------------------------------

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        if new_state is not None:
            ensure_json(new_state, f"state of conversation {name}")
        value = _DELETE if new_state is None else new_state
        await self._enqueue(("conv", name, _conversation_key(key)), value)

    async def update_user_data(self, user_id: int, data: JsonDict) -> None:
        await self._update("user", str(user_id), data)

    async def update_chat_data(self, chat_id: int, data: JsonDict) -> None:
        await self._update("chat", str(chat_id), data)

    async def update_bot_data(self, data: JsonDict) -> None:
        await self._update("bot", _BOT_KEY, data)

    async def update_callback_data(self, data: CDCData) -> None:
        buttons, messages = data
        await self._update("callback", _BOT_KEY, [[list(b) for b in buttons], messages])

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop("user", str(user_id))

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._drop("chat", str(chat_id))

    # One bot process polls a token (Telegram answers a second getUpdates with 409), so
    # nobody else writes these rows while we run: there is nothing to refresh.
    async def refresh_user_data(self, user_id: int, user_data: JsonDict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: JsonDict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: JsonDict) -> None:
        return None

    async def flush(self) -> None:
        """Write everything still pending (PTB calls this at shutdown)."""
        if self._retrying is not None and not self._retrying.done():
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrying
        await self._write_pending(retry=True)
        if self._pending:
            log.error(
                "Stopping with %d bot state changes unsaved: the database is unavailable",
                len(self._pending),
            )

    @property
    def pending(self) -> int:
        """Changes not written yet (held while the database is away)."""
        return len(self._pending)

    async def _update(self, kind: str, key: str, data: object) -> None:
        encoded = ensure_json(data, f"{kind}_data for {key}")
        stored = self._stored.get((kind, key))
        if encoded == stored or (stored is None and data in ({}, [])):
            return
        self._stored[(kind, key)] = encoded
        await self._enqueue(("data", kind, key), data)

    async def _drop(self, kind: str, key: str) -> None:
        self._stored.pop((kind, key), None)
        await self._enqueue(("data", kind, key), _DELETE)

    async def _enqueue(self, key: _PendingKey, value: object) -> None:
        self._pending[key] = value
        await self._write_pending(retry=False)

    async def _write_pending(self, *, retry: bool) -> None:
        # PTB gathers one update_* call per user; the first to get the lock writes its own
        # item, the next writes everything queued meanwhile, the rest find nothing to do.
        seen = self._attempts
        async with self._write_lock:
            if not self._pending:
                return
            if not retry and self._failed_attempt > seen:
                # A write failed while we queued: ours waits for the next round rather than
                # every caller of this round hitting a database that is down, one by one.
                return
            batch, self._pending = self._pending, {}
            self._attempts += 1
            try:
                await self._write(batch)
            except BaseException as err:
                self._failed_attempt = self._attempts
                for key, value in batch.items():
                    self._pending.setdefault(key, value)
                if isinstance(err, DatabaseUnavailable):
                    self._database_away()
                    return
                raise
            self._database_back()

    def _database_away(self) -> None:
        health.database_wait(LOOP)
        if self._away_since is None:
            self._away_since = time.monotonic()
            log.warning(
                "Cannot save %d bot state changes: the database is unavailable;"
                " keeping them and trying again until it is back",
                len(self._pending),
            )
        if self._retrying is None or self._retrying.done():
            self._retrying = asyncio.create_task(self._retry(), name="persistence-retry")

    def _database_back(self) -> None:
        if self._away_since is not None:
            health.database_back(LOOP)
            log.info(
                "Bot state saved again after %.1f s without the database",
                time.monotonic() - self._away_since,
            )
            self._away_since = None

    async def _retry(self) -> None:
        tries = 0
        while self._pending:
            await asyncio.sleep(self._retry_delays[min(tries, len(self._retry_delays) - 1)])
            tries += 1
            try:
                await self._write_pending(retry=True)
            except Exception:
                log.exception("Saving bot state failed; trying again")

    async def _write(self, batch: Mapping[_PendingKey, object]) -> None:
        conv_upserts = [
            {"name": name, "key": key, "state": value}
            for (table, name, key), value in batch.items()
            if table == "conv" and value is not _DELETE
        ]
        conv_deletes = [
            (name, key)
            for (table, name, key), value in batch.items()
            if table == "conv" and value is _DELETE
        ]
        data_upserts = [
            {"kind": kind, "key": key, "data": value}
            for (table, kind, key), value in batch.items()
            if table == "data" and value is not _DELETE
        ]
        data_deletes = [
            (kind, key)
            for (table, kind, key), value in batch.items()
            if table == "data" and value is _DELETE
        ]
        async with self._db.system(SCOPE) as uow:
            session = uow.session
            if conv_upserts:
                stmt = insert(BotConversation).values(conv_upserts)
                await session.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[BotConversation.name, BotConversation.key],
                        set_={"state": stmt.excluded.state, "updated_at": func.now()},
                    )
                )
            if conv_deletes:
                await session.execute(
                    delete(BotConversation).where(
                        tuple_(BotConversation.name, BotConversation.key).in_(conv_deletes)
                    )
                )
            if data_upserts:
                data_stmt = insert(BotData).values(data_upserts)
                await session.execute(
                    data_stmt.on_conflict_do_update(
                        index_elements=[BotData.kind, BotData.key],
                        set_={"data": data_stmt.excluded.data, "updated_at": func.now()},
                    )
                )
            if data_deletes:
                await session.execute(
                    delete(BotData).where(tuple_(BotData.kind, BotData.key).in_(data_deletes))
                )
            await uow.commit()
        log.debug("Persisted %d bot state changes", len(batch))
