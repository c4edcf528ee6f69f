"""Rules of the hub's public events: who may register when, the guests' email confirmation,
tickets and the door, reminders and how long guests' data is kept. Pure: no reflex, no database.

Seats and the waitlist follow the same rules as training enrolments (domain/seats.py). A guest's
registration holds no seat and no queue place until the guest confirms it by the emailed link: a
seat is taken (or a queue number drawn) at confirmation, so unconfirmed requests, which may never
be confirmed, cannot keep members out of a full event.
"""

import re
import secrets
from datetime import datetime, timedelta

import segno

from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed

DRAFT = "draft"
PUBLISHED = "published"
CANCELLED = "cancelled"
EVENT_STATUSES = (DRAFT, PUBLISHED, CANCELLED)

AT_SPACE = "space"
ONLINE = "online"
PLACES = (AT_SPACE, ONLINE)

MEMBERS_ONLY = "members"
EVERYONE = "everyone"
AUDIENCES = (MEMBERS_ONLY, EVERYONE)

# Registration states: one row per person and event, moving between them.
UNCONFIRMED = "unconfirmed"  # a guest who has not yet followed the email link: no seat
REGISTERED = "registered"  # holds a seat
WAITLISTED = "waitlisted"  # holds a place in the queue
REG_CANCELLED = "cancelled"
REGISTRATION_STATUSES = (UNCONFIRMED, REGISTERED, WAITLISTED, REG_CANCELLED)
LIVE = frozenset({UNCONFIRMED, REGISTERED, WAITLISTED})
PLACE_HOLDING = frozenset({REGISTERED, WAITLISTED})

MAX_CAPACITY = 2000
MAX_EVENT_HOURS = 12  # an event at a space is one booking, at most a day
CONFIRM_VALID = timedelta(hours=24)
REMINDER_LEAD = timedelta(hours=24)
# The door opens this long before the start and closes this long after the end.
DOOR_OPENS = timedelta(hours=3)
DOOR_CLOSES = timedelta(hours=1)
DEFAULT_GUEST_RETENTION_DAYS = 30
LIMITS = {
    "title": 120,
    "description": 8000,
    "online_url": 300,
    "name": 100,
    "email": 254,
    "organisation": 120,
    "reason": 500,
}

# Ticket codes: Crockford's base32 (no I, L, O, U), 10 characters = 50 random bits.
TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_LENGTH = 10
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_TICKET = re.compile(f"^[{TICKET_ALPHABET}]{{{TICKET_LENGTH}}}$")


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def ticket_label(code: str) -> str:
    """How a code is printed and read out: XXXXX-XXXXX."""
    return f"{code[:5]}-{code[5:]}" if len(code) == TICKET_LENGTH else code


def normalise_ticket(value: object) -> str:
    """A code typed at the door or scanned from the QR: case, dashes and spaces do not matter, and
    O/I/L read as 0/1 (Crockford). Refuses anything that cannot be a code."""
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInput("events.error.ticket_format", field="event.code")
    code = re.sub(r"[\s\-]", "", value).upper().translate(_READ_AS)
    if not _TICKET.match(code):
        raise InvalidInput("events.error.ticket_format", field="event.code")
    return code


def check_event_times(starts_at: datetime, ends_at: datetime, *, now: datetime | None = None) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("events.error.end_before_start", field="event.ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_EVENT_HOURS):
        raise InvalidInput("events.error.too_long", field="event.ends_at", hours=MAX_EVENT_HOURS)
    if now is not None and starts_at <= now:
        raise InvalidInput("events.error.in_past", field="event.starts_at")


def check_place(place: str, *, space_id: int | None, online_url: str) -> None:
    if place == AT_SPACE and not space_id:
        raise InvalidInput("events.error.space_required", field="event.space_id")
    if place == ONLINE and not online_url:
        raise InvalidInput("error.field_required", field="event.online_url")


def check_online_url(url: str) -> None:
    if url and not url.startswith("https://"):
        raise InvalidInput("events.error.url_https", field="event.online_url")


def registration_open(*, status: str, starts_at: datetime, now: datetime) -> bool:
    return status == PUBLISHED and now < starts_at


def check_can_register(*, status: str, audience: str, starts_at: datetime, now: datetime, guest: bool) -> None:
    """Raises why nobody (or no guest) may register now."""
    if status == CANCELLED:
        raise Conflict("events.error.cancelled")
    if status != PUBLISHED:
        raise Conflict("events.error.not_found")
    if now >= starts_at:
        raise Conflict("events.error.started")
    if guest and audience != EVERYONE:
        raise NotAllowed("events.error.members_only")


def check_confirm(*, status: str, confirmed: bool, expires_at: datetime | None, now: datetime) -> None:
    """A guest's confirmation link works once, within CONFIRM_VALID of being sent. A link never
    used whose request has since expired says so, not "used"."""
    if not confirmed and (expires_at is None or now >= expires_at):
        raise Conflict("events.error.link_expired")
    if status != UNCONFIRMED:
        raise Conflict("events.error.link_used")


def check_cancel(*, status: str, starts_at: datetime, now: datetime) -> None:
    if status not in LIVE:
        raise Conflict("events.error.already_cancelled")
    if now >= starts_at:
        raise Conflict("events.error.started")


def promotion_possible(*, status: str, starts_at: datetime, now: datetime) -> bool:
    """Freed seats go to the waitlist until the event starts."""
    return status == PUBLISHED and now < starts_at


def door_open(*, starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at - DOOR_OPENS <= now <= ends_at + DOOR_CLOSES


def check_door(*, event_status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if event_status != PUBLISHED:
        raise Conflict("events.error.cancelled" if event_status == CANCELLED else "events.error.not_found")
    if not door_open(starts_at=starts_at, ends_at=ends_at, now=now):
        raise Conflict("events.error.door_closed")


def check_ticket(*, registration_event_id: int, event_id: int, status: str) -> None:
    """A ticket gets in only at its own event, and only with a seat."""
    if registration_event_id != event_id:
        raise Conflict("events.error.ticket_other_event")
    if status == WAITLISTED:
        raise Conflict("events.error.ticket_waitlisted")
    if status != REGISTERED:
        raise Conflict("events.error.ticket_not_valid")


def reminder_due(*, starts_at: datetime, now: datetime) -> bool:
    """Reminders go out in the day before the start (a registration made inside that day gets its
    confirmation instead, and is marked reminded when it is made)."""
    return starts_at - REMINDER_LEAD <= now < starts_at


def erasure_cutoff(now: datetime, retention_days: int) -> datetime:
    """Events that ended before this moment have their guests' data erased."""
    return now - timedelta(days=max(retention_days, 0))


def ticket_qr_svg(ticket_code: str) -> str:
    """The ticket's QR (the code without its dash, what the door reads) as an SVG data: URI for an
    <img>. Always a full QR code: for a text this short segno.make would choose a Micro QR, which
    phone cameras, BarcodeDetector and jsQR do not read."""
    code = ticket_code.replace("-", "")
    return segno.make_qr(code, error="m").svg_data_uri(scale=6, border=4, dark="#0b2f3a") if code else ""
