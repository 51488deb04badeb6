"""A client arrives: ``/start <payload>`` from a professional's link or an invite.

The payload goes to the core (``clients.open_link``), which links the person to the
professional; the client then sees the professional's welcome message and profile card
with Book (the booking conversation), Follow / Unfollow (toggled in place) and Message
(the messaging conversation). A link that leads nowhere gets an answer saying what to
do instead.
"""

from __future__ import annotations

import uuid
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import context
from bot.callbacks import arg_uuid, matches, parse, uuid_arg
from bot.context import Ctx, alert, reply, reply_text, translator_for
from bot.conversations.booking_render import (
    PF,
    book_data,
    button,
    keyboard,
    pf_data,
    price_text,
    profession_label,
    rating_text,
)
from bot.conversations.messaging import message_button
from bot.formatting import format_duration
from bot.i18n import BUTTON_EXPIRED, N_, Translator
from core import errors
from core.db.uow import UnitOfWork
from core.services import clients, follows
from core.services.professionals import (
    ProfessionalInactive,
    ProfessionalNotFound,
    PublicProfile,
    get_public,
)

__all__ = ["card", "card_markup", "register", "start_link"]

HEADER = N_("profile.header")
SESSION = N_("profile.session")
PRICE = N_("profile.price")
BUTTON_BOOK = N_("profile.button.book")
BUTTON_FOLLOW = N_("profile.button.follow")
BUTTON_UNFOLLOW = N_("profile.button.unfollow")
FOLLOWED = N_("profile.followed")
UNFOLLOWED = N_("profile.unfollowed")
UNKNOWN_LINK = N_("start.unknown_link")
INACTIVE = N_("start.inactive")
INVITE_USED = N_("start.invite_used")
OWN_LINK = N_("start.own_link")


def card_markup(
    tr: Translator, professional_id: uuid.UUID, following: bool
) -> InlineKeyboardMarkup:
    """Book on its own row; Follow or Unfollow beside Message."""
    toggle = (
        button(tr.t(BUTTON_UNFOLLOW), pf_data("uf", professional_id))
        if following
        else button(tr.t(BUTTON_FOLLOW), pf_data("fw", professional_id))
    )
    book = button(tr.t(BUTTON_BOOK), book_data("new", uuid_arg(professional_id)))
    markup = keyboard([[book], [toggle, message_button(tr, professional_id)]])
    assert markup is not None
    return markup


def card(tr: Translator, profile: PublicProfile) -> str:
    """The profile card's text: who, what, how long, how much, how well rated."""
    locale = tr.locale
    lines = [
        tr.t(HEADER, name=profile.name, profession=profession_label(tr, profile.profession)),
        profile.bio or "",
        "\n".join(
            [
                tr.t(SESSION, duration=format_duration(profile.session_duration, locale)),
                tr.t(PRICE, price=price_text(tr, profile.price_cents, profile.currency)),
                rating_text(tr, profile.rating_average, profile.review_count),
            ]
        ),
    ]
    return "\n\n".join(line for line in lines if line)


async def start_link(update: Update, ctx: Ctx) -> None:
    """/start <slug or invite>: link the person to the professional and show the card."""
    user = update.effective_user
    if user is None or not ctx.args:
        return
    try:
        async with context.db(ctx).for_user(user.id) as uow:
            link = await clients.open_link(
                uow,
                payload=ctx.args[0],
                first_name=user.first_name,
                username=user.username,
                language_code=user.language_code,
            )
            following = await follows.is_following(uow, professional_id=link.professional.id)
            await uow.commit()
    except clients.OwnLink:
        await reply(update, ctx, OWN_LINK)
        return
    except clients.InviteInvalid:
        await reply(update, ctx, INVITE_USED)
        return
    except ProfessionalInactive as err:
        await reply(update, ctx, INACTIVE, name=err.params.get("name", ""))
        return
    except ProfessionalNotFound:
        await reply(update, ctx, UNKNOWN_LINK)
        return
    tr = await translator_for(update, ctx)
    profile = link.professional
    if profile.welcome_message:
        await reply_text(update, ctx, profile.welcome_message)
    await reply_text(
        update, ctx, card(tr, profile), reply_markup=card_markup(tr, profile.id, following)
    )


async def _toggle_follow(update: Update, ctx: Ctx, *, follow: bool) -> None:
    query = update.callback_query
    parsed = parse(query.data if query else None)
    pid = arg_uuid(parsed.arg(0) if parsed else None)
    user = update.effective_user
    if query is None or pid is None or user is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return
    async with context.db(ctx).for_user(user.id) as uow:
        if follow:
            await follows.follow(uow, professional_id=pid)
        else:
            await follows.unfollow(uow, professional_id=pid)
        profile_name = await _name(uow, pid)
        await uow.commit()
    tr = await translator_for(update, ctx)
    await query.answer(tr.t(FOLLOWED if follow else UNFOLLOWED, name=profile_name))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(card_markup(tr, pid, follow))


async def _name(uow: UnitOfWork, professional_id: uuid.UUID) -> str:
    try:
        return (await get_public(uow, professional_id=professional_id)).name
    except errors.NotFound:  # not taking bookings now: following still works
        return ""


async def follow_pressed(update: Update, ctx: Ctx) -> None:
    """pf:fw: follow, and turn the button into Unfollow."""
    await _toggle_follow(update, ctx, follow=True)


async def unfollow_pressed(update: Update, ctx: Ctx) -> None:
    """pf:uf: unfollow, and turn the button back into Follow."""
    await _toggle_follow(update, ctx, follow=False)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/start with a payload (before the generic /start) and the card's Follow buttons."""
    application.add_handler(CommandHandler("start", start_link, has_args=True))
    application.add_handler(CallbackQueryHandler(follow_pressed, pattern=matches(PF, "fw")))
    application.add_handler(CallbackQueryHandler(unfollow_pressed, pattern=matches(PF, "uf")))
