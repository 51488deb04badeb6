"""Free slots of a professional, for a calendar, one day, or a time the user typed.

Slots are computed in the professional's zone (their windows are wall-clock times
there) and handed to the reader in the reader's zone: a client in São Paulo booking
a professional in Lisbon sees Lisbon's 09:00 as their own 05:00 or 06:00.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.db.uow import UnitOfWork
from core.errors import DomainError
from core.models import Professional, RecipientType, TelegramUser
from core.scheduling.errors import TimeMissing
from core.scheduling.slots import (
    count_by_local_day,
    free_slot_seconds,
    local_day_bounds,
    local_day_seconds,
)
from core.scheduling.timeparse import nearest, parse_wanted_day, parse_wanted_time
from core.services.availability import ProfessionalUnavailable, SlotInputs, slot_inputs
from core.services.booking_errors import BeyondHorizon
from core.services.booking_rules import check_start, for_side
from core.services.professionals import ProfessionalInactive, ProfessionalNotFound

# Any two zones are less than two days apart, so a reader's day lies within these
# many days either side of the same date in the professional's zone.
_ZONE_SLACK = timedelta(days=2)
NEAREST_COUNT = 3
# A professional's own booking looks this far either side of the day they typed.
_OWN_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class WantedResult:
    """What a typed time leads to: the exact free slot, or alternatives.

    `exact` is set when the wanted moment can be booked as typed, on the slot grid or
    off it. Otherwise `refusal` says why not, and `options` holds the
    nearest free slots (a moment was typed) or the day's free slots (only a day was
    typed); it may be empty when nothing is free. Every datetime is in the reader's zone.
    """

    day: date
    wanted: datetime | None
    exact: datetime | None
    options: tuple[datetime, ...]
    # Why the wanted moment cannot be booked ("too soon", "too close to another
    # session"...), when a moment was typed and is not free.
    refusal: DomainError | None = None

    @property
    def only_day(self) -> bool:
        """True when the user named a day but no time."""
        return self.wanted is None


@dataclass(frozen=True)
class BookingProfile:
    """What the booking screens show of a professional (the public profile minus ratings)."""

    id: uuid.UUID
    name: str
    timezone: str
    session_duration: int
    price_cents: int
    currency: str
    # Shown on the confirmation screen, so the client knows the policy before booking.
    cancellation_notice_minutes: int


# Every booking screen reads this: straight through the driver (UnitOfWork.fetch).
_BOOKING_PROFILE = """
SELECT id, name, timezone, session_duration, price_cents, currency,
       cancellation_notice_minutes, active
  FROM professionals WHERE id = $1::uuid
"""


async def booking_profile(uow: UnitOfWork, *, professional_id: uuid.UUID) -> BookingProfile:
    """The professional a client is booking with, in one statement; refused like get_public."""
    row = await uow.fetchrow(_BOOKING_PROFILE, professional_id)
    if row is None:
        raise ProfessionalNotFound()
    if not row["active"]:
        raise ProfessionalInactive(name=row["name"])
    return BookingProfile(
        id=row["id"],
        name=row["name"],
        timezone=row["timezone"],
        session_duration=row["session_duration"],
        price_cents=row["price_cents"],
        currency=row["currency"],
        cancellation_notice_minutes=row["cancellation_notice_minutes"],
    )


def _slot_seconds(
    inputs: SlotInputs, now: datetime, first: date | None, last: date | None
) -> list[int]:
    return free_slot_seconds(
        weekly=inputs.weekly,
        extra=inputs.extra,
        busy=inputs.busy,
        rules=inputs.rules,
        tz=inputs.tz,
        now=now,
        first_day=first,
        last_day=last,
    )


def _slots(
    inputs: SlotInputs, now: datetime, first: date | None, last: date | None
) -> list[datetime]:
    return [datetime.fromtimestamp(s, UTC) for s in _slot_seconds(inputs, now, first, last)]


async def _horizon(uow: UnitOfWork, professional_id: uuid.UUID, now: datetime) -> tuple[date, date]:
    """Today and the horizon's last day, in the professional's zone."""
    row = (
        await uow.session.execute(
            select(Professional.timezone, Professional.booking_horizon_days).where(
                Professional.id == professional_id
            )
        )
    ).one_or_none()
    if row is None:
        raise ProfessionalUnavailable()
    today = now.astimezone(ZoneInfo(row.timezone)).date()
    return today, today + timedelta(days=row.booking_horizon_days)


async def list_free_slots(
    uow: UnitOfWork,
    *,
    professional_id: uuid.UUID,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[datetime]:
    """Free slot starts (aware UTC) on the professional's local days, or the horizon."""
    if first_day is None or last_day is None:
        today, horizon_end = await _horizon(uow, professional_id, now)
        first_day = first_day or today
        last_day = last_day or horizon_end
    if last_day < first_day:
        return []
    inputs = await slot_inputs(
        uow, professional_id=professional_id, first_day=first_day, last_day=last_day
    )
    return _slots(inputs, now, first_day, last_day)


