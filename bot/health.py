"""The bot's own health, counted in one place: what the metrics endpoint will export.

Background loops (the dispatcher, the recurring-series upkeep), the dispatcher's outcome
writes and the persistence call these when something goes wrong and when they recover;
:func:`counters` returns everything counted so far and :func:`loop_states` what each
loop is doing now. Counters only grow (Prometheus counters); names and labels are fixed:

- ``bookingbot_background_loop_restarts_total{loop}``: a loop crashed (or ended while the
  bot runs) and was started again;
- ``bookingbot_database_waits_total{loop}``: a pass of a loop found the database
  unavailable and waits for it (``loop`` is ``dispatcher``, ``recurring``,
  ``dispatch-outcomes`` or ``persistence``);
- ``bookingbot_database_outages_total{loop}``: times a loop went from working to waiting
  for the database (one per outage it noticed).
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

__all__ = [
    "DATABASE_OUTAGES",
    "DATABASE_WAITS",
    "LOOP_RESTARTS",
    "counters",
    "database_back",
    "database_wait",
    "loop_restarted",
    "loop_started",
    "loop_states",
    "reset",
]

LOOP_RESTARTS = "bookingbot_background_loop_restarts_total"
DATABASE_WAITS = "bookingbot_database_waits_total"
DATABASE_OUTAGES = "bookingbot_database_outages_total"

State = Literal["running", "waiting for the database", "restarting"]

_counters: Counter[tuple[str, str]] = Counter()
_states: dict[str, State] = {}


def loop_started(name: str) -> None:
    """The loop `name` is (again) running."""
    _states[name] = "running"


def loop_restarted(name: str) -> None:
    """The loop `name` failed and is being started again."""
    _counters[(LOOP_RESTARTS, name)] += 1
    _states[name] = "restarting"


def database_wait(name: str) -> bool:
    """A pass of `name` found the database away; True when this begins an outage for it."""
    _counters[(DATABASE_WAITS, name)] += 1
    began = _states.get(name) != "waiting for the database"
    if began:
        _counters[(DATABASE_OUTAGES, name)] += 1
    _states[name] = "waiting for the database"
    return began


def database_back(name: str) -> bool:
    """`name` works again (or runs for the first time); True when it had been waiting."""
    waited = _states.get(name) == "waiting for the database"
    _states[name] = "running"
    return waited


def counters() -> dict[tuple[str, str], int]:
    """Every counter so far: (metric name, loop label) -> count."""
    return dict(_counters)


def loop_states() -> dict[str, State]:
    """What each loop is doing now."""
    return dict(_states)


def reset() -> None:
    """Forget everything (tests)."""
    _counters.clear()
    _states.clear()
