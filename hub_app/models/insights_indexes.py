"""Indexes the insights (services/insights) read by, declared here on the tables they serve so the
feature's read paths stay together (migrations 0009 and 0015 create them). Each starts with the timestamp a
period filters on and carries the columns the grouped count needs, so a period is an index range
read, not a scan of the whole table."""

from sqlalchemy import Index

from hub_app.models.accounts import User
from hub_app.models.bookings import Booking
from hub_app.models.forum import ForumPost, ForumReport, ForumThread
from hub_app.models.trainings import Attendance, Enrolment, TrainingSession

INDEXES = (
    # Active members: who made a booking, took a place, attended, posted in the period.
    Index("ix_bookings_created_kind_user", Booking.__table__.c.created_at, Booking.__table__.c.kind,
          Booking.__table__.c.user_id),
    Index("ix_enrolments_created_user", Enrolment.__table__.c.created_at, Enrolment.__table__.c.user_id),
    Index("ix_enrolments_enrolled_user", Enrolment.__table__.c.enrolled_at, Enrolment.__table__.c.user_id),
    Index("ix_training_attendance_created_user", Attendance.__table__.c.created_at, Attendance.__table__.c.user_id),
    Index("ix_forum_posts_created", ForumPost.__table__.c.created_at, ForumPost.__table__.c.state,
          ForumPost.__table__.c.author_id),
    # Ratings given, sessions delivered, threads and reports made, sign-ups in the period.
    Index("ix_enrolments_rated", Enrolment.__table__.c.rated_at, Enrolment.__table__.c.rating),
    Index("ix_training_sessions_end", TrainingSession.__table__.c.end_at, TrainingSession.__table__.c.training_id),
    Index("ix_forum_threads_created", ForumThread.__table__.c.created_at, ForumThread.__table__.c.state),
    Index("ix_forum_reports_created", ForumReport.__table__.c.created_at),
    Index("ix_users_created_role", User.__table__.c.created_at, User.__table__.c.role),
    # Waitlist demand: a training's places never seated (migration 0015), not all its enrolments.
    Index("ix_enrolments_never_seated", Enrolment.__table__.c.training_id, Enrolment.__table__.c.status,
          sqlite_where=Enrolment.__table__.c.enrolled_at.is_(None),
          postgresql_where=Enrolment.__table__.c.enrolled_at.is_(None)),
)
