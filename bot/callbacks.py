"""Inline-button callback data: small, namespaced, and parsed in this one place.

A button carries ``ns:action[:arg...]`` in at most 64 bytes of UTF-8 (Telegram's limit),
e.g. ``bk:slot:3xKz...:1a2b3c``. Namespaces are registered once, by the feature that
owns them (``BOOKING = register_namespace("bk")``); anything else is refused by
:func:`parse`, so a forged, truncated or stale button ends at the expired-button
handler rather than inside a feature. Arguments are plain strings: use
:func:`uuid_arg` / :func:`arg_uuid` for ids (22 characters instead of 36) and
:func:`instant_arg` / :func:`arg_instant` for start times (epoch minutes, base 36).

A parsed callback proves nothing about who may act on it: Telegram clients can send
any data, so handlers still go through the core services (and row-level security).
"""

from __future__ import annotations

import base64
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import Update

from bot.context import Ctx, alert
from bot.i18n import BUTTON_EXPIRED

__all__ = [
    "MAX_BYTES",
    "Callback",
    "arg_instant",
    "arg_int",
    "arg_uuid",
    "expired_button",
    "instant_arg",
    "is_registered",
    "matches",
    "parse",
    "register_namespace",
    "registered_namespaces",
    "uuid_arg",
]

log = logging.getLogger(__name__)

MAX_BYTES = 64
SEP = ":"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,15}")

# namespace -> who registered it (a module name), so a clash names both owners.
_REGISTRY: dict[str, str] = {}


def register_namespace(ns: str, owner: str = "") -> str:
    """Claim a namespace for one feature and return it; a second claim by another owner fails."""
    if not _NAME.fullmatch(ns):
        raise ValueError(f"callback namespace {ns!r} must match {_NAME.pattern}")
    previous = _REGISTRY.get(ns)
    if previous is not None and previous != owner:
        raise ValueError(f"callback namespace {ns!r} is already used by {previous or 'someone'}")
    _REGISTRY[ns] = owner
    return ns


def is_registered(ns: str) -> bool:
    return ns in _REGISTRY


def registered_namespaces() -> dict[str, str]:
    """Every registered namespace and its owner (for diagnostics and tests)."""
    return dict(_REGISTRY)


@dataclass(frozen=True)
class Callback:
    """One button's meaning: which feature (`ns`), what to do (`action`) and its arguments."""

    ns: str
    action: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        """The callback_data string; raises ValueError if malformed or over 64 bytes."""
        if not _NAME.fullmatch(self.ns) or not _NAME.fullmatch(self.action):
            raise ValueError(f"bad callback namespace or action: {self.ns!r}, {self.action!r}")
        for arg in self.args:
            if not isinstance(arg, str) or SEP in arg:
                raise ValueError(f"callback argument {arg!r} must be a string without {SEP!r}")
        data = SEP.join((self.ns, self.action, *self.args))
        size = len(data.encode("utf-8"))
        if size > MAX_BYTES:
            raise ValueError(f"callback data is {size} bytes, over Telegram's {MAX_BYTES}: {data}")
        return data

    def arg(self, index: int) -> str | None:
        """The argument at `index`, or None when the button carries fewer."""
        return self.args[index] if 0 <= index < len(self.args) else None


def parse(data: object) -> Callback | None:
    """The Callback in a button's data, or None if malformed or of an unknown namespace."""
    if not isinstance(data, str) or not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    ns, _, rest = data.partition(SEP)
    action, _, tail = rest.partition(SEP)
    if ns not in _REGISTRY or not _NAME.fullmatch(action):
        return None
    args = tuple(tail.split(SEP)) if tail or rest.endswith(SEP) else ()
    return Callback(ns, action, args)


def matches(ns: str, action: str | None = None) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern accepting this namespace (and action, if given)."""

    def check(data: object) -> bool:
        parsed = parse(data)
        return parsed is not None and parsed.ns == ns and action in (None, parsed.action)

    return check


# --- compact arguments ----------------------------------------------------------------


def uuid_arg(value: uuid.UUID) -> str:
    """A UUID in 22 characters (base64url of its 16 bytes, no padding)."""
    return base64.urlsafe_b64encode(value.bytes).rstrip(b"=").decode("ascii")


def arg_uuid(text: str | None) -> uuid.UUID | None:
    """The UUID written by uuid_arg, or None when the text is not one."""
    if text is None or len(text) != 22:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(text + "=="))
    except (ValueError, TypeError):
        return None


def arg_int(text: str | None) -> int | None:
    """A decimal integer argument, or None when the text is not one."""
    if text is None or not re.fullmatch(r"-?\d{1,18}", text):
        return None
    return int(text)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def instant_arg(value: datetime) -> str:
    """A whole-minute instant as epoch minutes in base 36 (6 characters until 4100)."""
    if value.tzinfo is None:
        raise ValueError("pass an aware datetime")
    if value.second or value.microsecond:
        raise ValueError(f"{value} is not on a whole minute")
    minutes = int((value - _EPOCH).total_seconds()) // 60
    if minutes < 0:
        raise ValueError(f"{value} is before 1970")
    digits = []
    while True:
        minutes, rest = divmod(minutes, 36)
        digits.append(_DIGITS[rest])
        if not minutes:
            return "".join(reversed(digits))


def arg_instant(text: str | None) -> datetime | None:
    """The UTC instant written by instant_arg, or None when the text is not one."""
    if text is None or not re.fullmatch(r"[0-9a-z]{1,8}", text):
        return None
    return _EPOCH + timedelta(minutes=int(text, 36))


# --- the catch-all ----------------------------------------------------------------------


async def expired_button(update: object, ctx: Ctx) -> None:
    """Answer a press nobody handled (forged, malformed or from a finished conversation)."""
    if isinstance(update, Update) and update.callback_query is not None:
        log.debug("Expired or unknown button %r", update.callback_query.data)
    await alert(update, ctx, BUTTON_EXPIRED)
