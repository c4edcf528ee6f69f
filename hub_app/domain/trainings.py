"""Rules of the entrepreneur support programme: enrolment window, capacity and waitlist, the
cancellation deadline, prerequisites, check-in window and completion. Pure: no reflex, no database.

The service feeds these functions what it read under a lock (the training row FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite) and writes back what they decide.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from hub_app.domain import seats
from hub_app.domain.errors import Conflict, InvalidInput

# The seat and waitlist rules are shared with events (domain/seats.py); trainings use them by these names.
from hub_app.domain.seats import promotions, seat_for_newcomer, seats_left, waitlist_position  # noqa: F401

TOPICS = ("digital_marketing", "finance", "permits", "export", "product", "technology")
LEVELS = ("beginner", "intermediate", "advanced")
LANGUAGES = ("id", "en", "both")  # language of delivery; "both" is bilingual
FORMATS = ("hub", "online", "hybrid")
FORMATS_AT_HUB = frozenset({"hub", "hybrid"})

DRAFT = "draft"
PUBLISHED = "published"
CANCELLED = "cancelled"
TRAINING_STATUSES = (DRAFT, PUBLISHED, CANCELLED)

# Enrolment states. A member has at most one enrolment row per training; it moves between states.
ENROLLED = "enrolled"
WAITLISTED = "waitlisted"
WITHDRAWN = "withdrawn"  # the member cancelled or left the waitlist
REMOVED = "removed"  # staff took the member off
ENROLMENT_STATUSES = (ENROLLED, WAITLISTED, WITHDRAWN, REMOVED)
ACTIVE_ENROLMENT = frozenset({ENROLLED, WAITLISTED})

MAX_CAPACITY = 500
MAX_SESSIONS = 30
MAX_SESSION_HOURS = 12
CHECK_IN_EARLY = timedelta(minutes=15)
LIMITS = {
    "title": 120,
    "description": 8000,
    "online_link": 300,
    "trainer_name": 100,
    "trainer_bio": 500,
    "comment": 1000,
    "query": 100,
}


@dataclass(frozen=True)
class Window:
    """When members may enrol, and until when they may cancel."""

    opens_at: datetime
    closes_at: datetime
    cancel_until: datetime


def check_window(window: Window, first_start: datetime | None) -> None:
    """Staff input: enrolment opens before it closes, closes and cancellation end by the first session."""
    if window.closes_at <= window.opens_at:
        raise InvalidInput("trainings.error.window_order", field="training.enrol_closes")
    if first_start is not None and window.closes_at > first_start:
        raise InvalidInput("trainings.error.closes_after_start", field="training.enrol_closes")
    if first_start is not None and window.cancel_until > first_start:
        raise InvalidInput("trainings.error.deadline_after_start", field="training.cancel_until")


def enrolment_open(window: Window, now: datetime) -> bool:
    return window.opens_at <= now < window.closes_at


def check_can_enrol(*, status: str, window: Window, now: datetime, existing: str | None,
                    missing_prerequisites: list[int]) -> None:
    """Raises the reason a member may not enrol (or join the waitlist) now."""
    if status != PUBLISHED:
        raise Conflict("trainings.error.not_open")
    if existing in ACTIVE_ENROLMENT:
        raise Conflict("trainings.error.already_enrolled" if existing == ENROLLED
                       else "trainings.error.already_waitlisted")
    if now < window.opens_at:
        raise Conflict("trainings.error.not_open_yet")
    if now >= window.closes_at:
        raise Conflict("trainings.error.closed")
    if missing_prerequisites:
        raise Conflict("trainings.error.prerequisites")


def check_cancel(*, status: str, window: Window, now: datetime) -> None:
    """A member cancels a seat only before the deadline (a waitlist place can be left any time)."""
    if status == ENROLLED and now >= window.cancel_until:
        raise Conflict("trainings.error.deadline_passed")
    if status not in ACTIVE_ENROLMENT:
        raise Conflict("trainings.error.not_enrolled")


def promotion_possible(*, training_status: str, first_start: datetime | None, now: datetime) -> bool:
    """Seats are handed on to the waitlist until the training starts, and only while it runs."""
    return training_status == PUBLISHED and (first_start is None or now < first_start)


def check_capacity_change(new_capacity: int, enrolled: int) -> None:
    if not seats.check_capacity_change(new_capacity, enrolled):
        raise Conflict("trainings.error.capacity_below_enrolled", enrolled=enrolled)


def missing_prerequisites(required: list[int], completed: set[int]) -> list[int]:
    return [training_id for training_id in required if training_id not in completed]


def sessions_needed(total_sessions: int, completion_share: int) -> int:
    """How many sessions a member must attend: the share (percent) of all, rounded up, at least one."""
    if total_sessions <= 0:
        return 0
    return max(1, ceil(total_sessions * completion_share / 100))


def has_completed(attended: int, total_sessions: int, completion_share: int) -> bool:
    needed = sessions_needed(total_sessions, completion_share)
    return needed > 0 and attended >= needed


def check_session_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput("trainings.error.session_order", field="training.session_end")
    if end - start > timedelta(hours=MAX_SESSION_HOURS):
        raise InvalidInput("trainings.error.session_too_long", field="training.session_end", hours=MAX_SESSION_HOURS)


def check_in_open(start: datetime, end: datetime, now: datetime) -> bool:
    """Members scan the session's code from 15 minutes before the start until its end."""
    return start - CHECK_IN_EARLY <= now <= end


def check_rating(stars: int) -> None:
    if not 1 <= stars <= 5:
        raise InvalidInput("trainings.error.rating_range", field="training.rating")
