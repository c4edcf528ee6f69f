"""insights: indexes for the figures of a period

services/insights counts, for a period and the one before it, who did what when: bookings made,
places taken, attendance, posts, ratings, sessions delivered, threads, reports and sign-ups. Each
index starts with the timestamp the period filters on and carries the columns the count needs, so
a period is an index range read at any size (see hub_app/models/insights_indexes.py).

Revision ID: 0009
Revises: 0008 (and needs 0003 and 0004: the forum and trainings tables)
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = ("0003", "0004")  # the forum and trainings tables (0008's line does not include them)

INDEXES = [
    ("bookings", "ix_bookings_created_kind_user", ["created_at", "kind", "user_id"]),
    ("enrolments", "ix_enrolments_created_user", ["created_at", "user_id"]),
    ("enrolments", "ix_enrolments_enrolled_user", ["enrolled_at", "user_id"]),
    ("enrolments", "ix_enrolments_rated", ["rated_at", "rating"]),
    ("training_attendance", "ix_training_attendance_created_user", ["created_at", "user_id"]),
    ("training_sessions", "ix_training_sessions_end", ["end_at", "training_id"]),
    ("forum_posts", "ix_forum_posts_created", ["created_at", "state", "author_id"]),
    ("forum_threads", "ix_forum_threads_created", ["created_at", "state"]),
    ("forum_reports", "ix_forum_reports_created", ["created_at"]),
    ("users", "ix_users_created_role", ["created_at", "role"]),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
