"""Why a booking, or a change to one, is refused; the bot translates each msgid."""

from __future__ import annotations

from core.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound


class IllegalTransition(Conflict):
    """The appointment's status does not allow this action; params: status, action."""

    msgid = N_("booking.illegal_transition")


class WrongSide(NotAllowed):
    """The other side of the booking does this (only the professional confirms, ...);
    params: action, side."""

    msgid = N_("booking.wrong_side")


class NotAClient(NotAllowed):
    """The acting user has no client record with this professional; params: professional_id."""

    msgid = N_("booking.not_a_client")


class BookingInPast(InvalidInput):
    """The wanted start has already passed; params: start."""

    msgid = N_("booking.in_past")


class InsideMinimumNotice(InvalidInput):
    """Too soon: the professional needs notice; params: notice_minutes, earliest."""

    msgid = N_("booking.min_notice")


class BeyondHorizon(InvalidInput):
    """Too far ahead; params: last_day (the last bookable local date), horizon_days."""

    msgid = N_("booking.beyond_horizon")


class OutsideAvailability(InvalidInput):
    """Not one of the professional's slot starts (outside the windows); params: start."""

    msgid = N_("booking.outside_availability")


class DuringTimeOff(InvalidInput):
    """The professional is away then; params: start."""

    msgid = N_("booking.time_off")


class TooCloseToAnotherSession(Conflict):
    """Free, but inside the break the professional keeps between sessions;
    params: start, buffer_minutes."""

    msgid = N_("booking.buffer")


class TooManyBookings(Conflict):
    """The client already holds the most one-off future bookings allowed (a recurring
    series does not count); params: max, count (how many they hold)."""

    msgid = N_("booking.max_future")


class CancellationTooLate(NotAllowed):
    """Past the cancellation notice; params: notice_minutes, deadline."""

    msgid = N_("booking.cancel_too_late")


class RescheduleTooLate(NotAllowed):
    """Past the notice for moving a session; params: notice_minutes, deadline."""

    msgid = N_("booking.reschedule_too_late")


class SessionNotStarted(InvalidInput):
    """A session is completed or missed only once it has started; params: starts_at."""

    msgid = N_("booking.not_started")


class SameTime(InvalidInput):
    """A reschedule to the time the session already has; params: start."""

    msgid = N_("booking.same_time")


class TextTooLong(InvalidInput):
    """A note or a reason is too long; params: field, max."""

    msgid = N_("booking.text_too_long")


class BookingNotFound(NotFound):
    """No such appointment, or not one the acting user may see."""

    msgid = N_("booking.not_found")
