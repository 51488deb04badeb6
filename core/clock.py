"""The injected clock: services ask it for `now` instead of reading the system time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real current instant, aware in UTC."""
    return datetime.now(UTC)
