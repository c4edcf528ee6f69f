"""Deployment settings from HUB_* environment variables, each with a safe development default."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "dev-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    environment: str = "development"  # development | production | test
    secret_key: str = DEVELOPMENT_SECRET
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'hub.db'}"
    redis_url: str = ""
    public_base_url: str = "http://localhost:3000"
    # Comma-separated in the environment: HUB_ALLOWED_ORIGINS=https://hub.example,https://www.hub.example
    allowed_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000", "http://127.0.0.1:3000"]
    timezone: str = "Asia/Jakarta"
    default_locale: str = "id"
    # Behind HTTP proxies: how many of them append to X-Forwarded-For (0 = trust no such header).
    trusted_proxy_hops: int = 0

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_from: str = "Jakarta Future City Hub <noreply@jfch.example>"
    mail_max_attempts: int = 5

    # Optional sign-in through an OpenID Connect provider (for example the city's identity service).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_display_name: str = "Jakarta ID"
    oidc_scopes: str = "openid email profile"

    session_days: int = 14
    upload_dir: Path = PROJECT_ROOT / "data" / "uploads"
    max_avatar_bytes: int = 2 * 1024 * 1024
    terms_version: str = "2026-11"

    signin_max_failures_per_account: int = 5
    signin_max_failures_per_address: int = 20
    signin_window_minutes: int = 15

    # Booking quotas per member; staff can override them per member.
    default_hours_per_week: int = 20
    default_upcoming_bookings: int = 5

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value):
        if isinstance(value, str) and not value.strip().startswith("["):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self):
        if self.environment == "production":
            if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
                raise ValueError("HUB_SECRET_KEY must be set to a random value of 32+ characters in production")
            if "*" in self.allowed_origins:
                raise ValueError("HUB_ALLOWED_ORIGINS must list the portal's origins in production, not '*'")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def secure_cookies(self) -> bool:
        return self.public_base_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
