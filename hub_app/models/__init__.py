"""SQLModel tables. Every table module is imported here so Alembic and tests see the whole schema."""

from sqlmodel import SQLModel

from hub_app.models.accounts import OneTimeToken, SignInAttempt, User, UserSession
from hub_app.models.audit import AuditEntry
from hub_app.models.notifications import EmailOutbox, Notification

metadata = SQLModel.metadata

__all__ = [
    "AuditEntry",
    "EmailOutbox",
    "Notification",
    "OneTimeToken",
    "SignInAttempt",
    "User",
    "UserSession",
    "metadata",
]
