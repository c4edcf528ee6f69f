"""The hub's opening hours per weekday (local time) and closures: pure rules, no database."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Weekday (0 = Monday) -> (opens, closes) in minutes after local midnight.
DEFAULT_HOURS: dict[int, tuple[int, int]] = {
    0: (8 * 60, 20 * 60), 1: (8 * 60, 20 * 60), 2: (8 * 60, 20 * 60), 3: (8 * 60, 20 * 60),
    4: (8 * 60, 20 * 60), 5: (9 * 60, 15 * 60),
}


@dataclass(frozen=True)
class Period:
    """A closure or a busy interval, in UTC; space_id None means the whole hub."""

    starts_at: datetime
    ends_at: datetime
    space_id: int | None = None


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which the local day starts and ends."""
    return (local_midnight(day, tz).astimezone(UTC), local_midnight(day + timedelta(days=1), tz).astimezone(UTC))


def opening_of(day: date, hours: dict[int, tuple[int, int]], tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """(opens, closes) of that local day in UTC, or None when the hub is closed that weekday."""
    span = hours.get(day.weekday())
    if span is None or span[1] <= span[0]:
        return None
    midnight = local_midnight(day, tz)
    return ((midnight + timedelta(minutes=span[0])).astimezone(UTC),
            (midnight + timedelta(minutes=span[1])).astimezone(UTC))


def within_opening_hours(start: datetime, end: datetime, hours: dict[int, tuple[int, int]], tz: ZoneInfo) -> bool:
    """True when [start, end) lies inside one day's opening hours."""
    day = start.astimezone(tz).date()
    opening = opening_of(day, hours, tz)
    return opening is not None and opening[0] <= start and end <= opening[1]


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Half-open intervals: a booking ending at 10.00 does not overlap one starting at 10.00."""
    return start < other_end and other_start < end


def closure_hit(start: datetime, end: datetime, space_id: int, closures: Iterable[Period]) -> Period | None:
    """The first closure (whole hub or this space) overlapping [start, end), if any."""
    for closure in closures:
        if closure.space_id in (None, space_id) and overlaps(start, end, closure.starts_at, closure.ends_at):
            return closure
    return None


def whole_day(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A closure covering a local calendar day (a public holiday)."""
    return day_bounds(day, tz)


def closed_all_day(opening: tuple[datetime, datetime], hub_closures: Iterable[Period]) -> Period | None:
    """The whole-hub closure that covers a day's entire opening (a public holiday), if any."""
    for closure in hub_closures:
        if closure.space_id is None and closure.starts_at <= opening[0] and opening[1] <= closure.ends_at:
            return closure
    return None


def first_bookable_day(*, today: date, now: datetime, hours: dict[int, tuple[int, int]],
                       hub_closures: list[Period], tz: ZoneInfo, shortest: timedelta,
                       horizon: int = 14) -> tuple[date, str]:
    """The first local day from today on with time left to book, and why today was skipped:
    "" (it was not), "closed" (the hub does not open that weekday), "closure" (closed all day, e.g. a
    public holiday) or "over" (today's opening hours have passed)."""
    reason = ""
    for offset in range(horizon):
        day = today + timedelta(days=offset)
        opening = opening_of(day, hours, tz)
        if opening is None:
            why = "closed"
        elif closed_all_day(opening, hub_closures) is not None:
            why = "closure"
        elif max(opening[0], now) + shortest > opening[1]:
            why = "over"
        else:
            return day, reason
        if offset == 0:
            reason = why
    return today, ""
