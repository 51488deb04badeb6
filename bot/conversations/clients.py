"""/clients and /note: the professional's client list, client cards, notes, and clients
added by hand with their invite link.

- ``/clients``: a page of clients by name; typing a name filters (accents and case
  ignored by the core), ◀ ▶ page. A client opens their card: contact, sessions to come
  and past, notes newest first, with Add note / Message / Schedule recurring / Notes.
- ``/note [name]``: pick a client (buttons, or type a name), then type the note.
- Add a client: name, then optional phone and e-mail (each checked by the core as it is
  typed), then the invite link ``https://t.me/<bot>?start=<payload>`` to forward to them.
- Notes can be edited and deleted from the card's Notes screen.

Callback data (namespace "cl"): ``c:<client>`` card, ``p:<offset>`` page, ``add`` add a
client, ``sk`` skip an optional answer, ``n:<client>`` write a note, ``iv:<client>`` invite
link, ``ns:<client>`` notes, ``ne`` / ``nd`` / ``ny`` ``:<note>:<client>`` edit, delete,
confirm the deletion. The card's Message button is the messaging feature's
``msg:re:<client>``; Schedule recurring is ``rc:new:<client>`` (bot.conversations.recurring).
"""

from __future__ import annotations

import uuid
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import arg_int, arg_uuid, expired_button, matches, register_namespace, uuid_arg
from bot.context import Ctx, db, now, reply_text, translator_for, user_tz
from bot.conversations import messaging
from bot.conversations.clients_render import (
    CLIENTS_NS,
    PAGE,
    button,
    callback,
    card_screen,
    conversation,
    edit,
    invite_link,
    keyboard,
    leave_elsewhere,
    leave_others,
    list_screen,
    notes_screen,
    shorten,
    user_id,
)
from bot.conversations.practice_booking import book_button
from bot.conversations.recurring_render import schedule_button
from bot.i18n import Translator
from core.services import clients
from core.services.clients import ClientCard, ClientView, NoteView
from core.validation import validate_email, validate_name, validate_phone

__all__ = ["NS", "build", "register"]

NS = register_namespace(CLIENTS_NS, owner=__name__)
LIST, PICK, NOTE, EDIT_NOTE, ADD_NAME, ADD_PHONE, ADD_EMAIL = range(7)
DRAFT = "practice.clients"
SEARCH = "practice.clients.search"


# --- reading --------------------------------------------------------------------------------


async def _search(update: Update, ctx: Ctx, search: str, offset: int) -> list[ClientView]:
    async with db(ctx).for_user(user_id(update)) as uow:
        return await clients.list_clients(uow, search=search, limit=PAGE + 1, offset=offset)


async def _card(update: Update, ctx: Ctx, client_id: uuid.UUID) -> ClientCard:
    async with db(ctx).for_user(user_id(update)) as uow:
        return await clients.client_card(uow, client_id=client_id, now=now(ctx))


async def _card_screen(
    update: Update, ctx: Ctx, tr: Translator, card: ClientCard
) -> tuple[str, InlineKeyboardMarkup | None]:
    # Writing to a client is the messaging feature's conversation (msg:re:<client>).
    message = InlineKeyboardButton(
        tr.t("clients.button.message"),
        callback_data=messaging.Target(False, card.client.id).button_data(),
    )
    return card_screen(
        tr,
        card,
        tz=await user_tz(update, ctx),
        bot_username=ctx.bot.username,
        now=now(ctx),
        message=message,
        schedule=schedule_button(tr, card.client.id),
        book=book_button(tr, card.client.id),
    )


def _draft(ctx: Ctx) -> dict[str, Any]:
    draft: dict[str, Any] = ctx.user_data.setdefault(DRAFT, {})  # type: ignore[union-attr]
    return draft


