"""Booking requests the professional answers: Confirm / Decline on the request message the
dispatcher sends, and /pending, which lists the waiting requests with the same buttons.

Callback data (namespace "rq", agreed with the dispatcher): ``rq:ok:<appointment>``
confirms and ``rq:no:<appointment>`` declines, after asking for an optional reason. A
trailing ``:l`` marks a button on the /pending list, whose message is redrawn after an
answer. Within the decline conversation, ``rq:nr:<appointment>`` declines without a
reason and ``rq:keep`` backs out.

A request answered or cancelled in the meantime is explained from its current status
(the core refuses the transition; we only say why).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import arg_uuid, expired_button, matches, register_namespace, uuid_arg
from bot.context import Ctx, alert_text, db, now, reply_text, translator_for
from bot.conversations.clients_render import (
    button,
    callback,
    conversation,
    edit,
    edit_message,
    keyboard,
    leave_elsewhere,
    leave_others,
    shorten,
    status_label,
    user_id,
)
from bot.formatting import format_datetime
from bot.i18n import N_, Translator
from core.models import AppointmentStatus
from core.services import booking
from core.services.booking_errors import IllegalTransition
from core.services.booking_queries import AppointmentView

__all__ = ["NS", "build", "pending_screen", "register", "request_keyboard"]

NS = register_namespace("rq", owner=__name__)
REASON = 0
DRAFT = "practice.decline"
FROM_LIST = "l"
PENDING_SHOWN = 15

S = AppointmentStatus
# Why a request can no longer be answered, by the status it has now.
STALE: dict[AppointmentStatus, str] = {
    S.confirmed: N_("requests.stale.confirmed"),
    S.declined: N_("requests.stale.declined"),
    S.cancelled: N_("requests.stale.cancelled"),
    S.completed: N_("requests.stale.finished"),
    S.no_show: N_("requests.stale.finished"),
}
# Still waiting, yet not answerable (its time has passed).
STALE_PENDING = N_("requests.stale.pending")


def request_keyboard(
    tr: Translator, appointment_id: uuid.UUID, *, from_list: bool = False
) -> InlineKeyboardMarkup:
    """Confirm / Decline for one booking request (the dispatcher's request message uses it)."""
    extra = (FROM_LIST,) if from_list else ()
    arg = uuid_arg(appointment_id)
    return InlineKeyboardMarkup(
        [
            [
                button(tr.t("requests.button.confirm"), NS, "ok", arg, *extra),
                button(tr.t("requests.button.decline"), NS, "no", arg, *extra),
            ]
        ]
    )


def _when(tr: Translator, view: AppointmentView) -> str:
    return format_datetime(view.starts_at, tr.locale, view.timezone)


def pending_screen(
    tr: Translator, waiting: Sequence[AppointmentView]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /pending message: each waiting request with Confirm / Decline buttons."""
    if not waiting:
        return tr.t("requests.none"), None
    lines = [tr.t("requests.title", count=len(waiting)), ""]
    rows = []
    for n, view in enumerate(waiting[:PENDING_SHOWN], start=1):
        requested = format_datetime(view.scheduled_at, tr.locale, view.timezone)
        lines.append(
            tr.t(
                "requests.line",
                n=n,
                client=view.client_name,
                when=_when(tr, view),
                requested=requested,
            )
        )
        if view.moved_from is not None:
            was = format_datetime(view.moved_from, tr.locale, view.timezone)
            lines.append(tr.t("requests.moved_from", was=was))
        arg = uuid_arg(view.id)
        rows.append(
            [
                button(f"✓ {n}. {shorten(view.client_name, 24)}", NS, "ok", arg, FROM_LIST),
                button(tr.t("requests.button.decline_n", n=n), NS, "no", arg, FROM_LIST),
            ]
        )
    if len(waiting) > PENDING_SHOWN:
        lines += ["", tr.t("requests.more", count=len(waiting) - PENDING_SHOWN)]
    return "\n".join(lines), keyboard(rows)


def _mark(tr: Translator, view: AppointmentView) -> str:
    if view.status is S.confirmed:
        return tr.t("requests.mark.confirmed")
    if view.status is S.declined:
        return tr.t("requests.mark.declined")
    return tr.t("requests.mark.status", status=status_label(tr, view.status))


def _marked(original: str, tr: Translator, view: AppointmentView) -> str:
    mark = _mark(tr, view)
    return f"{original}\n\n{mark}" if original else mark


async def _load(
    update: Update, ctx: Ctx, appointment_id: uuid.UUID, from_list: bool, act: str | None
) -> tuple[AppointmentView, bool, list[AppointmentView] | None]:
    """Confirm (act "ok") or just read the request; returns the view, whether the answer
    was taken, and the waiting list to redraw (for the /pending message)."""
    async with db(ctx).for_user(user_id(update)) as uow:
        taken = False
        if act == "ok":
            try:
                view = await booking.confirm(uow, appointment_id=appointment_id, now=now(ctx))
                taken = True
            except IllegalTransition:
                view = await booking.get(uow, appointment_id=appointment_id)
        else:
            view = await booking.get(uow, appointment_id=appointment_id)
        waiting = await booking.pending_requests(uow) if from_list else None
        await uow.commit()
    return view, taken, waiting


async def _explain_stale(update: Update, ctx: Ctx, tr: Translator, view: AppointmentView) -> None:
    msgid = STALE.get(view.status)
    await alert_text(update, ctx, tr.t(msgid or STALE_PENDING, client=view.client_name))


async def _redraw(
    update: Update,
    ctx: Ctx,
    tr: Translator,
    view: AppointmentView,
    waiting: list[AppointmentView] | None,
) -> None:
    """Show the answer on the pressed message: the /pending list redrawn, or the request
    message with its outcome and no buttons."""
    if waiting is not None:
        text, markup = pending_screen(tr, waiting)
        await edit(update, ctx, text, markup)
        return
    query = update.callback_query
    original = getattr(query.message, "text", None) if query else None
    await edit(update, ctx, _marked(original or "", tr, view))


async def confirm_pressed(update: Update, ctx: Ctx) -> None:
    """Confirm a request from its message or from /pending."""
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return
    from_list = cb.arg(1) == FROM_LIST
    tr = await translator_for(update, ctx)
    view, taken, waiting = await _load(update, ctx, appointment_id, from_list, "ok")
    if taken:
        await query.answer(tr.t("requests.confirmed", client=view.client_name))
    else:
        await _explain_stale(update, ctx, tr, view)
    await _redraw(update, ctx, tr, view, waiting)


async def decline_pressed(update: Update, ctx: Ctx) -> int:
    """Decline: ask for an optional reason first (a still waiting request only)."""
    query, cb = callback(update)
    appointment_id = arg_uuid(cb.arg(0))
    if appointment_id is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    from_list = cb.arg(1) == FROM_LIST
    tr = await translator_for(update, ctx)
    view, _taken, waiting = await _load(update, ctx, appointment_id, from_list, None)
    if view.status is not S.pending_confirmation:
        await _explain_stale(update, ctx, tr, view)
        await _redraw(update, ctx, tr, view, waiting)
        return ConversationHandler.END
    leave_others(update, ctx)
    message = query.message
    ctx.user_data[DRAFT] = {  # type: ignore[index]
        "appointment": str(appointment_id),
        "chat": message.chat.id if message else user_id(update),
        "message": message.message_id if message else 0,
        "list": from_list,
        "text": (getattr(message, "text", None) or "") if not from_list else "",
    }
    await query.answer()
    await reply_text(
        update,
        ctx,
        tr.t("requests.ask_reason", client=view.client_name, when=_when(tr, view)),
        reply_markup=keyboard(
            [
                [button(tr.t("requests.button.no_reason"), NS, "nr", uuid_arg(appointment_id))],
                [button(tr.t("requests.button.keep"), NS, "keep")],
            ]
        ),
    )
    return REASON


async def typed_reason(update: Update, ctx: Ctx) -> int:
    message = update.effective_message
    return await _decline(update, ctx, message.text if message else None)


async def no_reason(update: Update, ctx: Ctx) -> int:
    return await _decline(update, ctx, None)


async def _decline(update: Update, ctx: Ctx, reason: str | None) -> int:
    draft: dict[str, Any] | None = ctx.user_data.get(DRAFT)  # type: ignore[union-attr]
    if draft is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    appointment_id = uuid.UUID(draft["appointment"])
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        try:
            view = await booking.decline(
                uow, appointment_id=appointment_id, now=now(ctx), reason=reason
            )
            taken = True
        except IllegalTransition:
            view = await booking.get(uow, appointment_id=appointment_id)
            taken = False
        waiting = await booking.pending_requests(uow) if draft["list"] else None
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    if taken:
        text = tr.t("requests.declined", client=view.client_name)
    else:
        text = tr.t(STALE.get(view.status, STALE_PENDING), client=view.client_name)
    if update.callback_query is not None:
        await update.callback_query.answer()
        await edit(update, ctx, text)
    else:
        await reply_text(update, ctx, text)
    if draft["message"]:
        if waiting is not None:
            body, markup = pending_screen(tr, waiting)
        else:
            body, markup = _marked(draft["text"], tr, view), None
        await edit_message(ctx, draft["chat"], draft["message"], body, markup)
    return ConversationHandler.END


async def keep_request(update: Update, ctx: Ctx) -> int:
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    tr = await translator_for(update, ctx)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await edit(update, ctx, tr.t("requests.kept"))
    return ConversationHandler.END


async def pending_command(update: Update, ctx: Ctx) -> None:
    """/pending: the requests waiting for an answer, soonest first."""
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        waiting = await booking.pending_requests(uow)
    text, markup = pending_screen(tr, waiting)
    await reply_text(update, ctx, text, reply_markup=markup)


def build() -> ConversationHandler[Any]:
    """The decline conversation (asks the optional reason)."""
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        "practice-decline",
        entry_points=[CallbackQueryHandler(decline_pressed, pattern=matches(NS, "no"))],
        states={
            REASON: [
                MessageHandler(text, typed_reason),
                CallbackQueryHandler(no_reason, pattern=matches(NS, "nr")),
                CallbackQueryHandler(keep_request, pattern=matches(NS, "keep")),
            ]
        },
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the request buttons (rq:ok, rq:no) and /pending."""
    conv = build()
    application.add_handler(conv)
    leave_elsewhere(application, conv, NS)
    application.add_handler(CallbackQueryHandler(confirm_pressed, pattern=matches(NS, "ok")))
    application.add_handler(CommandHandler("pending", pending_command))
