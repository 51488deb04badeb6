"""Following a professional to hear about new openings, at most once a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import errors
from core.services import follows
from core.services.professionals import ProfessionalNotFound
from tests import factories as f

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


async def test_following_twice_and_unfollowing_twice_are_harmless(db):
    pro = await f.professional(db)
    uid = f.next_user_id()
    async with db.for_user(uid) as uow:
        assert await follows.follow(uow, professional_id=pro.id) is True
        assert await follows.follow(uow, professional_id=pro.id) is False
        assert await follows.is_following(uow, professional_id=pro.id)
        await uow.commit()
    async with db.for_user(pro.user_id) as uow:
        assert await follows.follower_count(uow) == 1
    async with db.for_user(uid) as uow:
        assert await follows.unfollow(uow, professional_id=pro.id) is True
        assert await follows.unfollow(uow, professional_id=pro.id) is False
        assert not await follows.is_following(uow, professional_id=pro.id)


async def test_an_inactive_professional_cannot_be_followed(db):
    pro = await f.professional(db, active=False)
    async with db.for_user(f.next_user_id()) as uow:
        with pytest.raises(ProfessionalNotFound):
            await follows.follow(uow, professional_id=pro.id)


async def test_followers_hear_about_openings_at_most_once_a_day(db):
    pro = await f.professional(db)
    fans = [f.next_user_id() for _ in range(3)]
    blocked = fans[2]
    await f.account(db, blocked, unreachable_at=NOW - timedelta(days=1))
    for uid in fans:
        async with db.for_user(uid) as uow:
            await follows.follow(uow, professional_id=pro.id)
            await uow.commit()

    async def due(now: datetime) -> list[int]:
        async with db.system("openings") as uow:
            ids = await follows.followers_to_notify(uow, professional_id=pro.id, now=now)
            await uow.commit()
        return ids

    assert await due(NOW) == fans[:2]
    assert await due(NOW + timedelta(hours=23)) == []
    assert await due(NOW + timedelta(hours=24)) == fans[:2]


async def test_only_the_system_picks_followers_to_notify(db):
    pro = await f.professional(db)
    async with db.for_user(pro.user_id) as uow:
        with pytest.raises(errors.NotAllowed):
            await follows.followers_to_notify(uow, professional_id=pro.id, now=NOW)
