"""Races: many clients for one slot, and a move racing a new booking, on separate
connections; the database lets exactly one hold the time."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.errors import SlotTaken
from core.models import HOLDING_STATUSES
from core.services import booking, slots
from core.services.booking_queries import AppointmentView
from tests import factories as f

SP = ZoneInfo("America/Sao_Paulo")
SLOT = datetime(2026, 11, 26, 14, tzinfo=SP)


async def holding_at(db, pro, start, now):
    async with db.for_user(pro.user_id) as uow:
        items = await booking.agenda(
            uow, first_day=date(2026, 11, 25), last_day=date(2026, 12, 5), now=now
        )
    return [
        i.appointment
        for i in items
        if i.appointment.starts_at == start and i.appointment.status in HOLDING_STATUSES
    ]


async def test_fifty_clients_racing_for_one_slot_get_one_booking_and_49_slot_taken(db, clock):
    pro = await f.bookable(db)
    clients = [await f.client(db, pro) for _ in range(50)]
    gate = asyncio.Event()

    async def attempt(cli):
        async with db.for_user(cli.user_id) as uow:
            await gate.wait()
            try:
                view = await booking.request(uow, professional_id=pro.id, start=SLOT, now=clock())
            except SlotTaken:
                # The loser's unit of work is still usable: the bot offers fresh slots.
                free = await slots.list_free_slots(uow, professional_id=pro.id, now=clock())
                assert SLOT not in free and free
                raise
            await uow.commit()
            return view

    tasks = [asyncio.create_task(attempt(c)) for c in clients]
    await asyncio.sleep(0.2)  # every unit of work holds its own connection by now
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)

    booked = [r for r in results if isinstance(r, AppointmentView)]
    taken = [r for r in results if isinstance(r, SlotTaken)]
    assert (len(booked), len(taken)) == (1, 49), [
        r for r in results if not isinstance(r, AppointmentView | SlotTaken)
    ]
    assert [a.id for a in await holding_at(db, pro, SLOT, clock())] == [booked[0].id]


async def test_a_move_racing_a_new_booking_into_the_same_slot_leaves_one_holder(db, clock):
    pro = await f.bookable(db)
    mover, newcomer = await f.client(db, pro), await f.client(db, pro)
    for round_ in range(5):
        target = SLOT + timedelta(days=round_)
        appt = await f.appointment(db, pro, mover, target - timedelta(hours=3), minutes=60)
        gate = asyncio.Event()

        async def move(appointment_id=appt.id, target=target, gate=gate):
            async with db.for_user(mover.user_id) as uow:
                await gate.wait()
                view = await booking.reschedule(
                    uow, appointment_id=appointment_id, new_start=target, now=clock()
                )
                await uow.commit()
                return view

        async def book(target=target, gate=gate):
            async with db.for_user(newcomer.user_id) as uow:
                await gate.wait()
                view = await booking.request(uow, professional_id=pro.id, start=target, now=clock())
                await uow.commit()
                return view

        tasks = [asyncio.create_task(move()), asyncio.create_task(book())]
        await asyncio.sleep(0.05)
        gate.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)

        won = [r for r in results if isinstance(r, AppointmentView)]
        lost = [r for r in results if isinstance(r, SlotTaken)]
        assert (len(won), len(lost)) == (1, 1), results
        holders = await holding_at(db, pro, target, clock())
        assert [h.id for h in holders] == [won[0].id]
        if won[0].id != appt.id:  # the move lost: the session stays where it was
            assert (await f.appointment_row(db, appt.id)).starts_at == target - timedelta(hours=3)
