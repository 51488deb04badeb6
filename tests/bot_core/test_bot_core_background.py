"""Background loops never die silently: a crash is logged, counted and the loop runs again."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import health
from bot.background import supervise


@pytest.fixture(autouse=True)
def _fresh_health():
    health.reset()
    yield
    health.reset()


async def test_a_loop_that_crashes_is_logged_counted_and_started_again(
    caplog: pytest.LogCaptureFixture,
):
    stop = asyncio.Event()
    runs: list[str] = []

    async def flaky() -> None:
        runs.append(health.loop_states()["flaky"])
        if len(runs) < 3:
            raise RuntimeError(f"boom {len(runs)}")
        stop.set()  # the third run works until the bot stops

    await asyncio.wait_for(supervise("flaky", flaky, stop, delays=(0.01,)), 5)

    assert runs == ["running"] * 3
    assert health.counters()[(health.LOOP_RESTARTS, "flaky")] == 2
    crashes = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [str(r.exc_info[1]) for r in crashes if r.exc_info] == ["boom 1", "boom 2"]
    assert sum("starts again" in r.getMessage() for r in caplog.records) == 2


async def test_a_loop_that_ends_while_the_bot_runs_is_started_again_and_said_so(
    caplog: pytest.LogCaptureFixture,
):
    stop = asyncio.Event()
    runs = 0

    async def quits_early() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:
            stop.set()

    await asyncio.wait_for(supervise("quitter", quits_early, stop, delays=(0.01,)), 5)

    assert runs == 2
    assert health.counters()[(health.LOOP_RESTARTS, "quitter")] == 1
    assert "Background loop quitter ended while the bot runs" in caplog.text


async def test_stopping_the_bot_stops_a_loop_waiting_to_start_again():
    stop = asyncio.Event()

    async def broken() -> None:
        raise RuntimeError("always")

    task = asyncio.create_task(supervise("broken", broken, stop, delays=(60.0,)))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 1)  # not the 60 s backoff
    assert health.loop_states()["broken"] == "restarting"
