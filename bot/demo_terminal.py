"""The offline demo's terminal side: reading lines, and showing what is new in the chats.

``stdin_lines()`` reads standard input in a thread so that bot messages print while the
person types, and works for a terminal, a pipe or a file alike. ``Transcript.drain()``
walks every chat of the emulator and returns lines for what the person has not seen yet:
new bot messages (with their inline buttons numbered), edits, answers to button presses
(alerts and notices) and reply keyboards.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import BotApiEmulator, ChatLog, RecordedMessage

__all__ = [
    "Transcript",
    "button_rows",
    "default_log_file",
    "last_buttons_message",
    "logs_to_file",
    "stdin_lines",
    "terminal_language",
]

INDENT = "    "


def button_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """The inline keyboard's rows of buttons (empty without one)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [list(row) for row in markup["inline_keyboard"]]


def last_buttons_message(chat: ChatLog) -> RecordedMessage | None:
    """The newest bot message of the chat still showing inline buttons."""
    for message in reversed(chat.messages):
        if message.from_bot and not message.deleted and button_rows(message.reply_markup):
            return message
    return None


def _key(button: dict[str, Any]) -> str:
    return str(button.get("callback_data") or button.get("url") or button.get("text", ""))


@dataclass
class _Numbers:
    """The numbers of one message's buttons, kept while its screen stays the same."""

    title: str = ""
    by_key: dict[str, int] = field(default_factory=dict)
    last: int = 0

    def assign(self, title: str, markup: dict[str, Any] | None) -> list[list[int]]:
        """Numbers for the buttons of `markup`, row by row.

        A redraw of the same screen (same first line: say, the agenda after one session was
        marked done) keeps each remaining button's number, so what the person read a moment
        ago still presses the same thing; a new button gets the next free number. Another
        screen (another first line) is numbered afresh from 1.
        """
        rows = button_rows(markup)
        if title != self.title:
            self.title, self.by_key, self.last = title, {}, 0
        seen: dict[str, int] = {}
        numbered: list[list[int]] = []
        kept: dict[str, int] = {}
        for row in rows:
            numbers = []
            for button in row:
                base = _key(button)
                seen[base] = seen.get(base, 0) + 1
                key = f"{base}#{seen[base]}"  # the same data twice: two buttons
                number = self.by_key.get(key)
                if number is None:
                    self.last += 1
                    number = self.last
                kept[key] = number
                numbers.append(number)
            numbered.append(numbers)
        self.by_key = kept
        return numbered


def _button_lines(markup: dict[str, Any] | None, numbers: list[list[int]]) -> list[str]:
    lines: list[str] = []
    for row, row_numbers in zip(button_rows(markup), numbers, strict=True):
        cells = []
        for button, number in zip(row, row_numbers, strict=True):
            label = str(button.get("text", ""))
            if "url" in button:
                label = f"{label} ↗ {button['url']}"
            cells.append(f"{number}) {label}")
        lines.append(INDENT + "   ".join(cells))
    if markup and "keyboard" in markup:
        keys = [
            f"[{button.get('text', '')}]" if isinstance(button, dict) else f"[{button}]"
            for row in markup["keyboard"]
            for button in row
        ]
        lines.append(INDENT + "keyboard: " + " ".join(keys))
    return lines


def _body(message: RecordedMessage) -> str:
    if message.text is not None:
        return message.text
    parts = []
    if message.photo is not None:
        parts.append("[photo]")
    if message.document is not None:
        parts.append(f"[file {message.document.get('file_name', '')}]")
    if message.caption:
        parts.append(message.caption)
    return " ".join(parts) or "[message]"


