"""/mybookings and the ``mb`` buttons: a client's sessions, cancelling, "I'm coming".

The list shows upcoming sessions with Reschedule and Cancel, and recent past ones with
Review where a completed session has none yet. Reschedule (``mb:rs``) is an entry of the
booking conversation and Review (``mb:rv``) of the review conversation; this module
answers Cancel (the policy first, then Yes / No), and ``mb:go`` from the day-before
reminder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import context
from bot.callbacks import Callback, arg_int, arg_uuid, matches, parse
from bot.context import Ctx, alert, prefs, reply, reply_text, translator_for
from bot.conversations.booking_render import (
    MB,
    answer,
    button,
    client_zone,
    keyboard,
    mb_data,
    show,
    status_label,
    when_text,
)
from bot.conversations.messaging import message_button
from bot.formatting import format_duration
from bot.handlers.reachability import professional_told
from bot.i18n import BUTTON_EXPIRED, N_, Translator
from core.models import HOLDING_STATUSES
from core.services import booking as booking_service
from core.services import booking_queries
from core.services.booking_queries import BookingItem

__all__ = ["register", "render_list"]

UPCOMING_SHOWN = 10
PAST_SHOWN = 5

EMPTY = N_("mybookings.empty")
TITLE_UPCOMING = N_("mybookings.title_upcoming")
TITLE_PAST = N_("mybookings.title_past")
NONE_UPCOMING = N_("mybookings.none_upcoming")
MORE = N_("mybookings.more")
BUTTON_MORE = N_("mybookings.button.more")
BUTTON_EARLIER = N_("mybookings.button.earlier")
ITEM = N_("mybookings.item")
BUTTON_RESCHEDULE = N_("mybookings.button.reschedule")
BUTTON_CANCEL = N_("mybookings.button.cancel")
BUTTON_REVIEW = N_("mybookings.button.review")
CANCEL_ASK = N_("mybookings.cancel.ask")
CANCEL_POLICY = N_("mybookings.cancel.policy")
CANCEL_TOO_LATE = N_("mybookings.cancel.too_late")
BUTTON_YES_CANCEL = N_("mybookings.button.yes_cancel")
BUTTON_KEEP = N_("mybookings.button.keep")
CANCELLED = N_("mybookings.cancelled")
CANCELLED_UNSEEN = N_("mybookings.cancelled_unseen")
KEPT = N_("mybookings.kept")
COMING_THANKS = N_("mybookings.coming_thanks")
NOT_ACTIVE = N_("mybookings.not_active")


def mb_data_args(action: str, *args: str) -> str:
    return Callback(MB, action, args).encode()


def _uid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _line(tr: Translator, n: int, item: BookingItem, zone: str | None, now: datetime) -> str:
    a = item.appointment
    return tr.t(
        ITEM,
        n=n,
        when=when_text(tr, a.starts_at, zone or a.timezone, now),
        professional=a.professional_name,
        status=status_label(tr, a.status),
    )


def render_list(
    tr: Translator,
    upcoming: list[BookingItem],
    past: list[BookingItem],
    *,
    zone: str | None,
    now: datetime,
    offset: int = 0,
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The numbered list, and a row of buttons per session that has any.

    Upcoming sessions come UPCOMING_SHOWN at a time from `offset`, numbered on from the
    pages before, with buttons to the next and the earlier ones; past sessions follow on
    the first page.
    """
    offset = max(0, min(offset, max(0, len(upcoming) - 1)))
    lines = [tr.t(TITLE_UPCOMING)]
    rows: list[list[InlineKeyboardButton]] = []
    if not upcoming:
        lines.append(tr.t(NONE_UPCOMING))
    n = offset
    for item in upcoming[offset : offset + UPCOMING_SHOWN]:
        n += 1
        lines.append(_line(tr, n, item, zone, now))
        if item.appointment.status not in HOLDING_STATUSES:
            continue  # cancelled or declined: shown for the news, nothing left to do
        aid = item.appointment.id
        rows.append(
            [
                button(tr.t(BUTTON_RESCHEDULE, n=n), mb_data("rs", aid)),
                button(tr.t(BUTTON_CANCEL, n=n), mb_data("cx", aid)),
            ]
        )
    rest = len(upcoming) - offset - UPCOMING_SHOWN
    paging = []
    if offset > 0:
        earlier = str(max(0, offset - UPCOMING_SHOWN))
        paging.append(button(tr.t(BUTTON_EARLIER), mb_data_args("pg", earlier)))
    if rest > 0:
        lines.append(tr.t(MORE, count=rest))
        paging.append(
            button(
                tr.t(BUTTON_MORE, count=min(rest, UPCOMING_SHOWN)),
                mb_data_args("pg", str(offset + UPCOMING_SHOWN)),
            )
        )
    if paging:
        rows.append(paging)
    shown_past = past if offset == 0 else []
    if shown_past:
        lines += ["", tr.t(TITLE_PAST)]
    for item in shown_past[:PAST_SHOWN]:
        n += 1
        lines.append(_line(tr, n, item, zone, now))
        if item.can_review:
            rows.append([button(tr.t(BUTTON_REVIEW, n=n), mb_data("rv", item.appointment.id))])
    return "\n".join(lines), rows


async def my_bookings_command(update: Update, ctx: Ctx) -> None:
    """/mybookings: upcoming sessions to change, past ones to review."""
    now = context.now(ctx)
    async with context.db(ctx).for_user(_uid(update)) as uow:
        upcoming, past = await booking_queries.my_bookings(uow, now=now, past_limit=PAST_SHOWN)
    if not upcoming and not past:
        await reply(update, ctx, EMPTY)
        return
    tr = await translator_for(update, ctx)
    zone = (await prefs(update, ctx)).timezone
    text, rows = render_list(tr, upcoming, past, zone=zone, now=now)
    await reply_text(update, ctx, text, reply_markup=keyboard(rows))


