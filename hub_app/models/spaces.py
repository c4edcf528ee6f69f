"""Spaces of the hub floor, the hub's opening hours and closures (holidays, maintenance)."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow


class Space(SQLModel, table=True):
    """A bookable space: a desk area (capacity = seats) or a room (capacity = people)."""

    __tablename__ = "spaces"
    __table_args__ = (Index("ix_spaces_active_kind", "active", "kind", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # desk_area | meeting_room | communal_room | event_hall
    name_id: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)
    description_id: str = Field(default="", max_length=2000)
    description_en: str = Field(default="", max_length=2000)
    capacity: int = Field(default=1)
    amenities: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    photos: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    location: str = Field(default="", max_length=100)  # in Indonesian
    location_en: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    # Booking rules
    slot_minutes: int = Field(default=30)
    min_minutes: int = Field(default=30)
    max_minutes: int = Field(default=240)
    advance_days: int = Field(default=30)
    needs_approval: bool = Field(default=False)
    # A training the member must have completed (trainings add the foreign key in their migration).
    required_training_id: int | None = Field(default=None)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class OpeningHours(SQLModel, table=True):
    """The hub's hours for one weekday (0 = Monday) in the hub's local time; no row = closed."""

    __tablename__ = "opening_hours"

    weekday: int = Field(primary_key=True)
    opens_minute: int  # minutes after local midnight
    closes_minute: int


class Closure(SQLModel, table=True):
    """The whole hub (space_id None) or one space closed from starts_at to ends_at."""

    __tablename__ = "closures"
    __table_args__ = (Index("ix_closures_ends_at", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    space_id: int | None = Field(default=None, foreign_key="spaces.id", index=True)
    kind: str = Field(default="maintenance", max_length=20)  # holiday | maintenance | other
    reason_id: str = Field(default="", max_length=200)
    reason_en: str = Field(default="", max_length=200)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
