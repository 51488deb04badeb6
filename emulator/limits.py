"""Flood control: Telegram's per-bot and per-chat sending limits as token buckets.

Telegram documents about 30 messages per second overall and about one per second per
chat, with short bursts tolerated. A bot that ignores this gets 429 with `retry_after`;
the emulator answers the same way so that retry logic is exercised before production.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .params import ApiError


@dataclass(frozen=True)
class RateLimits:
    """Sending limits. Rates are per second; bursts are bucket sizes in messages.

    `retry_after_step` is the unit `retry_after` is rounded up to: Telegram answers in
    whole seconds, tests may shrink it to stay fast (PTB accepts fractional values).
    """

    enabled: bool = True
    global_per_second: float = 30.0
    global_burst: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    retry_after_step: float = 1.0

    @classmethod
    def off(cls) -> RateLimits:
        return cls(enabled=False)


class TokenBucket:
    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.tokens = self.burst
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if it is now); refills as a side effect."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate

    def consume(self) -> None:
        self.tokens -= 1.0


class FloodControl:
    """Admits or refuses one outgoing message; counts the refusals."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._global = TokenBucket(limits.global_per_second, limits.global_burst, clock())
        self._chats: dict[int, TokenBucket] = {}
        self.rejections = 0
        self.rejections_by_chat: Counter[int] = Counter()

    def admit(self, chat_id: int) -> None:
        """Take a token from both buckets or raise Telegram's 429 without taking any."""
        if not self.limits.enabled:
            return
        now = self._clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = TokenBucket(self.limits.chat_per_second, self.limits.chat_burst, now)
            self._chats[chat_id] = chat
        wait = max(self._global.wait_time(now), chat.wait_time(now))
        if wait > 0:
            self.rejections += 1
            self.rejections_by_chat[chat_id] += 1
            retry_after = self._round_up(wait)
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        self._global.consume()
        chat.consume()

    def _round_up(self, wait: float) -> int | float:
        step = self.limits.retry_after_step
        if step >= 1:
            return max(1, math.ceil(math.ceil(wait / step) * step))
        return round(max(step, math.ceil(wait / step) * step), 3)
