"""The .ics file: a calendar anywhere shows the session at the right instant."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from core.models import AppointmentStatus, Profession
from core.services import booking
from core.services.booking_errors import BookingNotFound
from core.services.calendar_file import ics_for
from tests import factories as f

LISBON = ZoneInfo("Europe/Lisbon")
S = AppointmentStatus


def event_of(data: bytes) -> icalendar.Event:
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return event


async def test_the_ics_parses_back_to_the_same_instant_in_the_professionals_zone(db):
    pro = await f.professional(
        db,
        name="Ana Souza",
        profession=Profession.personal_trainer,
        timezone="Europe/Lisbon",
        session_duration=60,
    )
    await f.open_week(db, pro, time(9), time(12))
    cli = await f.client(db, pro)
    now = datetime(2026, 3, 25, 12, tzinfo=UTC)
    start = datetime(2026, 3, 29, 9, tzinfo=LISBON)  # the spring-forward day
    async with db.for_user(cli.user_id) as uow:
        view = await booking.request(uow, professional_id=pro.id, start=start, now=now)
        data = await ics_for(uow, appointment_id=view.id)
        await uow.commit()

    cal = icalendar.Calendar.from_ical(data)
    event = event_of(data)
    assert event.decoded("dtstart") == datetime(2026, 3, 29, 8, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 3, 29, 9, tzinfo=UTC)
    assert event["dtstart"].params["TZID"] == "Europe/Lisbon"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Lisbon"]
    assert str(event["uid"]) == f"{view.id}@bookingbot"
    assert str(event["summary"]) == "Ana Souza (personal trainer)"
    assert str(event["status"]) == "TENTATIVE"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(hours=1)


async def test_the_ics_status_follows_the_booking(db, clock):
    pro = await f.bookable(db)
    cli = await f.client(db, pro)
    start = datetime(2026, 11, 27, 14, tzinfo=ZoneInfo("America/Sao_Paulo"))
    appt = await f.appointment(db, pro, cli, start, minutes=60, status=S.pending_confirmation)
    seen = []
    async with db.for_user(pro.user_id) as uow:
        seen.append(event_of(await ics_for(uow, appointment_id=appt.id)))
        await booking.confirm(uow, appointment_id=appt.id, now=clock())
        seen.append(event_of(await ics_for(uow, appointment_id=appt.id, summary="Sessão")))
        await booking.cancel(uow, appointment_id=appt.id, now=clock())
        seen.append(event_of(await ics_for(uow, appointment_id=appt.id)))
        await uow.commit()
    assert [str(e["status"]) for e in seen] == ["TENTATIVE", "CONFIRMED", "CANCELLED"]
    assert str(seen[1]["summary"]) == "Sessão"
    assert len({str(e["uid"]) for e in seen}) == 1


async def test_another_client_cannot_download_someone_elses_ics(db, clock):
    pro = await f.bookable(db)
    cli, other = await f.client(db, pro), await f.client(db, pro)
    appt = await f.appointment(db, pro, cli, clock() + timedelta(days=2), minutes=60)
    async with db.for_user(other.user_id) as uow:
        with pytest.raises(BookingNotFound):
            await ics_for(uow, appointment_id=appt.id)
