"""events: the hub's public events, registrations of members and guests, bookings.event_id

An event at the hub holds its space through a booking of kind "event" (like a training session),
so the bookings' rules (the PostgreSQL exclusion constraint, BEGIN IMMEDIATE on SQLite) keep an
event and a booking out of the same room at the same time. bookings.event_id is added with ADD
COLUMN (not a batch table copy, which would drop the insights triggers of 0011 on SQLite).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa

from alembic import op
from hub_app.models.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LIVE = "status <> 'cancelled'"


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.String(length=120), nullable=False),
        sa.Column("title_en", sa.String(length=120), nullable=False),
        sa.Column("description_id", sa.String(length=8000), nullable=False),
        sa.Column("description_en", sa.String(length=8000), nullable=False),
        sa.Column("photo", sa.String(length=80), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("place", sa.String(length=10), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("online_url", sa.String(length=300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.Column("registered_count", sa.Integer(), nullable=False),
        sa.Column("waitlist_count", sa.Integer(), nullable=False),
        sa.Column("next_queue_number", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("registered_count >= 0 AND registered_count <= capacity", name="ck_events_seats"),
        sa.CheckConstraint("waitlist_count >= 0", name="ck_events_waitlist"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_events_order"),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"]),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_events_status_starts", "events", ["status", "starts_at", "id"])

    op.create_table(
        "event_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("guest_name", sa.String(length=100), nullable=False),
        sa.Column("guest_email", sa.String(length=254), nullable=False),
        sa.Column("guest_organisation", sa.String(length=120), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("queue_number", sa.Integer(), nullable=False),
        sa.Column("ticket_code", sa.String(length=10), nullable=False),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=True),
        sa.Column("cancel_token_hash", sa.String(length=64), nullable=True),
        sa.Column("confirm_expires_at", UTCDateTime(), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("promoted_at", UTCDateTime(), nullable=True),
        sa.Column("guest_data_erased_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["checked_in_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_code"),
        sa.UniqueConstraint("confirm_token_hash"),
        sa.UniqueConstraint("cancel_token_hash"),
    )
    op.create_index("ix_event_registrations_event_status_queue", "event_registrations",
                    ["event_id", "status", "queue_number"])
    op.create_index("ix_event_registrations_user", "event_registrations", ["user_id", "event_id"])
    op.create_index("ix_event_registrations_guest_email", "event_registrations", ["guest_email"])
    member_where = f"user_id IS NOT NULL AND {LIVE}"
    guest_where = f"user_id IS NULL AND guest_email <> '' AND {LIVE}"
    op.create_index("uq_event_registrations_member", "event_registrations", ["event_id", "user_id"], unique=True,
                    sqlite_where=sa.text(member_where), postgresql_where=sa.text(member_where))
    op.create_index("uq_event_registrations_guest", "event_registrations", ["event_id", "guest_email"], unique=True,
                    sqlite_where=sa.text(guest_where), postgresql_where=sa.text(guest_where))

    op.add_column("bookings", sa.Column("event_id", sa.Integer(), nullable=True))
    op.create_index("ix_bookings_event_id", "bookings", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_bookings_event_id", table_name="bookings")
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.drop_column("event_id")
    op.drop_table("event_registrations")
    op.drop_table("events")