async def _reader_zone(uow: UnitOfWork, professional_id: uuid.UUID) -> ZoneInfo:
    """The acting user's own zone, else the professional's."""
    name = await uow.session.scalar(
        select(TelegramUser.timezone).where(TelegramUser.user_id == uow.user_id)
    )
    if name is None:
        name = await uow.session.scalar(
            select(Professional.timezone).where(Professional.id == professional_id)
        )
    if name is None:
        raise ProfessionalUnavailable()
    return ZoneInfo(name)


async def _reader_slot_seconds(
    uow: UnitOfWork,
    professional_id: uuid.UUID,
    now: datetime,
    first_day: date,
    last_day: date,
    reader_tz: ZoneInfo,
) -> tuple[list[int], int, int]:
    """Free slot starts (epoch seconds) around the reader's local days first..last, and the
    epoch-second bounds of those days; a slot is on them when lo <= start < hi."""
    lo = local_day_seconds(first_day, reader_tz)[0]
    hi = local_day_seconds(last_day, reader_tz)[1]
    # Any two zones are less than two days apart: read that much around, then keep the
    # professional's local days that hold the reader's range (known once their zone is).
    inputs = await slot_inputs(
        uow,
        professional_id=professional_id,
        first_day=first_day - _ZONE_SLACK,
        last_day=last_day + _ZONE_SLACK,
    )
    pro_first = datetime.fromtimestamp(lo, inputs.tz).date()
    pro_last = datetime.fromtimestamp(hi - 1, inputs.tz).date()
    return _slot_seconds(inputs, now, pro_first, pro_last), lo, hi


async def free_days(
    uow: UnitOfWork,
    *,
    professional_id: uuid.UUID,
    now: datetime,
    first_day: date,
    last_day: date,
    reader_tz: ZoneInfo | None = None,
) -> dict[date, int]:
    """Each of the reader's local days first..last with its number of free slots (0 too).

    The reader's zone defaults to the acting user's own, else the professional's.
    """
    if last_day < first_day:
        return {}
    tz = reader_tz or await _reader_zone(uow, professional_id)
    starts, _, _ = await _reader_slot_seconds(uow, professional_id, now, first_day, last_day, tz)
    return count_by_local_day(starts, tz, first_day, last_day)


async def slots_on_day(
    uow: UnitOfWork, *, professional_id: uuid.UUID, day: date, reader_tz: ZoneInfo, now: datetime
) -> list[datetime]:
    """Free slots on one local day of the reader, as aware datetimes in the reader's zone."""
    starts, lo, hi = await _reader_slot_seconds(uow, professional_id, now, day, day, reader_tz)
    return [
        datetime.fromtimestamp(s, reader_tz)
        for s in starts[bisect_left(starts, lo) : bisect_left(starts, hi)]
    ]


async def find_wanted(
    uow: UnitOfWork,
    *,
    professional_id: uuid.UUID,
    text: str,
    language: str,
    date_order: str,
    reader_tz: ZoneInfo,
    now: datetime,
    side: RecipientType = RecipientType.client,
) -> WantedResult:
    """Turn typed text ("amanhã às 14h") into its free slot or the nearest free ones.

    A day without a time gives that day's free slots. `date_order` is how the reader sees
    numeric dates ("DMY", "MDY"), so "09/12" is read the way the bot writes it.
    `side` is who will book: a professional booking for a client is not held to the
    minimum notice or the booking horizon (``booking_rules.for_side``).
    """
    wanted: datetime | None
    try:
        wanted = parse_wanted_time(
            text, language=language, tz=reader_tz, now=now, date_order=date_order
        )
        day = wanted.date()
    except TimeMissing:
        wanted = None
        day = parse_wanted_day(
            text, language=language, tz=reader_tz, now=now, date_order=date_order
        )

    today, last_day = await _horizon(uow, professional_id, now)
    if side is RecipientType.professional:
        # No horizon: the days around the one asked for are enough to find what is near.
        first_day, last_day = max(today, day - _OWN_SPAN), max(today, day + _OWN_SPAN)
    else:
        first_day = today
    inputs = await slot_inputs(
        uow, professional_id=professional_id, first_day=first_day, last_day=last_day
    )
    # The horizon ends at the professional's midnight after its last day.
    horizon_end = local_day_bounds(last_day, inputs.tz)[1]
    asked = wanted if wanted is not None else datetime.combine(day, time(0), reader_tz)
    if side is RecipientType.client and asked >= horizon_end:
        raise BeyondHorizon(last_day=last_day, horizon_days=inputs.rules.horizon_days)
    inputs = for_side(inputs, side)

    free = [s.astimezone(reader_tz) for s in _slots(inputs, now, first_day, last_day)]
    if wanted is None:
        return WantedResult(day, None, None, tuple(s for s in free if s.date() == day))
    if wanted in free:
        return WantedResult(day, wanted, wanted, ())
    try:
        check_start(wanted, now=now, inputs=inputs, side=side)
    except DomainError as err:
        near = tuple(nearest(wanted, free, NEAREST_COUNT))
        return WantedResult(day, wanted, None, near, refusal=err)
    return WantedResult(day, wanted, wanted, ())
