"""Per-update helpers so that handlers stay thin: the database, the clock, the reader's
language and time zone, and replies translated and split to Telegram's limits.

The Application's ``bot_data`` holds the shared objects (put there by
``bot.app.build_application``); read them through :func:`db`, :func:`now` and
:func:`settings`, never by key.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import CallbackQueryLimit, MessageLimit
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext

from bot.i18n import Translator, get_translator, normalize_locale
from core.clock import Clock
from core.config import Settings
from core.db.uow import Database, UnitOfWork
from core.errors import DatabaseUnavailable

# What a message may carry as reply_markup (PTB keeps its own alias in a private module).
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply

__all__ = [
    "ALERT_LIMIT",
    "TEXT_LIMIT",
    "Ctx",
    "PrefsResolver",
    "ReplyMarkup",
    "UserPrefs",
    "alert",
    "alert_text",
    "attach",
    "db",
    "forget_prefs",
    "now",
    "prefs",
    "prefs_in",
    "read_prefs",
    "reply",
    "reply_text",
    "set_prefs_resolver",
    "settings",
    "split_text",
    "translator_for",
    "user_tz",
]

log = logging.getLogger(__name__)

Ctx: TypeAlias = CallbackContext[Any, Any, Any, Any]
ALERT_LIMIT = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH

_DB, _CLOCK, _SETTINGS, _RESOLVER, _CACHE = (
    "bookingbot.db",
    "bookingbot.clock",
    "bookingbot.settings",
    "bookingbot.prefs_resolver",
    "bookingbot.prefs_cache",
)
_CACHE_SIZE = 4096
PREFS_TIMEOUT = 3.0
# How long a reader's preferences are reused before being read again. This process drops
# a user's entry when it changes them (forget_prefs); a change made elsewhere (another bot
# process, a script) shows after at most this long.
PREFS_TTL = 30.0


@dataclass(frozen=True)
class UserPrefs:
    """What the account says about a reader; None where they chose nothing."""

    locale: str | None = None
    timezone: str | None = None
    is_professional: bool = False


# (database, telegram user id) -> the account's preferences.
PrefsResolver = Callable[[Database, int], Awaitable[UserPrefs]]


_PREFS_QUERY = (
    "SELECT coalesce(u.locale, p.locale), coalesce(u.timezone, p.timezone),"
    " p.id IS NOT NULL"
    " FROM (SELECT $1::bigint AS user_id) AS me"
    " LEFT JOIN telegram_users AS u ON u.user_id = me.user_id"
    " LEFT JOIN professionals AS p ON p.user_id = me.user_id"
)


async def _query_prefs(uow: UnitOfWork, user_id: int) -> UserPrefs:
    row = await uow.fetchrow(_PREFS_QUERY, user_id)
    return UserPrefs(locale=row[0], timezone=row[1], is_professional=bool(row[2]))


async def read_prefs(database: Database, user_id: int) -> UserPrefs:
    """The account's chosen locale and zone, in the user's own scope (RLS shows only theirs).

    A professional who set no personal preference reads in their practice's locale and zone.
    """
    async with database.for_user(user_id) as uow:
        return await _query_prefs(uow, user_id)


def attach(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    database: Database,
    clock: Clock,
    settings: Settings,
    prefs_resolver: PrefsResolver = read_prefs,
) -> None:
    """Put the shared objects where the helpers below find them."""
    application.bot_data[_DB] = database
    application.bot_data[_CLOCK] = clock
    application.bot_data[_SETTINGS] = settings
    application.bot_data[_RESOLVER] = prefs_resolver
    application.bot_data[_CACHE] = OrderedDict()


def set_prefs_resolver(
    application: Application[Any, Any, Any, Any, Any, Any], resolver: PrefsResolver
) -> None:
    """Read preferences through a core service instead of the built-in query."""
    application.bot_data[_RESOLVER] = resolver


def _bot_data(ctx: Ctx | Application[Any, Any, Any, Any, Any, Any]) -> dict[str, Any]:
    data = ctx.bot_data
    if _DB not in data:
        raise RuntimeError("bot_data has no database: build the Application with build_application")
    return data  # type: ignore[no-any-return]


def db(ctx: Ctx | Application[Any, Any, Any, Any, Any, Any]) -> Database:
    """The Database (units of work per user or system scope)."""
    database: Database = _bot_data(ctx)[_DB]
    return database


def clock(ctx: Ctx | Application[Any, Any, Any, Any, Any, Any]) -> Clock:
    """The injected clock itself, for work that asks for the time repeatedly."""
    found: Clock = _bot_data(ctx)[_CLOCK]
    return found


def now(ctx: Ctx) -> datetime:
    """The current instant from the injected clock (aware, UTC)."""
    return clock(ctx)()


def settings(ctx: Ctx) -> Settings:
    found: Settings = _bot_data(ctx)[_SETTINGS]
    return found


# --- the reader -------------------------------------------------------------------------


async def prefs(update: object, ctx: Ctx, *, use_db: bool = True) -> UserPrefs:
    """The acting user's account preferences, read at most once per PREFS_TTL seconds.

    Every update needs them (language, zone, menus), so they are kept per Telegram user
    instead of costing a transaction each time; handlers that change them call
    :func:`forget_prefs`. When the database cannot answer, the reader still gets a reply:
    in the language last read for them if this process has read it (however old), else
    in Telegram's; the failure is logged.
    """
    if not isinstance(update, Update) or update.effective_user is None:
        return UserPrefs()
    user_id = update.effective_user.id
    data = _bot_data(ctx)
    cache: OrderedDict[int, tuple[float, UserPrefs]] = data[_CACHE]
    cached = cache.get(user_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    known = cached[1] if cached is not None else UserPrefs()
    if not use_db:
        return known
    resolver: PrefsResolver = data[_RESOLVER]
    try:
        # A reply in Telegram's language beats no reply while the database is slow.
        found = await asyncio.wait_for(resolver(data[_DB], user_id), PREFS_TIMEOUT)
    except Exception as err:
        if isinstance(err, DatabaseUnavailable | TimeoutError):
            log.warning("Cannot read preferences of user %s: %r", user_id, err)
        else:
            log.warning("Cannot read preferences of user %s", user_id, exc_info=True)
        return known
    _keep(cache, user_id, found)
    return found


async def prefs_in(update: object, ctx: Ctx, uow: UnitOfWork) -> UserPrefs:
    """Like :func:`prefs`, but when they must be read, read them in `uow`, a unit of work the
    handler opened for the same user, instead of a transaction of their own."""
    user = update.effective_user if isinstance(update, Update) else None
    data = _bot_data(ctx)
    if user is None or uow.user_id != user.id or data[_RESOLVER] is not read_prefs:
        return await prefs(update, ctx)
    cache: OrderedDict[int, tuple[float, UserPrefs]] = data[_CACHE]
    cached = cache.get(user.id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = await _query_prefs(uow, user.id)
    _keep(cache, user.id, found)
    return found


def _keep(cache: OrderedDict[int, tuple[float, UserPrefs]], user_id: int, found: UserPrefs) -> None:
    cache[user_id] = (time.monotonic() + PREFS_TTL, found)
    cache.move_to_end(user_id)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


def forget_prefs(update: object, ctx: Ctx) -> None:
    """Drop the user's kept preferences after changing them, so the next reply follows."""
    if isinstance(update, Update) and update.effective_user is not None:
        cache: OrderedDict[int, tuple[float, UserPrefs]] = _bot_data(ctx)[_CACHE]
        cache.pop(update.effective_user.id, None)


