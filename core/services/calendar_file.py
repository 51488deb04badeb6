"""An appointment as an .ics file, for the client's or the professional's own calendar.

Times carry the professional's IANA zone (TZID plus its VTIMEZONE), so a calendar in
any zone shows the right instant, daylight saving included. The same UID is used
every time, and SEQUENCE grows with each change, so importing the file again after a
reschedule or a cancellation updates the event instead of adding a second one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.db.uow import UnitOfWork
from core.models import AppointmentStatus
from core.services.booking_queries import AppointmentView, get

PRODID = "-//bookingbot//bookingbot//EN"
UID_DOMAIN = "bookingbot"
ALARM_BEFORE = timedelta(hours=1)
# The VTIMEZONE lists the zone's transitions in this window around the session only.
_TZ_SPAN = timedelta(days=400)

_ICS_STATUS = {
    AppointmentStatus.pending_confirmation: "TENTATIVE",
    AppointmentStatus.confirmed: "CONFIRMED",
    AppointmentStatus.completed: "CONFIRMED",
    AppointmentStatus.no_show: "CONFIRMED",
    AppointmentStatus.declined: "CANCELLED",
    AppointmentStatus.cancelled: "CANCELLED",
}


def default_summary(view: AppointmentView) -> str:
    """The name and profession, e.g. "Ana Souza (psychologist)" (untranslated)."""
    return f"{view.professional_name} ({view.profession.value.replace('_', ' ')})"


def build_ics(view: AppointmentView, *, summary: str | None = None) -> bytes:
    """The .ics bytes of one appointment view (pure: no database)."""
    import icalendar  # ~3 MiB, loaded when a calendar file is first asked for

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")

    try:
        tz: ZoneInfo | None = ZoneInfo(view.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = None
    starts = view.starts_at.astimezone(tz or UTC)
    ends = view.ends_at.astimezone(tz or UTC)

    event = icalendar.Event()
    event.add("uid", f"{view.id}@{UID_DOMAIN}")
    event.add("dtstamp", view.updated_at.astimezone(UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", summary or default_summary(view))
    event.add("status", _ICS_STATUS[view.status])
    # Seconds since creation: grows with every change without a counter in the schema.
    event.add("sequence", max(0, int((view.updated_at - view.created_at).total_seconds())))

    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary or default_summary(view))
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    cal.add_component(event)

    if tz is not None:
        day = starts.date()
        cal.add_missing_timezones(first_date=day - _TZ_SPAN, last_date=day + _TZ_SPAN)
    return cal.to_ical()


async def ics_for(
    uow: UnitOfWork, *, appointment_id: uuid.UUID, summary: str | None = None
) -> bytes:
    """The .ics file of an appointment the acting user may see."""
    return build_ics(await get(uow, appointment_id=appointment_id), summary=summary)
