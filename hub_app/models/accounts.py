from datetime import datetime

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_status_role_id", "status", "role", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    # Lower-cased email, unique: Ani@x.id and ani@x.id are one account.
    email_normalized: str = Field(max_length=254, sa_column_kwargs={"unique": True}, index=False)
    name: str = Field(max_length=100)
    # How others @mention this member in the forum; assigned on creation (see models/forum.py).
    handle: str | None = Field(default=None, max_length=30)
    password_hash: str = Field(max_length=255)
    role: str = Field(default="member", max_length=10)  # member | staff | admin
    status: str = Field(default="pending", max_length=10)  # pending | active | rejected | suspended | deleted
    status_reason: str = Field(default="", max_length=500)
    email_verified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    locale: str = Field(default="id", max_length=5)

    business_name: str = Field(default="", max_length=120)
    sector: str = Field(default="", max_length=40)
    stage: str = Field(default="", max_length=40)
    bio: str = Field(default="", max_length=1000)
    offers: str = Field(default="", max_length=500)
    looking_for: str = Field(default="", max_length=500)
    avatar_file: str = Field(default="", max_length=80)
    show_in_directory: bool = Field(default=True)
    show_email: bool = Field(default=False)

    consent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    consent_version: str = Field(default="", max_length=20)

    # Per-member booking quotas; None means the hub default from settings.
    quota_hours_per_week: int | None = Field(default=None)
    quota_upcoming_bookings: int | None = Field(default=None)

    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class UserSession(SQLModel, table=True):
    __tablename__ = "user_sessions"
    __table_args__ = (  # for services/record_retention.py
        Index("ix_user_sessions_expires_at", "expires_at"),
        Index("ix_user_sessions_revoked_at", "revoked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # For the idle timeout; refreshed at most every few minutes, not on every event.
    last_seen_at: datetime | None = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))
    user_agent: str = Field(default="", max_length=200)
    client_address: str = Field(default="", max_length=64)


class OneTimeToken(SQLModel, table=True):
    """Single-use links and sign-in tickets; only the hash of the token is stored."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (Index("ix_one_time_tokens_expires_at", "expires_at"),)  # services/record_retention.py

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    purpose: str = Field(max_length=20)  # verify_email | reset_password | sign_in
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # A sign-in ticket is redeemable only with the browser tab that asked for it (hash of its tab token).
    binding_hash: str = Field(default="", sa_column=Column(String(64), nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class SignInAttempt(SQLModel, table=True):
    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_email_at", "email_normalized", "attempted_at"),
        Index("ix_sign_in_attempts_address_at", "client_address", "attempted_at"),
        Index("ix_sign_in_attempts_attempted_at", "attempted_at"),  # services/record_retention.py
    )

    id: int | None = Field(default=None, primary_key=True)
    email_normalized: str = Field(max_length=254)
    client_address: str = Field(max_length=64)
    succeeded: bool = Field(default=False)
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class UserIdentity(SQLModel, table=True):
    """A sign-in identity at an external OpenID Connect provider, linked to one account."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_user_identities_issuer_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
