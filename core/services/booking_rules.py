"""The booking state machine and the rules a start time must meet; pure, no database.

`TRANSITIONS` is the only place that says which status an action leads to, and
`SIDES` who may take it. The services in `core.services.booking` go through
`next_status` for every change, so no other code path can move a status.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from core.errors import SlotTaken
from core.models import AppointmentStatus, RecipientType
from core.scheduling.slots import within_windows
from core.scheduling.types import Busy, TimeOff
from core.services.availability import SlotInputs
from core.services.booking_errors import (
    BeyondHorizon,
    BookingInPast,
    DuringTimeOff,
    IllegalTransition,
    InsideMinimumNotice,
    OutsideAvailability,
    TooCloseToAnotherSession,
    WrongSide,
)

S = AppointmentStatus
CLIENT = RecipientType.client
PROFESSIONAL = RecipientType.professional


class Action(enum.StrEnum):
    confirm = "confirm"
    decline = "decline"
    cancel = "cancel"
    reschedule = "reschedule"
    complete = "complete"
    no_show = "no_show"


TRANSITIONS: Mapping[tuple[AppointmentStatus, Action], AppointmentStatus] = {
    (S.pending_confirmation, Action.confirm): S.confirmed,
    (S.pending_confirmation, Action.decline): S.declined,
    (S.pending_confirmation, Action.cancel): S.cancelled,
    (S.confirmed, Action.cancel): S.cancelled,
    # A move keeps the status, except that a client's move needs confirming again
    # when the professional confirms requests by hand (see `next_status`).
    (S.pending_confirmation, Action.reschedule): S.pending_confirmation,
    (S.confirmed, Action.reschedule): S.confirmed,
    (S.confirmed, Action.complete): S.completed,
    (S.confirmed, Action.no_show): S.no_show,
}

SIDES: Mapping[Action, frozenset[RecipientType]] = {
    Action.confirm: frozenset({PROFESSIONAL}),
    Action.decline: frozenset({PROFESSIONAL}),
    Action.cancel: frozenset({CLIENT, PROFESSIONAL}),
    Action.reschedule: frozenset({CLIENT, PROFESSIONAL}),
    Action.complete: frozenset({PROFESSIONAL}),
    Action.no_show: frozenset({PROFESSIONAL}),
}


def initial_status(*, auto_confirm: bool) -> AppointmentStatus:
    """A new booking waits for the professional, unless they confirm automatically."""
    return S.confirmed if auto_confirm else S.pending_confirmation


def next_status(
    status: AppointmentStatus, action: Action, *, side: RecipientType, auto_confirm: bool
) -> AppointmentStatus:
    """The status `action` by `side` leads to, or WrongSide / IllegalTransition."""
    if side not in SIDES[action]:
        raise WrongSide(action=action.value, side=side.value)
    new = TRANSITIONS.get((status, action))
    if new is None:
        raise IllegalTransition(status=status.value, action=action.value)
    if action is Action.reschedule and side is CLIENT and not auto_confirm:
        return S.pending_confirmation
    return new


@dataclass(frozen=True)
class Policy:
    """How late the client may cancel or move a session (the professional is not bound)."""

    cancellation_notice_minutes: int

    def deadline(self, starts_at: datetime) -> datetime:
        """The last instant the client may still cancel or reschedule."""
        return starts_at - timedelta(minutes=self.cancellation_notice_minutes)

    def binds(self, side: RecipientType) -> bool:
        """Whether the notice applies to `side` (health professionals bypass their own)."""
        return side is CLIENT

    def allows_change(self, *, side: RecipientType, starts_at: datetime, now: datetime) -> bool:
        """Whether `side` may still cancel or reschedule a session starting at `starts_at`."""
        return not self.binds(side) or now <= self.deadline(starts_at)


def timing_allows(
    action: Action, *, side: RecipientType, starts_at: datetime, now: datetime, policy: Policy
) -> bool:
    """Confirm before the start, close after it, and the client changes before the notice."""
    if action is Action.confirm:
        return now < starts_at
    if action in (Action.complete, Action.no_show):
        return now >= starts_at
    if action in (Action.cancel, Action.reschedule):
        return policy.allows_change(side=side, starts_at=starts_at, now=now)
    return True


def available_actions(
    status: AppointmentStatus,
    *,
    side: RecipientType,
    starts_at: datetime,
    now: datetime,
    policy: Policy,
) -> tuple[Action, ...]:
    """What `side` may do to an appointment right now, in the table's order (for buttons)."""
    return tuple(
        action
        for (from_status, action) in TRANSITIONS
        if from_status == status
        and side in SIDES[action]
        and timing_allows(action, side=side, starts_at=starts_at, now=now, policy=policy)
    )


