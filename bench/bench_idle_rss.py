"""Resident memory of an idle `bookingbot run` (goal: at most 100 MiB).

Run: .venv/bin/python bench/bench_idle_rss.py [--settle 10]

Starts the local Bot API emulator and `bookingbot run` against it (embedded PostgreSQL, or
DATABASE_URL), waits until the bot polls and has been idle for --settle seconds, then prints
the bot process's VmRSS and VmHWM (peak) from /proc. Linux only.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOKEN = "123456:TEST-TOKEN"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--settle", type=float, default=10.0)
    args = parser.parse_args()
    port = _free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), "--token", TOKEN],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = ROOT / ".bench_idle_rss.log"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
    }
    with log.open("w") as out:
        bot = subprocess.Popen(
            [str(BIN / "bookingbot"), "run"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 120
        while "Application started" not in log.read_text():
            if bot.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the bot did not start; its log:\n{log.read_text()}")
            time.sleep(0.2)
        time.sleep(args.settle)
        status = _status(bot.pid)
        print(f"idle bookingbot run: VmRSS {status['VmRSS']}, peak VmHWM {status['VmHWM']}")
    finally:
        bot.terminate()
        emulator.terminate()
        bot.wait(30)
        emulator.wait(30)
        log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
