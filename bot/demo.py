"""``bookingbot demo``: the real bot, offline, in a terminal. No token, no set-up.

A database of its own (``bookingbot_demo`` on the embedded PostgreSQL, or on the
DATABASE_URL server when one is set), so the demo never touches the bot's real data, is
migrated and seeded with the demo practices; the local Bot API
emulator plays Telegram on 127.0.0.1; the same Application as in production long-polls
it. The person types as a client or as a professional and sees the bot's replies,
buttons numbered so that typing the number presses one. Works with piped input too:
``printf '/start dra-ana-souza\\n/quit\\n' | bookingbot demo``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import cast

from sqlalchemy.engine import URL

from bot import background
from bot.app import PerChatUpdateProcessor, Register, build_application, tune_runtime
from bot.demo_cast import NEW_PRO_ID, VISITOR_ID, Cast, Person, forget_visitor, read_cast
from bot.demo_terminal import (
    Transcript,
    default_log_file,
    last_buttons_message,
    logs_to_file,
    stdin_lines,
    terminal_language,
)
from bot.reminders_and_outbox.dispatcher import Dispatcher
from core.clock import Clock, system_clock
from core.config import Settings
from core.db import migrate
from core.db.engine import (
    DatabaseConfigError,
    describe_connection_error,
    ensure_database,
    make_engine,
    prepare_app_login,
    resolve,
)
from core.db.uow import Database
from core.scheduling.lexicon import fold
from emulator import BotApiEmulator, RateLimits

__all__ = ["DEMO_DATABASE", "VISITOR_ID", "demo_session", "run_demo"]

log = logging.getLogger(__name__)

DEMO_DATABASE = "bookingbot_demo"
SETTLE_TIMEOUT = 15.0

HELP = """\
Demo commands (everything else goes to the bot):
  /as new | client | pro | <name>      play someone else (each professional by first
                                       name, as listed below; or /as <user id>)
  /lang en | pt | es                   the language your Telegram app reports
  /say <text>                          send <text> as is (e.g. a number)
  /quit                                leave
Type the number of a button to press it; a number keeps its button while that screen is
redrawn (after marking a session done, say), and a new screen is numbered afresh."""


async def _demo_database(settings: Settings, override: URL | None) -> URL:
    """The demo's own database, created and migrated; never the bot's real one. Returns the
    URL the demo's bot logs in with (the login role)."""
    if override is not None:
        url = override
    else:
        target = await asyncio.to_thread(resolve, settings)
        url = target.url.set(database=DEMO_DATABASE)
        try:
            await ensure_database(url)
        except Exception as err:
            raise DatabaseConfigError(
                f"cannot create the demo database: {describe_connection_error(url, err)}."
                " Unset DATABASE_URL to run the demo on the embedded PostgreSQL."
            ) from None
    await migrate.upgrade(url)
    return await prepare_app_login(url, settings)  # the demo runs as the bot does


async def _seed(database: Database, now: Clock, out: Callable[[str], None]) -> None:
    try:
        from core.db import seed
    except ModuleNotFoundError as err:
        if err.name is None or not err.name.startswith("core.db.seed"):
            raise
        out("(no demo data: core.db.seed is not available)")
        return
    try:
        result = await seed.seed_demo(database, now=now())
    except Exception as err:
        log.warning("Seeding the demo data failed", exc_info=True)
        out(f"(could not seed the demo data: {err})")
        return
    log.info("%s", result)


