"""Deployment settings from HUB_* environment variables, each with a safe development default."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
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

    session_days: int = 14  # absolute limit of a session
    session_idle_hours: int = 12  # a session unused this long ends
    upload_dir: Path = PROJECT_ROOT / "data" / "uploads"
    max_avatar_bytes: int = 2 * 1024 * 1024
    # Uploaded images: refused above this many pixels before they are decoded (a small PNG can
    # declare 6300x6300 pixels and cost 200 MB to decode). Also Pillow's MAX_IMAGE_PIXELS.
    upload_max_pixels: int = 16_000_000

    # The event socket (hub_app/transport.py), per connection (one browser tab): a token bucket of
    # events, refilled at event_rate_per_second up to event_burst; past it the tab is told and the
    # socket closed. One event's payload and address may hold at most event_max_chars characters
    # (frames above 4x that are cut by Socket.IO before they are parsed).
    event_rate_per_second: float = 20.0
    event_burst: int = 60
    event_max_chars: int = 64_000
    # One client-storage value (rx.Cookie / rx.LocalStorage) or the page address sent with an event.
    client_value_max_chars: int = 4096
    # Reports of frontend errors: how many per connection reach the log, and how much of each.
    frontend_errors_per_connection: int = 3
    frontend_error_max_chars: int = 2000
    # Live calendars (hub_app/services/calendar_push.py): at most this many open calendars redrawn a
    # second per worker process; past it the redraws wait their turn and draw what changed meanwhile.
    calendar_redraws_per_second: float = Field(default=20.0, gt=0, le=1000)
    # With Redis, a tab's state stays this long in the node that served it (Reflex's opportunistic
    # lock): its events meanwhile need no Redis read, write or lock. The node renews the tab's lock
    # (10 s) while it holds it (hub_app/state_locks.py), so a node that dies frees its tabs within
    # those 10 s whatever the lease; at most 50, below the 60 s after which a lock is renewed no more.
    state_lease_seconds: float = Field(default=30.0, ge=0.1, le=50.0)
    # A node told to stop (SIGTERM, a deploy) moves its tabs to other nodes first (hub_app/drain.py);
    # this long at most, then it stops anyway. Keep it below the unit's TimeoutStopSec (30).
    drain_seconds: float = 20.0
    # Allocations between two collections of Python's youngest generation (CPython's own: 700); the
    # objects startup built are frozen out of the collector (hub_app/gc_tuning.py).
    gc_young_threshold: int = Field(default=10_000, ge=100, le=1_000_000)
    # The version of the terms of use and the privacy notice (hub_app/i18n/messages/legal.py); a new
    # value asks every member to agree again at their next page load after sign-in (/agree).
    terms_version: str = "2026-11"
    # Where members send questions and requests about their personal data (shown on /privacy, /terms).
    privacy_contact_email: str = "privasi@jfch.example"

    # Failed password attempts (sign-in, account deletion) per window: from one address for one
    # account, from one address for any accounts, and for one account from all addresses together (a
    # ceiling high enough that nobody can lock a member out from a few addresses; past it the member
    # signs in with an emailed one-time link).
    signin_max_failures_per_account_and_address: int = 5
    signin_max_failures_per_address: int = 20
    signin_max_failures_per_account: int = 50
    signin_window_minutes: int = 15

    # Account mail (verification, password reset, "already registered", sign-in link) per window:
    # to one address, and asked for from one client address; and one mail of a kind to an address
    # per account_mail_repeat_seconds. Past a limit the mail is quietly not sent (the caller sees the
    # same answer, so the limits do not tell whether an address has an account).
    account_mails_per_recipient: int = 5
    account_mails_per_client: int = 50  # a coworking floor shares one public address
    account_mail_repeat_seconds: int = 60
    account_mail_window_minutes: int = 60

    # Sign-in attempts (with the client address), sessions that ended and spent or expired one-time
    # links are deleted this many days later (a background duty; the sign-in limits look back minutes).
    sign_in_record_retention_days: int = 30

    # Guests' personal data of an event (name, email, organisation) is erased this many days after
    # the event ends (stated on the registration form).
    event_guest_retention_days: int = 30

    # /metrics (hub_app/api/metrics.py) answers a request that carries this bearer token, or one from
    # an address in metrics_allow (networks, comma-separated in the environment; loopback by default).
    metrics_token: str = ""
    metrics_allow: Annotated[list[str], NoDecode] = ["127.0.0.1/32", "::1/128"]
    # The portal's log lines (hub_app/logs.py): "text", or "json" (one JSON object per line).
    log_format: Literal["text", "json"] = "text"

    # Booking quotas per member; staff can override them per member.
    default_hours_per_week: int = 20
    default_upcoming_bookings: int = 5

    @field_validator("allowed_origins", "metrics_allow", mode="before")
    @classmethod
    def _split_origins(cls, value):
        if isinstance(value, str) and not value.strip().startswith("["):
            return [item.strip() for item in value.split(",") if item.strip()]
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

    @property
    def session_cookie_name(self) -> str:
        # Over https the __Host- prefix makes the browser refuse the cookie unless it is Secure, for
        # the whole host, with Path=/: a sibling subdomain cannot plant or shadow it.
        return "__Host-hub_session" if self.secure_cookies else "hub_session"  # api.session_cookie.SESSION_COOKIE


@lru_cache
def get_settings() -> Settings:
    return Settings()
