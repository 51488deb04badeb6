"""Updates per second through the Bot API emulator: the real bot on a booking step against a
bare python-telegram-bot echo bot, in the same run, on the same emulator.

Run: .venv/bin/python bench/bench_bot_updates.py [users] [rounds]   (default 200 9)
(BENCH_SHOW_SQL=1 also lists the statements the booking step runs, by count per update.)

The booking step, for each of `users` clients of one seeded professional, all at once:
``/book`` (the calendar opens), press the first day with free times (the day's times),
press the first time (the confirmation screen) -- three updates, each answered before the
next is sent, as a person would. The real Application is built by ``build_application``
with every feature registered (``bot.handlers.register_features``; while FEATURES is still
empty, the conversation modules are registered here in the lead's intended order), on the
embedded PostgreSQL (or DATABASE_URL) in a scratch database dropped at the end.

The echo bot is PTB's own example shape (``ApplicationBuilder`` defaults: no persistence,
no rate limiter, one update at a time), plus the same with ``concurrent_updates(True)``;
each of its users sends three texts, each answered before the next.

The emulator's flood control is off. Our bot is measured twice: with its production
``AIORateLimiter`` (which keeps any bot under Telegram's ~30 messages per second, so that
figure is Telegram's ceiling, not ours), and with the limiter removed, which is what the
ratio compares: how fast we process updates, like for like with the bare bot.

Everything runs in one process (emulator, drivers, bots), with the GC thresholds of
``bookingbot run`` (``bot.app.tune_runtime``), so both bots share them. The machine's speed
drifts; rounds interleave the bots, every other round in reverse order, objects left by
earlier rounds are set aside (``gc.freeze``) before each measurement, and the headline
ratio is the median of the ratios within each round.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import importlib
import logging
import os
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import time as tod
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import URL
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import build_application, tune_runtime
from bot.handlers import FEATURES, register_features
from core.config import Settings
from core.db import migrate
from core.db.engine import app_url, make_engine, resolve
from core.db.observe import StatementLog
from core.db.uow import Database
from core.models import Availability, Client, Profession, Professional
from emulator import BotApiEmulator, RateLimits

TOKEN = "777000:BENCH-BOT-UPDATES"
STEPS = 3
PRO_USER = 5_000_000
# The lead's order: specific conversations first, message relay after the others' typed steps.
FALLBACK_FEATURES = (
    "bot.conversations.client_start",
    "bot.conversations.onboarding",
    "bot.conversations.booking",
    "bot.conversations.my_bookings",
    "bot.conversations.review",
    "bot.conversations.requests",
    "bot.conversations.agenda",
    "bot.conversations.availability",
    "bot.conversations.clients",
    "bot.conversations.settings",
    "bot.conversations.preferences",
    "bot.conversations.messaging",
)
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return current, peak


def register_all(app: AnyApp) -> list[str]:
    """Every feature: FEATURES when the lead has listed them, else the known modules."""
    if FEATURES:
        register_features(app)
        return list(FEATURES)
    done = []
    for name in FALLBACK_FEATURES:
        try:
            module = importlib.import_module(name)
        except Exception as err:  # another engineer's module mid-work: say so, go on
            print(f"  (skipped {name}: {err!r})")
            continue
        module.register(app)
        done.append(name)
    return done


async def seed(db: Database, users: list[int]) -> None:
    """One professional open 08:00-20:00 every day, and `users` as their clients."""
    pro = Professional(
        user_id=PRO_USER,
        name="Bench Pro",
        profession=Profession.psychologist,
        slug="bench-pro",
        timezone="America/Sao_Paulo",
        locale="pt_BR",
        session_duration=50,
        min_notice_minutes=0,
    )
    async with db.system("bench") as uow:
        uow.session.add(pro)
        await uow.flush()
        uow.session.add_all(
            Availability(professional_id=pro.id, day_of_week=d, start_time=tod(8), end_time=tod(20))
            for d in range(7)
        )
        uow.session.add_all(
            Client(professional_id=pro.id, user_id=u, name=f"Client {u}") for u in users
        )
        await uow.commit()


async def start(app: AnyApp) -> None:
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)


async def stop(app: AnyApp) -> None:
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


def _button(emu: BotApiEmulator, uid: int, message_id: int, prefix: str) -> str:
    for button in emu.chat(uid).message(message_id).buttons:
        data = button.get("callback_data", "")
        if data.startswith(prefix):
            return str(data)
    raise RuntimeError(f"user {uid}: no {prefix} button on message {message_id}")


async def booking_step(emu: BotApiEmulator, uid: int) -> None:
    """/book -> a day -> a time: the calendar, the day's times, the confirmation."""
    await emu.send_command(uid, "book")
    calendar = await emu.next_bot_message(uid, timeout=120)
    for version, prefix in ((2, "bk:d:"), (3, "bk:s:")):
        await emu.press(uid, calendar.message_id, _button(emu, uid, calendar.message_id, prefix))
        await emu.wait_for(
            uid, lambda chat, v=version: len(chat.message(calendar.message_id).history) >= v, 120
        )


