"""The Telegram Application: built in one place, with our persistence, ordering and errors.

``build_application`` wires what every conversation relies on:

- the Bot API at ``settings.telegram_api_url`` (Telegram, or the local emulator), over
  aiohttp (:mod:`bot.transport`) rather than PTB's default httpx;
- ``AIORateLimiter``: Telegram's global limit, and a 429 waits ``retry_after`` and retries;
- updates processed concurrently across chats but in order within a chat
  (:class:`PerChatUpdateProcessor`), so a ConversationHandler never sees a person's second
  message before their first is done;
- :class:`~bot.persistence.PostgresPersistence` (conversations survive a restart);
- ``bot_data`` holding the Database, clock and settings (read them with ``bot.context``);
- the bot's command menus per language, the error handler and the generic handlers.

Handler order matters: features (``register``) go first in group 0, then the generic
fallbacks of ``bot.handlers.basics`` (the expired-button catch-all last of all).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from sqlalchemy.engine import URL
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, BaseUpdateProcessor

from bot import context, errors
from bot.handlers import basics
from bot.i18n import DEFAULT_LOCALE, N_, get_translator
from bot.persistence import PostgresPersistence
from bot.transport import AiohttpRequest
from core.clock import Clock, system_clock
from core.config import Settings
from core.db.uow import Database

__all__ = [
    "CLIENT_COMMANDS",
    "COMMAND_LANGUAGES",
    "PROFESSIONAL_COMMANDS",
    "PerChatUpdateProcessor",
    "build_application",
    "clear_professional_commands",
    "register_commands",
    "run_polling",
    "tune_runtime",
]

log = logging.getLogger(__name__)

Register = Callable[[Application[Any, Any, Any, Any, Any, Any]], None]

# (command, description msgid). The menu a client sees, in the default scope.
CLIENT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("command.start")),
    ("book", N_("command.book")),
    ("mybookings", N_("command.mybookings")),
    ("message", N_("command.message")),
    ("language", N_("command.language")),
    ("timezone", N_("command.timezone")),
    ("register", N_("command.register")),
    ("cancel", N_("command.cancel")),
    ("help", N_("command.help")),
)
# A professional's own menu, scoped to their chat once they have registered.
PROFESSIONAL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("agenda", N_("command.agenda")),
    ("pending", N_("command.pending")),
    ("clients", N_("command.clients")),
    ("inbox", N_("command.inbox")),
    ("note", N_("command.note")),
    ("recurring", N_("command.recurring")),
    ("availability", N_("command.availability")),
    ("timeoff", N_("command.timeoff")),
    ("settings", N_("command.settings")),
    ("link", N_("command.link")),
    ("mybookings", N_("command.mybookings")),
    ("language", N_("command.language")),
    ("timezone", N_("command.timezone")),
    ("cancel", N_("command.cancel")),
    ("help", N_("command.help")),
)
# Telegram language code ("" = everyone else) -> our locale.
COMMAND_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("", DEFAULT_LOCALE),
    ("en", "en"),
    ("pt", "pt_BR"),
    ("es", "es"),
)


# --- per-chat ordering ------------------------------------------------------------------


@dataclass
class _ChatTurn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; a chat's updates run one at a time, in order.

    The order holds for blocking handlers (PTB's default); a handler made ``block=False``
    runs outside it. PTB's semaphore (``max_concurrent_updates``) bounds the updates held
    at once, those waiting for their chat included; ``max_running`` bounds those actually
    running handlers, so a burst from one chat does not take the database pool from
    everyone else.
    """

    def __init__(self, max_concurrent_updates: int = 256, max_running: int = 16) -> None:
        super().__init__(max_concurrent_updates)
        if max_running < 1:
            raise ValueError("max_running must be positive")
        self._running = asyncio.Semaphore(max_running)
        self._turns: dict[int, _ChatTurn] = {}
        self.processed = 0
        self.last_update_id = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await self._run(update, coroutine)
            return
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _ChatTurn()
        turn.waiting += 1
        try:
            # asyncio.Lock wakes waiters first-come first-served: arrival order is kept.
            async with turn.lock:
                await self._run(update, coroutine)
        finally:
            turn.waiting -= 1
            if turn.waiting == 0:
                del self._turns[key]

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = False
        try:
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: avoid "never awaited"
            self.processed += 1
            if isinstance(update, Update):
                self.last_update_id = max(self.last_update_id, update.update_id)

    @property
    def chats_waiting(self) -> int:
        """Chats with an update running or queued (for tests and diagnostics)."""
        return len(self._turns)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


# --- command menus ----------------------------------------------------------------------


def _commands(spec: Sequence[tuple[str, str]], locale: str) -> list[BotCommand]:
    tr = get_translator(locale)
    return [BotCommand(name, tr.t(msgid)) for name, msgid in spec]