def _typed(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message else ""


# --- the list and the card ------------------------------------------------------------------


async def clients_command(update: Update, ctx: Ctx) -> int:
    """/clients [name]: the first page, or the clients matching a name."""
    leave_others(update, ctx)
    tr = await translator_for(update, ctx)
    search = " ".join(ctx.args or [])
    ctx.user_data[SEARCH] = search  # type: ignore[index]
    found = await _search(update, ctx, search, 0)
    text, markup = list_screen(tr, found, offset=0, search=search)
    await reply_text(update, ctx, text, reply_markup=markup)
    return LIST


async def typed_search(update: Update, ctx: Ctx) -> int:
    tr = await translator_for(update, ctx)
    search = _typed(update).strip()
    ctx.user_data[SEARCH] = search  # type: ignore[index]
    found = await _search(update, ctx, search, 0)
    text, markup = list_screen(tr, found, offset=0, search=search)
    await reply_text(update, ctx, text, reply_markup=markup)
    return LIST


async def page_pressed(update: Update, ctx: Ctx) -> None:
    query, cb = callback(update)
    offset = max(0, arg_int(cb.arg(0)) or 0)
    tr = await translator_for(update, ctx)
    search: str = ctx.user_data.get(SEARCH, "")  # type: ignore[union-attr]
    found = await _search(update, ctx, search, offset)
    text, markup = list_screen(tr, found, offset=offset, search=search)
    await query.answer()
    await edit(update, ctx, text, markup)


async def card_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    client_id = arg_uuid(cb.arg(0))
    if client_id is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    text, markup = await _card_screen(update, ctx, tr, await _card(update, ctx, client_id))
    await query.answer()
    await edit(update, ctx, text, markup)
    # Once a card is open, typed text is no longer a search.
    return ConversationHandler.END


async def invite_pressed(update: Update, ctx: Ctx) -> None:
    query, cb = callback(update)
    client_id = arg_uuid(cb.arg(0))
    if client_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        payload = await clients.invite_payload(uow, client_id=client_id)
        await uow.commit()
    await query.answer()
    link = invite_link(ctx.bot.username, payload)
    await reply_text(update, ctx, tr.t("clients.invite_link", link=link))


# --- notes ----------------------------------------------------------------------------------


async def note_command(update: Update, ctx: Ctx) -> int:
    """/note [name]: choose the client (straight to the note when the name is unique)."""
    leave_others(update, ctx)
    tr = await translator_for(update, ctx)
    search = " ".join(ctx.args or [])
    found = await _search(update, ctx, search, 0)
    if search and len(found) == 1:
        return await _ask_note(update, ctx, tr, found[0].id, found[0].name)
    text, markup = list_screen(tr, found, offset=0, search=search, action="n")
    pick = tr.t("clients.note.pick")
    await reply_text(update, ctx, f"{pick}\n\n{text}", reply_markup=markup)
    return PICK


async def typed_pick(update: Update, ctx: Ctx) -> int:
    tr = await translator_for(update, ctx)
    search = _typed(update).strip()
    found = await _search(update, ctx, search, 0)
    if len(found) == 1:
        return await _ask_note(update, ctx, tr, found[0].id, found[0].name)
    text, markup = list_screen(tr, found, offset=0, search=search, action="n")
    await reply_text(update, ctx, text, reply_markup=markup)
    return PICK


async def add_note_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    client_id = arg_uuid(cb.arg(0))
    if client_id is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    leave_others(update, ctx)
    tr = await translator_for(update, ctx)
    card = await _card(update, ctx, client_id)
    await query.answer()
    return await _ask_note(update, ctx, tr, client_id, card.client.name)


async def _ask_note(
    update: Update, ctx: Ctx, tr: Translator, client_id: uuid.UUID, name: str
) -> int:
    ctx.user_data[DRAFT] = {"client": str(client_id), "name": name}  # type: ignore[index]
    await reply_text(update, ctx, tr.t("clients.note.ask", client=name))
    return NOTE


async def typed_note(update: Update, ctx: Ctx) -> int:
    draft = _draft(ctx)
    if "client" not in draft:
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    client_id = uuid.UUID(draft["client"])
    async with db(ctx).for_user(user_id(update)) as uow:
        await clients.add_note(uow, client_id=client_id, content=_typed(update))
        card = await clients.client_card(uow, client_id=client_id, now=now(ctx))
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    await reply_text(update, ctx, tr.t("clients.note.saved", client=card.client.name))
    text, markup = await _card_screen(update, ctx, tr, card)
    await reply_text(update, ctx, text, reply_markup=markup)
    return ConversationHandler.END


async def notes_pressed(update: Update, ctx: Ctx) -> None:
    query, cb = callback(update)
    client_id = arg_uuid(cb.arg(0))
    if client_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    card = await _card(update, ctx, client_id)
    text, markup = notes_screen(tr, card, await user_tz(update, ctx))
    await query.answer()
    await edit(update, ctx, text, markup)


def _note_of(card: ClientCard, note_id: uuid.UUID) -> NoteView | None:
    return next((n for n in card.notes if n.id == note_id), None)


async def edit_note_pressed(update: Update, ctx: Ctx) -> int:
    query, cb = callback(update)
    note_id, client_id = arg_uuid(cb.arg(0)), arg_uuid(cb.arg(1))
    if note_id is None or client_id is None:
        await expired_button(update, ctx)
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    note = _note_of(await _card(update, ctx, client_id), note_id)
    if note is None:
        raise clients.NoteNotFound()
    leave_others(update, ctx)
    ctx.user_data[DRAFT] = {"note": str(note_id), "client": str(client_id)}  # type: ignore[index]
    await query.answer()
    await reply_text(update, ctx, tr.t("clients.note.edit_ask", note=note.content))
    return EDIT_NOTE


async def typed_note_edit(update: Update, ctx: Ctx) -> int:
    draft = _draft(ctx)
    if "note" not in draft:
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    client_id = uuid.UUID(draft["client"])
    async with db(ctx).for_user(user_id(update)) as uow:
        await clients.edit_note(uow, note_id=uuid.UUID(draft["note"]), content=_typed(update))
        card = await clients.client_card(uow, client_id=client_id, now=now(ctx))
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    await reply_text(update, ctx, tr.t("clients.note.updated"))
    text, markup = await _card_screen(update, ctx, tr, card)
    await reply_text(update, ctx, text, reply_markup=markup)
    return ConversationHandler.END


async def delete_note_pressed(update: Update, ctx: Ctx) -> None:
    """First press asks (nd), the second deletes (ny)."""
    query, cb = callback(update)
    note_id, client_id = arg_uuid(cb.arg(0)), arg_uuid(cb.arg(1))
    if note_id is None or client_id is None:
        await expired_button(update, ctx)
        return
    tr = await translator_for(update, ctx)
    back = button(tr.t("clients.button.keep_note"), NS, "ns", uuid_arg(client_id))
    if cb.action == "nd":
        note = _note_of(await _card(update, ctx, client_id), note_id)
        if note is None:
            raise clients.NoteNotFound()
        yes = button(tr.t("clients.button.delete_yes"), NS, "ny", *cb.args)
        await query.answer()
        await edit(
            update,
            ctx,
            tr.t("clients.note.delete_ask", note=shorten(note.content, 1000)),
            keyboard([[yes], [back]]),
        )
        return
    async with db(ctx).for_user(user_id(update)) as uow:
        await clients.delete_note(uow, note_id=note_id)
        card = await clients.client_card(uow, client_id=client_id, now=now(ctx))
        await uow.commit()
    await query.answer(tr.t("clients.note.deleted"))
    text, markup = notes_screen(tr, card, await user_tz(update, ctx))
    await edit(update, ctx, text, markup)


# --- adding a client by hand ----------------------------------------------------------------


def _skip(tr: Translator) -> InlineKeyboardMarkup | None:
    return keyboard([[button(tr.t("clients.button.skip"), NS, "sk")]])


async def add_pressed(update: Update, ctx: Ctx) -> int:
    leave_others(update, ctx)
    if update.callback_query is not None:
        await update.callback_query.answer()
    tr = await translator_for(update, ctx)
    ctx.user_data[DRAFT] = {}  # type: ignore[index]
    await reply_text(update, ctx, tr.t("clients.add.name"))
    return ADD_NAME


async def typed_name(update: Update, ctx: Ctx) -> int:
    name = validate_name(_typed(update))
    _draft(ctx)["name"] = name
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, tr.t("clients.add.phone", client=name), reply_markup=_skip(tr))
    return ADD_PHONE


