#!/usr/bin/env python3
"""The two commands the README promises, on a fresh machine with only python3 (3.11+).

    python3 dev.py run    # the bot; the offline demo when TELEGRAM_BOT_TOKEN is unset
    python3 dev.py test   # lint, types, catalogues, and the test suite on real PostgreSQL

On first use it creates .venv and installs the project into it; later runs reuse
it until pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".bookingbot-installed"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def sh(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def ensure_env() -> None:
    """Create the virtualenv and install the project (with test tools) when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may run on an older python3
        sys.exit("bookingbot needs Python 3.11 or newer")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PY.exists():
        return
    if not PY.exists():
        say("creating .venv")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as err:  # Debian without python3-venv, typically
            sys.exit(f"cannot create a virtualenv ({err}); install the python3-venv package")
    say("installing bookingbot and its dependencies (first run only)")
    sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def compile_catalogues() -> None:
    sh(PY, "-m", "bot.locales_tool", "compile")


def run() -> None:
    ensure_env()
    compile_catalogues()
    command = "run" if os.environ.get("TELEGRAM_BOT_TOKEN") else "demo"
    if command == "demo":
        say("no TELEGRAM_BOT_TOKEN set: starting the offline demo")
    os.execv(str(BIN / "bookingbot"), [str(BIN / "bookingbot"), command, *sys.argv[2:]])


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _local_service_url() -> str | None:
    """The PostgreSQL service on 127.0.0.1:5432, started if installed but stopped."""
    if not _port_open("127.0.0.1", 5432) and Path("/etc/postgresql").is_dir():
        ctl = shutil.which("pg_ctlcluster")
        for version in sorted(os.listdir("/etc/postgresql")):
            if ctl:
                say(f"starting the local PostgreSQL {version} service")
                subprocess.run(
                    [ctl, "--skip-systemctl-redirect", version, "main", "start"], check=False
                )
    if _port_open("127.0.0.1", 5432):
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    return None


def test() -> None:
    ensure_env()
    compile_catalogues()
    say("ruff")
    sh(BIN / "ruff", "check", ".")
    sh(BIN / "ruff", "format", "--check", ".")
    say("mypy")
    sh(BIN / "mypy")
    say("catalogues")
    sh(PY, "-m", "bot.locales_tool", "check")
    extra = sys.argv[2:]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
    say("tests on the embedded PostgreSQL 18")
    failed = sh(PY, "-m", "pytest", *extra, env=env, check=False)
    service = _local_service_url()
    if service:
        say(f"tests on the PostgreSQL service at {service}")
        failed |= sh(
            PY, "-m", "pytest", *extra, env={**env, "TEST_DATABASE_URL": service}, check=False
        )
    else:
        say("no PostgreSQL service on 127.0.0.1:5432: ran on the embedded server only")
    sys.exit(1 if failed else 0)


def main() -> None:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 dev.py run | test [pytest arguments]")
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