async def echo_step(emu: BotApiEmulator, uid: int) -> None:
    for n in range(STEPS):
        await emu.send_text(uid, f"hello {n}")
        await emu.next_bot_message(uid, timeout=120)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def measure(
    emu: BotApiEmulator, step: Callable[[BotApiEmulator, int], Awaitable[None]], users: list[int]
) -> tuple[float, float]:
    """Updates per second for every user doing `step` at once (a short warm-up first), and
    this process's CPU milliseconds per update (the emulator and the drivers included)."""
    for uid in users:
        emu.add_user(uid, f"User {uid}", language_code="pt-br", started=True)
    warm, timed = users[:10], users[10:]
    await asyncio.gather(*(step(emu, uid) for uid in warm))
    # What earlier rounds left (the emulator keeps every message) is set aside, so a full
    # garbage collection does not walk it in the middle of this bot's round.
    gc.collect()
    gc.freeze()
    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(step(emu, uid) for uid in timed))
    updates = len(timed) * STEPS
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    return updates / elapsed, 1000 * cpu / updates


async def run(server: URL, users: int, rounds: int) -> None:
    name = f"bookingbot_bench_bot_{os.getpid()}"
    admin = make_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    emu = BotApiEmulator(TOKEN, rate_limits=RateLimits.off())
    await emu.start()
    next_user = iter(range(1_000_000, 10**9))

    def fresh(n: int) -> list[int]:
        return [next(next_user) for _ in range(n)]

    try:
        await migrate.upgrade(url)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=TOKEN,
            database_url=url.render_as_string(hide_password=False),
        )
        db = Database(make_engine(app_url(url, settings), settings))
        bot_users = [fresh(users) for _ in range(rounds)]
        limited = fresh(min(users, 70))
        await seed(db, [u for group in bot_users for u in group] + limited)
        statements = 0

        def ours(with_limiter: bool) -> AnyApp:
            app = build_application(
                settings=settings,
                db=db,
                base_url=emu.base_url,
                base_file_url=emu.base_file_url,
                register=register_all,
            )
            if not with_limiter:
                # build_application always installs AIORateLimiter (Telegram's 30/s).
                app.bot._rate_limiter = None
            return app

        def echo_bot(concurrent: bool) -> AnyApp:
            app = emu.application_builder().concurrent_updates(concurrent).build()
            app.add_handler(MessageHandler(filters.TEXT, echo))
            return app

        rates: dict[str, list[float]] = {"echo": [], "echo_c": [], "bot": []}
        seen: list[str] = []
        cpu: dict[str, list[float]] = {"echo": [], "echo_c": [], "bot": []}
        # Rounds interleave the bots, so a busy moment of the machine hits them all alike.
        for r in range(rounds):
            order = [
                ("echo", echo_bot(False), echo_step, fresh(users)),
                ("echo_c", echo_bot(True), echo_step, fresh(users)),
                ("bot", ours(False), booking_step, bot_users[r]),
            ]
            if r % 2:  # every other round the other way round, so a drift hits both alike
                order.reverse()
            for key, app, step, group in order:
                await start(app)
                async with StatementLog(db.engine) as log:
                    rate, cpu_ms = await measure(emu, step, group)
                if key == "bot":
                    statements += len(log)
                    seen.extend(" ".join(q.split())[:110] for q in log.statements)
                rates[key].append(rate)
                cpu[key].append(cpu_ms)
                await stop(app)
        app = ours(True)
        await start(app)
        capped, _ = await measure(emu, booking_step, limited)
        await stop(app)
        await db.dispose()

        current, peak = rss_mb()
        med = {key: statistics.median(values) for key, values in rates.items()}
        best = {key: max(values) for key, values in rates.items()}
        per_update = statements / (rounds * users * STEPS)
        print(f"\n{users - 10} users at once, {STEPS} updates each, emulator flood control off;")
        print(
            f"updates per second (median, best of {rounds} interleaved rounds)"
            " and CPU ms per update (median)"
        )
        rows = (
            ("bare PTB echo bot (defaults, sequential)", "echo"),
            ("bare PTB echo bot (concurrent_updates)", "echo_c"),
            ("bookingbot: /book -> day -> time", "bot"),
        )
        for label, key in rows:
            cpu_ms = statistics.median(cpu[key])
            print(f"  {label:<42} {med[key]:7.1f} {best[key]:7.1f} {cpu_ms:7.2f} ms")
        print(
            f"  {'bookingbot with its AIORateLimiter':<42} {capped:7.1f}"
            f"   ({len(limited) - 10} users; Telegram's 30 msg/s ceiling)"
        )
        # The machine's speed drifts between rounds; the bots of one round share it, so the
        # ratio within each round is the steadier figure.
        print("  ratio bookingbot / echo:     median of rounds' ratios, ratio of medians, of bests")
        for label, key in (("sequential", "echo"), ("concurrent", "echo_c")):
            pairs = zip(rates["bot"], rates[key], strict=True)
            per_round = statistics.median(ours / theirs for ours, theirs in pairs)
            print(
                f"    vs echo ({label}){per_round:>{21 - len(label)}.2f}"
                f" {med['bot'] / med[key]:7.2f} {best['bot'] / best[key]:7.2f}"
            )
        cpu_ratio = statistics.median(cpu["echo"]) / statistics.median(cpu["bot"])
        print(f"  ratio of CPU cost, echo (sequential) / bookingbot {cpu_ratio:12.2f}")
        print(f"  SQL statements per booking update: {per_update:.1f}")
        if os.environ.get("BENCH_SHOW_SQL"):
            updates = rounds * users * STEPS
            for query, count in collections.Counter(seen).most_common(12):
                print(f"    {count / updates:5.2f} per update  {query}")
        for _, key in rows:
            print(f"  rounds, {key:<6} " + " ".join(f"{rate:6.1f}" for rate in rates[key]))
        print(f"  resident memory: {current:.0f} MiB now, {peak:.0f} MiB peak (this process)")
    finally:
        await emu.stop()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    """Run the benchmark and print its figures."""
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        print(__doc__)
        return
    logging.basicConfig(level=logging.WARNING)
    # The process runs as `bookingbot run` does (its GC thresholds); both bots share it.
    tune_runtime()
    logging.getLogger("bot.i18n").setLevel(logging.ERROR)  # untranslated ids while WIP
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    if users <= 10 or rounds < 1:
        raise SystemExit("usage: bench_bot_updates.py [users > 10] [rounds >= 1]")
    asyncio.run(run(resolve(Settings()).url, users, rounds))


if __name__ == "__main__":
    main()
