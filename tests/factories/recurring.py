"""Recurring series."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from core.db.uow import Database
from core.models import Frequency, Professional, RecurringSchedule
from tests.factories.rows import add


async def schedule(
    db: Database,
    pro: Professional,
    client_id: Any,
    *,
    frequency: Frequency = Frequency.weekly,
    day_of_week: int = 2,
    at: time = time(9),
    starts_on: date,
    **over: Any,
) -> RecurringSchedule:
    values: dict[str, Any] = {
        "professional_id": pro.id,
        "client_id": client_id,
        "frequency": frequency,
        "day_of_week": day_of_week,
        "time": at,
        "starts_on": starts_on,
    }
    values.update(over)
    return await add(db, RecurringSchedule(**values))
