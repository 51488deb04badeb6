"""What the professional's practice screens share (requests, agenda, clients, recurring
sessions): buttons, message edits, status icons, conversation plumbing, client pickers and
the client card's text.

Rendering only: every decision about a booking or a client is the core's.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler, TypeHandler
from telegram.warnings import PTBUserWarning

from bot.callbacks import Callback, parse, uuid_arg
from bot.context import Ctx, reply_text
from bot.formatting import format_date, format_datetime
from bot.handlers.basics import cancel, end_conversations
from bot.i18n import N_, Translator
from core.models import AppointmentStatus
from core.services.clients import ClientCard, ClientView, SessionBrief

__all__ = [
    "AWAITING_RESULT_ICON",
    "STATUS_ICONS",
    "Rows",
    "button",
    "callback",
    "card_screen",
    "card_text",
    "client_rows",
    "conversation",
    "edit",
    "invite_link",
    "keyboard",
    "leave_elsewhere",
    "leave_others",
    "list_screen",
    "notes_screen",
    "shorten",
    "status_label",
    "user_id",
]

log = logging.getLogger(__name__)

Rows = list[list[InlineKeyboardButton]]
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
NOTE_PREVIEW = 300
CARD_SESSIONS = 5

S = AppointmentStatus
STATUS_ICONS: dict[AppointmentStatus, str] = {
    S.pending_confirmation: "⏳",
    S.confirmed: "📌",
    S.completed: "✔️",
    S.no_show: "🚫",
    S.cancelled: "❌",
    S.declined: "✖️",
}
# A confirmed session that has started and still needs Completed / No-show.
AWAITING_RESULT_ICON = "❓"
STATUS_LABELS: dict[AppointmentStatus, str] = {
    S.pending_confirmation: N_("practice.status.pending_confirmation"),
    S.confirmed: N_("practice.status.confirmed"),
    S.completed: N_("practice.status.completed"),
    S.no_show: N_("practice.status.no_show"),
    S.cancelled: N_("practice.status.cancelled"),
    S.declined: N_("practice.status.declined"),
}


# --- small plumbing -------------------------------------------------------------------------


def user_id(update: Update) -> int:
    """The acting Telegram user (every practice handler has one)."""
    user = update.effective_user
    if user is None:
        raise RuntimeError("a practice handler needs an effective user")
    return user.id


def callback(update: Update) -> tuple[CallbackQuery, Callback]:
    """The pressed button and its parsed data (patterns only let ours through)."""
    query = update.callback_query
    assert query is not None
    parsed = parse(query.data)
    assert parsed is not None
    return query, parsed


def button(label: str, ns: str, action: str, *args: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=Callback(ns, action, args).encode())


def keyboard(rows: Iterable[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


async def edit(
    update: Update, ctx: Ctx, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message's text and buttons; send a new message when Telegram
    no longer lets us edit it (too old, or not a text message)."""
    query = update.callback_query
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    if query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return
            log.debug("Cannot edit message %s; sending a new one", query.message, exc_info=True)
    await reply_text(update, ctx, text, reply_markup=markup)


