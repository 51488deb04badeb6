"""What /recurring shows: a series' rule in words, the sessions a run booked or skipped,
and the list of series with their buttons. Pure rendering; the handlers are in
bot.conversations.recurring.
"""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import uuid_arg
from bot.conversations.clients_render import Rows, button, keyboard
from bot.formatting import babel_locale, format_datetime
from bot.i18n import N_, Translator
from core.models import Frequency
from core.services.recurring import MaterializeReport, ScheduleView

__all__ = [
    "FREQUENCIES",
    "RECURRING_NS",
    "list_screen",
    "report_text",
    "rule_text",
    "schedule_button",
    "weekday_name",
]

# Registered by bot.conversations.recurring, which handles these buttons.
RECURRING_NS = "rc"
NS = RECURRING_NS
OCCURRENCES_SHOWN = 10

FREQUENCIES: dict[str, tuple[Frequency, str]] = {
    "w": (Frequency.weekly, N_("recurring.frequency.weekly")),
    "b": (Frequency.biweekly, N_("recurring.frequency.biweekly")),
    "t": (Frequency.twice_weekly, N_("recurring.frequency.twice_weekly")),
}


# --- texts ----------------------------------------------------------------------------------


def weekday_name(tr: Translator, weekday: int) -> str:
    """The name of a schema weekday (0 = Sunday) in the reader's language."""
    names = babel_locale(tr.locale).days["stand-alone"]["wide"]
    return str(names[(weekday + 6) % 7])  # Babel counts from Monday


def rule_text(tr: Translator, schedule: ScheduleView) -> str:
    """A series' rule in words: "every week on Tuesday at 14:00" and the like."""
    day = weekday_name(tr, schedule.day_of_week)
    at = schedule.time.strftime("%H:%M")
    if schedule.frequency is Frequency.twice_weekly and schedule.second_day_of_week is not None:
        day2 = weekday_name(tr, schedule.second_day_of_week)
        return tr.t("recurring.rule.twice_weekly", day=day, day2=day2, time=at)
    if schedule.frequency is Frequency.biweekly:
        return tr.t("recurring.rule.biweekly", day=day, time=at)
    return tr.t("recurring.rule.weekly", day=day, time=at)


def report_text(tr: Translator, report: MaterializeReport, tz: str) -> str:
    """The sessions a run booked and the ones it skipped, with the reason."""
    lines = [tr.t("recurring.report.created", count=len(report.created))]
    for occurrence in report.created[:OCCURRENCES_SHOWN]:
        lines.append(f"• {format_datetime(occurrence.starts_at, tr.locale, tz)}")
    if len(report.created) > OCCURRENCES_SHOWN:
        lines.append(tr.t("recurring.report.more", count=len(report.created) - OCCURRENCES_SHOWN))
    if report.skipped:
        lines += ["", tr.t("recurring.report.skipped", count=len(report.skipped))]
        for skipped in report.skipped:
            when = format_datetime(skipped.starts_at, tr.locale, tz)
            # The reason is one of the core's message ids (recurring.skip.*).
            lines.append(f"• {when} — {tr.t(skipped.reason)}")
    return "\n".join(lines)


def schedule_button(tr: Translator, client_id: uuid.UUID) -> InlineKeyboardButton:
    """The client card's Schedule recurring button (starts a series for that client)."""
    return button(tr.t("clients.button.recurring"), NS, "new", uuid_arg(client_id))


def list_screen(
    tr: Translator, schedules: list[ScheduleView], note: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [note, ""] if note else []
    lines.append(tr.t("recurring.list.title"))
    rows: Rows = []
    for n, s in enumerate(schedules, start=1):
        state = "🔁" if s.active else "⏸"
        line = f"{n}. {state} {s.client_name} — {rule_text(tr, s)}"
        if not s.active:
            paused = tr.t("recurring.list.paused")
            line += f" ({paused})"
        lines.append(line)
        arg = uuid_arg(s.id)
        toggle = (
            button(tr.t("recurring.button.pause", n=n), NS, "pa", arg)
            if s.active
            else button(tr.t("recurring.button.resume", n=n), NS, "re", arg)
        )
        rows.append([toggle, button(tr.t("recurring.button.delete", n=n), NS, "de", arg)])
    if not schedules:
        lines.append(tr.t("recurring.list.empty"))
    rows.append([button(tr.t("recurring.button.new"), NS, "new")])
    return "\n".join(lines), keyboard(rows)
