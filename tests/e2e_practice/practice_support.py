"""Shared by the practice tests: who plays the professional, and small waits."""

from __future__ import annotations

from typing import Any

from bot.emulator import BotApiEmulator
from bot.emulator.state import RecordedMessage

PRO = 7001
ZONE = "America/Sao_Paulo"


async def edited(emu: BotApiEmulator, message_id: int, times: int = 1) -> RecordedMessage:
    """The message once it has been edited `times` times (it is returned as shown then)."""

    def ready(chat: Any) -> RecordedMessage | None:
        message: RecordedMessage = chat.message(message_id)
        return message if len(message.history) > times else None

    found: RecordedMessage = await emu.wait_for(PRO, ready)
    return found


def button_texts(message: RecordedMessage) -> list[str]:
    return [b["text"] for b in message.buttons]
