"""Run the emulator standalone: `python -m emulator --port 8081 --user 1001:Ana:pt`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .emulator import BotApiEmulator
from .limits import RateLimits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m emulator", description="A local Telegram Bot API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--bot-username", default="bookingbot")
    parser.add_argument("--bot-name", default="Booking Bot")
    parser.add_argument(
        "--no-flood-control", action="store_true", help="never answer 429 Too Many Requests"
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:FIRST_NAME[:LANG]",
        help="create a user at start (repeatable)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def _user_spec(spec: str) -> tuple[int, str, str | None]:
    parts = spec.split(":")
    if len(parts) < 2 or not parts[0].isdigit():
        raise SystemExit(f"--user wants ID:FIRST_NAME[:LANG], got {spec!r}")
    return int(parts[0]), parts[1], parts[2] if len(parts) > 2 else None


async def serve(args: argparse.Namespace) -> None:
    limits = RateLimits.off() if args.no_flood_control else RateLimits()
    emu = BotApiEmulator(
        args.token,
        bot_username=args.bot_username,
        bot_first_name=args.bot_name,
        rate_limits=limits,
    )
    for spec in args.user:
        user_id, first_name, language = _user_spec(spec)
        emu.add_user(user_id, first_name, language_code=language)
    url = await emu.start(args.host, args.port)
    print(f"Telegram Bot API emulator at {url}", flush=True)
    print(f"  bot token     {emu.token}", flush=True)
    print(f"  base_url      {emu.base_url}", flush=True)
    print(f"  base_file_url {emu.base_file_url}", flush=True)
    print(f"  control API   {url}/control/...", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
