"""The hub's public events (meetups, demo days, sessions with the Berlin partners) and the
registrations of members and guests, with tickets for the door.

Capacity holds in the database: `registered_count` and `waitlist_count` change only in the
transaction that holds the event row (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), and a
CHECK constraint refuses any write that would seat more people than there are seats. A partial
unique index allows one live registration per member and per guest email in an event.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, String, text
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow

# The registrations that count as someone's place in an event (not cancelled).
_LIVE = "status <> 'cancelled'"


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("registered_count >= 0 AND registered_count <= capacity", name="ck_events_seats"),
        CheckConstraint("waitlist_count >= 0", name="ck_events_waitlist"),
        CheckConstraint("ends_at > starts_at", name="ck_events_order"),
        # /events: published events by start, keyset on (starts_at, id).
        Index("ix_events_status_starts", "status", "starts_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title_id: str = Field(default="", max_length=120)
    title_en: str = Field(default="", max_length=120)
    description_id: str = Field(default="", max_length=8000)  # Markdown, like trainings
    description_en: str = Field(default="", max_length=8000)
    # Generated file name under the upload folder "events" (served from /media/events/...).
    photo: str = Field(default="", max_length=80)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    place: str = Field(default="space", max_length=10)  # space | online
    space_id: int | None = Field(default=None, foreign_key="spaces.id")
    booking_id: int | None = Field(default=None, foreign_key="bookings.id")  # the space's reservation
    online_url: str = Field(default="", max_length=300)  # shown only to registered people
    capacity: int
    audience: str = Field(default="everyone", max_length=10)  # members | everyone
    status: str = Field(default="draft", max_length=10)  # draft | published | cancelled
    cancel_reason: str = Field(default="", max_length=500)
    registered_count: int = Field(default=0)
    waitlist_count: int = Field(default=0)
    next_queue_number: int = Field(default=1)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class EventRegistration(SQLModel, table=True):
    """A member's or a guest's place in an event: a seat (registered), a place in the queue
    (waitlisted), a guest's request waiting for the email confirmation (unconfirmed, no seat and no
    queue place yet) or cancelled."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        # The seats and the queue of an event, in order (promotion, roster, seats left).
        Index("ix_event_registrations_event_status_queue", "event_id", "status", "queue_number"),
        Index("ix_event_registrations_user", "user_id", "event_id"),
        Index("ix_event_registrations_guest_email", "guest_email"),
        Index("uq_event_registrations_member", "event_id", "user_id", unique=True,
              sqlite_where=text(f"user_id IS NOT NULL AND {_LIVE}"),
              postgresql_where=text(f"user_id IS NOT NULL AND {_LIVE}")),
        Index("uq_event_registrations_guest", "event_id", "guest_email", unique=True,
              sqlite_where=text(f"user_id IS NULL AND guest_email <> '' AND {_LIVE}"),
              postgresql_where=text(f"user_id IS NULL AND guest_email <> '' AND {_LIVE}")),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id")
    user_id: int | None = Field(default=None, foreign_key="users.id")  # None for guests
    guest_name: str = Field(default="", max_length=100)
    guest_email: str = Field(default="", max_length=254)  # lower-case; "" for members and once erased
    guest_organisation: str = Field(default="", max_length=120)
    locale: str = Field(default="id", max_length=5)  # the language of the mails
    status: str = Field(max_length=12)  # unconfirmed | registered | waitlisted | cancelled
    # Order on the waitlist: taken from events.next_queue_number under the event's lock.
    queue_number: int = Field(default=0)
    # 10 Crockford base32 characters (shown as XXXXX-XXXXX), random: the ticket at the door.
    ticket_code: str = Field(sa_column=Column(String(10), unique=True, nullable=False))
    # Keyed SHA-256 of the guest's email links; the raw tokens exist only in the email.
    confirm_token_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    cancel_token_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    confirm_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    checked_in_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    checked_in_by: int | None = Field(default=None, foreign_key="users.id")
    walk_in: bool = Field(default=False)
    reminded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    promoted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    guest_data_erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
