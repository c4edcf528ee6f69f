"""Arranging spaces and bookings for the booking service tests."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from hub_app.models import Booking, Space
from hub_app.models.base import utcnow

WIB = ZoneInfo("Asia/Jakarta")


def weekday_ahead(days: int = 2) -> date:
    """A Monday-to-Friday local date at least `days` ahead (the hub's default hours apply)."""
    day = datetime.now(UTC).astimezone(WIB).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


def iso(day: date, hour: int, minute: int = 0) -> str:
    """How the browser sends a time: local to the hub, without an offset."""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def make_space(session: Session, *, kind: str = "meeting_room", capacity: int = 8, name: str = "Ruang Rapat Monas",
               **rules) -> Space:
    rules.setdefault("amenities", ["screen", "whiteboard"])
    space = Space(kind=kind, name_id=name, name_en=name.replace("Ruang Rapat", "Meeting Room"), capacity=capacity,
                  **rules)
    session.add(space)
    session.commit()
    return space


def put_booking(session: Session, space: Space, user_id: int | None, start: datetime, end: datetime, *,
                status: str = "confirmed", kind: str = "member", seats: int = 1, title: str = "Rapat") -> Booking:
    """A booking written straight to the table (for times the service would refuse, e.g. now)."""
    booking = Booking(space_id=space.id, user_id=user_id, kind=kind, status=status,
                      exclusive=space.kind != "desk_area", starts_at=start, ends_at=end, seats=seats, title=title,
                      created_at=utcnow(), updated_at=utcnow())
    session.add(booking)
    session.commit()
    return booking