# How far ahead a professional may book or move their own sessions (the horizon they set
# binds clients; this only keeps a typo like "2062" from being taken at its word).
OWN_HORIZON_DAYS = 3 * 366


def for_side(inputs: SlotInputs, side: RecipientType) -> SlotInputs:
    """The slot rules that bind `side`: a client meets the minimum notice and the booking
    horizon; a professional booking or moving their own sessions does not (their hours,
    time off, overlaps and the buffer bind both)."""
    if side is CLIENT:
        return inputs
    own = replace(inputs.rules, min_notice_minutes=0, horizon_days=OWN_HORIZON_DAYS)
    return replace(inputs, rules=own)


def last_bookable_day(inputs: SlotInputs, now: datetime) -> date:
    """The last local date (professional's zone) a session may be booked on."""
    return now.astimezone(inputs.tz).date() + timedelta(days=inputs.rules.horizon_days)


def check_start(
    start: datetime,
    *,
    now: datetime,
    inputs: SlotInputs,
    ignore: Busy | None = None,
    side: RecipientType = CLIENT,
) -> None:
    """Refuse a start that breaks a booking rule, with the reason as the error.

    Any start that fits is accepted, on the slot grid or off it (a typed 10:00 between
    the 09:55 and 10:50 slots): the session must lie in a window, clear of time off, of
    other sessions and of their buffer. `ignore` is the session being moved: its own old
    time does not block its new one. `side` is who books or moves (see :func:`for_side`).
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    inputs = for_side(inputs, side)
    rules, tz = inputs.rules, inputs.tz
    if start < now:
        raise BookingInPast(start=start)
    earliest = now + timedelta(minutes=rules.min_notice_minutes)
    if start < earliest:
        raise InsideMinimumNotice(notice_minutes=rules.min_notice_minutes, earliest=earliest)
    day = start.astimezone(tz).date()
    last_day = last_bookable_day(inputs, now)
    if day > last_day:
        raise BeyondHorizon(last_day=last_day, horizon_days=rules.horizon_days)

    busy = _without(inputs.busy, ignore)
    # A start need not be on the slot grid: any that fits the rules is as good.
    end = start + timedelta(minutes=inputs.session_minutes)
    if not within_windows(start, end, weekly=inputs.weekly, extra=inputs.extra, tz=tz):
        raise OutsideAvailability(start=start)
    if any(isinstance(b, TimeOff) and _overlaps(b.start, b.end, start, end) for b in busy):
        raise DuringTimeOff(start=start)
    if any(_overlaps(b.start, b.end, start, end) for b in busy):
        raise SlotTaken(start=start)
    pad = timedelta(minutes=rules.buffer_minutes)
    if any(b.buffered and _overlaps(b.start - pad, b.end + pad, start, end) for b in busy):
        raise TooCloseToAnotherSession(start=start, buffer_minutes=rules.buffer_minutes)


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _without(busy: Iterable[Busy], ignore: Busy | None) -> list[Busy]:
    """`busy` less one interval equal to `ignore` (time off is never a session's own)."""
    out = list(busy)
    if ignore is None:
        return out
    for i, item in enumerate(out):
        if not isinstance(item, TimeOff) and item.start == ignore.start and item.end == ignore.end:
            del out[i]
            break
    return out
