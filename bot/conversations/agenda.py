"""/agenda: the professional's sessions by day and by week, in their own time zone.

A day or a week is one message, redrawn in place as the professional moves around
(Today / This week / Next week, ◀ ▶). Sessions that have started and still need a result
get Completed / No-show buttons; tapping an upcoming session opens its card with what the
core allows now (confirm or decline a request, cancel with a reason, reschedule by typing
a time). The core decides every rule: a button pressed too early, or on a session that
changed meanwhile, is refused by it with its reason.

Callback data (namespace "ag"): ``ag:v:<view>`` shows a view; ``ag:s:<id>:<view>`` a
session card; ``ag:ok`` / ``ag:ns`` mark completed / no-show; ``ag:cx`` and ``ag:rs`` start
cancelling and rescheduling (``ag:cn`` cancels without a reason, ``ag:mv:<id>:<instant>``
moves). ``<view>`` is ``d`` (today), ``w`` (this week), ``n`` (next week), or ``d``/``w``
plus a date (``d20261125``), so that Back returns where the professional was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import (
    arg_instant,
    arg_uuid,
    expired_button,
    instant_arg,
    matches,
    register_namespace,
    uuid_arg,
)
from bot.context import Ctx, db, now, reply_text, translator_for
from bot.conversations import requests
from bot.conversations.clients_render import (
    AWAITING_RESULT_ICON,
    STATUS_ICONS,
    Rows,
    button,
    callback,
    conversation,
    edit,
    edit_message,
    keyboard,
    leave_others,
    shorten,
    status_label,
    user_id,
)
from bot.errors import reply_error
from bot.formatting import babel_locale, format_date, format_datetime, format_day_short, format_time
from bot.i18n import Translator
from core.errors import NotFound
from core.services import booking, professionals, slots
from core.services.booking_errors import IllegalTransition
from core.services.booking_queries import AppointmentView, BookingItem
from core.services.booking_rules import Action

__all__ = ["NS", "build", "register"]

NS = register_namespace("ag", owner=__name__)
CANCEL_REASON, NEW_TIME = range(2)
DRAFT = "practice.agenda"
RESULT_ROWS = 8
SESSION_BUTTONS = 20
OPTIONS_SHOWN = 12
TODAY, THIS_WEEK, NEXT_WEEK = "d", "w", "n"


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """What one agenda message shows: a day or a week, and the view argument that names it."""

    week: bool
    first: date
    last: date
    today: date
    arg: str


def _resolve(arg: str | None, today: date, locale: str) -> Screen:
    """The days a view argument names, relative to the professional's today."""
    arg = arg or TODAY
    mode, digits = arg[:1], arg[1:]
    day = today
    if digits:
        try:
            day = datetime.strptime(digits, "%Y%m%d").date()
        except ValueError:
            day = today
    if mode == NEXT_WEEK:
        mode, day = THIS_WEEK, today + timedelta(days=7)
    if mode != THIS_WEEK:
        return Screen(False, day, day, today, f"d{day:%Y%m%d}")
    first_weekday = babel_locale(locale).first_week_day  # 0 = Monday, as date.weekday()
    first = day - timedelta(days=(day.weekday() - first_weekday) % 7)
    return Screen(True, first, first + timedelta(days=6), today, f"w{first:%Y%m%d}")


def _icon(item: BookingItem) -> str:
    if Action.complete in item.actions:
        return AWAITING_RESULT_ICON
    return STATUS_ICONS[item.appointment.status]


def _line(tr: Translator, item: BookingItem) -> str:
    a = item.appointment
    start = format_time(a.starts_at, tr.locale, a.timezone)
    end = format_time(a.ends_at, tr.locale, a.timezone)
    return f"{_icon(item)} {start}–{end} {a.client_name}"


def _local_day(a: AppointmentView) -> date:
    return a.starts_at.astimezone(ZoneInfo(a.timezone)).date()


def _text(tr: Translator, screen: Screen, items: list[BookingItem]) -> str:
    loc = tr.locale
    if screen.week:
        title = tr.t(
            "agenda.title.week",
            first=format_day_short(screen.first, loc),
            last=format_day_short(screen.last, loc),
        )
    elif screen.first == screen.today:
        title = tr.t("agenda.title.today", day=format_date(screen.first, loc))
    else:
        title = tr.t("agenda.title.day", day=format_date(screen.first, loc))
    lines = [title]
    if not items:
        lines += ["", tr.t("agenda.empty")]
    elif screen.week:
        by_day: dict[date, list[BookingItem]] = {}
        for item in items:
            by_day.setdefault(_local_day(item.appointment), []).append(item)
        for day, day_items in sorted(by_day.items()):
            header = format_day_short(day, loc)
            if day == screen.today:
                today = tr.t("agenda.today")
                header = f"{header} · {today}"
            lines += ["", header, *(_line(tr, i) for i in day_items)]
    else:
        lines += ["", *(_line(tr, i) for i in items)]
    if items:
        lines += ["", tr.t("agenda.legend")]
    return "\n".join(lines)