async def register_commands(
    bot: Bot, *, professional_chat_id: int | None = None, locale: str = DEFAULT_LOCALE
) -> None:
    """Set the command menus: the client menu per language in the default scope, or, given
    `professional_chat_id`, that professional's menu in their chat, in their `locale`."""
    if professional_chat_id is None:
        for language, menu_locale in COMMAND_LANGUAGES:
            await bot.set_my_commands(
                _commands(CLIENT_COMMANDS, menu_locale),
                scope=BotCommandScopeDefault(),
                language_code=language or None,
            )
        return
    # No language_code: the menu follows the language the professional chose in the bot.
    await bot.set_my_commands(
        _commands(PROFESSIONAL_COMMANDS, locale),
        scope=BotCommandScopeChat(professional_chat_id),
    )


async def clear_professional_commands(bot: Bot, chat_id: int) -> None:
    """Back to the client menu for someone who is no longer a professional."""
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    try:
        await register_commands(application.bot)
    except TelegramError:
        # A menu is a nicety: the bot answers commands without it.
        log.warning("Could not set the bot's command menus", exc_info=True)


# --- the application --------------------------------------------------------------------


def _chain(*steps: Any) -> Any:
    async def run(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        for step in steps:
            await step(application)

    return run


def build_application(
    *,
    settings: Settings,
    db: Database,
    base_url: str | None = None,
    base_file_url: str | None = None,
    clock: Clock = system_clock,
    register: Register | None = None,
    persistence_interval: float = 5.0,
    max_running: int = 16,
    background: bool = False,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application for `settings`, with features from `register` and our generic parts.

    `background` starts the reminder/notification dispatcher and the recurring-series
    upkeep with the application (the real bot and the demo; tests drive them by hand).
    """
    token = settings.telegram_bot_token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is needed to build the bot")
    api = settings.telegram_api_url.rstrip("/")
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url or f"{api}/bot")
        .base_file_url(base_file_url or f"{api}/file/bot")
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(max_running=max_running))
        .persistence(PostgresPersistence(db, update_interval=persistence_interval))
        .post_init(_post_init)
        .build()
    )
    if background:
        from bot import background as background_work

        application.post_init = _chain(_post_init, background_work.start)
        application.post_stop = background_work.stop
    context.attach(application, database=db, clock=clock, settings=settings)
    basics.register_guards(application)
    if register is not None:
        register(application)
    basics.register(application)
    errors.install(application)
    return application


# A bot allocates many short-lived objects per update (Telegram objects, rows, keyboards)
# and keeps few cycles; with CPython's default of a young collection every 700 net
# allocations, garbage collection is a visible share of the booking step's CPU
# (bench/bench_bot_updates.py). Collections stay on, just less often.
GC_THRESHOLDS = (50_000, 50, 100)


def tune_runtime() -> None:
    """Process-wide settings for a long-running bot (the real bot and the demo)."""
    gc.set_threshold(*GC_THRESHOLDS)


def _default_register() -> Register:
    from bot.handlers import register_features

    return register_features


def _fail(message: str, code: int = 1) -> NoReturn:
    print(f"bookingbot: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def run_polling(settings: Settings, *, register: Register | None = None) -> None:
    """Run the bot with long polling until interrupted (database resolved and migrated first)."""
    if not settings.telegram_bot_token:
        _fail(
            "TELEGRAM_BOT_TOKEN is not set: the bot needs a token from @BotFather."
            " `bookingbot demo` runs offline without one.",
            2,
        )
    from core.db import migrate_process
    from core.db.engine import (
        DatabaseConfigError,
        check_reachable,
        ensure_database,
        make_engine,
        prepare_app_login,
        resolve,
    )

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll otherwise
    tune_runtime()

    async def prepare(url: URL, embedded: bool) -> URL:
        if embedded:  # a fresh machine's embedded server has no bookingbot database yet
            await ensure_database(url)
        await check_reachable(url)
        await migrate_process.upgrade(url)
        return await prepare_app_login(url, settings)

    try:
        target = resolve(settings)
        login_url = asyncio.run(prepare(target.url, target.embedded))
    except DatabaseConfigError as err:
        _fail(str(err))
    # The owner migrated; every unit of work runs as the login role (revision 0005).
    database = Database(make_engine(login_url, settings))
    application = build_application(
        settings=settings, db=database, register=register or _default_register(), background=True
    )

    async def dispose(_: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await database.dispose()

    application.post_shutdown = dispose
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        _fail("Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather.")
    except NetworkError as err:
        _fail(f"cannot reach the Telegram Bot API at {settings.telegram_api_url}: {err}")
