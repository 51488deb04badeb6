"""slot_inputs: what free_slots needs, readable by a client without leaking anyone's data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from core.db.observe import StatementLog
from core.models import Appointment, AppointmentStatus, Client, ExtraAvailability
from core.scheduling.slots import free_slots
from core.scheduling.types import Busy, TimeOff
from core.services import availability
from core.services.professionals import ProfessionalNotFound
from tests import factories as f

MON = date(2026, 11, 30)  # a Monday; Sao Paulo is UTC-3 all year now


def at(hour: int, minute: int = 0, day: date = MON) -> datetime:
    """A Sao Paulo wall time on `day` as a UTC instant."""
    return datetime(day.year, day.month, day.day, hour + 3, minute, tzinfo=UTC)


async def test_a_client_sees_busy_times_of_other_clients_but_not_whose_they_are(db):
    pro = await f.professional(db, buffer_minutes=10)
    await f.weekly_window(db, pro, 1, time(9), time(18))
    me, other = await f.client(db, pro), await f.client(db, pro)
    await f.appointment(db, pro, other, at(10))
    await f.appointment(db, pro, me, at(14))
    await f.appointment(db, pro, other, at(15), status=AppointmentStatus.cancelled)
    await f.time_off(db, pro, at(16), at(18), reason="dentist")

    async with db.for_user(me.user_id) as uow:
        inputs = await availability.slot_inputs(
            uow, professional_id=pro.id, first_day=MON, last_day=MON
        )
        # RLS still hides the other client's appointment and name from this client.
        visible = (await uow.session.scalars(select(Appointment.client_id))).all()
        names = (await uow.session.scalars(select(Client.name))).all()

    assert [(b.start, b.end) for b in inputs.busy] == [
        (at(10), at(10, 50)),
        (at(14), at(14, 50)),
        (at(16), at(18)),
    ]
    assert visible == [me.id]
    assert names == [me.name]
    assert inputs.timezone == "America/Sao_Paulo" and inputs.session_minutes == 50
    assert inputs.rules.buffer_minutes == 10
    assert [(w.weekday, w.start, w.end) for w in inputs.weekly] == [(1, time(9), time(18))]


async def test_the_professional_gets_time_off_unbuffered_and_sessions_buffered(db):
    pro = await f.professional(db, buffer_minutes=10)
    cli = await f.client(db, pro)
    await f.appointment(db, pro, cli, at(10))
    await f.time_off(db, pro, at(16), at(18))
    async with db.for_user(pro.user_id) as uow:
        inputs = await availability.slot_inputs(
            uow, professional_id=pro.id, first_day=MON, last_day=MON
        )
    assert [type(b) for b in inputs.busy] == [Busy, TimeOff]


async def test_slot_inputs_feed_free_slots_around_a_booked_session(db):
    pro = await f.professional(db, session_duration=60)
    await f.weekly_window(db, pro, 1, time(9), time(12))
    await add_extra(db, pro, MON + timedelta(days=1), time(9), time(10))
    await f.appointment(db, pro, await f.client(db, pro), at(10), minutes=60)
    stranger = f.next_user_id()
    async with db.for_user(stranger) as uow:
        inputs = await availability.slot_inputs(
            uow, professional_id=pro.id, first_day=MON, last_day=MON + timedelta(days=1)
        )
    slots = free_slots(
        weekly=inputs.weekly,
        extra=inputs.extra,
        busy=inputs.busy,
        rules=inputs.rules,
        tz=inputs.tz,
        now=at(0),
        first_day=MON,
        last_day=MON + timedelta(days=1),
    )
    assert slots == [at(9), at(11), at(9, day=MON + timedelta(days=1))]


async def test_an_inactive_professional_has_no_slot_inputs_for_a_client(db):
    pro = await f.professional(db, active=False)
    async with db.for_user(f.next_user_id()) as uow:
        with pytest.raises(ProfessionalNotFound):
            await availability.slot_inputs(uow, professional_id=pro.id, first_day=MON, last_day=MON)


async def test_slot_inputs_takes_one_statement_for_2000_sessions_as_for_10(db):
    pro = await f.professional(db)
    cli = await f.client(db, pro)
    await f.weekly_window(db, pro, 1, time(9), time(18))
    await f.time_off(db, pro, at(8), at(8, 30) + timedelta(days=100))
    reader = f.next_user_id()

    async def measure() -> tuple[int, int]:
        async with db.for_user(reader) as uow:  # the driver looks up new types once
            await availability.slot_inputs(uow, professional_id=pro.id, first_day=MON, last_day=MON)
        async with StatementLog(db.engine) as log:
            async with db.for_user(reader) as uow:
                inputs = await availability.slot_inputs(
                    uow, professional_id=pro.id, first_day=MON, last_day=MON + timedelta(days=90)
                )
        return len(log) - 1, len(inputs.busy)  # less the statement opening the unit of work

    await f.many_appointments(db, pro, cli, first=at(0), count=10)
    few = await measure()
    await f.many_appointments(db, pro, cli, first=at(0) + timedelta(hours=10), count=1990)
    many = await measure()

    assert few == (1, 11)
    assert many == (1, 2001)


async def add_extra(db, pro, day, start, end):
    return await f.add(
        db, ExtraAvailability(professional_id=pro.id, day=day, start_time=start, end_time=end)
    )
