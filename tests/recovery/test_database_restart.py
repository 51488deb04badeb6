"""The bot recovers by itself when its PostgreSQL restarts or crashes: users are told to try
again at once while it is away, and afterwards everything works again within seconds,
with nothing lost, nothing sent twice and no pooled connection left behind."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL
from telegram import Bot

from bot import background, context, health
from bot.reminders_and_outbox.dispatcher import Dispatcher
from bot.reminders_and_outbox.pacing import Limiter
from core.config import Settings
from core.db.engine import app_url, make_engine
from core.db.uow import Database
from core.errors import DatabaseUnavailable
from core.models import Appointment, AppointmentStatus, Client, Notification, TelegramUser
from core.services import booking
from emulator import BotApiEmulator, RateLimits, RecordedMessage
from tests import factories as f
from tests.clock import FrozenClock
from tests.e2e_harness import TOKEN, Chat, all_features, running_bot, settings_for
from tests.factories import bookable
from tests.recovery.recovery_support import Server

ANA, BIA = 8100, 8101
FIRST_OTHER = 8200
OTHERS = 24  # professionals whose booking news the dispatcher is delivering meanwhile
THU, FRI = date(2026, 11, 26), date(2026, 11, 27)
THU_10 = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo
FRI_11 = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def _app(owner: URL) -> URL:
    """How the running bot logs in (the login role), on the test's database."""
    return app_url(owner, Settings(_env_file=None))  # type: ignore[call-arg]


async def _seed(db: Database) -> list[Any]:
    ana = await bookable(
        db, user_id=ANA, name="Ana Souza", slug="ana-souza", auto_confirm=True, locale="en"
    )
    await f.client(db, ana, user_id=BIA, name="Bia", phone="+5511987654321")
    others = []
    for k in range(OTHERS):
        pro = await bookable(db, user_id=FIRST_OTHER + k, auto_confirm=True, locale="en")
        cli = await f.client(db, pro, user_id=FIRST_OTHER + 100 + k)
        others.append((pro, cli))
    return others


async def _book_for_others(db: Database, others: list[Any], clock: FrozenClock) -> None:
    """Each of the other professionals gets a booking: a notification each to deliver."""
    for pro, cli in others:
        async with db.for_user(cli.user_id) as uow:
            await booking.request(uow, professional_id=pro.id, start=THU_10, now=clock())
            await uow.commit()


async def _up_to_confirmation(bia: Chat, day: date, slot_index: int) -> RecordedMessage:
    await bia.start("ana-souza")
    card = await bia.next()
    await bia.press(card, bia.t("profile.button.book"))
    calendar = await bia.next()
    day_screen = await bia.press_edit(calendar, bia.day(day))
    return await bia.press_edit(day_screen, bia.labels(day_screen)[slot_index])


async def _unsent(db: Database) -> int:
    async with db.system("tests") as uow:
        count = await uow.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.sent_at.is_(None))
        )
    return int(count or 0)


