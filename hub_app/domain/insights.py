"""Rules of the hub's insights (/admin/insights, the exports and the monthly report): periods in
the hub's local days, rates and changes, hours of a booking inside a period, the weekday x hour heat
map and peak hours, open hours from the opening hours and closures. Pure: no reflex, no database.

Times are timezone-aware; UTC in, UTC out. A period is a run of whole local days (WIB); its UTC
bounds are half-open, [first day 00.00, the day after the last day 00.00).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub_app.domain.errors import InvalidInput
from hub_app.domain.opening_hours import day_bounds, opening_of

THIS_WEEK = "this_week"
LAST_WEEK = "last_week"
THIS_MONTH = "this_month"
LAST_MONTH = "last_month"
QUARTER = "quarter"
CUSTOM = "custom"
PERIOD_CHOICES = (THIS_WEEK, LAST_WEEK, THIS_MONTH, LAST_MONTH, QUARTER, CUSTOM)
# The choice of a period made by Period.previous() or month_period(); not offered on the page.
PREVIOUS = "previous"
MONTH = "month"
MAX_CUSTOM_DAYS = 366

WEEKDAYS = 7
HOURS = 24
PEAK_HOURS = 3

_MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# The days a period may hold: the calendar's ends have no UTC bounds (nor a period before them).
FIRST_READABLE_DAY = date(1970, 1, 1)
LAST_READABLE_DAY = date(9998, 12, 31)


def readable_day(day: date) -> bool:
    return FIRST_READABLE_DAY <= day <= LAST_READABLE_DAY


@dataclass(frozen=True)
class Period:
    """Whole local days from first_day to last_day, both inclusive."""

    choice: str
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> "Period":
        """The period of the same number of days that ends the day before this one starts."""
        last = self.first_day - timedelta(days=1)
        return Period(PREVIOUS, last - timedelta(days=self.days - 1), last)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """(start, end) in UTC, half-open: local midnight of first_day to local midnight after last_day."""
        return day_bounds(self.first_day, tz)[0], day_bounds(self.last_day, tz)[1]


def _day(value: object, *, field: str) -> date:
    """A date from code, or "YYYY-MM-DD" from a browser's date box."""
    if isinstance(value, datetime):
        raise InvalidInput("figures.error.custom_dates", field=field)
    if isinstance(value, date) and readable_day(value):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
        if day is not None and readable_day(day):
            return day
    raise InvalidInput("figures.error.custom_dates", field=field)


def _quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    return first, _month_end(date(day.year, first_month + 2, 1))


def _month_end(first: date) -> date:
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def period_for(choice: object, today: date, first_day: object = None, last_day: object = None) -> Period:
    """The period a staff member chose, relative to the hub's local `today`.

    Weeks run Monday to Sunday; months are calendar months; "quarter" is the calendar quarter that
    holds today (January-March, ...). "custom" takes first_day and last_day (dates or "YYYY-MM-DD"),
    last_day >= first_day, at most MAX_CUSTOM_DAYS days; the others ignore them.
    Raises InvalidInput ("figures.error.period", "figures.error.custom_dates",
    "figures.error.custom_order", "figures.error.custom_length") with field "period".
    """
    if not isinstance(choice, str) or choice not in PERIOD_CHOICES:
        raise InvalidInput("figures.error.period", field="period")
    monday = today - timedelta(days=today.weekday())
    if choice == THIS_WEEK:
        return Period(choice, monday, monday + timedelta(days=6))
    if choice == LAST_WEEK:
        return Period(choice, monday - timedelta(days=7), monday - timedelta(days=1))
    month_start = today.replace(day=1)
    if choice == THIS_MONTH:
        return Period(choice, month_start, _month_end(month_start))
    if choice == LAST_MONTH:
        last = month_start - timedelta(days=1)
        return Period(choice, last.replace(day=1), last)
    if choice == QUARTER:
        return Period(choice, *_quarter_of(today))
    first, last = _day(first_day, field="period"), _day(last_day, field="period")
    if last < first:
        raise InvalidInput("figures.error.custom_order", field="period")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise InvalidInput("figures.error.custom_length", field="period", days=MAX_CUSTOM_DAYS)
    return Period(choice, first, last)