@dataclass
class Transcript:
    """Remembers what was already shown, per chat, message version and button press."""

    emu: BotApiEmulator
    label: Callable[[int], str]
    speaker: Callable[[], int]
    _versions: dict[tuple[int, int], int] = field(default_factory=dict)
    _answers: set[str] = field(default_factory=set)
    _numbers: dict[tuple[int, int], _Numbers] = field(default_factory=dict)

    def _numbered(self, chat: ChatLog, message: RecordedMessage) -> list[list[int]]:
        numbers = self._numbers.setdefault((chat.id, message.message_id), _Numbers())
        title = (_body(message).splitlines() or [""])[0]
        return numbers.assign(title, message.reply_markup)

    def button_numbered(self, chat: ChatLog, message: RecordedMessage, number: int) -> Any:
        """The button of `message` that `number` stands for, as last shown; None if none."""
        numbers = self._numbered(chat, message)
        for row, row_numbers in zip(button_rows(message.reply_markup), numbers, strict=True):
            for button, n in zip(row, row_numbers, strict=True):
                if n == number:
                    return button
        return None

    def drain(self) -> list[str]:
        """Lines for everything new in every chat, oldest first within a chat."""
        lines: list[str] = []
        for chat in list(self.emu.world.chats.values()):
            lines.extend(self._chat(chat))
        return lines

    def _prefix(self, chat: ChatLog) -> str:
        if chat.id == self.speaker():
            return "bot › "
        return f"bot › to {self.label(chat.id)}: "

    def _chat(self, chat: ChatLog) -> list[str]:
        # A press is answered before its handler's messages arrive: show the alert first.
        lines = self._answers_of(chat)
        for message in chat.messages:
            if not message.from_bot:
                continue
            key = (chat.id, message.message_id)
            shown = self._versions.get(key, 0)
            versions = 0 if message.deleted else len(message.history)
            if versions <= shown:
                continue
            self._versions[key] = versions
            tag = "(edited) " if shown else ""
            text_lines = _body(message).splitlines() or [""]
            lines.append(self._prefix(chat) + tag + text_lines[0])
            lines.extend(INDENT + line if line.strip() else "" for line in text_lines[1:])
            lines.extend(_button_lines(message.reply_markup, self._numbered(chat, message)))
        return lines

    def _answers_of(self, chat: ChatLog) -> list[str]:
        lines: list[str] = []
        for press in chat.presses:
            answer = press.answer
            if answer is None or press.query_id in self._answers:
                continue
            self._answers.add(press.query_id)
            if answer.text:
                kind = "alert" if answer.show_alert else "notice"
                lines.append(f"{self._prefix(chat)}[{kind}] {answer.text}")
        return lines


async def stdin_lines() -> AsyncIterator[str]:
    """Lines of standard input without blocking the event loop (a terminal or a pipe)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def put(item: str | None) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone: the demo has ended
            pass

    def pump() -> None:
        try:
            for line in sys.stdin:
                put(line)
        finally:
            put(None)

    # A thread works for every kind of stdin; connect_read_pipe refuses regular files.
    threading.Thread(target=pump, name="demo-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


def terminal_language() -> str | None:
    """The language of the terminal's locale, if the bot speaks it."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        code = value.split(".", 1)[0].split("_", 1)[0].lower()
        if code in ("en", "pt", "es"):
            return code
    return None


def default_log_file() -> Path:
    """Where the demo writes the bot's log (the terminal is the chat)."""
    return Path(tempfile.gettempdir()) / "bookingbot-demo.log"


@contextmanager
def logs_to_file(path: Path) -> Iterator[None]:
    """Send what would be logged to the terminal to `path` instead, until the block ends.

    In the demo the terminal *is* the chat: a log line there reads as something the bot
    said. Handlers writing elsewhere (a file, a test's capture) are left alone.
    """
    root = logging.getLogger()
    terminal = [
        h
        for h in root.handlers
        if isinstance(h, logging.StreamHandler)
        and not isinstance(h, logging.FileHandler)
        and h.stream in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
    ]
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(
        terminal[0].formatter
        if terminal and terminal[0].formatter
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    for handler in terminal:
        root.removeHandler(handler)
    root.addHandler(to_file)
    try:
        yield
    finally:
        root.removeHandler(to_file)
        to_file.close()
        for handler in terminal:
            root.addHandler(handler)
