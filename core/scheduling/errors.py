"""Domain errors raised by the scheduling rules; the bot translates their msgids."""

from __future__ import annotations

from core.errors import N_, InvalidInput


class InvalidWindow(InvalidInput):
    """An availability window ends before it starts or names no real weekday."""

    msgid = N_("slots.window_invalid")


class InvalidSlotRules(InvalidInput):
    """Session length, buffer, step, notice or horizon is out of range."""

    msgid = N_("slots.rules_invalid")


class InvalidBusyInterval(InvalidInput):
    """A busy interval ends before it starts."""

    msgid = N_("slots.busy_invalid")


class UnparseableTime(InvalidInput):
    """What the user typed is not a date or time we understand; params: text."""

    msgid = N_("slots.time_unparseable")


class TimeInPast(InvalidInput):
    """The wanted moment (or day) has already passed; params: text, when."""

    msgid = N_("slots.time_in_past")


class TimeMissing(InvalidInput):
    """A day was given but no time of day; params: text, day."""

    msgid = N_("slots.time_missing")
