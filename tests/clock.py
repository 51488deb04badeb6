"""A clock tests can move by hand."""

from __future__ import annotations

from datetime import datetime, timedelta


class FrozenClock:
    """Callable like `core.clock.Clock`; returns the same instant until moved."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def __call__(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now
