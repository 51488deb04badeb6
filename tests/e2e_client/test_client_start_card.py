"""/start with a professional's link or an invite: the profile card, Follow, and helpful
answers for links that lead nowhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.db.uow import Database
from core.models import AppointmentStatus, Follow, Review
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_client.e2e_client_helpers import ANA_UID, ana, client_of
from tests.e2e_harness import Chat

JOHN, LUCIA = 7301, 7302


async def test_an_english_reader_sees_the_price_in_the_professionals_currency_and_the_rating(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await ana(db, welcome_message=None, price_cents=8000, currency="EUR", bio="CBT, online.")
    for i, stars in enumerate((5, 4)):
        cli = await client_of(db, pro, 7390 + i)
        start = datetime(2026, 11, 10, 13, tzinfo=UTC) + timedelta(days=i)
        past = await factories.appointment(
            db, pro, cli, start, minutes=60, status=AppointmentStatus.completed
        )
        await factories.add(
            db,
            Review(
                professional_id=pro.id,
                client_id=cli.id,
                appointment_id=past.id,
                rating=stars,
            ),
        )
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        await john.start("ana-souza")
        card = await john.next()

    assert card.text.splitlines() == [
        f"👤 Ana Souza · {john.t('profession.psychologist')}",
        "",
        "CBT, online.",
        "",
        john.t("profile.session", duration="1 hour"),
        john.t("profile.price", price="€80.00"),
        john.t("profile.rating", average="4.5", count=2),
    ]
    assert john.labels(card) == [
        john.t("profile.button.book"),
        john.t("profile.button.follow"),
        john.t("message.button"),
    ]


async def test_follow_turns_into_unfollow_on_the_card_and_back(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db)
    emu.add_user(LUCIA, "Lucía", language_code="es")
    lucia = Chat(emu, LUCIA, "es")
    async with run_bot():
        await lucia.start("ana-souza")
        await lucia.next()
        card = await lucia.next()
        followed = await lucia.press(card, lucia.t("profile.button.follow"))
        await emu.wait_for(
            LUCIA, lambda chat: lucia.t("profile.button.unfollow") in lucia.labels(card)
        )
        async with db.system("tests") as uow:
            following = await uow.session.scalar(select(func.count()).select_from(Follow))
        await lucia.press(card, lucia.t("profile.button.unfollow"))
        await emu.wait_for(
            LUCIA, lambda chat: lucia.t("profile.button.follow") in lucia.labels(card)
        )

    assert followed.text == lucia.t("profile.followed", name="Ana Souza")
    assert following == 1
    async with db.system("tests") as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Follow)) == 0


async def test_an_unknown_link_gets_a_helpful_answer(emu: BotApiEmulator, db: Database, run_bot):
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        await john.start("nobody-here")
        answer = await john.next()

    assert answer.text == john.t("start.unknown_link")
    assert "/register" in answer.text


async def test_a_professional_opening_their_own_link_is_told_to_share_it(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db)
    emu.add_user(ANA_UID, "Ana", language_code="pt-br")
    me = Chat(emu, ANA_UID, "pt_BR")
    async with run_bot():
        await me.start("ana-souza")
        answer = await me.next()

    assert answer.text == me.t("start.own_link")


async def test_an_inactive_professionals_link_says_they_are_not_taking_bookings(
    emu: BotApiEmulator, db: Database, run_bot
):
    await ana(db, active=False)
    emu.add_user(JOHN, "John", language_code="en")
    john = Chat(emu, JOHN, "en")
    async with run_bot():
        await john.start("ana-souza")
        answer = await john.next()

    assert answer.text == john.t("start.inactive", name="Ana Souza")
    assert answer.buttons == []


async def test_an_invite_links_the_client_once_and_a_second_use_is_explained(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro = await ana(db)
    await client_of(db, pro, None, name="John Smith", invite_token="inv_" + "x" * 32)
    emu.add_user(JOHN, "John", language_code="en")
    emu.add_user(LUCIA, "Lucía", language_code="es")
    john, lucia = Chat(emu, JOHN, "en"), Chat(emu, LUCIA, "es")
    async with run_bot():
        await john.start("inv_" + "x" * 32)
        await john.next()  # the welcome message
        card = await john.next()
        await lucia.start("inv_" + "x" * 32)
        refused = await lucia.next()

    assert card.text.startswith("👤 Ana Souza")
    assert refused.text == lucia.t("start.invite_used")