def _nav(tr: Translator, screen: Screen) -> Rows:
    step = timedelta(days=7 if screen.week else 1)
    mode = "w" if screen.week else "d"
    return [
        [
            button(tr.t("agenda.button.today"), NS, "v", TODAY),
            button(tr.t("agenda.button.this_week"), NS, "v", THIS_WEEK),
            button(tr.t("agenda.button.next_week"), NS, "v", NEXT_WEEK),
        ],
        [
            button("◀", NS, "v", f"{mode}{screen.first - step:%Y%m%d}"),
            button("▶", NS, "v", f"{mode}{screen.first + step:%Y%m%d}"),
        ],
    ]


def _keyboard(tr: Translator, screen: Screen, items: list[BookingItem]) -> InlineKeyboardMarkup:
    rows: Rows = []
    for item in [i for i in items if Action.complete in i.actions][:RESULT_ROWS]:
        a = item.appointment
        when = format_datetime(a.starts_at, tr.locale, a.timezone)
        arg = uuid_arg(a.id)
        label = f"{when} {shorten(a.client_name, 16)}"
        rows.append(
            [
                button(tr.t("agenda.button.completed", session=label), NS, "ok", arg, screen.arg),
                button(tr.t("agenda.button.no_show"), NS, "ns", arg, screen.arg),
            ]
        )
    if screen.week:
        days = sorted({_local_day(i.appointment) for i in items})
        day_buttons = [
            button(format_day_short(d, tr.locale), NS, "v", f"d{d:%Y%m%d}") for d in days
        ]
        rows += [day_buttons[i : i + 4] for i in range(0, len(day_buttons), 4)]
    else:
        openable = [i for i in items if i.actions and Action.complete not in i.actions][
            :SESSION_BUTTONS
        ]
        session_buttons: list[InlineKeyboardButton] = []
        for item in openable:
            a = item.appointment
            start = format_time(a.starts_at, tr.locale, a.timezone)
            label = f"{_icon(item)} {start} {shorten(a.client_name, 18)}"
            session_buttons.append(button(label, NS, "s", uuid_arg(a.id), screen.arg))
        rows += [session_buttons[i : i + 2] for i in range(0, len(session_buttons), 2)]
    rows += _nav(tr, screen)
    markup = keyboard(rows)
    assert markup is not None  # the navigation rows are always there
    return markup


