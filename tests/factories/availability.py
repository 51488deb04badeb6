"""When a professional works: weekly windows, extra dates, time off."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from core.db.uow import Database
from core.models import Availability, ExtraAvailability, Professional, TimeOff
from tests.factories.people import professional
from tests.factories.rows import add


async def weekly_window(
    db: Database, pro: Professional, day_of_week: int, start: time, end: time
) -> Availability:
    return await add(
        db,
        Availability(
            professional_id=pro.id, day_of_week=day_of_week, start_time=start, end_time=end
        ),
    )


async def open_week(
    db: Database, pro: Professional, start: time = time(9), end: time = time(18)
) -> None:
    """The same window on every day of the week."""
    async with db.system("tests") as uow:
        uow.session.add_all(
            Availability(professional_id=pro.id, day_of_week=d, start_time=start, end_time=end)
            for d in range(7)
        )
        await uow.commit()


async def bookable(db: Database, **over: Any) -> Professional:
    """A professional in São Paulo with 60-minute sessions, 09:00-18:00 every day."""
    values: dict[str, Any] = {"session_duration": 60}
    values.update(over)
    pro = await professional(db, **values)
    await open_week(db, pro)
    return pro


async def extra_window(db: Database, pro: Professional, day: Any, start: time, end: time) -> None:
    await add(
        db,
        ExtraAvailability(professional_id=pro.id, day=day, start_time=start, end_time=end),
    )


async def time_off(
    db: Database, pro: Professional, starts_at: datetime, ends_at: datetime, **over: Any
) -> TimeOff:
    return await add(
        db, TimeOff(professional_id=pro.id, starts_at=starts_at, ends_at=ends_at, **over)
    )
