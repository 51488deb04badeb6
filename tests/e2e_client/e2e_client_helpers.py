"""Helpers for the client end-to-end tests: seed data and a chat to drive as a person."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.emulator import BotApiEmulator, CallbackAnswer, RecordedMessage
from bot.formatting import format_datetime, format_day_short
from bot.i18n import Translator, get_translator
from core.db.uow import Database
from core.models import Client, Professional
from tests import factories
from tests.factories_booking import bookable

ANA_UID = 7100


async def ana(db: Database, **over: Any) -> Professional:
    """Ana Souza, psychologist in São Paulo: 60-minute sessions, 09:00-18:00 every day."""
    values: dict[str, Any] = {
        "user_id": ANA_UID,
        "name": "Ana Souza",
        "slug": "ana-souza",
        "welcome_message": "Olá! Que bom ter você aqui.",
        "price_cents": 15000,
        "currency": "BRL",
    }
    values.update(over)
    return await bookable(db, **values)


async def client_of(db: Database, pro: Professional, user_id: int, **over: Any) -> Client:
    return await factories.client(db, pro, user_id=user_id, **over)


class Chat:
    """One person's chat with the bot, in their language."""

    def __init__(self, emu: BotApiEmulator, user_id: int, locale: str) -> None:
        self.emu, self.uid, self.locale = emu, user_id, locale
        self.tr: Translator = get_translator(locale)

    def t(self, msgid: str, /, **params: Any) -> str:
        return self.tr.t(msgid, **params)

    def day(self, day: date) -> str:
        """A calendar day button's label."""
        return format_day_short(day, self.locale)

    def when(self, value: datetime, zone: str = "America/Sao_Paulo") -> str:
        return format_datetime(value, self.locale, zone)

    async def next(self, timeout: float = 5.0) -> RecordedMessage:  # noqa: ASYNC109
        return await self.emu.next_bot_message(self.uid, timeout)

    async def start(self, payload: str) -> None:
        await self.emu.send_command(self.uid, "start", payload)

    async def say(self, text: str) -> None:
        await self.emu.send_text(self.uid, text)

    async def press(self, message: RecordedMessage, button: str) -> CallbackAnswer:
        """Press and wait for the spinner to stop; the answer may be an alert."""
        press = await self.emu.press(self.uid, message.message_id, button)
        return await press.wait_answer()

    async def press_edit(self, message: RecordedMessage, button: str) -> RecordedMessage:
        """Press a button that turns its message into the next screen."""
        versions = len(message.history)
        await self.emu.press(self.uid, message.message_id, button)
        await self.emu.wait_for(self.uid, lambda chat: len(message.history) > versions)
        return message

    def labels(self, message: RecordedMessage) -> list[str]:
        return [b["text"] for b in message.buttons]