class DemoChat:
    """The terminal side of the demo: who is typing, what they type, what the bot shows."""

    def __init__(
        self,
        emu: BotApiEmulator,
        processor: PerChatUpdateProcessor,
        cast: Cast,
        out: Callable[[str], None],
        *,
        echo: bool,
    ) -> None:
        self.emu = emu
        self.processor = processor
        self.people = cast.people
        self.slug = cast.slug
        self.out = out
        self.echo = echo
        self.language = self.people["new"].language
        # A first visit, as a new user would make one (not a client already booked up).
        self.current = self.people["new"]
        self.professionals = dict(cast.professionals)
        self.known: dict[int, Person] = {}
        for person in [*self.people.values(), *self.professionals.values()]:
            self._ensure(person)
        self.transcript = Transcript(emu, self._label, lambda: self.current.user_id)
        self.dispatcher: Callable[[], Dispatcher | None] | None = None

    def _ensure(self, person: Person) -> None:
        if person.user_id not in self.known:
            self.emu.add_user(person.user_id, person.name, language_code=person.language)
            self.known[person.user_id] = person

    def _label(self, user_id: int) -> str:
        person = self.known.get(user_id)
        return f"{person.name} ({person.role})" if person else str(user_id)

    def banner(self) -> None:
        self.out(HELP)
        roles = [f"{p.name}, professional (/as {key})" for key, p in self.professionals.items()]
        client = self.people.get("client")
        if client is not None and client is not self.people["new"]:
            roles.append(f"{client.name}, a client of {self.people['pro'].name} (/as client)")
        roles.append("a visitor the bot has never seen (/as new)")
        self.out("Cast: " + "; ".join(roles) + ".")
        self.out(f"You are {self._label(self.current.user_id)}.")
        if self.slug:
            self.out(f"Try: /start {self.slug}")
        else:
            self.out("Try: /start, or /register to set up a practice.")

    def print_new(self) -> None:
        for line in self.transcript.drain():
            self.out(line)

    async def watch(self) -> None:
        """Print what the bot sends while the person is not typing (reminders, notices)."""
        while True:
            await asyncio.sleep(0.1)
            self.print_new()

    async def settle(self) -> None:
        """Wait until the bot has handled everything sent so far, then print its replies."""
        pending = self.emu.pending_updates
        wanted = pending[-1]["update_id"] if pending else self.processor.last_update_id
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT
        while self.processor.last_update_id < wanted or self.processor.chats_waiting:
            if loop.time() > deadline:
                self.out("(the bot is still working on it…)")
                break
            await asyncio.sleep(0.02)
        # Handlers may leave work behind (a notification sent after commit); what they
        # queued goes out now, as it would within seconds on Telegram.
        await asyncio.sleep(0.15)
        await self._dispatch(loop.time() + SETTLE_TIMEOUT)
        self.print_new()

    async def _dispatch(self, deadline: float) -> None:
        dispatcher = self.dispatcher() if self.dispatcher is not None else None
        if dispatcher is None:
            return
        loop = asyncio.get_running_loop()
        # The pass under way may have started before the handler committed: wait for the
        # one after it.
        wanted = dispatcher.passes + 2
        dispatcher.wake()
        while dispatcher.passes < wanted and loop.time() < deadline:
            await asyncio.sleep(0.02)
            dispatcher.wake()
        await asyncio.sleep(0.05)

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if self.echo:
            self.out(f"{self._label(self.current.user_id)} › {line}")
        command, _, rest = line.partition(" ")
        if command in ("/quit", "/exit"):
            return False
        if command == "/demo":
            self.out(HELP)
        elif command == "/as":
            self._switch(rest.strip())
        elif command == "/lang":
            self._set_language(rest.strip())
        elif command == "/say" and rest:
            await self.emu.send_text(self.current.user_id, rest)
            await self.settle()
        elif line.isdigit():
            await self._press(int(line))
        else:
            await self._type(line)
        return True

    def _switch(self, who: str) -> None:
        who = fold(who).lower()
        person = self.people.get(who) if who in ("client", "pro", "new") else None
        if person is None:
            person = self.professionals.get(who)
        if person is None and who == "pro":
            self.out("(no professional in the demo data: send /register to become one)")
            person = Person(NEW_PRO_ID, "Professional", "pro", self.language)
            self.people["pro"] = person
        if person is None and who.isdigit():
            user_id = int(who)
            person = self.known.get(user_id) or Person(
                user_id, f"User {user_id}", "guest", self.language
            )
        if person is None:
            names = ", ".join(f"/as {key}" for key in self.professionals)
            more = f", {names}" if names else ""
            self.out(f"Use /as new, /as client, /as pro{more} or /as <user id>.")
            return
        self._ensure(person)
        self.current = self.known[person.user_id]
        self.out(f"You are now {self._label(self.current.user_id)}.")

    def _set_language(self, code: str) -> None:
        if code not in ("en", "pt", "es"):
            self.out("Use /lang en, /lang pt or /lang es.")
            return
        self.emu.user(self.current.user_id).language_code = code
        self.current.language = code
        self.out(f"Your Telegram app now reports the language {code!r}.")

    async def _press(self, number: int) -> None:
        chat = self.emu.chat(self.current.user_id)
        message = last_buttons_message(chat)
        # The number as the person last saw it (numbers hold while a screen is redrawn).
        button = None if message is None else self.transcript.button_numbered(chat, message, number)
        if message is None or button is None:
            await self._type(str(number))
            return
        if "callback_data" not in button:
            self.out(f"(button {number} opens {button.get('url', 'something else')})")
            return
        await self.emu.press(self.current.user_id, message.message_id, button["callback_data"])
        await self.settle()

    async def _type(self, line: str) -> None:
        chat = self.emu.chat(self.current.user_id)
        keyboard = chat.reply_keyboard or {}
        labels = [
            b.get("text") if isinstance(b, dict) else b
            for row in keyboard.get("keyboard", [])
            for b in row
        ]
        if line in labels:
            try:
                await self.emu.tap(self.current.user_id, line)
            except ValueError as err:  # a location button: the demo has no map
                self.out(f"({err})")
                return
        else:
            await self.emu.send_text(self.current.user_id, line)
        await self.settle()