def month_period(text: object) -> Period:
    """The calendar month named "YYYY-MM" (for the monthly report), choice "month"; raises
    InvalidInput("figures.error.month", field="month") for anything else."""
    found = _MONTH_PATTERN.match(text.strip()) if isinstance(text, str) else None
    if (found is None or not 1 <= int(found.group(2)) <= 12
            or not FIRST_READABLE_DAY.year <= int(found.group(1)) <= LAST_READABLE_DAY.year):
        raise InvalidInput("figures.error.month", field="month")
    first = date(int(found.group(1)), int(found.group(2)), 1)
    return Period(MONTH, first, _month_end(first))


# --- rates and changes ---------------------------------------------------------------------------

def rate(part: float, whole: float) -> float | None:
    """part / whole as a fraction (0.25 for 25 %), None when whole is 0 (nothing to rate)."""
    if not whole:
        return None
    return part / whole


UP = "up"
DOWN = "down"
SAME = "same"


@dataclass(frozen=True)
class Change:
    """How a figure moved against the previous period: direction (UP, DOWN, SAME, or "" when one
    side is unknown), delta = current - previous (None when unknown) and ratio = delta / previous
    (None when unknown or previous is 0)."""

    direction: str
    delta: float | None
    ratio: float | None


def change(current: float | None, previous: float | None) -> Change:
    """For the "compared with the previous period" arrow. Rates that are None (nothing to rate)
    give no direction."""
    if current is None or previous is None:
        return Change("", None, None)
    delta = current - previous
    if abs(delta) < 1e-9:
        return Change(SAME, 0, 0.0 if previous else None)
    return Change(UP if delta > 0 else DOWN, delta, delta / previous if previous else None)


# --- hours ------------------------------------------------------------------------------------------

def overlap_hours(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> float:
    """Hours of [start, end) inside [window_start, window_end); 0 when they do not meet."""
    seconds = (min(end, window_end) - max(start, window_start)).total_seconds()
    return max(0.0, seconds / 3600)


def _merged(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def open_hours(first_day: date, last_day: date, hours: dict[int, tuple[int, int]],
               closures: Iterable[tuple[datetime, datetime]], tz: ZoneInfo) -> float:
    """Hours the hub is open from first_day to last_day (local, inclusive): each day's opening
    hours, minus the parts covered by the closures given (the caller passes the whole hub's and the
    space's own; overlapping closures are not subtracted twice)."""
    closed = _merged(closures)
    total = 0.0
    day = first_day
    while day <= last_day:
        opening = opening_of(day, hours, tz)
        if opening is not None:
            total += (opening[1] - opening[0]).total_seconds() / 3600
            total -= sum(overlap_hours(start, end, *opening) for start, end in closed)
        day += timedelta(days=1)
    return total


# --- heat map ---------------------------------------------------------------------------------------

def empty_heat_map() -> list[list[float]]:
    """7 rows (Monday first) of 24 local hours, 0.0 each."""
    return [[0.0] * HOURS for _ in range(WEEKDAYS)]


def add_to_heat_map(grid: list[list[float]], start: datetime, end: datetime, window_start: datetime,
                    window_end: datetime, tz: ZoneInfo, weight: float = 1.0) -> None:
    """Adds the hours of [start, end) that lie inside the window to the local weekday x hour cells
    they fall in, times `weight` (e.g. the number of identical bookings). A booking across
    midnight adds to two weekdays; the parts outside the window add nothing."""
    moment, finish = max(start, window_start), min(end, window_end)
    while moment < finish:
        local = moment.astimezone(tz)
        hour_start = local.replace(minute=0, second=0, microsecond=0)
        next_hour = (hour_start.astimezone(UTC) + timedelta(hours=1))
        piece_end = min(next_hour, finish)
        grid[local.weekday()][local.hour] += weight * (piece_end - moment).total_seconds() / 3600
        moment = piece_end


def heat_map(spans: Iterable[tuple[datetime, datetime]], window_start: datetime, window_end: datetime,
             tz: ZoneInfo) -> list[list[float]]:
    """The heat map of booked hours of the spans inside the window."""
    grid = empty_heat_map()
    for start, end in spans:
        add_to_heat_map(grid, start, end, window_start, window_end, tz)
    return grid


def peak_hours(grid: list[list[float]], top: int = PEAK_HOURS) -> list[int]:
    """The local hours of the day (0-23) with the most booked hours over all weekdays, busiest
    first (an earlier hour first on a tie); hours with nothing booked are never peaks."""
    totals = [sum(row[hour] for row in grid) for hour in range(HOURS)]
    busy = [hour for hour in range(HOURS) if totals[hour] > 1e-9]
    return sorted(busy, key=lambda hour: (-totals[hour], hour))[:top]
