"""The offline demo, driven by piped lines as `printf ... | bookingbot demo` would."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.engine import URL
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import Callback, matches, parse, register_namespace
from bot.context import alert, reply_text
from bot.demo import demo_session
from bot.i18n import get_translator
from core.config import Settings
from core.db.uow import Database
from tests.clock import FrozenClock

DEMO = register_namespace("tstdemo", owner="tests.bot_core")


async def lines(*typed: str) -> AsyncIterator[str]:
    for line in typed:
        yield line + "\n"


def menu(app) -> None:
    async def show(update: Update, ctx) -> None:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Book", callback_data=Callback(DEMO, "book").encode()),
                    InlineKeyboardButton("Follow", callback_data=Callback(DEMO, "follow").encode()),
                ]
            ]
        )
        await reply_text(update, ctx, "What now?", reply_markup=keyboard)

    async def follow(update: Update, ctx) -> None:
        await alert(update, ctx, "common.cancelled")
        await reply_text(update, ctx, "You follow Ana now.")

    app.add_handler(CommandHandler("menu", show))
    app.add_handler(CallbackQueryHandler(follow, pattern=matches(DEMO, "follow")))


async def test_the_demo_with_piped_lines_prints_the_welcome_and_exits_cleanly(
    db: Database, settings: Settings, clock: FrozenClock, database_url: URL
):
    printed: list[str] = []
    await demo_session(
        settings,
        lines("/as new", "/start", "/quit", "/start"),
        printed.append,
        language="en",
        clock=clock,
        database_url=database_url,
    )

    welcome = get_translator("en").t("start.welcome", name="Visitor", bot="bookingbot")
    first_line = welcome.splitlines()[0]
    assert "Visitor (new) › /start" in printed
    assert f"bot › {first_line}" in printed
    assert printed[-1] == "Bye."
    # Nothing after /quit reached the bot.
    assert printed.count("Visitor (new) › /start") == 1


async def test_typing_a_buttons_number_presses_it_and_shows_the_answer(
    db: Database, settings: Settings, clock: FrozenClock, database_url: URL
):
    printed: list[str] = []
    await demo_session(
        settings,
        lines("/as new", "/menu", "2"),
        printed.append,
        language="en",
        clock=clock,
        register=menu,
        database_url=database_url,
    )

    cancelled = get_translator("en").t("common.cancelled")
    assert "    1) Book   2) Follow" in printed
    assert f"bot › [alert] {cancelled}" in printed
    assert "bot › You follow Ana now." in printed
    assert printed[-1] == "Bye."


async def test_what_the_bot_logs_goes_to_the_log_file_never_into_the_demo_chat(
    db: Database,
    settings: Settings,
    clock: FrozenClock,
    database_url: URL,
    tmp_path,
    monkeypatch,
):
    import io
    import logging
    import sys

    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    on_terminal = logging.StreamHandler(terminal)
    logging.getLogger().addHandler(on_terminal)

    def failing(app) -> None:
        async def boom(update: Update, ctx) -> None:
            logging.getLogger("bot.reminders_and_outbox.dispatcher").error(
                "Gave up sending: BadRequest: Chat not found"
            )
            await reply_text(update, ctx, "Done.")

        app.add_handler(CommandHandler("boom", boom))

    printed: list[str] = []
    log_file = tmp_path / "demo.log"
    try:
        await demo_session(
            settings,
            lines("/as new", "/boom"),
            printed.append,
            language="en",
            clock=clock,
            register=failing,
            database_url=database_url,
            log_file=log_file,
        )
        # The terminal has its handler back once the demo is over.
        restored = on_terminal in logging.getLogger().handlers
    finally:
        logging.getLogger().removeHandler(on_terminal)

    assert "bot › Done." in printed
    assert not any("Chat not found" in line for line in printed)
    assert "Chat not found" not in terminal.getvalue()
    assert "Chat not found" in log_file.read_text()
    assert any(str(log_file) in line for line in printed)  # the person is told where
    assert restored


def todo_list(app) -> None:
    """A screen of items that each leave it when marked done, redrawn in place."""
    items = ["Ana", "Bruno", "Carla"]

    def markup() -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        f"Done {n}", callback_data=Callback(DEMO, "d", (n,)).encode()
                    )
                ]
                for n in items
            ]
            + [[InlineKeyboardButton("Other", callback_data=Callback(DEMO, "o").encode())]]
        )

    async def show(update: Update, ctx) -> None:
        await reply_text(update, ctx, "To mark:", reply_markup=markup())

    async def done(update: Update, ctx) -> None:
        query = update.callback_query
        name = parse(query.data).arg(0)
        items.remove(name)
        await query.answer(f"{name} marked")
        await query.edit_message_text("To mark:", reply_markup=markup())

    async def other(update: Update, ctx) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(
            "Another screen",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Back", callback_data=Callback(DEMO, "d", ("x",)).encode())]]
            ),
        )

    app.add_handler(CommandHandler("list", show))
    app.add_handler(CallbackQueryHandler(done, pattern=matches(DEMO, "d")))
    app.add_handler(CallbackQueryHandler(other, pattern=matches(DEMO, "o")))


async def test_a_number_keeps_meaning_the_same_button_while_its_screen_is_redrawn(
    db: Database, settings: Settings, clock: FrozenClock, database_url: URL
):
    printed: list[str] = []
    await demo_session(
        settings,
        lines("/as new", "/list", "1", "3", "4"),
        printed.append,
        language="en",
        clock=clock,
        register=todo_list,
        database_url=database_url,
    )

    # 1 marked Ana; 3 was Carla when the person read the screen, and still is.
    assert "bot › [notice] Ana marked" in printed
    assert "bot › [notice] Carla marked" in printed
    assert "bot › [notice] Bruno marked" not in printed
    # The redraw shows the numbers that still hold: Bruno stays 2, Other stays 4.
    assert "    2) Done Bruno" in printed and "    4) Other" in printed
    # A screen with another title is numbered afresh.
    assert "bot › (edited) Another screen" in printed
    assert "    1) Back" in printed


async def test_the_demo_starts_as_a_fresh_visitor_and_names_each_professional_to_play(
    db: Database, settings: Settings, clock: FrozenClock, database_url: URL
):
    printed: list[str] = []
    await demo_session(
        settings,
        lines("/as emily", "/as javier", "/as ana", "/as nobody"),
        printed.append,
        language="en",
        clock=clock,
        database_url=database_url,
    )

    cast = next(line for line in printed if line.startswith("Cast: "))
    for name in ("Ana", "Javier", "Emily"):
        assert name in cast
    assert "/as emily" in cast and "/as javier" in cast and "/as ana" in cast
    assert any(
        line.startswith("You are Visitor (new)") or "You are Visitor (new)" in line
        for line in printed
    )
    assert "You are now Emily (pro)." in printed
    assert "You are now Javier (pro)." in printed
    assert "You are now Ana (pro)." in printed
    assert any("/as nobody" in line for line in printed)
    assert any(line.startswith("Use /as") for line in printed)


async def test_each_demo_run_starts_the_visitor_afresh(
    db: Database, settings: Settings, clock: FrozenClock, database_url: URL
):
    from sqlalchemy import func, select

    from bot.demo import VISITOR_ID
    from core.models import Client, TelegramUser

    async def visitor_rows() -> tuple[int, int]:
        async with db.system("tests") as uow:
            clients = await uow.session.scalar(
                select(func.count()).select_from(Client).where(Client.user_id == VISITOR_ID)
            )
            accounts = await uow.session.scalar(
                select(func.count())
                .select_from(TelegramUser)
                .where(TelegramUser.user_id == VISITOR_ID)
            )
        return clients or 0, accounts or 0

    first: list[str] = []
    await demo_session(
        settings,
        lines("/start dra-ana-souza"),
        first.append,
        language="en",
        clock=clock,
        database_url=database_url,
    )
    assert (await visitor_rows())[0] == 1  # the visit made them a client record

    await demo_session(
        settings, lines(), [].append, language="en", clock=clock, database_url=database_url
    )
    assert await visitor_rows() == (0, 0)
