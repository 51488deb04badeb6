"""The booking screens read the professional in one statement, and refuse like get_public."""

from __future__ import annotations

import uuid

import pytest

from core.db.observe import StatementLog
from core.services import professionals as pros
from core.services import slots
from tests import factories as f


async def test_the_booking_screens_see_what_the_public_profile_says_in_one_statement(db):
    pro = await f.bookable(db, name="Paula Moura", price_cents=15000, currency="BRL")
    cli = await f.client(db, pro)
    async with db.for_user(cli.user_id) as uow:
        public = await pros.get_public(uow, professional_id=pro.id)
    async with StatementLog(db.engine) as log:
        async with db.for_user(cli.user_id) as uow:
            shown = await slots.booking_profile(uow, professional_id=pro.id)

    assert len(log) == 2, log.statements  # opening the unit of work, then the profile
    assert shown == slots.BookingProfile(
        id=public.id,
        name="Paula Moura",
        timezone=public.timezone,
        session_duration=60,
        price_cents=15000,
        currency="BRL",
        cancellation_notice_minutes=public.cancellation_notice_minutes,
    )


async def test_an_unknown_or_inactive_professional_cannot_be_booked_from_the_screens(db):
    pro = await f.professional(db, active=False)
    async with db.for_user(f.next_user_id()) as uow:
        with pytest.raises(pros.ProfessionalNotFound):
            await slots.booking_profile(uow, professional_id=uuid.uuid4())
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(pros.ProfessionalInactive) as caught:
            await slots.booking_profile(uow, professional_id=pro.id)
    assert caught.value.params == {"name": pro.name}
