"""A review after a completed session: 1-5 stars as buttons, then an optional comment.

Entered from the Review button of /mybookings or of the review-request notification
(both ``mb:rv:<appointment>``). The star buttons carry the appointment, and Skip the
rating too, so a screen pressed after a restart still means what it showed; the typed
comment needs the persisted draft (``user_data["review"]``).
"""

from __future__ import annotations

import uuid
import warnings
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import context
from bot.callbacks import Callback, arg_int, arg_uuid, matches, parse, uuid_arg
from bot.context import Ctx, alert, reply, translator_for
from bot.conversations.booking_render import (
    MB,
    RV,
    answer,
    button,
    client_zone,
    keyboard,
    show,
    when_text,
)
from bot.errors import reply_error
from bot.handlers import basics
from bot.handlers.basics import end_conversations
from bot.i18n import BUTTON_EXPIRED, N_
from core import errors
from core.services import booking_queries, reviews
from core.services.reviews import RATING_MAX, RATING_MIN

__all__ = ["COMMENT", "STARS", "build", "register"]

STARS, COMMENT = range(2)
DRAFT = "review"

ASK_STARS = N_("review.ask_stars")
ASK_COMMENT = N_("review.ask_comment")
BUTTON_SKIP = N_("review.button.skip")
THANKS = N_("review.thanks")
CANNOT = N_("review.cannot")
USE_BUTTONS = N_("review.use_buttons")


def _uid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _user_data(ctx: Ctx) -> dict[str, Any]:
    data = ctx.user_data
    assert data is not None
    return data  # type: ignore[no-any-return]


def _stars(rating: int) -> str:
    return "⭐" * rating


def _star_rows(aid: uuid.UUID) -> list[list[Any]]:
    return [
        [
            button(f"{n} ⭐", _rv("st", str(n), uuid_arg(aid)))
            for n in range(RATING_MIN, RATING_MAX + 1)
        ]
    ]


def _rv(action: str, *args: str) -> str:
    return Callback(RV, action, args).encode()


def _rating_and_id(update: Update) -> tuple[int | None, uuid.UUID | None]:
    query = update.callback_query
    parsed = parse(query.data if query else None)
    if parsed is None:
        return None, None
    rating = arg_int(parsed.arg(0))
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        rating = None
    return rating, arg_uuid(parsed.arg(1))


async def start_review(update: Update, ctx: Ctx) -> int | None:
    """mb:rv: ask for stars, when the session may be reviewed."""
    query = update.callback_query
    parsed = parse(query.data if query else None)
    aid = arg_uuid(parsed.arg(0) if parsed else None)
    if aid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    now = context.now(ctx)
    async with context.db(ctx).for_user(_uid(update)) as uow:
        view = await booking_queries.get(uow, appointment_id=aid)
        allowed = await reviews.can_review(uow, appointment_id=aid, now=now)
    if not allowed:
        await alert(update, ctx, CANNOT)
        return ConversationHandler.END
    await answer(update)
    end_conversations(ctx.application, update)
    tr = await translator_for(update, ctx)
    zone = await client_zone(update, ctx, view.timezone)
    text = tr.t(
        ASK_STARS,
        professional=view.professional_name,
        when=when_text(tr, view.starts_at, zone, now),
    )
    await show(update, ctx, text, keyboard(_star_rows(aid)), edit=False)
    _user_data(ctx)[DRAFT] = {"appointment": uuid_arg(aid)}
    return STARS


async def _ask_comment(update: Update, ctx: Ctx, aid: uuid.UUID, rating: int) -> int:
    tr = await translator_for(update, ctx)
    async with context.db(ctx).for_user(_uid(update)) as uow:
        view = await booking_queries.get(uow, appointment_id=aid)
    await answer(update)
    skip = button(tr.t(BUTTON_SKIP), _rv("sk", str(rating), uuid_arg(aid)))
    text = tr.t(ASK_COMMENT, stars=_stars(rating), professional=view.professional_name)
    await show(update, ctx, text, keyboard([[skip], *_star_rows(aid)]))
    _user_data(ctx)[DRAFT] = {"appointment": uuid_arg(aid), "rating": rating}
    return COMMENT


