"""The entrepreneur support programme: trainings, their sessions and trainers, enrolments (with
the waitlist), attendance and ratings.

Capacity holds in the database: `enrolled_count` is changed only in the transaction that holds
the training row (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), and a CHECK constraint
refuses any write that would seat more members than there are seats.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow


class Trainer(SQLModel, table=True):
    __tablename__ = "trainers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    bio_id: str = Field(default="", max_length=500)
    bio_en: str = Field(default="", max_length=500)
    # Generated file name under the upload folder "trainers" (served from /media/trainers/...).
    photo_file: str = Field(default="", max_length=80)
    # A trainer may also be a member of the portal (mentors often are).
    user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Training(SQLModel, table=True):
    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint("enrolled_count >= 0 AND enrolled_count <= capacity", name="ck_trainings_seats"),
        CheckConstraint("waitlist_count >= 0", name="ck_trainings_waitlist"),
        CheckConstraint("completion_share >= 1 AND completion_share <= 100", name="ck_trainings_share"),
        # The catalogue: published trainings by first session, keyset on (starts_at, id).
        Index("ix_trainings_catalogue", "status", "starts_at", "id"),
        Index("ix_trainings_status_ends", "status", "ends_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title_id: str = Field(default="", max_length=120)
    title_en: str = Field(default="", max_length=120)
    description_id: str = Field(default="", max_length=8000)
    description_en: str = Field(default="", max_length=8000)
    topic: str = Field(max_length=30)
    level: str = Field(max_length=20)
    language: str = Field(max_length=5)
    format: str = Field(max_length=10)
    online_link: str = Field(default="", max_length=300)
    capacity: int
    enrolled_count: int = Field(default=0)
    waitlist_count: int = Field(default=0)
    next_queue_number: int = Field(default=1)
    completion_share: int = Field(default=100)
    enrol_opens_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    enrol_closes_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    cancel_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # First session start and last session end, kept in step with the sessions for the catalogue.
    starts_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    session_count: int = Field(default=0)
    status: str = Field(default="draft", max_length=10)
    # Lower-cased titles, both languages, for the catalogue's text search.
    search_text: str = Field(default="", max_length=600)
    cancel_reason: str = Field(default="", max_length=500)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class TrainingTrainer(SQLModel, table=True):
    __tablename__ = "training_trainers"

    training_id: int = Field(foreign_key="trainings.id", primary_key=True)
    trainer_id: int = Field(foreign_key="trainers.id", primary_key=True, index=True)
    position: int = Field(default=0)


class TrainingPrerequisite(SQLModel, table=True):
    __tablename__ = "training_prerequisites"

    training_id: int = Field(foreign_key="trainings.id", primary_key=True)
    required_training_id: int = Field(foreign_key="trainings.id", primary_key=True, index=True)


class TrainingSession(SQLModel, table=True):
    """One meeting of a training. At the hub it holds a booking of its space."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ck_training_sessions_order"),
        Index("ix_training_sessions_training_start", "training_id", "start_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = Field(foreign_key="trainings.id")
    start_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    end_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    space_id: int | None = Field(default=None, foreign_key="spaces.id")
    booking_id: int | None = Field(default=None, foreign_key="bookings.id")
    # Secret in the session's QR code: scanning it during the session checks the member in.
    check_in_code: str = Field(sa_column=Column(String(32), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Enrolment(SQLModel, table=True):
    """A member's place in a training: a seat (enrolled) or a place in the queue (waitlisted)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("training_id", "user_id", name="uq_enrolments_training_user"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="ck_enrolments_rating"),
        Index("ix_enrolments_training_status_queue", "training_id", "status", "queue_number"),
        Index("ix_enrolments_user_status", "user_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = Field(foreign_key="trainings.id")
    user_id: int = Field(foreign_key="users.id")
    status: str = Field(max_length=12)
    # Order on the waitlist: taken from trainings.next_queue_number under the training's lock.
    queue_number: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    enrolled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    promoted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    rating: int | None = Field(default=None)
    rating_comment: str = Field(default="", max_length=1000)
    rated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Attendance(SQLModel, table=True):
    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_training_attendance_session_user"),
                      Index("ix_training_attendance_user", "user_id"))

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="training_sessions.id")
    user_id: int = Field(foreign_key="users.id")
    method: str = Field(max_length=10)  # staff | qr
    marked_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
