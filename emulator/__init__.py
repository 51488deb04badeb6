"""A local Telegram Bot API emulator for tests and offline demos.

Typical use (the control methods are documented in control.py, HTTP ones in
control_http.py)::

    emu = BotApiEmulator(rate_limits=RateLimits.off())
    await emu.start()
    app = emu.application_builder().build()
    emu.add_user(1001, "Ana", language_code="pt")
    await emu.send_command(1001, "start")
    reply = await emu.next_bot_message(1001)
"""

from .emulator import BotApiEmulator
from .files import make_png
from .limits import RateLimits
from .params import ApiError
from .state import CallbackAnswer, CallbackPress, ChatLog, EmuUser, MessageVersion, RecordedMessage

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "CallbackPress",
    "ChatLog",
    "EmuUser",
    "MessageVersion",
    "RateLimits",
    "RecordedMessage",
    "make_png",
]