async def on_stars(update: Update, ctx: Ctx) -> int | None:
    """rv:st:<n>:<appointment>: keep the rating, offer a comment."""
    rating, aid = _rating_and_id(update)
    if rating is None or aid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    return await _ask_comment(update, ctx, aid, rating)


async def on_typed_rating(update: Update, ctx: Ctx) -> int | None:
    """A number typed instead of pressed is a rating; anything else gets a hint."""
    draft = _user_data(ctx).get(DRAFT) or {}
    aid = arg_uuid(draft.get("appointment"))
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    rating = arg_int(text)
    if aid is None:
        return ConversationHandler.END
    if rating is None or not RATING_MIN <= rating <= RATING_MAX:
        await reply(update, ctx, USE_BUTTONS)
        return None
    return await _ask_comment(update, ctx, aid, rating)


async def _submit(
    update: Update, ctx: Ctx, aid: uuid.UUID, rating: int, comment: str | None
) -> int:
    now = context.now(ctx)
    try:
        async with context.db(ctx).for_user(_uid(update)) as uow:
            await reviews.review(uow, appointment_id=aid, rating=rating, comment=comment, now=now)
            view = await booking_queries.get(uow, appointment_id=aid)
            await uow.commit()
    except reviews.CommentTooLong as err:
        return await reply_error(update, ctx, err, state=COMMENT)  # type: ignore[no-any-return]
    except errors.DatabaseUnavailable:
        raise  # "try again in a moment", in the same step with the draft kept
    except errors.DomainError as err:
        _user_data(ctx).pop(DRAFT, None)
        return await reply_error(update, ctx, err, state=ConversationHandler.END)  # type: ignore[no-any-return]
    await answer(update)
    tr = await translator_for(update, ctx)
    text = tr.t(THANKS, stars=_stars(rating), professional=view.professional_name)
    await show(update, ctx, text)
    _user_data(ctx).pop(DRAFT, None)
    return ConversationHandler.END


async def on_skip(update: Update, ctx: Ctx) -> int | None:
    """rv:sk:<n>:<appointment>: send the stars without a comment."""
    rating, aid = _rating_and_id(update)
    if rating is None or aid is None:
        await alert(update, ctx, BUTTON_EXPIRED)
        return None
    return await _submit(update, ctx, aid, rating, None)


async def on_comment(update: Update, ctx: Ctx) -> int | None:
    """The typed comment: send the review with it."""
    draft = _user_data(ctx).get(DRAFT) or {}
    aid = arg_uuid(draft.get("appointment"))
    rating = draft.get("rating")
    message = update.effective_message
    if aid is None or not isinstance(rating, int) or message is None:
        return ConversationHandler.END
    return await _submit(update, ctx, aid, rating, message.text)


async def on_cancel(update: Update, ctx: Ctx) -> int:
    _user_data(ctx).pop(DRAFT, None)
    return await basics.cancel(update, ctx)


def build() -> ConversationHandler[Any]:
    """The persistent review conversation."""
    typed = filters.TEXT & ~filters.COMMAND
    stars: BaseHandler[Update, Any, Any] = CallbackQueryHandler(on_stars, pattern=matches(RV, "st"))
    with warnings.catch_warnings():
        # Buttons are tracked per user on purpose: each carries its own appointment.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(start_review, pattern=matches(MB, "rv"))],
            states={
                STARS: [stars, MessageHandler(typed, on_typed_rating)],
                COMMENT: [
                    stars,
                    CallbackQueryHandler(on_skip, pattern=matches(RV, "sk")),
                    MessageHandler(typed, on_comment),
                ],
            },
            fallbacks=[CommandHandler("cancel", on_cancel)],
            name="review",
            persistent=True,
            allow_reentry=True,
        )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the review conversation (before any catch-all text handler, e.g. message relay)."""
    application.add_handler(build())
