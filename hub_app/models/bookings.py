"""Bookings of spaces, recurring series, and the members' secret calendar-feed tokens.

On PostgreSQL the migration adds an exclusion constraint (btree_gist) so that two bookings that
hold a room (`exclusive`, status pending or confirmed) can never overlap, whatever the code does.
"""

from datetime import datetime

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow


class BookingSeries(SQLModel, table=True):
    __tablename__ = "booking_series"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    space_id: int = Field(foreign_key="spaces.id")
    frequency: str = Field(max_length=10)  # daily | weekly
    occurrences: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Booking(SQLModel, table=True):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_space_starts", "space_id", "starts_at"),
        Index("ix_bookings_starts", "starts_at"),
        Index("ix_bookings_user_starts", "user_id", "starts_at"),
        Index("ix_bookings_status_starts", "status", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="spaces.id")
    user_id: int | None = Field(default=None, foreign_key="users.id")  # None for trainings, events, blocks
    kind: str = Field(default="member", max_length=10)  # member | training | event | block
    status: str = Field(default="confirmed", max_length=10)  # pending|confirmed|declined|cancelled|released
    # True for room-kind spaces: at most one slot-holding booking at a time (exclusion constraint).
    exclusive: bool = Field(default=True)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    seats: int = Field(default=1)  # people in a room; seats taken in a desk area
    title: str = Field(default="", max_length=120)
    title_en: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=500)
    series_id: int | None = Field(default=None, foreign_key="booking_series.id", index=True)
    training_session_id: int | None = Field(default=None, index=True)
    event_id: int | None = Field(default=None, index=True)  # the event a kind "event" booking holds the space for
    created_by: int | None = Field(default=None, foreign_key="users.id")
    checked_in_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    no_show: bool = Field(default=False)
    decided_by: int | None = Field(default=None, foreign_key="users.id")
    decision_reason: str = Field(default="", max_length=500)
    cancelled_by: int | None = Field(default=None, foreign_key="users.id")
    cancel_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))


class CalendarFeed(SQLModel, table=True):
    """A member's secret iCalendar feed URL; only the token's SHA-256 is stored."""

    __tablename__ = "calendar_feeds"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", sa_column_kwargs={"unique": True})
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