async def _until(predicate: Any, timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_a_restart_during_a_booking_and_a_dispatch_is_recovered_from_without_help(
    own_server: Server, own_url: URL, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, mode
):
    # The real background work, paced so that the event lands in the middle of a delivery.
    monkeypatch.setattr(background, "DISPATCH_INTERVAL", 0.3)
    monkeypatch.setattr(background, "Limiter", lambda: Limiter(rate=6.0, burst=1))
    settings = settings_for(own_url, locale="en")
    db = Database(make_engine(app_url(own_url, settings), settings))  # the real bot's pool
    others = await _seed(db)
    async with BotApiEmulator(TOKEN, rate_limits=RateLimits.off()) as emu:
        emu.add_user(ANA, "Ana", language_code="en", started=True)
        for pro, _ in others:
            emu.add_user(pro.user_id, pro.name, language_code="en", started=True)
        emu.add_user(BIA, "Bia", language_code="en")
        bia = Chat(emu, BIA, "en")

        async with running_bot(emu, db, settings, clock, all_features, background=True):
            first = await _up_to_confirmation(bia, THU, 1)
            acknowledged = await bia.press_edit(first, bia.t("booking.button.confirm"))
            assert acknowledged.text.startswith("✅")
            assert (await bia.next()).document is not None  # the calendar file
            confirm = await _up_to_confirmation(bia, FRI, 2)

            await _book_for_others(db, others, clock)

            async def delivering() -> bool:
                return sum(len(emu.chat(p.user_id).bot_messages) for p, _ in others) >= 3

            await _until(delivering, 10, "the dispatcher started delivering")

            if mode == "fast":
                back = await own_server.restart()
            else:
                await own_server.crash()
                pressed = time.monotonic()
                refused = await bia.press(confirm, bia.t("booking.button.confirm"))
                # At once, in words, not a silent wait.
                assert time.monotonic() - pressed < 2.0
                assert refused.show_alert
                assert refused.text == bia.t("error.database_unavailable")
                await asyncio.sleep(5.0)  # longer than any retry of a single write
                back = await own_server.start()

            emu.mark_read(BIA)
            await emu.send_command(BIA, "mybookings")
            listing = await bia.next(timeout=5.0)
            assert time.monotonic() - back < 2.0, "/mybookings answered within 2 s"
            assert bia.t("mybookings.title_upcoming") in listing.text
            assert "Ana Souza" in listing.text

            # The very button pressed while the server was away works now.
            booked = await bia.press_edit(confirm, bia.t("booking.button.confirm"))
            assert booked.text.startswith("✅")

            async def drained() -> bool:
                return await _unsent(db) == 0

            await _until(drained, 20, "the outbox drained")
            assert health.loop_states()["dispatcher"] == "running"

        # Each notification reached its professional once: none lost, none repeated.
        assert [len(emu.chat(p.user_id).bot_messages) for p, _ in others] == [1] * OTHERS
        assert len(emu.chat(ANA).bot_messages) == 2
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with db.system("tests") as uow:
        starts = await uow.session.scalars(
            select(Appointment.starts_at)
            .join(Client, Client.id == Appointment.client_id)
            .where(Client.user_id == BIA, Appointment.status == AppointmentStatus.confirmed)
            .order_by(Appointment.starts_at)
        )
        assert list(starts) == [THU_10, FRI_11]
    assert health.counters().get((health.LOOP_RESTARTS, "dispatcher"), 0) == 0
    await db.dispose()


async def test_every_pooled_connection_the_server_dropped_is_replaced_before_use(
    own_server: Server, own_url: URL, caplog: pytest.LogCaptureFixture
):
    db = Database(make_engine(_app(own_url), pool_size=4, max_overflow=0))

    async def read(hold: float = 0.0) -> int:
        async with db.system("tests") as uow:
            await asyncio.sleep(hold)  # hold the connection so that the pool fills up
            return int((await uow.fetchrow("SELECT 1"))[0])

    assert await asyncio.gather(*(read(0.05) for _ in range(4))) == [1] * 4
    await own_server.restart()

    caplog.set_level(logging.WARNING, logger="core.db.uow")
    assert await asyncio.gather(*(read() for _ in range(4))) == [1] * 4
    # None of them met a dead connection: each was replaced when checked out.
    assert not [r for r in caplog.records if r.name == "core.db.uow"]
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    await db.dispose()


async def test_statements_cut_off_by_a_crash_leave_no_connection_checked_out(
    own_server: Server, own_url: URL
):
    db = Database(make_engine(_app(own_url), pool_size=3, max_overflow=0))
    pool: Any = db.engine.pool

    async def fetch(uow: Any) -> None:
        await uow.fetch("SELECT 1")

    async def execute(uow: Any) -> None:
        await uow.session.execute(text("SELECT 1"))

    async def commit(uow: Any) -> None:
        uow.session.add(TelegramUser(user_id=9001, first_name="Bia"))
        await uow.commit()

    for step in (fetch, execute, commit):
        async with db.system("tests") as uow:
            await uow.fetch("SELECT 1")  # the transaction is open on a live connection
        with pytest.raises(DatabaseUnavailable):
            async with db.system("tests") as uow:
                await uow.fetch("SELECT 1")
                await own_server.crash()
                await step(uow)
        assert pool.checkedout() == 0, step.__name__
        await own_server.start()

    # Three dead connections later the pool still gives working ones, all three at once.
    async def works() -> int:
        async with db.system("tests") as uow:
            await asyncio.sleep(0.05)
            return int((await uow.fetchrow("SELECT 2"))[0])

    assert await asyncio.gather(works(), works(), works()) == [2, 2, 2]
    assert pool.checkedout() == 0
    await db.dispose()


async def test_while_the_database_is_down_a_reader_is_answered_at_once_in_their_own_language(
    own_server: Server, own_url: URL, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
):
    # Preferences are read again at every update, so the outage finds none fresh.
    monkeypatch.setattr(context, "PREFS_TTL", 0.0)
    settings = settings_for(own_url, locale="pt_BR")
    db = Database(make_engine(app_url(own_url, settings), settings))
    ana = await bookable(db, user_id=ANA, name="Ana Souza", slug="ana-souza")
    await f.client(db, ana, user_id=BIA, name="Bia")
    await f.add(db, TelegramUser(user_id=BIA, first_name="Bia", locale="es"))
    async with BotApiEmulator(TOKEN, rate_limits=RateLimits.off()) as emu:
        emu.add_user(BIA, "Bia", language_code="en")  # Telegram says English; she chose Spanish
        bia = Chat(emu, BIA, "es")
        async with running_bot(emu, db, settings, clock, all_features):
            await emu.send_command(BIA, "mybookings")
            assert (await bia.next()).text == bia.t("mybookings.empty")

            await own_server.crash()
            asked = time.monotonic()
            await emu.send_command(BIA, "mybookings")
            answer = await bia.next()
            assert time.monotonic() - asked < 2.0
            assert answer.text == bia.t("error.database_unavailable")

            back = await own_server.start()
            await emu.send_command(BIA, "mybookings")
            assert (await bia.next()).text == bia.t("mybookings.empty")
            assert time.monotonic() - back < 2.0
    await db.dispose()


async def test_the_dispatcher_says_once_that_the_database_is_away_and_resumes_when_it_is_back(
    own_server: Server, own_url: URL, clock: FrozenClock, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="bot.reminders_and_outbox.dispatcher")
    db = Database(make_engine(_app(own_url), pool_size=2))
    pro = await bookable(db, user_id=ANA, name="Ana Souza", auto_confirm=True, locale="en")
    cli = await f.client(db, pro, user_id=BIA)
    async with BotApiEmulator(TOKEN, rate_limits=RateLimits.off()) as emu:
        emu.add_user(ANA, "Ana", language_code="en", started=True)
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            dispatcher = Dispatcher(db, bot, clock, "worker-a", limiter=Limiter(rate=1e6))
            stop = asyncio.Event()
            loop = asyncio.create_task(dispatcher.run_forever(stop, interval=0.5))
            await asyncio.sleep(0.3)
            await own_server.crash()
            await asyncio.sleep(2.0)  # several passes find it away
            back = await own_server.start()
            async with db.for_user(cli.user_id) as uow:
                await booking.request(
                    uow, professional_id=pro.id, start=THU_10 + timedelta(days=1), now=clock()
                )
                await uow.commit()
            news = await emu.next_bot_message(ANA, timeout=5.0)
            delivered = time.monotonic() - back
            stop.set()
            await loop
            await dispatcher.close()
    assert news.text  # the booking's news reached Ana
    assert delivered < 2.0
    warnings = [r for r in caplog.records if "database is unavailable" in r.getMessage()]
    resumed = [r for r in caplog.records if "resumed" in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING"]  # once, however many passes
    assert len(resumed) == 1 and not [r for r in caplog.records if r.exc_info]
    assert health.counters()[(health.DATABASE_OUTAGES, "dispatcher")] == 1
    assert health.counters()[(health.DATABASE_WAITS, "dispatcher")] >= 2
    await db.dispose()
