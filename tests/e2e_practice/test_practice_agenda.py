"""/agenda: the week at a glance, results marked after a session, cancel and reschedule.

The clock stands at Wednesday 25 November 2026, 10:00 in São Paulo (13:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.context import ALERT_LIMIT
from bot.formatting import format_date, format_datetime, format_day_short
from core.models import AppointmentStatus, NotificationType, RecipientType
from core.services import booking
from core.services.access import NotAProfessional
from core.services.booking_errors import SessionNotStarted
from emulator import BotApiEmulator
from tests import factories as f
from tests.e2e_harness import button_texts
from tests.e2e_practice.practice_support import PRO, ZONE, edited, tr

STRANGER = 7099


def sp(day: int, hour: int) -> datetime:
    """A November 2026 wall time in São Paulo (UTC-3), as UTC."""
    return datetime(2026, 11, day, hour + 3, tzinfo=UTC)


async def _session(db, pro, name: str, start: datetime, **over):
    client = await f.client(db, pro, name=name)
    return client, await f.appointment(db, pro, client, start, minutes=60, **over)


def _alert(text: str) -> str:
    return text if len(text) <= ALERT_LIMIT else text[: ALERT_LIMIT - 1] + "…"


async def test_agenda_shows_the_week_and_marks_a_past_session_done_but_refuses_a_future_one(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    _a, ana = await _session(db, pro, "Ana Souza", sp(25, 9))
    _d, diego = await _session(db, pro, "Diego Alves", sp(25, 8))
    await _session(db, pro, "Bruno Lima", sp(26, 14))
    await _session(db, pro, "Carla Dias", sp(27, 10), status=AppointmentStatus.pending_confirmation)
    await _session(db, pro, "Eva Rocha", sp(30, 10))
    ana_done = tr.t(
        "agenda.button.completed", session=f"{format_datetime(ana.starts_at, 'en', ZONE)} Ana Souza"
    )
    diego_done = tr.t(
        "agenda.button.completed",
        session=f"{format_datetime(diego.starts_at, 'en', ZONE)} Diego Alves",
    )
    async with run_bot():
        await emu.send_command(PRO, "agenda")
        week = await emu.next_bot_message(PRO)
        shown, shown_buttons = week.text, button_texts(week)
        # Meanwhile Diego's session, started an hour ago, is moved to tomorrow morning.
        async with db.for_user(PRO) as uow:
            moved = await booking.reschedule(
                uow, appointment_id=diego.id, new_start=sp(26, 9), now=clock()
            )
            await uow.commit()
        refused = await (await emu.press(PRO, week.message_id, diego_done)).wait_answer()
        done = await (await emu.press(PRO, week.message_id, ana_done)).wait_answer()
        redrawn = await edited(emu, week.message_id)

    assert shown.startswith(
        tr.t(
            "agenda.title.week",
            first=format_day_short(date(2026, 11, 23), "en"),
            last=format_day_short(date(2026, 11, 29), "en"),
        )
    )
    assert f"{format_day_short(date(2026, 11, 25), 'en')} · {tr.t('agenda.today')}" in shown
    assert "❓ 09:00–10:00 Ana Souza" in shown
    assert "📌 14:00–15:00 Bruno Lima" in shown
    assert "⏳ 10:00–11:00 Carla Dias" in shown
    assert "Eva Rocha" not in shown  # next week
    assert ana_done in shown_buttons and diego_done in shown_buttons

    assert refused.show_alert
    assert refused.text == _alert(tr.render(SessionNotStarted(starts_at=moved.starts_at)))
    assert (await f.appointment_row(db, diego.id)).status is AppointmentStatus.confirmed

    assert done.text == tr.t("agenda.marked_completed", client="Ana Souza")
    assert "✔️ 09:00–10:00 Ana Souza" in redrawn.text
    assert ana_done not in button_texts(redrawn)
    assert (await f.appointment_row(db, ana.id)).status is AppointmentStatus.completed
    told = await f.notifications_of(db, ana.id)
    assert [n.type for n in told] == [NotificationType.review_request]


async def test_a_session_is_cancelled_from_the_agenda_with_a_reason_for_the_client(
    emu: BotApiEmulator, db, run_bot, pro
):
    bruno, appt = await _session(db, pro, "Bruno Lima", sp(26, 14))
    thursday = format_day_short(date(2026, 11, 26), "en")
    async with run_bot():
        await emu.send_command(PRO, "agenda")
        agenda = await emu.next_bot_message(PRO)
        await emu.press(PRO, agenda.message_id, thursday)
        day = await edited(emu, agenda.message_id, 1)
        day_text = day.text
        await emu.press(PRO, agenda.message_id, "📌 14:00 Bruno Lima")
        card = await edited(emu, agenda.message_id, 2)
        card_buttons = button_texts(card)
        await emu.press(PRO, agenda.message_id, tr.t("agenda.button.cancel"))
        asked = await edited(emu, agenda.message_id, 3)
        asked_text = asked.text
        await emu.send_text(PRO, "I'm sick, sorry")
        reply = await emu.next_bot_message(PRO)
        redrawn = await edited(emu, agenda.message_id, 4)

    when = format_datetime(appt.starts_at, "en", ZONE)
    assert day_text.startswith(tr.t("agenda.title.day", day=format_date(date(2026, 11, 26), "en")))
    assert tr.t("agenda.button.reschedule") in card_buttons
    assert asked_text == tr.t("agenda.cancel.ask", client="Bruno Lima", when=when)
    assert reply.text == tr.t("agenda.cancelled", client="Bruno Lima", when=when)
    assert "❌ 14:00–15:00 Bruno Lima" in redrawn.text
    row = await f.appointment_row(db, appt.id)
    assert row.status is AppointmentStatus.cancelled
    assert row.cancelled_by is RecipientType.professional
    assert row.cancellation_reason == "I'm sick, sorry"
    told = await f.notifications_of(db, appt.id)
    assert [(n.type, n.recipient_id) for n in told] == [
        (NotificationType.booking_cancelled, bruno.user_id)
    ]
    assert told[0].params["reason"] == "I'm sick, sorry"


async def test_a_session_is_rescheduled_by_typing_the_new_time(
    emu: BotApiEmulator, db, run_bot, pro
):
    _bruno, appt = await _session(db, pro, "Bruno Lima", sp(26, 14))
    async with run_bot():
        await emu.send_command(PRO, "agenda", "today")
        today = await emu.next_bot_message(PRO)
        await emu.press(PRO, today.message_id, "▶")
        await edited(emu, today.message_id, 1)
        await emu.press(PRO, today.message_id, "📌 14:00 Bruno Lima")
        await edited(emu, today.message_id, 2)
        await emu.press(PRO, today.message_id, tr.t("agenda.button.reschedule"))
        await edited(emu, today.message_id, 3)
        await emu.send_text(PRO, "tomorrow 4pm")
        offer = await emu.next_bot_message(PRO)
        offered = offer.text
        await emu.press(PRO, offer.message_id, f"✓ {format_datetime(sp(26, 16), 'en', ZONE)}")
        moved = await edited(emu, offer.message_id)
        redrawn = await edited(emu, today.message_id, 4)

    new_when = format_datetime(sp(26, 16), "en", ZONE)
    assert offered == tr.t("agenda.reschedule.exact", when=new_when)
    assert moved.text == tr.t("agenda.rescheduled", client="Bruno Lima", when=new_when)
    assert "📌 16:00–17:00 Bruno Lima" in redrawn.text
    row = await f.appointment_row(db, appt.id)
    assert (row.starts_at, row.status) == (sp(26, 16), AppointmentStatus.confirmed)


async def test_someone_who_is_not_a_professional_is_told_the_agenda_is_not_for_them(
    emu: BotApiEmulator, run_bot, pro
):
    emu.add_user(STRANGER, "Sam", language_code="en", started=True)
    async with run_bot():
        await emu.send_command(STRANGER, "agenda")
        reply = await emu.next_bot_message(STRANGER)

    assert reply.text == tr.render(NotAProfessional())