async def edit_message(
    ctx: Ctx, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit a message sent earlier (a request, an agenda) from a later update."""
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    try:
        await ctx.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except BadRequest:
        # Deleted, too old or unchanged: the new reply already says what happened.
        log.debug("Cannot edit message %s in chat %s", message_id, chat_id, exc_info=True)


def leave_others(update: Update, ctx: Ctx) -> None:
    """Entering a practice conversation ends any other one, so typed text has one reader."""
    end_conversations(ctx.application, update)


# After the features (group 0) and messaging's own leave handler (group 1).
LEAVE_GROUP = 2
_LEAVERS = "bookingbot.practice_leavers"


def leave_elsewhere(
    application: Application[Any, Any, Any, Any, Any, Any],
    handler: ConversationHandler[Any],
    ns: str,
    commands: Iterable[str] = (),
) -> None:
    """End `handler`'s conversation when its person goes elsewhere: a command other than
    `commands`, or a button of another namespace. Without this a half-done step would
    keep reading their typed text after they moved on (to a reply, to another screen)."""
    leavers: list[tuple[ConversationHandler[Any], str, frozenset[str]]] | None
    leavers = application.bot_data.get(_LEAVERS)
    if leavers is None:
        leavers = application.bot_data[_LEAVERS] = []
        application.add_handler(TypeHandler(Update, _leave), group=LEAVE_GROUP)
    leavers.append((handler, ns, frozenset({*commands, "cancel"})))


def _stays(update: Update, ns: str, commands: frozenset[str]) -> bool:
    query = update.callback_query
    if query is not None:
        parsed = parse(query.data)
        return parsed is not None and parsed.ns == ns
    message = update.effective_message
    text = message.text if message is not None else None
    if not text or not text.startswith("/"):
        return True  # typed answers, photos...: the conversation's own business
    command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    return command in commands


async def _leave(update: object, ctx: Ctx) -> None:
    if not isinstance(update, Update) or update.effective_user is None:
        return
    for handler, ns, commands in ctx.application.bot_data.get(_LEAVERS, ()):
        if _stays(update, ns, commands):
            continue
        # PTB has no public way to end a conversation from outside (as in basics).
        try:
            key = handler._get_key(update)
        except RuntimeError:
            continue
        if handler._conversations.get(key) is not None:
            handler._update_state(ConversationHandler.END, key)


def conversation(
    name: str,
    entry_points: list[BaseHandler[Any, Any, Any]],
    states: dict[object, list[BaseHandler[Any, Any, Any]]],
    fallbacks: Sequence[BaseHandler[Any, Any, Any]] = (),
) -> ConversationHandler[Any]:
    """A persistent conversation keyed per chat and user, left with /cancel."""
    with warnings.catch_warnings():
        # Buttons are tracked per chat on purpose: the draft belongs to the person.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=[CommandHandler("cancel", cancel), *fallbacks],
            name=name,
            persistent=True,
            allow_reentry=True,
        )


def status_label(tr: Translator, status: AppointmentStatus) -> str:
    return tr.t(STATUS_LABELS[status])


def invite_link(bot_username: str | None, payload: str) -> str:
    return f"https://t.me/{bot_username or 'bot'}?start={payload}"


# --- clients --------------------------------------------------------------------------------


def client_rows(clients: Sequence[ClientView], ns: str, action: str, *, width: int = 2) -> Rows:
    """One button per client (`ns:action:<client>`), `width` to a row."""
    buttons = [button(shorten(c.name, 30), ns, action, uuid_arg(c.id)) for c in clients]
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _session_line(tr: Translator, s: SessionBrief, tz: str, now: datetime) -> str:
    awaiting = s.status is S.confirmed and s.starts_at <= now
    icon = AWAITING_RESULT_ICON if awaiting else STATUS_ICONS[s.status]
    when = format_datetime(s.starts_at, tr.locale, tz)
    return f"{icon} {when} · {status_label(tr, s.status)}"


def card_text(
    tr: Translator, card: ClientCard, *, tz: str, bot_username: str | None, now: datetime
) -> str:
    """The client card: contact, sessions to come and past, counts, notes newest first."""
    c = card.client
    lines = [f"👤 {c.name}"]
    if c.phone:
        lines.append(f"📞 {c.phone}")
    if c.email:
        lines.append(f"✉️ {c.email}")
    if c.user_id is not None:
        if card.username:
            lines.append(tr.t("clients.card.telegram", username=card.username))
        else:
            lines.append(tr.t("clients.card.telegram_linked"))
    elif card.invite_payload:
        lines.append(
            tr.t("clients.card.invite", link=invite_link(bot_username, card.invite_payload))
        )
    else:
        lines.append(tr.t("clients.card.not_linked"))
    counts = card.counts
    if counts:
        lines.append(
            tr.t(
                "clients.card.counts",
                completed=counts.get(S.completed, 0),
                no_show=counts.get(S.no_show, 0),
                cancelled=counts.get(S.cancelled, 0) + counts.get(S.declined, 0),
            )
        )
    lines.append("")
    if card.upcoming:
        lines.append(tr.t("clients.card.upcoming"))
        lines += [_session_line(tr, s, tz, now) for s in card.upcoming[:CARD_SESSIONS]]
        if len(card.upcoming) > CARD_SESSIONS:
            lines.append(tr.t("clients.card.more", count=len(card.upcoming) - CARD_SESSIONS))
    else:
        lines.append(tr.t("clients.card.no_upcoming"))
    if card.past:
        lines += ["", tr.t("clients.card.past")]
        lines += [_session_line(tr, s, tz, now) for s in card.past[:CARD_SESSIONS]]
    lines.append("")
    if card.notes:
        lines.append(tr.t("clients.card.notes"))
        for note in card.notes:
            day = format_date(note.created_at, tr.locale, tz, format="short")
            lines.append(f"📝 {day} — {shorten(note.content, NOTE_PREVIEW)}")
    else:
        lines.append(tr.t("clients.card.no_notes"))
    text = "\n".join(lines)
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    return text


# --- client screens -------------------------------------------------------------------------

# Registered by bot.conversations.clients, which handles these buttons.
CLIENTS_NS = "cl"
PAGE = 10
NOTES_BUDGET = 3500


def list_screen(
    tr: Translator,
    found: Sequence[ClientView],
    *,
    offset: int,
    search: str,
    action: str = "c",
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of clients (`found` may hold one more, meaning a next page); `action` is what
    a client's button does: ``c`` opens the card, ``n`` writes a note."""
    shown, more = found[:PAGE], len(found) > PAGE
    if search:
        title = tr.t("clients.list.search", search=shorten(search, 40))
    else:
        title = tr.t("clients.list.title")
    lines = [title, ""]
    if not shown:
        lines.append(tr.t("clients.list.no_match") if search else tr.t("clients.list.empty"))
    lines.append(tr.t("clients.list.hint"))
    rows: Rows = client_rows(shown, CLIENTS_NS, action)
    if action == "c":
        paging = []
        if offset > 0:
            paging.append(button("◀", CLIENTS_NS, "p", str(max(0, offset - PAGE))))
        if more:
            paging.append(button("▶", CLIENTS_NS, "p", str(offset + PAGE)))
        rows.append(paging)
        rows.append([button(tr.t("clients.button.add"), CLIENTS_NS, "add")])
    return "\n".join(lines), keyboard(rows)


def card_screen(
    tr: Translator,
    card: ClientCard,
    *,
    tz: str,
    bot_username: str | None,
    now: datetime,
    message: InlineKeyboardButton,
    schedule: InlineKeyboardButton,
    book: InlineKeyboardButton,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The client card with its buttons; `message`, `schedule` and `book` belong to other
    features."""
    arg = uuid_arg(card.client.id)
    rows: Rows = [
        [button(tr.t("clients.button.add_note"), CLIENTS_NS, "n", arg), message],
        [book, schedule],
    ]
    extra = []
    if card.notes:
        extra.append(button(tr.t("clients.button.notes"), CLIENTS_NS, "ns", arg))
    if card.client.user_id is None and card.invite_payload is None:
        extra.append(button(tr.t("clients.button.invite"), CLIENTS_NS, "iv", arg))
    rows += [extra, [button(tr.t("clients.button.back"), CLIENTS_NS, "p", "0")]]
    text = card_text(tr, card, tz=tz, bot_username=bot_username, now=now)
    return text, keyboard(rows)


def notes_screen(
    tr: Translator, card: ClientCard, tz: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Every note of a client, newest first and numbered, with Edit / Delete buttons."""
    client = uuid_arg(card.client.id)
    notes = card.notes
    lines = [tr.t("clients.notes.title", client=card.client.name), ""]
    budget = max(80, NOTES_BUDGET // max(1, len(notes)))
    rows: Rows = []
    for n, note in enumerate(notes, start=1):
        day = format_date(note.created_at, tr.locale, tz, format="short")
        lines.append(f"{n}. {day} — {shorten(note.content, budget)}")
        note_arg = uuid_arg(note.id)
        rows.append(
            [
                button(tr.t("clients.button.edit_note", n=n), CLIENTS_NS, "ne", note_arg, client),
                button(tr.t("clients.button.delete_note", n=n), CLIENTS_NS, "nd", note_arg, client),
            ]
        )
    if not notes:
        lines.append(tr.t("clients.card.no_notes"))
    rows.append([button(tr.t("clients.button.card"), CLIENTS_NS, "c", client)])
    return "\n".join(lines), keyboard(rows)
