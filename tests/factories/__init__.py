"""Factories that put realistic rows in the database through the system scope, one module
per aggregate: `from tests import factories as f`, then `f.professional(db)`, `f.bookable(db)`."""

from __future__ import annotations

from tests.factories.appointments import (
    appointment,
    appointment_row,
    appointments_of,
    audit_rows,
    bulk_appointments,
    many_appointments,
    series_appointments,
)
from tests.factories.availability import bookable, extra_window, open_week, time_off, weekly_window
from tests.factories.notifications import notifications, notifications_of
from tests.factories.people import account, client, professional
from tests.factories.recurring import schedule
from tests.factories.rows import add, next_user_id

__all__ = [
    "account",
    "add",
    "appointment",
    "appointment_row",
    "appointments_of",
    "audit_rows",
    "bookable",
    "bulk_appointments",
    "client",
    "extra_window",
    "many_appointments",
    "next_user_id",
    "notifications",
    "notifications_of",
    "open_week",
    "professional",
    "schedule",
    "series_appointments",
    "time_off",
    "weekly_window",
]
