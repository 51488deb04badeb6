"""Where each feature's handlers are registered, in one place.

A feature module exposes ``register(application)`` adding its handlers to group 0 (the
default); list it in ``FEATURES`` below, in priority order (the first matching handler
of a group wins). ``bot.app.build_application`` then adds the generic fallbacks of
``basics`` after them, so a feature's ``/start <slug>`` or its own ``/cancel`` comes first
and a button nobody claims ends at the expired-button answer.
"""

from __future__ import annotations

import importlib
from typing import Any

from telegram.ext import Application

__all__ = ["FEATURES", "register_features"]

# Dotted module names, each with a `register(application)` function.
FEATURES: tuple[str, ...] = (
    "bot.conversations.client_start",
    "bot.conversations.booking",
    "bot.conversations.my_bookings",
    "bot.conversations.review",
    "bot.conversations.onboarding",
    "bot.conversations.settings",
    "bot.conversations.availability",
    "bot.conversations.requests",
    "bot.conversations.agenda",
    "bot.conversations.clients",
    "bot.conversations.recurring",
    "bot.conversations.practice_booking",
    # Both wait for free text: the other conversations' typed steps come first.
    "bot.conversations.preferences",
    "bot.conversations.messaging",
    "bot.conversations.messaging_inbox",
    # Blocked / unblocked: whether reminders and notifications can reach a person.
    "bot.background",
)


def register_features(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every feature of FEATURES, in order."""
    for name in FEATURES:
        importlib.import_module(name).register(application)
