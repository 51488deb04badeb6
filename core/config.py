"""Settings from environment variables and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the app reads from its environment; names follow seed 002."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str | None = None
    database_pool_size: int = Field(default=20, ge=1, le=500)
    database_max_overflow: int = Field(default=10, ge=0, le=500)
    database_pool_timeout: float = Field(default=30, gt=0)
    # Seconds to wait for a new connection before telling the user to try again.
    database_connect_timeout: float = Field(default=5, gt=0)
    # Where the embedded PostgreSQL keeps its data when DATABASE_URL is unset.
    embedded_pg_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("bookingbot")) / "pgdata"
    )

    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    default_timezone: str = "America/Sao_Paulo"
    default_locale: str = "pt_BR"
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    log_level: str = "INFO"

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown IANA time zone {value!r}") from err
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
