"""/mybookings: cancelling inside and outside the policy, rescheduling, "I'm coming"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import uuid_arg
from bot.conversations.booking_render import mb_data
from core.db.uow import Database
from core.models import Appointment, AppointmentStatus, Notification, NotificationType, TelegramUser
from emulator import BotApiEmulator
from tests import factories
from tests.e2e_client.e2e_client_helpers import ana, client_of
from tests.e2e_harness import Chat
from tests.factories import appointment_row

JOAO = 7401
FRI_10 = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # two days ahead, 10:00 in São Paulo
THU_09 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 23 hours ahead: inside the 24 h notice


async def _setup(db: Database, emu: BotApiEmulator, *starts: datetime, **status: AppointmentStatus):
    pro = await ana(db)
    me = await client_of(db, pro, JOAO, name="João", phone="+5511987654321")
    booked = [await factories.appointment(db, pro, me, s, minutes=60, **status) for s in starts]
    emu.add_user(JOAO, "João", language_code="pt-br", started=True)
    return pro, booked


async def _cancellations(db: Database) -> list[Notification]:
    async with db.system("tests") as uow:
        return list(
            await uow.session.scalars(
                select(Notification).where(Notification.type == NotificationType.booking_cancelled)
            )
        )


async def test_the_list_shows_upcoming_sessions_with_their_buttons(
    emu: BotApiEmulator, db: Database, run_bot
):
    await _setup(db, emu, THU_09, FRI_10)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()

    status = joao.t("mybookings.status.confirmed")
    assert listing.text.splitlines() == [
        joao.t("mybookings.title_upcoming"),
        f"1. {joao.when(THU_09)} · Ana Souza · {status}",
        f"2. {joao.when(FRI_10)} · Ana Souza · {status}",
    ]
    assert joao.labels(listing) == [
        joao.t("mybookings.button.reschedule", n=1),
        joao.t("mybookings.button.cancel", n=1),
        joao.t("mybookings.button.reschedule", n=2),
        joao.t("mybookings.button.cancel", n=2),
    ]


async def test_cancelling_inside_the_policy_shows_it_first_then_cancels_and_tells_the_professional(
    emu: BotApiEmulator, db: Database, run_bot
):
    _, [session] = await _setup(db, emu, FRI_10)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()
        await joao.press(listing, joao.t("mybookings.button.cancel", n=1))
        ask = await joao.next()
        done = await joao.press_edit(ask, joao.t("mybookings.button.yes_cancel"))

    deadline = joao.when(datetime(2026, 11, 26, 13, 0, tzinfo=UTC))
    assert (
        joao.t("mybookings.cancel.ask", professional="Ana Souza", when=joao.when(FRI_10))
        in ask.history[0].text
    )
    assert deadline in ask.history[0].text and "24 horas" in ask.history[0].text
    assert done.text == joao.t(
        "mybookings.cancelled", professional="Ana Souza", when=joao.when(FRI_10)
    )
    assert (await appointment_row(db, session.id)).status is AppointmentStatus.cancelled
    assert [n.appointment_id for n in await _cancellations(db)] == [session.id]


async def test_cancelling_with_a_professional_who_never_opened_the_bot_does_not_claim_they_know(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro, [session] = await _setup(db, emu, FRI_10)
    await factories.add(db, TelegramUser(user_id=pro.user_id, first_name="Ana"))
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()
        await joao.press(listing, joao.t("mybookings.button.cancel", n=1))
        ask = await joao.next()
        done = await joao.press_edit(ask, joao.t("mybookings.button.yes_cancel"))

    assert done.text == joao.t(
        "mybookings.cancelled_unseen", professional="Ana Souza", when=joao.when(FRI_10)
    )
    assert [n.appointment_id for n in await _cancellations(db)] == [session.id]


async def test_cancelling_inside_the_notice_explains_why_not_and_offers_a_message(
    emu: BotApiEmulator, db: Database, run_bot
):
    pro, [session] = await _setup(db, emu, THU_09)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()
        await joao.press(listing, joao.t("mybookings.button.cancel", n=1))
        refused = await joao.next()

    deadline = joao.when(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert refused.text == joao.t(
        "mybookings.cancel.too_late", professional="Ana Souza", notice="24 horas", deadline=deadline
    )
    assert [b["callback_data"] for b in refused.buttons] == [f"msg:to:{uuid_arg(pro.id)}"]
    assert (await appointment_row(db, session.id)).status is AppointmentStatus.confirmed
    assert await _cancellations(db) == []


async def test_rescheduling_reuses_the_calendar_and_moves_the_same_session(
    emu: BotApiEmulator, db: Database, run_bot
):
    _, [session] = await _setup(db, emu, FRI_10)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()
        await joao.press(listing, joao.t("mybookings.button.reschedule", n=1))
        calendar = await joao.next()
        assert calendar.text.startswith(
            joao.t("booking.calendar.title_move", professional="Ana Souza", when=joao.when(FRI_10))
        )
        day = await joao.press_edit(calendar, joao.day(date(2026, 11, 28)))
        confirm = await joao.press_edit(day, "15:00")
        assert confirm.text.startswith(joao.t("booking.confirm.title_move"))
        assert joao.t("booking.confirm.was", when=joao.when(FRI_10)) in confirm.text
        moved = await joao.press_edit(confirm, joao.t("booking.button.confirm"))
        ics = await joao.next()

    new_start = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    assert moved.text.startswith(
        joao.t("booking.moved.pending", professional="Ana Souza", when=joao.when(new_start))
    )
    assert ics.document["file_name"] == "session.ics"
    row = await appointment_row(db, session.id)
    assert (row.starts_at, row.status) == (new_start, AppointmentStatus.pending_confirmation)


async def test_rescheduling_inside_the_notice_is_refused_with_a_way_to_message(
    emu: BotApiEmulator, db: Database, run_bot
):
    _, [session] = await _setup(db, emu, THU_09)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()
        await joao.press(listing, joao.t("mybookings.button.reschedule", n=1))
        refused = await joao.next()

    deadline = joao.when(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert refused.text == joao.t(
        "booking.reschedule_too_late_message", professional="Ana Souza", deadline=deadline
    )
    assert joao.labels(refused) == [joao.t("message.button")]
    assert (await appointment_row(db, session.id)).starts_at == THU_09


async def test_im_coming_under_a_reminder_is_thanked_with_an_alert(
    emu: BotApiEmulator, db: Database, run_bot
):
    _, [session] = await _setup(db, emu, THU_09)
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot() as app:
        button = InlineKeyboardButton("Vou!", callback_data=mb_data("go", session.id))
        await app.bot.send_message(JOAO, "Lembrete", reply_markup=InlineKeyboardMarkup([[button]]))
        reminder = await joao.next()
        thanks = await joao.press(reminder, "Vou!")

    assert thanks.show_alert and thanks.text == joao.t("mybookings.coming_thanks")


async def test_a_session_cancelled_for_a_day_still_ahead_shows_among_the_upcoming(
    emu: BotApiEmulator, db: Database, run_bot
):
    _, [_kept, called_off] = await _setup(db, emu, THU_09, FRI_10)
    async with db.system("tests") as uow:
        row = await uow.session.get(Appointment, called_off.id)
        row.status = AppointmentStatus.cancelled
        await uow.commit()
    joao = Chat(emu, JOAO, "pt_BR")
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()

    assert listing.text.splitlines() == [
        joao.t("mybookings.title_upcoming"),
        f"1. {joao.when(THU_09)} · Ana Souza · {joao.t('mybookings.status.confirmed')}",
        f"2. {joao.when(FRI_10)} · Ana Souza · {joao.t('mybookings.status.cancelled')}",
    ]
    assert joao.labels(listing) == [
        joao.t("mybookings.button.reschedule", n=1),
        joao.t("mybookings.button.cancel", n=1),
    ]


async def test_the_sessions_past_the_first_ten_are_a_button_away(
    emu: BotApiEmulator, db: Database, run_bot
):
    starts = [FRI_10 + timedelta(days=d) for d in range(12)]
    _, sessions = await _setup(db, emu, *starts)
    joao = Chat(emu, JOAO, "pt_BR")
    more = joao.t("mybookings.button.more", count=2)
    async with run_bot():
        await emu.send_command(JOAO, "mybookings")
        listing = await joao.next()
        first_page = listing.text
        await joao.press_edit(listing, more)
        second_page = listing.text
        buttons = joao.labels(listing)
        await joao.press_edit(listing, joao.t("mybookings.button.earlier"))

    assert joao.t("mybookings.more", count=2) in first_page
    assert f"11. {joao.when(starts[10])}" not in first_page
    assert f"11. {joao.when(starts[10])}" in second_page
    assert f"12. {joao.when(starts[11])}" in second_page
    assert f"1. {joao.when(starts[0])}" not in second_page
    assert joao.t("mybookings.button.cancel", n=12) in buttons
    assert listing.text == first_page  # and back
    assert len(sessions) == 12
