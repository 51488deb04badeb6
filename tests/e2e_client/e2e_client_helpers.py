"""Helpers for the client end-to-end tests: seed data (the chat to drive is the harness's)."""

from __future__ import annotations

from typing import Any

from core.db.uow import Database
from core.models import Client, Professional
from tests import factories
from tests.factories import bookable

ANA_UID = 7100


async def ana(db: Database, **over: Any) -> Professional:
    """Ana Souza, psychologist in São Paulo: 60-minute sessions, 09:00-18:00 every day."""
    values: dict[str, Any] = {
        "user_id": ANA_UID,
        "name": "Ana Souza",
        "slug": "ana-souza",
        "welcome_message": "Olá! Que bom ter você aqui.",
        "price_cents": 15000,
        "currency": "BRL",
    }
    values.update(over)
    return await bookable(db, **values)


async def client_of(db: Database, pro: Professional, user_id: int, **over: Any) -> Client:
    return await factories.client(db, pro, user_id=user_id, **over)
