"""SQLModel tables. Every table module is imported here so Alembic and tests see the whole schema."""

from sqlmodel import SQLModel

# Declares the insights' indexes on the tables below (migration 0009).
from hub_app.models import insights_indexes, insights_rollups  # noqa: F401  (rollup tables: migration 0011)
from hub_app.models.account_mail import AccountMail
from hub_app.models.accounts import OneTimeToken, SignInAttempt, User, UserIdentity, UserSession
from hub_app.models.audit import AuditEntry
from hub_app.models.bookings import Booking, BookingSeries, CalendarFeed
from hub_app.models.certificates import Certificate
from hub_app.models.events import Event, EventRegistration
from hub_app.models.forum import (
    SEARCH_SCHEMA,
    ForumCategory,
    ForumPost,
    ForumReaction,
    ForumReport,
    ForumSuspension,
    ForumThread,
    ForumWatch,
)
from hub_app.models.notifications import EmailOutbox, Notification
from hub_app.models.spaces import Closure, OpeningHours, Space
from hub_app.models.trainings import (
    Attendance,
    Enrolment,
    Trainer,
    Training,
    TrainingPrerequisite,
    TrainingSession,
    TrainingTrainer,
)

metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic comparisons (autogenerate, tests/test_migrations.py): skip the objects that
    migrations create for one engine only and the models do not describe (forum full-text search)."""
    return name not in SEARCH_SCHEMA


__all__ = [
    "AccountMail",
    "Attendance",
    "AuditEntry",
    "Booking",
    "BookingSeries",
    "CalendarFeed",
    "Certificate",
    "Closure",
    "EmailOutbox",
    "Enrolment",
    "Event",
    "EventRegistration",
    "ForumCategory",
    "ForumPost",
    "ForumReaction",
    "ForumReport",
    "ForumSuspension",
    "ForumThread",
    "ForumWatch",
    "Notification",
    "OneTimeToken",
    "OpeningHours",
    "SignInAttempt",
    "Space",
    "Trainer",
    "Training",
    "TrainingPrerequisite",
    "TrainingSession",
    "TrainingTrainer",
    "User",
    "UserIdentity",
    "UserSession",
    "metadata",
]
