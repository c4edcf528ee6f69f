"""Pure rules of the staff's home and member record: the local day and week, and which membership
actions a member's record offers. No reflex, no database."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub_app.domain.membership import TRANSITIONS, next_status


def local_day_bounds(now: datetime, tz: ZoneInfo) -> tuple[date, datetime, datetime]:
    """The hub's local day that holds `now`: (the date, its start, the next day's start), in UTC."""
    day = now.astimezone(tz).date()
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return day, start.astimezone(UTC), end.astimezone(UTC)


def local_week_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00.00 to the next Monday 00.00 of the local week that holds `now`, in UTC."""
    day = now.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def hour_starts(day: date, tz: ZoneInfo) -> list[datetime]:
    """The 25 boundaries of a local day's hours (00.00 ... the next day's 00.00), in UTC."""
    first = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    last = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(UTC)
    hours = int((last - first).total_seconds() // 3600)
    return [first + timedelta(hours=h) for h in range(hours)] + [last]


def membership_actions(status: str, verified: bool) -> list[str]:
    """The membership actions that apply to a member in `status`, in the order staff see them.
    Approving needs a verified email: for an unverified member "approve" is left out (the record
    says it waits for the email and offers to resend the link instead)."""
    return [action for action in TRANSITIONS
            if next_status(status, action) is not None and (action != "approve" or verified)]


def waits_for_email(status: str, verified: bool) -> bool:
    """A member staff would approve, but whose email is not verified yet."""
    return not verified and next_status(status, "approve") is not None
