"""Pure rules of the staff's queues: which ids a bulk decision takes, what it answers, and the
days of a week on the booking desk. No reflex, no database."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from hub_app.domain.errors import InvalidInput

BULK_LIMIT = 100  # ids per bulk decision: a page of the queue is far fewer


@dataclass
class BulkRefusal:
    id: int
    name: str  # the member's name, or the booking's space and time; "#id" when unknown
    reason: str  # translated, in the staff member's language
    waits_for_email: bool = False  # an unverified member: the page offers to resend the link


@dataclass
class BulkOutcome:
    done: int
    refused: list[BulkRefusal] = field(default_factory=list)


def id_list(value: object, *, field_name: str) -> list[int]:
    """The ids of a bulk decision from the browser: a list of positive integers (or their decimal
    strings), at most BULK_LIMIT, each once, in the order given."""
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput("queues.error.none_chosen", field=field_name)
    if len(value) > BULK_LIMIT:
        raise InvalidInput("queues.error.too_many", field=field_name, limit=BULK_LIMIT)
    ids: list[int] = []
    for item in value:
        if isinstance(item, str) and item.strip().isdigit() and len(item.strip()) <= 12:
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 2**62:
            raise InvalidInput("queues.error.bad_id", field=field_name)
        if item not in ids:
            ids.append(item)
    return ids


def week_days(day: date) -> list[date]:
    """Monday to Sunday of the week that holds `day`."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=offset) for offset in range(7)]


def step(day: date, view: str, direction: int) -> date:
    """The day the previous/next button shows: a day on in the day view, a week in the week view."""
    return day + timedelta(days=direction * (7 if view == "week" else 1))