async def _screen(
    update: Update, ctx: Ctx, tr: Translator, arg: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    at = now(ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        me = await professionals.get_me(uow)
        screen = _resolve(arg, at.astimezone(ZoneInfo(me.timezone)).date(), tr.locale)
        items = await booking.agenda(uow, first_day=screen.first, last_day=screen.last, now=at)
    return _text(tr, screen, items), _keyboard(tr, screen, items)


async def agenda_command(update: Update, ctx: Ctx) -> None:
    """/agenda: this week, today marked; ``/agenda today`` for the day alone."""
    tr = await translator_for(update, ctx)
    wanted = THIS_WEEK
    if ctx.args and ctx.args[0].lower() in ("today", "hoje", "hoy"):
        wanted = TODAY
    text, markup = await _screen(update, ctx, tr, wanted)
    await reply_text(update, ctx, text, reply_markup=markup)


async def view_pressed(update: Update, ctx: Ctx) -> None:
    query, cb = callback(update)
    tr = await translator_for(update, ctx)
    text, markup = await _screen(update, ctx, tr, cb.arg(0))
    await query.answer()
    await edit(update, ctx, text, markup)


# --- one session ----------------------------------------------------------------------------


def _card_text(tr: Translator, item: BookingItem) -> str:
    a = item.appointment
    day = format_date(a.starts_at, tr.locale, a.timezone)
    start = format_time(a.starts_at, tr.locale, a.timezone)
    end = format_time(a.ends_at, tr.locale, a.timezone)
    lines = [
        f"{_icon(item)} {a.client_name}",
        f"{day}, {start}–{end}",
        status_label(tr, a.status),
    ]
    if a.notes:
        lines.append(tr.t("agenda.card.notes", notes=a.notes))
    if a.cancellation_reason:
        lines.append(tr.t("agenda.card.reason", reason=a.cancellation_reason))
    return "\n".join(lines)


def _card_keyboard(tr: Translator, item: BookingItem, view: str) -> InlineKeyboardMarkup:
    arg = uuid_arg(item.appointment.id)
    acts = item.actions
    rows: Rows = []
    if Action.confirm in acts:
        answer = requests.request_keyboard(tr, item.appointment.id)
        rows += [list(row) for row in answer.inline_keyboard]
    change = []
    if Action.reschedule in acts:
        change.append(button(tr.t("agenda.button.reschedule"), NS, "rs", arg, view))
    if Action.cancel in acts:
        change.append(button(tr.t("agenda.button.cancel"), NS, "cx", arg, view))
    rows.append(change)
    if Action.complete in acts:
        rows.append(
            [
                button(tr.t("agenda.button.completed_short"), NS, "ok", arg, view),
                button(tr.t("agenda.button.no_show"), NS, "ns", arg, view),
            ]
        )
    rows.append([button(tr.t("agenda.button.back"), NS, "v", view)])
    markup = keyboard(rows)
    assert markup is not None
    return markup


async def _item(update: Update, ctx: Ctx, appointment_id: uuid.UUID) -> BookingItem:
    """The session as the agenda lists it, with the actions open now."""
    at = now(ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.get(uow, appointment_id=appointment_id)
        day = _local_day(view)
        items = await booking.agenda(uow, first_day=day, last_day=day, now=at)
    for item in items:
        if item.appointment.id == appointment_id:
            return item
    return BookingItem(appointment=view, actions=())


async def session_pressed(update: Update, ctx: Ctx) -> None:
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    item = await _item(update, ctx, appointment_id)
    await query.answer()
    await edit(update, ctx, _card_text(tr, item), _card_keyboard(tr, item, cb.arg(1) or TODAY))


async def result_pressed(update: Update, ctx: Ctx) -> None:
    """Completed (ag:ok) or No-show (ag:ns); the core refuses one before the start."""
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        if cb.action == "ok":
            view = await booking.complete(uow, appointment_id=appointment_id, now=now(ctx))
            done = tr.t("agenda.marked_completed", client=view.client_name)
        else:
            view = await booking.no_show(uow, appointment_id=appointment_id, now=now(ctx))
            done = tr.t("agenda.marked_no_show", client=view.client_name)
        await uow.commit()
    await query.answer(done)
    text, markup = await _screen(update, ctx, tr, cb.arg(1))
    await edit(update, ctx, text, markup)


# --- cancel and reschedule ------------------------------------------------------------------


def _draft(ctx: Ctx) -> dict[str, Any] | None:
    found: dict[str, Any] | None = ctx.user_data.get(DRAFT)  # type: ignore[union-attr]
    return found


async def _begin(update: Update, ctx: Ctx) -> tuple[AppointmentView, str] | None:
    """Remember which session is being changed and from which message."""
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return None
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.get(uow, appointment_id=appointment_id)
    leave_others(update, ctx)
    message = query.message
    back = cb.arg(1) or TODAY
    ctx.user_data[DRAFT] = {  # type: ignore[index]
        "appointment": str(appointment_id),
        "view": back,
        "chat": message.chat.id if message else user_id(update),
        "message": message.message_id if message else 0,
    }
    await query.answer()
    return view, back


async def cancel_pressed(update: Update, ctx: Ctx) -> int:
    begun = await _begin(update, ctx)
    if begun is None:
        return ConversationHandler.END
    view, back = begun
    tr = await translator_for(update, ctx)
    arg = uuid_arg(view.id)
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await edit(
        update,
        ctx,
        tr.t("agenda.cancel.ask", client=view.client_name, when=when),
        keyboard(
            [
                [button(tr.t("agenda.button.cancel_no_reason"), NS, "cn", arg, back)],
                [button(tr.t("agenda.button.keep"), NS, "s", arg, back)],
            ]
        ),
    )
    return CANCEL_REASON


async def typed_cancel_reason(update: Update, ctx: Ctx) -> object:
    message = update.effective_message
    return await _cancel(update, ctx, message.text if message else None)


async def cancel_without_reason(update: Update, ctx: Ctx) -> object:
    return await _cancel(update, ctx, None)


async def _redraw_origin(update: Update, ctx: Ctx, tr: Translator, draft: dict[str, Any]) -> None:
    if draft.get("message"):
        text, markup = await _screen(update, ctx, tr, draft.get("view"))
        await edit_message(ctx, draft["chat"], draft["message"], text, markup)


async def _cancel(update: Update, ctx: Ctx, reason: str | None) -> object:
    draft = _draft(ctx)
    if draft is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    try:
        async with db(ctx).for_user(user_id(update)) as uow:
            view = await booking.cancel(
                uow, appointment_id=uuid.UUID(draft["appointment"]), now=now(ctx), reason=reason
            )
            await uow.commit()
    except (IllegalTransition, NotFound) as err:
        # Nothing left to cancel: say why and leave, rather than ask for a reason again.
        ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
        return await reply_error(update, ctx, err, state=ConversationHandler.END)
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    if update.callback_query is not None:
        await update.callback_query.answer()
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await reply_text(update, ctx, tr.t("agenda.cancelled", client=view.client_name, when=when))
    await _redraw_origin(update, ctx, tr, draft)
    return ConversationHandler.END


async def reschedule_pressed(update: Update, ctx: Ctx) -> int:
    begun = await _begin(update, ctx)
    if begun is None:
        return ConversationHandler.END
    view, back = begun
    tr = await translator_for(update, ctx)
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await edit(
        update,
        ctx,
        tr.t("agenda.reschedule.ask", client=view.client_name, when=when),
        keyboard([[button(tr.t("agenda.button.keep_time"), NS, "s", uuid_arg(view.id), back)]]),
    )
    return NEW_TIME


async def typed_new_time(update: Update, ctx: Ctx) -> int:
    """Read the typed time with the core's parser and offer the free slots it names."""
    draft = _draft(ctx)
    message = update.effective_message
    if draft is None or message is None or not message.text:
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    appointment_id = uuid.UUID(draft["appointment"])
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.get(uow, appointment_id=appointment_id)
        tz = ZoneInfo(view.timezone)
        found = await slots.find_wanted(
            uow,
            professional_id=view.professional_id,
            text=message.text,
            language=tr.locale,
            reader_tz=tz,
            now=now(ctx),
        )
    loc = tr.locale
    if found.exact is not None:
        text = tr.t("agenda.reschedule.exact", when=format_datetime(found.exact, loc, tz))
        options: tuple[datetime, ...] = (found.exact,)
    elif not found.options:
        text = tr.t("agenda.reschedule.nothing")
        options = ()
    elif found.only_day:
        text = tr.t("agenda.reschedule.day", day=format_date(found.day, loc))
        options = found.options[:OPTIONS_SHOWN]
    else:
        assert found.wanted is not None
        text = tr.t("agenda.reschedule.nearest", when=format_datetime(found.wanted, loc, tz))
        options = found.options
    arg, back = uuid_arg(appointment_id), draft["view"]
    labels = [
        format_time(s, loc, tz) if found.only_day else format_datetime(s, loc, tz) for s in options
    ]
    buttons = [
        button(f"✓ {label}", NS, "mv", arg, instant_arg(s))
        for label, s in zip(labels, options, strict=True)
    ]
    width = 3 if found.only_day else 1
    rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    rows.append([button(tr.t("agenda.button.keep_time"), NS, "s", arg, back)])
    await reply_text(update, ctx, text, reply_markup=keyboard(rows))
    return NEW_TIME


async def move_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    appointment_id, start = arg_uuid(cb.arg(0)), arg_instant(cb.arg(1))
    draft = _draft(ctx)
    if appointment_id is None or start is None or draft is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        view = await booking.reschedule(
            uow, appointment_id=appointment_id, new_start=start, now=now(ctx)
        )
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    await query.answer()
    when = format_datetime(view.starts_at, tr.locale, view.timezone)
    await edit(update, ctx, tr.t("agenda.rescheduled", client=view.client_name, when=when))
    await _redraw_origin(update, ctx, tr, draft)
    return ConversationHandler.END


async def other_button(update: Update, ctx: Ctx) -> int:
    """Any other agenda button leaves the cancel / reschedule step and does its own job."""
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    _query, cb = callback(update)
    handler = _STANDALONE.get(cb.action)
    if handler is None:
        await expired_button(update, ctx)
    else:
        await handler(update, ctx)
    return ConversationHandler.END


_STANDALONE = {"v": view_pressed, "s": session_pressed, "ok": result_pressed, "ns": result_pressed}


def build() -> ConversationHandler[Any]:
    """Cancelling (with a reason) and rescheduling (by typing a time) a session."""
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        "practice-agenda",
        entry_points=[
            CallbackQueryHandler(cancel_pressed, pattern=matches(NS, "cx")),
            CallbackQueryHandler(reschedule_pressed, pattern=matches(NS, "rs")),
        ],
        states={
            CANCEL_REASON: [
                MessageHandler(text, typed_cancel_reason),
                CallbackQueryHandler(cancel_without_reason, pattern=matches(NS, "cn")),
                CallbackQueryHandler(other_button, pattern=matches(NS)),
            ],
            NEW_TIME: [
                MessageHandler(text, typed_new_time),
                CallbackQueryHandler(move_pressed, pattern=matches(NS, "mv")),
                CallbackQueryHandler(other_button, pattern=matches(NS)),
            ],
        },
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /agenda and its buttons."""
    application.add_handler(build())
    for action, handler in _STANDALONE.items():
        application.add_handler(CallbackQueryHandler(handler, pattern=matches(NS, action)))
    application.add_handler(CommandHandler("agenda", agenda_command))