async def typed_phone(update: Update, ctx: Ctx) -> int:
    _draft(ctx)["phone"] = validate_phone(_typed(update))
    return await _ask_email(update, ctx)


async def skip_phone(update: Update, ctx: Ctx) -> int:
    if update.callback_query is not None:
        await update.callback_query.answer()
    return await _ask_email(update, ctx)


async def _ask_email(update: Update, ctx: Ctx) -> int:
    tr = await translator_for(update, ctx)
    await reply_text(update, ctx, tr.t("clients.add.email"), reply_markup=_skip(tr))
    return ADD_EMAIL


async def typed_email(update: Update, ctx: Ctx) -> int:
    _draft(ctx)["email"] = validate_email(_typed(update))
    return await _add(update, ctx)


async def skip_email(update: Update, ctx: Ctx) -> int:
    if update.callback_query is not None:
        await update.callback_query.answer()
    return await _add(update, ctx)


async def _add(update: Update, ctx: Ctx) -> int:
    draft = _draft(ctx)
    if "name" not in draft:
        return ConversationHandler.END
    tr = await translator_for(update, ctx)
    async with db(ctx).for_user(user_id(update)) as uow:
        card = await clients.add_client(
            uow, name=draft["name"], phone=draft.get("phone"), email=draft.get("email")
        )
        await uow.commit()
    ctx.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    link = invite_link(ctx.bot.username, card.invite_payload or "")
    await reply_text(
        update,
        ctx,
        tr.t("clients.add.done", client=card.client.name, link=link),
        reply_markup=keyboard(
            [[button(tr.t("clients.button.card"), NS, "c", uuid_arg(card.client.id))]]
        ),
    )
    return ConversationHandler.END


