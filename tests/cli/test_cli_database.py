"""The command line: clear one-line answers, and the embedded server shared safely."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unreachable_database_url_gives_one_clear_line_and_no_traceback():
    result = _cli("db", "current", DATABASE_URL="postgresql://postgres@127.0.0.1:1/nothing")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "connection refused" in result.stderr and "127.0.0.1:1" in result.stderr


def test_a_database_url_that_is_not_postgresql_is_named_as_the_problem():
    result = _cli("db", "current", DATABASE_URL="mysql://root@localhost/db")
    assert result.returncode == 2
    assert "must point to PostgreSQL" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_database_is_named_in_the_error():
    result = _cli(
        "db", "current", DATABASE_URL="postgresql://postgres@127.0.0.1:5432/no_such_db_here"
    )
    if "connection refused" in result.stderr:
        pytest.skip("no PostgreSQL service on 127.0.0.1:5432")
    assert result.returncode == 2
    assert 'database "no_such_db_here" does not exist' in result.stderr


def test_an_unknown_time_zone_setting_is_refused_in_one_line():
    result = _cli("db", "current", DEFAULT_TIMEZONE="Mars/Olympus")
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr and "Traceback" not in result.stderr


def test_two_processes_starting_the_embedded_server_at_once_share_one_server():
    with tempfile.TemporaryDirectory(prefix="bb-embedded-") as tmp:
        os.chmod(tmp, 0o755)
        pgdata = Path(tmp) / "pgdata"
        code = (
            "from pathlib import Path; from core.db import embedded;"
            f"print(embedded.start(Path({str(pgdata)!r})))"
        )
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        uris = [p.communicate(timeout=120)[0].strip().splitlines()[-1] for p in procs]
        try:
            assert all(p.returncode == 0 for p in procs)
            assert uris[0] == uris[1]
            pids = (pgdata / "postmaster.pid").read_text().splitlines()[0]
            assert int(pids) > 0
            check = subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
            )
            assert check.stdout.strip().splitlines()[-1] == uris[0]
            assert (pgdata / "postmaster.pid").read_text().splitlines()[0] == pids
        finally:
            from core.db import embedded

            embedded.stop(pgdata)


def test_run_on_a_fresh_embedded_server_creates_and_migrates_its_database():
    # A new machine: the embedded server has only its maintenance database. `bookingbot run`
    # gets as far as the Bot API (unreachable here, on purpose), not a database error.
    with tempfile.TemporaryDirectory(prefix="bb-embedded-") as tmp:
        os.chmod(tmp, 0o755)
        pgdata = Path(tmp) / "pgdata"
        try:
            result = _cli(
                "run",
                EMBEDDED_PG_DIR=str(pgdata),
                TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN",
                TELEGRAM_API_URL="http://127.0.0.1:1",
            )
            assert "does not exist" not in result.stderr, result.stderr
            assert "bookingbot: cannot reach the Telegram Bot API" in result.stderr
            current = _cli("db", "current", EMBEDDED_PG_DIR=str(pgdata))
            assert "up to date" in current.stdout, current.stdout + current.stderr
        finally:
            from core.db import embedded

            embedded.stop(pgdata)
