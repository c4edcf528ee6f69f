"""Rules of the staff exports: which exports there are, the period they cover and the file's name.
Pure: no reflex, no database.

A period is two local dates, both included (from 2026-11-01 to 2026-11-30 is the whole of
November in the hub's zone), at most MAX_DAYS long."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hub_app.domain.errors import InvalidInput
from hub_app.domain.insights import readable_day
from hub_app.domain.opening_hours import day_bounds

KINDS = ("bookings", "members", "enrolments", "attendance", "occupancy")
FORMATS = ("csv", "xlsx")
MAX_DAYS = 366


def export_kind(value: object) -> str:
    if not isinstance(value, str) or value not in KINDS:
        raise InvalidInput("exports.error.kind", field="kind")
    return value


def export_format(value: object) -> str:
    if not isinstance(value, str) or value not in FORMATS:
        raise InvalidInput("exports.error.format", field="format")
    return value


def _day(value: object, field: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    # fromisoformat also takes "20261101" and week dates; only YYYY-MM-DD is a date here.
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise InvalidInput("exports.error.date", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("exports.error.date", field=field) from None


def export_period(start: object, end: object) -> tuple[date, date]:
    """The period from `start` to `end` (YYYY-MM-DD, both days included), checked."""
    first, last = _day(start, "from"), _day(end, "to")
    if last < first:
        raise InvalidInput("exports.error.order", field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput("exports.error.too_long", field="to", days=MAX_DAYS)
    if not (readable_day(first) and readable_day(last)):
        raise InvalidInput("exports.error.date", field="from")
    return first, last


def period_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's start (local midnight of `first`) and end (local midnight after `last`) in UTC."""
    return day_bounds(first, tz)[0], day_bounds(last, tz)[1]


def file_name(kind: str, first: date, last: date, file_format: str) -> str:
    """hub-bookings-2026-11-01_2026-11-30.xlsx"""
    return f"hub-{kind}-{first.isoformat()}_{last.isoformat()}.{file_format}"
