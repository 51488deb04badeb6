"""Shared by the set-up tests: a chat that waits for the bot's answer to each step."""

from __future__ import annotations

from emulator import BotApiEmulator, RecordedMessage


class Chat:
    """One person's side of the chat: type, press, and read what the bot answers."""

    def __init__(self, emu: BotApiEmulator, user_id: int) -> None:
        self.emu, self.uid = emu, user_id

    async def command(self, name: str, payload: str | None = None) -> RecordedMessage:
        await self.emu.send_command(self.uid, name, payload)
        return await self.next()

    async def say(self, text: str) -> RecordedMessage:
        await self.emu.send_text(self.uid, text)
        return await self.next()

    async def next(self) -> RecordedMessage:
        return await self.emu.next_bot_message(self.uid, timeout=5)

    async def press(self, message: RecordedMessage, button: str) -> None:
        await self.emu.press(self.uid, message.message_id, button)

    async def press_and_wait_edit(self, message: RecordedMessage, button: str) -> RecordedMessage:
        versions = len(message.history)
        await self.press(message, button)
        await self.emu.wait_for(self.uid, lambda _chat: len(message.history) > versions)
        return message
