"""Settings from environment variables and an optional `.env` file."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the app reads from its environment; names follow seed 002."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str | None = None
    # The app's own statements run as the login role bookingbot_login (revision 0005);
    # DATABASE_URL stays the owner's, for migrations, seeding and backups. With trust or
    # peer authentication nothing more is needed. Otherwise DATABASE_APP_PASSWORD is the
    # login role's password (`db upgrade` sets it where it may), or DATABASE_APP_URL gives
    # the whole URL (a pooler that spells user names its own way).
    database_app_url: str | None = None
    database_app_password: str | None = None
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
    # The signing secret of the Connect webhook endpoint (events of connected accounts).
    stripe_webhook_secret: str | None = None
    # Another Stripe API server (tests point this at a local fake); unset: Stripe itself.
    stripe_api_base: str | None = None
    # The platform's cut of every payment, in percent (e.g. 2.5), as an application fee.
    platform_fee_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    # The bot's public HTTPS address (the HTTP server behind it answers Stripe's webhook
    # and the Connect onboarding return/refresh links derived from it).
    public_base_url: str | None = None
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

    @field_validator("stripe_api_base", "public_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @property
    def stripe_webhook_url(self) -> str | None:
        """Where Stripe posts events: `PUBLIC_BASE_URL` + /stripe/webhook."""
        return f"{self.public_base_url}/stripe/webhook" if self.public_base_url else None

    @property
    def stripe_connect_return_url(self) -> str | None:
        """Where Stripe sends a professional who finished (or left) Connect onboarding."""
        return f"{self.public_base_url}/stripe/connect/return" if self.public_base_url else None

    @property
    def stripe_connect_refresh_url(self) -> str | None:
        """Where Stripe sends a professional whose onboarding link expired or was reused."""
        return f"{self.public_base_url}/stripe/connect/refresh" if self.public_base_url else None

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
