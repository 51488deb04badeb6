"""The one error handler: what a user sees when something goes wrong, and what we log.

- A :class:`~core.errors.DomainError` (a rule of the product was not met) becomes its
  translated message: an alert for a button press, a message otherwise. Logged at debug.
- The database being unreachable (``DatabaseUnavailable``, or a raw connection error
  that escaped a unit of work) becomes ``error.database_unavailable``. Logged as a warning.
- Telegram refusing to deliver (the user blocked the bot, a network hiccup) is logged;
  there is nobody to tell.
- Anything else is a bug: logged with its traceback and the update as a dict, and the
  user gets the short apology ``common.sorry``. A user never sees a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.context import Ctx, alert_text, translator_for
from bot.i18n import SORRY
from core.db import errors as db_errors
from core.errors import DatabaseUnavailable, DomainError

__all__ = ["as_domain_error", "install", "on_error", "replies_domain_errors", "reply_error"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def as_domain_error(err: BaseException) -> DomainError | None:
    """The DomainError a failure means for the user, or None when it is a bug."""
    if isinstance(err, DomainError):
        return err
    if isinstance(err, PoolTimeout | asyncpg.ConnectionDoesNotExistError):
        return DatabaseUnavailable()
    if isinstance(err, asyncpg.PostgresError):
        # Raw driver errors escape only outside a unit of work; the server being down,
        # starting or out of resources is not a bug of ours.
        sqlstate = str(getattr(err, "sqlstate", "") or "")
        return DatabaseUnavailable() if sqlstate.startswith(("08", "57P", "53")) else None
    # Only database failures are translated: an OSError from elsewhere is a bug.
    if isinstance(err, SQLAlchemyError | ConnectionError):
        return db_errors.translate(err)
    return None


async def reply_error(update: object, ctx: Ctx, err: DomainError, *, state: Any = None) -> Any:
    """Tell the user what `err` means (alert for a button, message otherwise); return `state`.

    For handlers that catch a DomainError themselves and want to stay in a conversation
    state: ``except DomainError as err: return await reply_error(update, ctx, err, state=ASK)``.
    """
    # A database that is down cannot tell us the reader's language: do not wait for it.
    use_db = not isinstance(err, DatabaseUnavailable)
    tr = await translator_for(update, ctx, use_db=use_db)
    await alert_text(update, ctx, tr.render(err))
    return state


def replies_domain_errors(
    state: object = None,
) -> Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]:
    """Decorate a handler so a DomainError is answered and the handler returns `state`.

    Without it the global handler answers the same way and a ConversationHandler keeps its
    current state; use it where the conversation should move to `state` instead.
    """

    def decorate(handler: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        @functools.wraps(handler)
        async def wrapper(update: object, ctx: Ctx, *args: Any, **kwargs: Any) -> T:
            try:
                return await handler(update, ctx, *args, **kwargs)
            except DomainError as err:
                result: T = await reply_error(update, ctx, err, state=state)
                return result

        return wrapper

    return decorate


def _describe(update: object) -> str:
    if isinstance(update, Update):
        return json.dumps(update.to_dict(), ensure_ascii=False, default=str)
    return repr(update)


async def on_error(update: object, ctx: Ctx) -> None:
    """PTB error handler: answer the user in their language and log what needs a look."""
    err = ctx.error
    if err is None:
        return
    if not isinstance(update, Update):
        # Persistence writes, jobs: no user waits for an answer.
        if isinstance(as_domain_error(err), DatabaseUnavailable):
            log.warning("Database unavailable outside an update (%s): %r", _describe(update), err)
            return
        log.error("Error outside an update (%s)", _describe(update), exc_info=err)
        return
    domain = as_domain_error(err)
    if domain is not None:
        if isinstance(domain, DatabaseUnavailable):
            log.warning("Database unavailable while handling update %s: %r", update.update_id, err)
        else:
            log.debug("Update %s refused: %s", update.update_id, domain)
        await _tell(update, ctx, domain)
        return
    if isinstance(err, Forbidden):
        log.info("Telegram refused to deliver for update %s: %s", update.update_id, err)
        return
    if isinstance(err, BadRequest) and "not modified" in str(err).lower():
        # The same screen shown again (a double tap): the person already sees it.
        log.debug("Update %s left the message as it was", update.update_id)
        return
    if isinstance(err, RetryAfter | NetworkError) and not isinstance(err, BadRequest):
        # Telegram or the network is struggling; an apology would most likely fail too.
        # (PTB's BadRequest is a NetworkError, but it means our request was wrong: a bug.)
        log.warning("Telegram unavailable while handling update %s: %r", update.update_id, err)
        return
    log.error("Unexpected error while handling update %s", _describe(update), exc_info=err)
    try:
        tr = await translator_for(update, ctx)
        await alert_text(update, ctx, tr.t(SORRY))
    except Exception:
        log.exception("Could not even apologise for update %s", update.update_id)


async def _tell(update: Update, ctx: Ctx, err: DomainError) -> None:
    try:
        await reply_error(update, ctx, err)
    except TelegramError:
        log.warning("Could not tell user about %s for update %s", err, update.update_id)


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the error handler (once)."""
    application.add_error_handler(on_error)
