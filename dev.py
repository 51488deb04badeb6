#!/usr/bin/env python3
"""The two commands the README promises, on a fresh machine with only python3 (3.11+).

    python3 dev.py run    # the bot; the offline demo when TELEGRAM_BOT_TOKEN is unset
    python3 dev.py test   # lock check, lint, types, catalogues, and the tests on real PostgreSQL
    python3 dev.py lock   # re-resolve the lock files after a dependency change in pyproject.toml

On first use it creates .venv and installs exactly the versions in requirements-dev.lock
(every package pinned and hash-checked), then the project itself without dependencies.
Later runs reuse .venv until pyproject.toml or the lock changes.
"""

from __future__ import annotations

import hashlib
import json
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
PYPROJECT = ROOT / "pyproject.toml"
# Runtime and dev dependencies (what dev.py installs), and runtime only (the Docker image).
# Both are written by `python3 dev.py lock`, with the same version of every shared package.
DEV_LOCK = ROOT / "requirements-dev.lock"
RUNTIME_LOCK = ROOT / "requirements.lock"
# The lock records a digest of the dependency declarations it was resolved from.
DIGEST_PREFIX = "# pyproject-dependencies-sha256: "
RELOCK = "run `python3 dev.py lock` and commit pyproject.toml with the lock files"
# Never removed when the venv is made to match the lock.
KEEP = {"pip", "bookingbot"}


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def sh(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def declared_dependencies() -> dict[str, object]:
    """What pyproject.toml declares that the lock is resolved from."""
    import tomllib

    project = tomllib.loads(PYPROJECT.read_text())["project"]
    return {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }


def dependencies_digest() -> str:
    canonical = json.dumps(declared_dependencies(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def locked_digest(lock: Path) -> str | None:
    for line in lock.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line[len(DIGEST_PREFIX) :].strip()
    return None


def locked_versions(lock: Path) -> dict[str, str]:
    """Canonical package name -> pinned version, from a lock file."""
    pins: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        if line[:1].isalnum() and "==" in line:
            name, _, rest = line.partition("==")
            pins[_canonical(name)] = rest.split()[0].rstrip("\\;").strip()
    return pins


def _canonical(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def ensure_env() -> None:
    """Create the virtualenv and install exactly the locked versions, when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may run on an older python3
        sys.exit("bookingbot needs Python 3.11 or newer")
    if not DEV_LOCK.exists():
        sys.exit(f"[dev] {DEV_LOCK.name} is missing: {RELOCK}")
    wanted = hashlib.sha256(PYPROJECT.read_bytes() + DEV_LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PY.exists():
        return
    if not PY.exists():
        say("creating .venv")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as err:  # Debian without python3-venv, typically
            sys.exit(f"cannot create a virtualenv ({err}); install the python3-venv package")
        say("installing the locked dependencies (first run only: under a minute)")
    else:
        say(f"{DEV_LOCK.name} or pyproject.toml changed: installing the locked versions")
    install_locked(DEV_LOCK)
    # The project itself, editable, built with the locked setuptools (no build isolation:
    # an isolated build would fetch whatever setuptools is newest that day).
    # (setuptools warns that an editable install is editable; nothing to act on.)
    quiet = {**os.environ, "PYTHONWARNINGS": "ignore"}
    pip("install", "--no-deps", "--no-build-isolation", "-e", ".", env=quiet)
    STAMP.write_text(wanted)


def pip(*args: str, env: dict[str, str] | None = None) -> int:
    quiet = ("--disable-pip-version-check", "--quiet")
    return sh(PY, "-m", "pip", *quiet, *args, env=env, check=False)


def install_locked(lock: Path) -> None:
    """Make .venv hold exactly the packages of `lock`, at their versions and hashes."""
    if pip("install", "--require-hashes", "--no-deps", "-r", str(lock)) != 0:
        sys.exit(
            f"[dev] installing {lock.name} failed. If it was edited by hand, its versions and"
            f" hashes may disagree: {RELOCK}"
        )
    pins = locked_versions(lock)
    extra = sorted(name for name in installed_versions() if name not in pins and name not in KEEP)
    if extra:
        say(f"removing packages the lock does not list: {', '.join(extra)}")
        pip("uninstall", "--yes", *extra)


def installed_versions() -> dict[str, str]:
    """Canonical name -> version of every distribution in .venv (read by its own python)."""
    code = (
        "import json, importlib.metadata as m;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    out = subprocess.run([str(PY), "-c", code], capture_output=True, text=True, check=True)
    return {_canonical(name): version for name, version in json.loads(out.stdout).items()}


def lock_problems() -> list[str]:
    """Why the lock does not match pyproject.toml or the installed venv (empty: it does)."""
    problems: list[str] = []
    for lock in (DEV_LOCK, RUNTIME_LOCK):
        if not lock.exists():
            problems.append(f"{lock.name} is missing")
        elif locked_digest(lock) != dependencies_digest():
            problems.append(f"pyproject.toml's dependencies changed since {lock.name} was made")
    if problems:
        return problems
    dev_pins, runtime_pins = locked_versions(DEV_LOCK), locked_versions(RUNTIME_LOCK)
    for name, version in runtime_pins.items():
        if dev_pins.get(name) != version:
            problems.append(f"{name} {version} in {RUNTIME_LOCK.name} differs in {DEV_LOCK.name}")
    installed = installed_versions()
    for name, version in dev_pins.items():
        if name in installed and installed[name] != version:
            problems.append(f"{name} {installed[name]} is installed but the lock says {version}")
    return problems


def check_lock() -> None:
    problems = lock_problems()
    if problems:
        sys.exit(f"[dev] the lock is out of date ({problems[0]}): {RELOCK}")


def lock() -> None:
    """Resolve pyproject.toml into both lock files (keeping current pins where they still fit).

    `python3 dev.py lock --upgrade` moves every package to its newest allowed version;
    `--upgrade-package NAME` just that one.
    """
    if DEV_LOCK.exists():
        ensure_env()
    else:  # the very first lock: a venv with the lock tool only
        if not PY.exists():
            venv.EnvBuilder(with_pip=True).create(VENV)
        pip("install", "uv")
    uv = BIN / "uv"
    if not uv.exists():
        pip("install", "uv")
    common = ["pip", "compile", "pyproject.toml", "--universal", "--python-version", "3.11"]
    common += ["--generate-hashes", "--quiet", "--no-header", *sys.argv[2:]]
    say(f"resolving {DEV_LOCK.name}")
    sh(uv, *common, "--extra", "dev", "-o", DEV_LOCK)
    say(f"resolving {RUNTIME_LOCK.name} (the same versions, without the dev tools)")
    sh(uv, *common, "-c", DEV_LOCK, "-o", RUNTIME_LOCK)
    header = (
        "# Generated by `python3 dev.py lock` (uv pip compile --universal --generate-hashes)"
        " from pyproject.toml.\n# Do not edit by hand: change pyproject.toml and relock.\n"
        f"{DIGEST_PREFIX}{dependencies_digest()}\n"
    )
    for path in (DEV_LOCK, RUNTIME_LOCK):
        path.write_text(header + path.read_text())
    ensure_env()
    say("locked; commit pyproject.toml, requirements.lock and requirements-dev.lock together")


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
    say("lock")
    check_lock()
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
    commands = {"run": run, "test": test, "lock": lock}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 dev.py run | test [pytest arguments] | lock [--upgrade]")
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