# --- wiring ---------------------------------------------------------------------------------


def build() -> ConversationHandler[Any]:
    """Searching, writing notes and messages, adding a client (persistent)."""
    text = filters.TEXT & ~filters.COMMAND
    card = CallbackQueryHandler(card_pressed, pattern=matches(NS, "c"))
    return conversation(
        "practice-clients",
        entry_points=[
            CommandHandler("clients", clients_command),
            CommandHandler("note", note_command),
            CallbackQueryHandler(add_note_pressed, pattern=matches(NS, "n")),
            CallbackQueryHandler(add_pressed, pattern=matches(NS, "add")),
            CallbackQueryHandler(edit_note_pressed, pattern=matches(NS, "ne")),
        ],
        states={
            LIST: [MessageHandler(text, typed_search), card],
            PICK: [MessageHandler(text, typed_pick)],
            NOTE: [MessageHandler(text, typed_note)],
            EDIT_NOTE: [MessageHandler(text, typed_note_edit)],
            ADD_NAME: [MessageHandler(text, typed_name)],
            ADD_PHONE: [
                MessageHandler(text, typed_phone),
                CallbackQueryHandler(skip_phone, pattern=matches(NS, "sk")),
            ],
            ADD_EMAIL: [
                MessageHandler(text, typed_email),
                CallbackQueryHandler(skip_email, pattern=matches(NS, "sk")),
            ],
        },
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /clients, /note and the client buttons."""
    conv = build()
    application.add_handler(conv)
    leave_elsewhere(application, conv, NS, ("clients", "note"))
    for action, handler in (
        ("c", card_pressed),
        ("p", page_pressed),
        ("iv", invite_pressed),
        ("ns", notes_pressed),
        ("nd", delete_note_pressed),
        ("ny", delete_note_pressed),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=matches(NS, action)))
