"""Who the person plays in the offline demo: the seeded professionals by first name, a
client of the first, and a visitor the bot has never seen (forgotten at each start)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from bot.i18n import normalize_locale
from core.db.uow import Database
from core.scheduling.lexicon import fold

__all__ = ["NEW_PRO_ID", "VISITOR_ID", "Cast", "Person", "forget_visitor", "read_cast"]

# People the bot has never seen: a first visit, and a professional-to-be without demo data.
VISITOR_ID = 777_000_001
NEW_PRO_ID = 777_000_002


@dataclass
class Person:
    user_id: int
    name: str
    role: str
    language: str | None


@dataclass(frozen=True)
class Cast:
    """Who the person can play (`new`, `client`, `pro`, and each professional by first
    name) and the first professional's link."""

    people: dict[str, Person]
    slug: str | None
    # Every professional to play: (the name to type after /as, who).
    professionals: tuple[tuple[str, Person], ...] = ()


# Everything the bot may keep about one person: a visitor is forgotten at each start.
_FORGET = (
    "DELETE FROM notifications WHERE recipient_id = :uid",
    "DELETE FROM follows WHERE user_id = :uid",
    "DELETE FROM clients WHERE user_id = :uid",  # their bookings, messages, reviews follow
    "DELETE FROM telegram_users WHERE user_id = :uid",
    "DELETE FROM bot_data WHERE kind IN ('user', 'chat') AND key = :key",
    "DELETE FROM bot_conversations WHERE key = :conversation",
)


async def forget_visitor(database: Database, user_id: int) -> None:
    """The visitor of a new demo run is someone the bot has never seen, as promised."""
    params = {"uid": user_id, "key": str(user_id), "conversation": f"[{user_id},{user_id}]"}
    async with database.system("demo") as uow:
        for statement in _FORGET:
            await uow.session.execute(text(statement), params)
        await uow.commit()


def _language(code: str | None) -> str | None:
    if not code:
        return None
    return normalize_locale(code).split("_")[0]


async def read_cast(database: Database, language: str | None) -> Cast:
    """The demo's people: every professional (by first name), one client of the first,
    and a visitor the bot has never seen, when the data has them.

    Seeded people keep the language their Telegram reports; `language` is the visitor's.
    """
    people = {"new": Person(VISITOR_ID, "Visitor", "new", language)}
    async with database.system("demo") as uow:
        pros = (
            await uow.session.execute(
                text(
                    "SELECT p.id, p.user_id, coalesce(nullif(u.first_name, ''), p.name),"
                    " u.language_code, p.locale, p.slug FROM professionals AS p"
                    " LEFT JOIN telegram_users AS u ON u.user_id = p.user_id"
                    " WHERE p.active ORDER BY p.created_at, p.slug LIMIT 12"
                )
            )
        ).all()
        pro = pros[0] if pros else None
        client = None
        if pro is not None:
            client = (
                await uow.session.execute(
                    text(
                        "SELECT c.user_id, coalesce(u.first_name, c.name), u.language_code,"
                        " u.locale FROM clients AS c"
                        " LEFT JOIN telegram_users AS u ON u.user_id = c.user_id"
                        " WHERE c.professional_id = :pid AND c.user_id IS NOT NULL"
                        " ORDER BY c.created_at, c.name LIMIT 1"
                    ),
                    {"pid": pro[0]},
                )
            ).first()
    named: list[tuple[str, Person]] = []
    for row in pros:
        person = Person(row[1], row[2], "pro", _language(row[3] or row[4]))
        key = fold(str(row[2]).split()[0]).lower() if str(row[2]).split() else str(row[1])
        if key in people or any(key == k for k, _ in named):
            key = str(row[1])
        named.append((key, person))
    if named:
        people["pro"] = named[0][1]
    if client is not None:
        people["client"] = Person(client[0], client[1], "client", _language(client[2] or client[3]))
    else:
        people["client"] = people["new"]
    return Cast(people, pro[5] if pro is not None else None, tuple(named))
