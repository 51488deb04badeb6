"""Reviewing a completed session: stars as buttons, then a comment or Skip."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversations.booking_render import mb_data
from core.db.uow import Database
from core.models import AppointmentStatus, Notification, NotificationType, Review
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_client.e2e_client_helpers import ana, client_of
from tests.e2e_harness import Chat

JOAO = 7501
MON_10 = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # two days ago, 10:00 in São Paulo


async def _held(db: Database, emu: BotApiEmulator, status=AppointmentStatus.completed):
    pro = await ana(db)
    me = await client_of(db, pro, JOAO, name="João", phone="+5511987654321")
    session = await factories.appointment(db, pro, me, MON_10, minutes=60, status=status)
    emu.add_user(JOAO, "João", language_code="pt-br", started=True)
    return session


async def _reviews(db: Database) -> list[Review]:
    async with db.system("tests") as uow:
        return list(await uow.session.scalars(select(Review)))


async def test_a_client_rates_with_stars_and_a_comment_from_mybookings(
    emu: BotApiEmulator, db: Database, run_bot
):
    await _held(db, emu)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()
        assert joao.t("mybookings.status.completed") in listing.text
        await joao.press(listing, joao.t("mybookings.button.review", n=1))
        ask = await joao.next()
        assert ask.text == joao.t(
            "review.ask_stars", professional="Ana Souza", when=joao.when(MON_10)
        )
        assert joao.labels(ask) == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
        await joao.press_edit(ask, "5 ⭐")
        assert ask.text == joao.t(
            "review.ask_comment", stars="⭐⭐⭐⭐⭐", professional="Ana Souza"
        )
        await joao.say("Ótima sessão, obrigado!")
        thanks = await joao.next()
        await emu.send_command(JOAO, "mybookings")
        after = await joao.next()

    assert thanks.text == joao.t("review.thanks", stars="⭐⭐⭐⭐⭐", professional="Ana Souza")
    [review] = await _reviews(db)
    assert (review.rating, review.comment) == (5, "Ótima sessão, obrigado!")
    assert joao.t("mybookings.button.review", n=1) not in joao.labels(after)
    async with db.system("tests") as uow:
        told = await uow.session.scalar(
            select(Notification).where(Notification.type == NotificationType.new_review)
        )
    assert told is not None


async def test_the_review_request_button_works_and_the_comment_can_be_skipped(
    emu: BotApiEmulator, db: Database, run_bot
):
    session = await _held(db, emu)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot() as app:
        button = InlineKeyboardButton("Avaliar", callback_data=mb_data("rv", session.id))
        await app.bot.send_message(JOAO, "Como foi?", reply_markup=InlineKeyboardMarkup([[button]]))
        request = await joao.next()
        await joao.press(request, "Avaliar")
        ask = await joao.next()
        await joao.say("4")  # typing the number works too
        comment = await joao.next()
        done = await joao.press_edit(comment, joao.t("review.button.skip"))

    assert done.text == joao.t("review.thanks", stars="⭐⭐⭐⭐", professional="Ana Souza")
    assert ask.buttons and [(r.rating, r.comment) for r in await _reviews(db)] == [(4, None)]


async def test_a_session_that_did_not_take_place_cannot_be_reviewed(
    emu: BotApiEmulator, db: Database, run_bot
):
    session = await _held(db, emu, status=AppointmentStatus.cancelled)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot() as app:
        button = InlineKeyboardButton("Avaliar", callback_data=mb_data("rv", session.id))
        await app.bot.send_message(JOAO, "Como foi?", reply_markup=InlineKeyboardMarkup([[button]]))
        request = await joao.next()
        refused = await joao.press(request, "Avaliar")

    assert refused.show_alert and refused.text == joao.t("review.cannot")
    assert await _reviews(db) == []
