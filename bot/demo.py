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
from dataclasses import dataclass
from typing import cast

from sqlalchemy import text
from sqlalchemy.engine import URL

from bot.app import PerChatUpdateProcessor, Register, build_application, tune_runtime
from bot.demo_terminal import (
    Transcript,
    button_rows,
    last_buttons_message,
    stdin_lines,
    terminal_language,
)
from bot.emulator import BotApiEmulator, RateLimits
from bot.i18n import normalize_locale
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

__all__ = ["DEMO_DATABASE", "demo_session", "run_demo"]

log = logging.getLogger(__name__)

DEMO_DATABASE = "bookingbot_demo"
# People the bot has never seen: a first visit, and a professional-to-be without demo data.
VISITOR_ID = 777_000_001
NEW_PRO_ID = 777_000_002
SETTLE_TIMEOUT = 15.0

HELP = """\
Demo commands (everything else goes to the bot):
  /as client | pro | new | <user id>   play someone else
  /lang en | pt | es                   the language your Telegram app reports
  /say <text>                          send <text> as is (e.g. a number)
  /quit                                leave
Type the number of a button to press it."""


@dataclass
class Person:
    user_id: int
    name: str
    role: str
    language: str | None


@dataclass(frozen=True)
class Cast:
    """Who the person can play (`client`, `pro`, `new`) and the professional's link."""

    people: dict[str, Person]
    slug: str | None


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


def _language(code: str | None) -> str | None:
    if not code:
        return None
    return normalize_locale(code).split("_")[0]


async def _cast(database: Database, language: str | None) -> Cast:
    """The demo's people: a professional and one of their clients, when the data has them.

    Seeded people keep the language their Telegram reports; `language` is the visitor's.
    """
    people = {"new": Person(VISITOR_ID, "Visitor", "new", language)}
    async with database.system("demo") as uow:
        pro = (
            await uow.session.execute(
                text(
                    "SELECT p.id, p.user_id, coalesce(u.first_name, p.name), u.language_code,"
                    " p.locale, p.slug FROM professionals AS p"
                    " LEFT JOIN telegram_users AS u ON u.user_id = p.user_id"
                    " WHERE p.active ORDER BY p.created_at, p.slug LIMIT 1"
                )
            )
        ).first()
        client = None
        if pro is not None:
            client = (
                await uow.session.execute(
                    text(
                        "SELECT c.user_id, coalesce(u.first_name, c.name), u.language_code,"
                        " u.locale FROM clients AS c"
                        " LEFT JOIN telegram_users AS u ON u.user_id = c.user_id"
                        " WHERE c.professional_id = :pid AND c.user_id IS NOT NULL"
                        " ORDER BY c.created_at, c.name LIMIT 1"
                    ),
                    {"pid": pro[0]},
                )
            ).first()
    if pro is not None:
        people["pro"] = Person(pro[1], pro[2], "pro", _language(pro[3] or pro[4]))
    if client is not None:
        people["client"] = Person(client[0], client[1], "client", _language(client[2] or client[3]))
    else:
        people["client"] = people["new"]
    return Cast(people, pro[5] if pro is not None else None)


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
        self.current = self.people["client"]
        self.known: dict[int, Person] = {}
        for person in self.people.values():
            self._ensure(person)
        self.transcript = Transcript(emu, self._label, lambda: self.current.user_id)

    def _ensure(self, person: Person) -> None:
        if person.user_id not in self.known:
            self.emu.add_user(person.user_id, person.name, language_code=person.language)
            self.known[person.user_id] = person

    def _label(self, user_id: int) -> str:
        person = self.known.get(user_id)
        return f"{person.name} ({person.role})" if person else str(user_id)

    def banner(self) -> None:
        self.out(HELP)
        roles = [f"{p.name} ({key})" for key, p in self.people.items() if key != "new"]
        self.out("Cast: " + ", ".join(roles) + f". You are {self._label(self.current.user_id)}.")
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
        # Handlers may leave work behind (a notification sent after commit).
        await asyncio.sleep(0.15)
        self.print_new()

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
        person = self.people.get(who) if who in ("client", "pro", "new") else None
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
            self.out("Use /as client, /as pro, /as new or /as <user id>.")
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
        buttons = [b for row in button_rows(message.reply_markup if message else None) for b in row]
        if message is None or not 1 <= number <= len(buttons):
            await self._type(str(number))
            return
        button = buttons[number - 1]
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
) -> None:
    """Run the demo, reading the person's lines from `lines` and printing with `out`.

    The demo keeps to its own database, ``bookingbot_demo`` on the server `settings`
    resolve to, so demo practices never appear in the real bot; `database_url` overrides
    it (tests pass theirs).
    """
    out("Starting the offline demo: local database, local Telegram, no network needed…")
    url = await _demo_database(settings, database_url)
    database = Database(make_engine(url, settings))
    emu = BotApiEmulator(rate_limits=RateLimits.off())
    try:
        await _seed(database, clock, out)
        demo_cast = await _cast(database, language)
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
        for noisy in ("httpx", "aiohttp.access", "telegram.ext", "bot.background", "bot.dispatch"):
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