async def page_pressed(update: Update, ctx: Ctx) -> None:
    """mb:pg:<offset>: the list again from that upcoming session on, in place."""
    query = update.callback_query
    parsed = parse(query.data if query else None)
    offset = arg_int(parsed.arg(0) if parsed else None)
    if offset is None or offset < 0:
        await alert(update, ctx, BUTTON_EXPIRED)
        return
    now = context.now(ctx)
    async with context.db(ctx).for_user(_uid(update)) as uow:
        upcoming, past = await booking_queries.my_bookings(uow, now=now, past_limit=PAST_SHOWN)
    await answer(update)
    tr = await translator_for(update, ctx)
    if not upcoming and not past:
        await show(update, ctx, tr.t(EMPTY))
        return
    zone = (await prefs(update, ctx)).timezone
    text, rows = render_list(tr, upcoming, past, zone=zone, now=now, offset=offset)
    await show(update, ctx, text, keyboard(rows))


def _appointment_id(update: Update) -> Any:
    query = update.callback_query
    parsed = parse(query.data if query else None)
    return arg_uuid(parsed.arg(0) if parsed else None)


async def cancel_pressed(update: Update, ctx: Ctx) -> None:
    """mb:cx: the policy first; Yes / No when it still allows cancelling, else who to tell."""
    aid = _appointment_id(update)
    if aid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return
    now = context.now(ctx)
    async with context.db(ctx).for_user(_uid(update)) as uow:
        policy = await booking_queries.cancellation_policy(uow, appointment_id=aid, now=now)
        view = await booking_queries.get(uow, appointment_id=aid)
    tr = await translator_for(update, ctx)
    if policy.status not in HOLDING_STATUSES:
        await alert(update, ctx, NOT_ACTIVE, status=status_label(tr, policy.status))
        return
    await answer(update)
    zone = await client_zone(update, ctx, view.timezone)
    notice = format_duration(policy.notice_minutes, tr.locale)
    deadline = when_text(tr, policy.deadline, zone, now)
    if not policy.can_cancel:
        text = tr.t(
            CANCEL_TOO_LATE, professional=view.professional_name, notice=notice, deadline=deadline
        )
        markup = keyboard([[message_button(tr, view.professional_id)]])
        await reply_text(update, ctx, text, reply_markup=markup)
        return
    text = tr.t(
        CANCEL_ASK,
        professional=view.professional_name,
        when=when_text(tr, view.starts_at, zone, now),
    )
    if policy.binding and policy.notice_minutes > 0:
        policy_text = tr.t(
            CANCEL_POLICY, professional=view.professional_name, notice=notice, deadline=deadline
        )
        text = f"{text}\n\n{policy_text}"
    markup = keyboard(
        [
            [
                button(tr.t(BUTTON_YES_CANCEL), mb_data("cy", aid)),
                button(tr.t(BUTTON_KEEP), mb_data("cn", aid)),
            ]
        ]
    )
    await reply_text(update, ctx, text, reply_markup=markup)


async def cancel_confirmed(update: Update, ctx: Ctx) -> None:
    """mb:cy: cancel for real (the core checks the policy again) and say so."""
    aid = _appointment_id(update)
    if aid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return
    now = context.now(ctx)
    async with context.db(ctx).for_user(_uid(update)) as uow:
        view = await booking_service.cancel(uow, appointment_id=aid, now=now)
        await uow.commit()
    told = await professional_told(ctx, view.professional_id)
    await answer(update)
    tr = await translator_for(update, ctx)
    zone = await client_zone(update, ctx, view.timezone)
    text = tr.t(
        CANCELLED if told else CANCELLED_UNSEEN,
        professional=view.professional_name,
        when=when_text(tr, view.starts_at, zone, now),
    )
    await show(update, ctx, text)


async def cancel_declined(update: Update, ctx: Ctx) -> None:
    """mb:cn: keep the session."""
    aid = _appointment_id(update)
    if aid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return
    now = context.now(ctx)
    async with context.db(ctx).for_user(_uid(update)) as uow:
        view = await booking_queries.get(uow, appointment_id=aid)
    await answer(update)
    tr = await translator_for(update, ctx)
    zone = await client_zone(update, ctx, view.timezone)
    await show(update, ctx, tr.t(KEPT, when=when_text(tr, view.starts_at, zone, now)))


async def coming_pressed(update: Update, ctx: Ctx) -> None:
    """mb:go ("I'm coming" under the day-before reminder): a thank-you."""
    await alert(update, ctx, COMING_THANKS)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/mybookings and the Cancel / I'm coming buttons (Reschedule and Review are the
    booking and review conversations' entries)."""
    application.add_handler(CommandHandler("mybookings", my_bookings_command))
    application.add_handler(CallbackQueryHandler(cancel_pressed, pattern=matches(MB, "cx")))
    application.add_handler(CallbackQueryHandler(cancel_confirmed, pattern=matches(MB, "cy")))
    application.add_handler(CallbackQueryHandler(cancel_declined, pattern=matches(MB, "cn")))
    application.add_handler(CallbackQueryHandler(coming_pressed, pattern=matches(MB, "go")))
    application.add_handler(CallbackQueryHandler(page_pressed, pattern=matches(MB, "pg")))
