"""Recurring bookings: expand a weekly or daily rule into occurrences, in the hub's local time."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub_app.domain.errors import InvalidInput

FREQUENCIES = ("daily", "weekly")
MAX_OCCURRENCES = 52


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime


def expand(start: datetime, end: datetime, *, frequency: str, tz: ZoneInfo, count: int | None = None,
           until: date | None = None) -> list[Occurrence]:
    """The occurrences of [start, end) repeated daily or weekly, `count` times or until a local date
    (inclusive). The wall-clock time stays the same in the hub's time zone."""
    if frequency not in FREQUENCIES:
        raise InvalidInput("error.field_choice", field="frequency")
    if (count is None) == (until is None):
        raise InvalidInput("booking.error.repeat_how", field="repeat")
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise InvalidInput("error.field_range", field="count", min=1, max=MAX_OCCURRENCES)
    step = timedelta(days=1 if frequency == "daily" else 7)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if until is not None and until < local_start.date():
        raise InvalidInput("booking.error.until_before_start", field="until")
    occurrences = []
    index = 0
    while True:
        day_start = (local_start.replace(tzinfo=None) + step * index).replace(tzinfo=tz)
        day_end = (local_end.replace(tzinfo=None) + step * index).replace(tzinfo=tz)
        if count is not None and index >= count:
            break
        if until is not None and day_start.date() > until:
            break
        if len(occurrences) >= MAX_OCCURRENCES:
            raise InvalidInput("booking.error.too_many_occurrences", field="until", max=MAX_OCCURRENCES)
        occurrences.append(Occurrence(day_start.astimezone(start.tzinfo), day_end.astimezone(start.tzinfo)))
        index += 1
    return occurrences
