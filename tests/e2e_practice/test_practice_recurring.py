"""/recurring: a weekly series set up from the bot books its sessions and says which it
skipped and why; pausing it cancels the upcoming ones and tells the client.

The clock stands at Wednesday 25 November 2026, 10:00 in São Paulo (13:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.formatting import format_date, format_datetime, format_day_short
from core.models import AppointmentStatus, NotificationType
from core.services import recurring
from emulator import BotApiEmulator
from tests import factories as f
from tests.e2e_harness import button_texts
from tests.e2e_practice.practice_support import PRO, ZONE, edited, tr


def sp(month: int, day: int, hour: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour + 3, tzinfo=UTC)


async def test_a_weekly_series_set_up_in_the_bot_reports_its_sessions_and_can_be_paused(
    emu: BotApiEmulator, db, run_bot, pro
):
    ana = await f.client(db, pro, name="Ana Souza")
    await f.time_off(db, pro, sp(12, 15, 0), sp(12, 16, 0))  # away all of Tuesday 15 Dec
    tuesday = tr.t("recurring.button.start", day=format_day_short(date(2026, 12, 1), "en"))
    async with run_bot():
        await emu.send_command(PRO, "recurring")
        listing = await emu.next_bot_message(PRO)
        empty = listing.text
        await emu.press(PRO, listing.message_id, tr.t("recurring.button.new"))
        who = await emu.next_bot_message(PRO)
        await emu.press(PRO, who.message_id, "Ana Souza")
        how_often = await emu.next_bot_message(PRO)
        await emu.press(PRO, how_often.message_id, tr.t("recurring.frequency.weekly"))
        which_day = await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "tuesday")  # typed where a button is expected
        hint = await emu.next_bot_message(PRO)
        await emu.press(PRO, which_day.message_id, "Tuesday")
        await emu.next_bot_message(PRO)
        await emu.send_text(PRO, "14h")
        from_when = await emu.next_bot_message(PRO)
        await emu.press(PRO, from_when.message_id, tuesday)
        report = await emu.next_bot_message(PRO)
        report_text = report.text

        await emu.press(PRO, report.message_id, tr.t("recurring.button.list"))
        series = await edited(emu, report.message_id, 1)
        series_text = series.text
        await emu.press(PRO, report.message_id, tr.t("recurring.button.pause", n=1))
        await edited(emu, report.message_id, 2)
        await emu.press(PRO, report.message_id, tr.t("recurring.button.pause_yes"))
        paused = await edited(emu, report.message_id, 3)

    assert tr.t("recurring.list.empty") in empty
    assert which_day.buttons[0]["text"] == "Monday"  # British week, Monday first
    assert hint.text == tr.t("recurring.use_buttons")
    rule = tr.t("recurring.rule.weekly", day="Tuesday", time="14:00")
    created_on = [sp(12, d, 14) for d in (1, 8, 22, 29)] + [
        sp(1, d, 14, year=2027) for d in (5, 12, 19)
    ]
    assert report_text.startswith(
        tr.t(
            "recurring.created",
            client="Ana Souza",
            rule=rule,
            start=format_date(date(2026, 12, 1), "en"),
        )
    )
    assert tr.t("recurring.report.created", count=7) in report_text
    for start in created_on:
        assert f"• {format_datetime(start, 'en', ZONE)}" in report_text
    skipped_line = (
        f"• {format_datetime(sp(12, 15, 14), 'en', ZONE)} — {tr.t('recurring.skip.time_off')}"
    )
    assert tr.t("recurring.report.skipped", count=1) in report_text
    assert skipped_line in report_text

    assert f"1. 🔁 Ana Souza — {rule}" in series_text
    assert paused.text.startswith(tr.t("recurring.paused_done", client="Ana Souza", count=7))
    assert f"1. ⏸ Ana Souza — {rule} ({tr.t('recurring.list.paused')})" in paused.text
    assert tr.t("recurring.button.resume", n=1) in button_texts(paused)

    booked = await f.appointments_of(db, pro)
    assert [a.starts_at for a in booked] == created_on
    assert {a.status for a in booked} == {AppointmentStatus.cancelled}
    told = await f.notifications(db, NotificationType.booking_cancelled)
    assert [(n.recipient_id, n.msgid) for n in told] == [(ana.user_id, "recurring.paused_client")]


async def test_deleting_a_series_keeps_the_sessions_already_booked(
    emu: BotApiEmulator, db, run_bot, clock, pro
):
    ana = await f.client(db, pro, name="Ana Souza")
    series = await f.schedule(db, pro, ana.id, day_of_week=4, starts_on=date(2026, 11, 26))
    async with db.for_user(PRO) as uow:
        await recurring.materialize(uow, schedule_id=series.id, now=clock())
        await uow.commit()
    async with run_bot():
        await emu.send_command(PRO, "recurring")
        listing = await emu.next_bot_message(PRO)
        await emu.press(PRO, listing.message_id, tr.t("recurring.button.delete", n=1))
        asked = await edited(emu, listing.message_id, 1)
        asked_text = asked.text
        await emu.press(PRO, listing.message_id, tr.t("recurring.button.delete_yes"))
        deleted = await edited(emu, listing.message_id, 2)

    rule = tr.t("recurring.rule.weekly", day="Thursday", time="09:00")
    assert asked_text == tr.t("recurring.delete.ask", client="Ana Souza", rule=rule)
    assert deleted.text.startswith(tr.t("recurring.deleted"))
    assert tr.t("recurring.list.empty") in deleted.text
    kept = await f.appointments_of(db, pro)
    assert len(kept) == 8
    assert {a.status for a in kept} == {AppointmentStatus.confirmed}