async def demo_session(
    settings: Settings,
    lines: AsyncIterator[str],
    out: Callable[[str], None],
    *,
    language: str | None = None,
    echo: bool = True,
    clock: Clock = system_clock,
    register: Register | None = None,
    database_url: URL | None = None,
    log_file: Path | None = None,
) -> None:
    """Run the demo, reading the person's lines from `lines` and printing with `out`.

    The demo keeps to its own database, ``bookingbot_demo`` on the server `settings`
    resolve to, so demo practices never appear in the real bot; `database_url` overrides
    it (tests pass theirs). The bot's log goes to `log_file` (default
    :func:`default_log_file`), never into the transcript.
    """
    path = log_file or default_log_file()
    with logs_to_file(path):
        out("Starting the offline demo: local database, local Telegram, no network needed…")
        out(f"(The bot's log goes to {path}.)")
        await _session(
            settings,
            lines,
            out,
            language=language,
            echo=echo,
            clock=clock,
            register=register,
            database_url=database_url,
        )


async def _session(
    settings: Settings,
    lines: AsyncIterator[str],
    out: Callable[[str], None],
    *,
    language: str | None,
    echo: bool,
    clock: Clock,
    register: Register | None,
    database_url: URL | None,
) -> None:
    url = await _demo_database(settings, database_url)
    database = Database(make_engine(url, settings))
    emu = BotApiEmulator(rate_limits=RateLimits.off())
    try:
        await _seed(database, clock, out)
        await forget_visitor(database, VISITOR_ID)
        demo_cast = await read_cast(database, language)
        await emu.start("127.0.0.1", 0)
        if register is None:
            from bot.handlers import register_features

            register = register_features
        app = build_application(
            settings=settings.model_copy(update={"telegram_bot_token": emu.token}),
            db=database,
            base_url=emu.base_url,
            base_file_url=emu.base_file_url,
            clock=clock,
            register=register,
            background=True,
        )
        processor = cast(PerChatUpdateProcessor, app.update_processor)
        chat = DemoChat(emu, processor, demo_cast, out, echo=echo)
        chat.dispatcher = lambda: background.dispatcher_of(app)
        async with app:
            if app.post_init is not None:  # run_polling would call it; we poll by hand
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            watcher = asyncio.create_task(chat.watch())
            try:
                chat.banner()
                async for line in lines:
                    if not await chat.handle(line):
                        break
                await chat.settle()
            finally:
                watcher.cancel()
                await app.updater.stop()
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
        out("Bye.")
    finally:
        await emu.stop()
        await database.dispose()


def run_demo(settings: Settings, *, register: Register | None = None) -> None:
    """The offline demo on this terminal (or piped input); returns when the person quits."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # The transcript is what the person came for: keep per-request logs out of it.
        for noisy in (
            "httpx",
            "aiohttp.access",
            "telegram.ext",
            "bot.background",
            "bot.reminders_and_outbox.dispatcher",
        ):
            logging.getLogger(noisy).setLevel(logging.WARNING)

    def out(line: str) -> None:
        print(line, flush=True)

    tune_runtime()
    try:
        asyncio.run(
            demo_session(
                settings,
                stdin_lines(),
                out,
                language=terminal_language(),
                echo=not sys.stdin.isatty(),
                register=register,
            )
        )
    except DatabaseConfigError as err:
        print(f"bookingbot demo: {err}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        out("Bye.")
