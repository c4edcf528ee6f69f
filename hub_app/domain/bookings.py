"""Booking rules: pure functions, no reflex and no database. The service feeds them what it read
inside its locked transaction; the database enforces the overlap rule on its own as well.

Times are timezone-aware; UTC in, UTC out. Opening hours and the slot grid are the hub's local time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed
from hub_app.domain.opening_hours import (
    Period,
    closure_hit,
    day_bounds,
    opening_of,
    overlaps,
    within_opening_hours,
)

DESK_AREA = "desk_area"
MEETING_ROOM = "meeting_room"
COMMUNAL_ROOM = "communal_room"
EVENT_HALL = "event_hall"
SPACE_KINDS = (DESK_AREA, MEETING_ROOM, COMMUNAL_ROOM, EVENT_HALL)
ROOM_KINDS = frozenset({MEETING_ROOM, COMMUNAL_ROOM, EVENT_HALL})
AMENITIES = ("screen", "projector", "whiteboard", "video_call", "sound_system", "power_outlets", "wifi",
             "locker", "pantry", "wheelchair_access")

PENDING = "pending"
CONFIRMED = "confirmed"
DECLINED = "declined"
CANCELLED = "cancelled"
RELEASED = "released"
STATUSES = (PENDING, CONFIRMED, DECLINED, CANCELLED, RELEASED)
# Bookings in these states hold their slot (the exclusion constraint covers exactly these).
HOLDING = (PENDING, CONFIRMED)

MEMBER_BOOKING = "member"
TRAINING_BOOKING = "training"
EVENT_BOOKING = "event"
BLOCK_BOOKING = "block"
# Kinds that hold a whole space for a programme item (a training session, an event): made, moved
# and freed by the reservation interface of services/bookings.py, never by a member.
RESERVATION_KINDS = (TRAINING_BOOKING, EVENT_BOOKING)

CHECK_IN_BEFORE = timedelta(minutes=15)
CHECK_IN_AFTER = timedelta(minutes=15)
# Every booking lies inside one day; queries look this far back for bookings that overlap a window.
MAX_SPAN = timedelta(hours=24)

LIMITS = {"title": 120, "note": 500, "reason": 500, "name": 100, "description": 2000, "location": 100}


def is_room(kind: str) -> bool:
    return kind in ROOM_KINDS


@dataclass(frozen=True)
class SpaceRules:
    kind: str
    capacity: int
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 240
    advance_days: int = 30
    needs_approval: bool = False
    active: bool = True


@dataclass(frozen=True)
class Interval:
    """A slot-holding booking as the rules need it."""

    starts_at: datetime
    ends_at: datetime
    seats: int = 1


def aligned(moment: datetime, slot_minutes: int, tz: ZoneInfo) -> bool:
    """On the slot grid of the local day (10.00, 10.30 ... for 30-minute slots)."""
    local = moment.astimezone(tz)
    minutes = local.hour * 60 + local.minute
    return local.second == 0 and local.microsecond == 0 and minutes % slot_minutes == 0


def check_times(start: datetime, end: datetime, *, rules: SpaceRules, hours: dict[int, tuple[int, int]],
                closures: Iterable[Period], space_id: int, now: datetime, tz: ZoneInfo,
                staff: bool = False) -> None:
    """Raises the first broken rule about when a booking may be: order, past, horizon, grid,
    duration, opening hours, closures. Staff may book beyond the member horizon and length."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("error.date_invalid", field="start")
    if end <= start:
        raise InvalidInput("booking.error.end_before_start", field="end")
    if end - start > MAX_SPAN or start.astimezone(tz).date() != (end - timedelta(microseconds=1)).astimezone(tz).date():
        raise InvalidInput("booking.error.one_day", field="end")
    if start < now:
        raise InvalidInput("booking.error.past", field="start")
    if not staff and start > now + timedelta(days=rules.advance_days):
        raise InvalidInput("booking.error.too_far", field="start", days=rules.advance_days)
    if not (aligned(start, rules.slot_minutes, tz) and aligned(end, rules.slot_minutes, tz)):
        raise InvalidInput("booking.error.not_aligned", field="start", minutes=rules.slot_minutes)
    minutes = int((end - start).total_seconds() // 60)
    if minutes < rules.min_minutes:
        raise InvalidInput("booking.error.too_short", field="end", minutes=rules.min_minutes)
    if not staff and minutes > rules.max_minutes:
        raise InvalidInput("booking.error.too_long", field="end", minutes=rules.max_minutes)
    if not within_opening_hours(start, end, hours, tz):
        raise InvalidInput("booking.error.outside_hours", field="start")
    if closure_hit(start, end, space_id, closures) is not None:
        raise Conflict("booking.error.closed")


def peak_seats(intervals: Iterable[Interval], start: datetime, end: datetime) -> int:
    """The most seats taken at any one moment inside [start, end) (sweep over start/end points)."""
    events = []
    for interval in intervals:
        if overlaps(start, end, interval.starts_at, interval.ends_at):
            events.append((max(interval.starts_at, start), 1, interval.seats))
            events.append((min(interval.ends_at, end), 0, -interval.seats))
    peak = taken = 0
    # Ends (0) sort before starts (1) at the same instant: back-to-back bookings do not add up.
    for _moment, _order, delta in sorted(events):
        taken += delta
        peak = max(peak, taken)
    return peak


def check_room_free(intervals: Iterable[Interval], start: datetime, end: datetime) -> None:
    if any(overlaps(start, end, i.starts_at, i.ends_at) for i in intervals):
        raise Conflict("booking.error.slot_taken")


def check_seats(intervals: Iterable[Interval], start: datetime, end: datetime, *, seats: int, capacity: int) -> None:
    """Desk areas: overlapping bookings never take more seats than the area has."""
    left = capacity - peak_seats(intervals, start, end)
    if seats > left:
        raise Conflict("booking.error.no_seats", left=max(left, 0))


def check_people(people: int, rules: SpaceRules) -> None:
    if people < 1 or people > rules.capacity:
        raise InvalidInput("booking.error.over_capacity", capacity=rules.capacity)


def check_availability(intervals: list[Interval], start: datetime, end: datetime, *, rules: SpaceRules,
                       seats: int) -> None:
    if is_room(rules.kind):
        check_room_free(intervals, start, end)
    else:
        check_seats(intervals, start, end, seats=seats, capacity=rules.capacity)


# Quotas -------------------------------------------------------------------------------------

def week_window(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local Monday-to-Monday week containing `moment`, in UTC."""
    local_day = moment.astimezone(tz).date()
    monday = local_day - timedelta(days=local_day.weekday())
    return day_bounds(monday, tz)[0], day_bounds(monday + timedelta(days=6), tz)[1]


def hours_in_window(intervals: Iterable[Interval], window: tuple[datetime, datetime]) -> float:
    """Hours of the intervals that fall inside the window."""
    total = timedelta()
    for interval in intervals:
        start, end = max(interval.starts_at, window[0]), min(interval.ends_at, window[1])
        if end > start:
            total += end - start
    return total.total_seconds() / 3600


@dataclass(frozen=True)
class Quota:
    hours_per_week: int
    upcoming_bookings: int


def check_quota(*, existing: list[Interval], new: list[Interval], upcoming_count: int, quota: Quota,
                tz: ZoneInfo) -> None:
    """existing: the member's slot-holding bookings (around the new ones' weeks); upcoming_count: how
    many of them have not ended yet. The new bookings must keep both quotas."""
    if upcoming_count + len(new) > quota.upcoming_bookings:
        raise Conflict("booking.error.quota_upcoming", count=quota.upcoming_bookings)
    for interval in new:
        window = week_window(interval.starts_at, tz)
        used = hours_in_window([*existing, *new], window)
        if used > quota.hours_per_week + 1e-9:
            raise Conflict("booking.error.quota_hours", hours=quota.hours_per_week)


# Check-in and release ------------------------------------------------------------------------

def check_in_window(starts_at: datetime) -> tuple[datetime, datetime]:
    return starts_at - CHECK_IN_BEFORE, starts_at + CHECK_IN_AFTER


def check_check_in(*, status: str, starts_at: datetime, checked_in_at: datetime | None, now: datetime) -> None:
    if status != CONFIRMED:
        raise Conflict("booking.error.not_confirmed")
    if checked_in_at is not None:
        raise Conflict("booking.error.already_checked_in")
    opens, closes = check_in_window(starts_at)
    if not opens <= now <= closes:
        raise Conflict("booking.error.check_in_window")


def due_for_release(*, kind: str, status: str, starts_at: datetime, checked_in_at: datetime | None,
                    now: datetime) -> bool:
    """A member's confirmed booking not checked in 15 minutes after its start is released."""
    return (kind == MEMBER_BOOKING and status == CONFIRMED and checked_in_at is None
            and now > starts_at + CHECK_IN_AFTER)


def release_cutoff(now: datetime) -> datetime:
    """Bookings that started before this instant and are not checked in are due for release."""
    return now - CHECK_IN_AFTER


def check_cancel(*, status: str, starts_at: datetime, now: datetime, staff: bool) -> None:
    """Members cancel until the start; staff may cancel any booking that still holds its slot."""
    if status not in HOLDING:
        raise Conflict("booking.error.not_cancellable")
    if not staff and now >= starts_at:
        raise Conflict("booking.error.started")


def may_manage_bookings(actor) -> bool:
    """Staff run the floor: approve, decline, book on behalf, block, manage spaces."""
    return actor is not None and actor.is_staff and actor.is_active


def may_book_space(*, active: bool, staff: bool, required_training_id: int | None,
                   training_completed: bool | None) -> None:
    """training_completed: None when no trainings check is registered."""
    if not active:
        raise NotAllowed("booking.error.space_inactive")
    if required_training_id is not None and not staff and not training_completed:
        raise NotAllowed("booking.error.training_required")


def slots_of_day(day: date, hours: dict[int, tuple[int, int]], slot_minutes: int,
                 tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The slot grid of a local day within opening hours, as UTC (start, end) pairs."""
    opening = opening_of(day, hours, tz)
    if opening is None:
        return []
    step = timedelta(minutes=slot_minutes)
    slots, moment = [], opening[0]
    while moment + step <= opening[1]:
        slots.append((moment, moment + step))
        moment += step
    return slots


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# --- choosing a time on a phone -------------------------------------------------------------------

DURATION_CHOICES = (30, 60, 90, 120)
DEFAULT_DURATION = 60


def durations_for(min_minutes: int, max_minutes: int) -> list[int]:
    """The duration chips a space's rules allow."""
    return [minutes for minutes in DURATION_CHOICES if min_minutes <= minutes <= max_minutes]


def length_for(wanted: int, *, min_minutes: int, max_minutes: int, slot_minutes: int) -> int:
    """The booking length (minutes) to look for in a space: the chosen duration, kept inside the
    space's minimum and maximum and rounded up to whole slots."""
    minutes = min(max(wanted, min_minutes), max(max_minutes, min_minutes))
    slots = -(-minutes // max(slot_minutes, 1))
    return slots * max(slot_minutes, 1)


def free_starts(*, opening: tuple[datetime, datetime], step: timedelta, length: timedelta, now: datetime,
                holding: list[Interval], capacity: int, exclusive: bool,
                closed: list[tuple[datetime, datetime]]) -> list[datetime]:
    """Start times at which [start, start + length) can still be booked in one space: inside the
    day's opening, not begun, not closed, and free (a room: no holding booking overlaps it; a desk
    area: a seat stays free all the way through)."""
    starts = []
    moment = opening[0]
    while moment + length <= opening[1]:
        end = moment + length
        if moment >= now and not any(overlaps(moment, end, c_start, c_end) for c_start, c_end in closed):
            if exclusive:
                free = not any(overlaps(moment, end, i.starts_at, i.ends_at) for i in holding)
            else:
                free = peak_seats(holding, moment, end) < capacity
            if free:
                starts.append(moment)
        moment += step
    return starts
