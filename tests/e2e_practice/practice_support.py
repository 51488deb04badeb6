"""Shared by the practice tests: who plays the professional, and small waits."""

from __future__ import annotations

from typing import Any

from bot.i18n import get_translator
from emulator import BotApiEmulator
from emulator.state import RecordedMessage

PRO = 7001
ZONE = "America/Sao_Paulo"


async def edited(emu: BotApiEmulator, message_id: int, times: int = 1) -> RecordedMessage:
    """The message once it has been edited `times` times (it is returned as shown then)."""

    def ready(chat: Any) -> RecordedMessage | None:
        message: RecordedMessage = chat.message(message_id)
        return message if len(message.history) > times else None

    found: RecordedMessage = await emu.wait_for(PRO, ready)
    return found


class _Reader:
    """A Translator looked up at each use, so it reads the catalogues loaded at that time
    (a test may point BOOKINGBOT_LOCALES_DIR elsewhere and reload them)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __getattr__(self, name: str) -> Any:
        return getattr(get_translator(self.locale), name)


tr: Any = _Reader("en")
