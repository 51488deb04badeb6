"""People: professionals, their clients, Telegram accounts."""

from __future__ import annotations

from typing import Any

from core.db.uow import Database
from core.models import Client, Profession, Professional, TelegramUser
from tests.factories.rows import add, next_user_id


async def professional(db: Database, **over: Any) -> Professional:
    uid = over.pop("user_id", None) or next_user_id()
    values: dict[str, Any] = {
        "user_id": uid,
        "name": f"Professional {uid}",
        "profession": Profession.psychologist,
        "slug": f"pro-{uid}",
        "timezone": "America/Sao_Paulo",
        "locale": "pt_BR",
        "session_duration": 50,
        "price_cents": 15000,
        "currency": "BRL",
        "min_notice_minutes": 0,
        "cancellation_notice_minutes": 1440,
    }
    values.update(over)
    return await add(db, Professional(**values))


async def client(db: Database, pro: Professional, **over: Any) -> Client:
    if "user_id" not in over:
        over["user_id"] = next_user_id()
    values: dict[str, Any] = {"professional_id": pro.id, "name": f"Client {over['user_id']}"}
    values.update(over)
    return await add(db, Client(**values))


async def account(db: Database, user_id: int, **over: Any) -> TelegramUser:
    values: dict[str, Any] = {"user_id": user_id, "first_name": f"User {user_id}"}
    values.update(over)
    return await add(db, TelegramUser(**values))
