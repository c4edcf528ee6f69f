"""Rollups of the insights (services/insights/rollups.py builds and reads them; migration 0011
creates them with the triggers that keep insight_dirty_days). Every table is keyed by the hub's
LOCAL day first, so a period is an index range; sums are whole seconds and counts, so adding days
is exact."""

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from hub_app.models.trainings import TrainingSession

# The waitlist demand starts from the sessions that start in the period (migration 0011).
SESSION_START_INDEX = Index("ix_training_sessions_start", TrainingSession.__table__.c.start_at,
                            TrainingSession.__table__.c.training_id)


# On SQLite the day rollups are stored in their key's order (WITHOUT ROWID): a period is one read.
CLUSTERED = {"sqlite_with_rowid": False}


class InsightDirtyDay(SQLModel, table=True):
    """A UTC date on which a row that feeds the rollups was inserted, changed or deleted (written by
    database triggers on bookings, enrolments, attendance, forum posts and members' sector/stage).
    One mark per change (migration 0017): a builder deletes only the marks it read, so a writer
    never waits for one, and a change it could not see yet keeps its mark for the next round."""

    __tablename__ = "insight_dirty_days"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)


class InsightRollupState(SQLModel, table=True):
    """The one row (id 1) saying which local days the rollups hold: first_day..last_day, both
    inclusive (None before the first build). Builders lock it (and the dirty days) to take turns."""

    __tablename__ = "insight_rollup_state"

    id: int = Field(primary_key=True)
    first_day: date | None = Field(default=None)
    last_day: date | None = Field(default=None)


class InsightSpaceDay(SQLModel, table=True):
    """Per local day and space: seconds of counted bookings inside the day (and seat-seconds), and
    the member bookings starting that day: all, checked in, no-shows, and of those confirmed or
    released ("final": once they have ended they are the check-in rate's bookings)."""

    __tablename__ = "insight_space_days"
    __table_args__ = CLUSTERED

    day: date = Field(primary_key=True)
    space_id: int = Field(primary_key=True)
    seconds: int = Field(default=0)
    seat_seconds: int = Field(default=0)
    bookings: int = Field(default=0)
    checked_in: int = Field(default=0)
    no_shows: int = Field(default=0)
    final: int = Field(default=0)
    final_checked_in: int = Field(default=0)
    final_no_shows: int = Field(default=0)


class InsightHourDay(SQLModel, table=True):
    """Per local day and local hour: seconds of counted bookings (each booking once) in that hour;
    weekday (Monday = 0) kept so the heat map groups without date functions."""

    __tablename__ = "insight_hour_days"
    __table_args__ = CLUSTERED

    day: date = Field(primary_key=True)
    hour: int = Field(primary_key=True)
    weekday: int = Field(default=0)
    seconds: int = Field(default=0)


class InsightSectorDay(SQLModel, table=True):
    """Per local day, sector and stage of the member ("" when not given): counted member bookings
    starting that day."""

    __tablename__ = "insight_sector_days"
    __table_args__ = CLUSTERED

    day: date = Field(primary_key=True)
    sector: str = Field(primary_key=True, max_length=40)
    stage: str = Field(primary_key=True, max_length=40)
    bookings: int = Field(default=0)


class InsightProgrammeDay(SQLModel, table=True):
    """Per local day, of published trainings: sessions that end that day, the seats of their
    trainings (enrolled_count) and their attendances; seats taken that day (enrolled_at); seated
    enrolments of trainings that end that day and of them the completed; ratings given that day
    (rated_at), their number and sum."""

    __tablename__ = "insight_programme_days"
    __table_args__ = CLUSTERED

    day: date = Field(primary_key=True)
    sessions: int = Field(default=0)
    seats: int = Field(default=0)
    attendances: int = Field(default=0)
    seated: int = Field(default=0)
    ended_enrolled: int = Field(default=0)
    ended_completed: int = Field(default=0)
    ratings: int = Field(default=0)
    rating_sum: int = Field(default=0)


ACTIVE = "active"  # did something that makes a member active (see services/insights)
POSTED = "posted"  # wrote a forum post that is not deleted


class InsightMemberMonth(SQLModel, table=True):
    """Per kind of activity (ACTIVE, POSTED), local month (its first day) and account: the days of
    that month with such activity, one bit each (bit 0 = the 1st); the account's previous month
    with it and that month's bits (so a period's distinct members are the rows that are each
    member's first in the period: a plain count); and the account's role, sector and stage, kept
    equal to the users row by a trigger (migration 0011)."""

    __tablename__ = "insight_member_months"
    # Covering, and grouped: a month's count by sector and stage reads the index alone, in order.
    __table_args__ = (Index("ix_insight_member_months_by_segment", "kind", "role", "month", "sector", "stage",
                            "before_month", "before_days", "days"),)

    kind: str = Field(primary_key=True, max_length=10)
    month: date = Field(primary_key=True)
    user_id: int = Field(primary_key=True)
    days: int = Field(default=0)
    before_month: date | None = Field(default=None)
    before_days: int | None = Field(default=None)
    role: str = Field(default="", max_length=10)
    sector: str = Field(default="", max_length=40)
    stage: str = Field(default="", max_length=40)
