"""A Telegram account: one person, whatever professionals they book with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, updated_at


class TelegramUser(Base):
    """Per-person preferences and reachability.

    The client's IANA time zone and locale live here rather than on each `clients`
    row: a person is a client of several professionals and chooses a language once.
    """

    __tablename__ = "telegram_users"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128), nullable=False)
    username: Mapped[str | None] = mapped_column(String(64))
    # What Telegram reported; `locale` is what the person chose (NULL: follow Telegram).
    language_code: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Set when Telegram answers 403 (the person blocked the bot): stop retrying.
    unreachable_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Since when the person has the bot's chat open (an update from them). NULL: never, as
    # far as we know, or Telegram said the bot cannot start a conversation with them.
    chat_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