async def translator_for(update: object, ctx: Ctx, *, use_db: bool = True) -> Translator:
    """The reader's Translator: account locale, else Telegram's language, else the default."""
    default = settings(ctx).default_locale
    chosen = (await prefs(update, ctx, use_db=use_db)).locale
    if chosen:
        return get_translator(chosen, default)
    user = update.effective_user if isinstance(update, Update) else None
    language = user.language_code if user is not None else None
    if language:
        return get_translator(language, default)
    return get_translator(normalize_locale(default))


async def user_tz(update: object, ctx: Ctx, *, use_db: bool = True) -> str:
    """The reader's IANA time zone: the account's, else the configured default."""
    chosen = (await prefs(update, ctx, use_db=use_db)).timezone
    return chosen or settings(ctx).default_timezone


# --- replying ---------------------------------------------------------------------------


def split_text(body: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a plain text into pieces of at most `limit` characters, at line breaks if possible.

    A single line longer than the limit is cut at its last space before the limit, or hard
    when it has none. Meant for plain text: cutting inside HTML/Markdown markup breaks it.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    current = ""
    for line in body.splitlines(keepends=True):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut + 1 if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current:
        pieces.append(current)
    # A piece made only of the line break that ended its neighbour would be sent empty.
    stripped = [piece.rstrip("\n") for piece in pieces]
    return [piece for piece in stripped if piece.strip()] or [body[:limit]]


async def reply_text(
    update: object,
    ctx: Ctx,
    body: str,
    *,
    reply_markup: ReplyMarkup | None = None,
    parse_mode: str | None = None,
) -> Message | None:
    """Send an already translated text to the update's chat, split to Telegram's limit.

    The keyboard goes on the last piece, where the reader's eyes end up.
    Returns the last message sent, or None when the update has no chat.
    """
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        log.warning("Nowhere to reply for update %r", update)
        return None
    pieces = split_text(body)
    sent: Message | None = None
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        sent = await ctx.bot.send_message(
            chat_id=chat.id,
            text=piece,
            reply_markup=reply_markup if last else None,
            parse_mode=parse_mode,
        )
    return sent


async def reply(
    update: object,
    ctx: Ctx,
    msgid: str,
    /,
    *,
    reply_markup: ReplyMarkup | None = None,
    **params: object,
) -> Message | None:
    """Send `msgid` translated for the reader, with `params` filled in."""
    tr = await translator_for(update, ctx)
    return await reply_text(update, ctx, tr.t(msgid, **params), reply_markup=reply_markup)


async def alert(update: object, ctx: Ctx, msgid: str, /, **params: object) -> None:
    """Show `msgid` as an alert for a button press, or as a message otherwise."""
    tr = await translator_for(update, ctx)
    await alert_text(update, ctx, tr.t(msgid, **params))


async def alert_text(update: object, ctx: Ctx, body: str) -> None:
    """Show an already translated text as an alert (button press) or a message."""
    query = update.callback_query if isinstance(update, Update) else None
    if query is None:
        await reply_text(update, ctx, body)
        return
    short = body if len(body) <= ALERT_LIMIT else body[: ALERT_LIMIT - 1] + "…"
    try:
        await query.answer(short, show_alert=True)
    except BadRequest:
        # Already answered (handlers answer first) or too old: the chat still gets the text.
        log.debug("Cannot answer callback query %s; replying instead", query.id, exc_info=True)
        await reply_text(update, ctx, body)
